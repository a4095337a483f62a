/* SPDX-License-Identifier: MIT */
/* Fuzz target: HTTP over http/tls.c over a memory stream, BearSSL's server
 * engine fed by our stream code. The first input byte picks the mode and how
 * bytes are cut:
 *   bit 0 clear  the rest is what a client sends, raw: records, ClientHellos,
 *                alerts, garbage (the record layer and the handshake parser);
 *   bit 0 set    a real BearSSL client does the handshake first (trusting the
 *                server's key), then sends the rest as application data, so
 *                HTTP under TLS sees it (the glue's queues, records, closes);
 *   bits 1-3     input cut into pieces of 1 << n bytes (0: as it comes);
 *   bits 4-5     send room the transport offers: plenty, tight, a trickle;
 *   bit 6        the client closes with close_notify at the end, else drops.
 * The certificate and key are made at start-up by openssl, in a directory
 * removed at once; nothing secret is kept on disk. Randomness is a counter so
 * that a crash input replays. Invariants checked: nothing queued beyond what
 * can_send granted (http/tls.c drops such a connection, counted), the HTTP
 * buffer pool whole at the end, every TLS slot back. And a renewal under way:
 * with a real client, a second certificate is loaded once the server has
 * answered the ClientHello; the client, which trusts only the first key, must
 * never see the second (the handshake keeps what it began with), a third load
 * meanwhile must wait (TLS_CERT_BUSY), and a load that fails must leave the
 * certificate in use alone. */
#include <bearssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/tls.h"
#include "tests/unit/http_fake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define PIPE_CAP (96u * 1024u)

/* The server's transport: bytes from the client in, records out. */
struct pipe {
	struct stream st;
	size_t in_len, in_off;
	bool in_eof;
	size_t out_len;
	size_t room; /* bytes can_send grants at most per call */
	size_t chunk;
	unsigned wakes;
	bool closed, graceful;
	size_t grant; /* what the last can_send granted */
	unsigned overrun;
	uint8_t in[PIPE_CAP]; /* the buffers last: not cleared per input */
	uint8_t out[PIPE_CAP];
};

static size_t p_recv(struct stream *s, uint8_t *buf, size_t cap, bool *eof)
{
	struct pipe *p = (struct pipe *)s;
	size_t n = p->in_len - p->in_off;

	if (p->chunk && n > p->chunk)
		n = p->chunk;
	if (n > cap)
		n = cap;
	memcpy(buf, p->in + p->in_off, n);
	p->in_off += n;
	if (p->in_off == p->in_len) {
		p->in_off = p->in_len = 0;
		*eof = p->in_eof;
	} else {
		*eof = false;
	}
	return n;
}

static bool p_can_send(struct stream *s, size_t copy_bytes, unsigned copies, unsigned refs)
{
	struct pipe *p = (struct pipe *)s;
	(void)copies;
	(void)refs;
	if (p->closed || copy_bytes > p->room || p->out_len + copy_bytes > PIPE_CAP)
		return false;
	p->grant = copy_bytes;
	return true;
}

static void p_send(struct stream *s, const void *b, size_t len)
{
	struct pipe *p = (struct pipe *)s;

	if (len > p->grant || p->out_len + len > PIPE_CAP) {
		p->overrun++;
		return;
	}
	p->grant -= len;
	memcpy(p->out + p->out_len, b, len);
	p->out_len += len;
}

static uint64_t p_unsent(struct stream *s)
{
	return ((struct pipe *)s)->out_len;
}

static void p_close(struct stream *s, bool graceful)
{
	struct pipe *p = (struct pipe *)s;
	p->closed = true;
	p->graceful = graceful;
}

static void p_wake(struct stream *s)
{
	((struct pipe *)s)->wakes++;
}

static const struct stream_ops pipe_ops = {
        .recv = p_recv,
        .can_send = p_can_send,
        .send_copy = p_send,
        .send_ref = p_send,
        .unsent = p_unsent,
        .close = p_close,
        .wake = p_wake,
};

static struct tls_server *ts;
static struct http_server srv;
static br_x509_pkey server_pk;
static uint8_t pk_q[BR_EC_KBUF_PUB_MAX_SIZE];
static uint64_t rng_counter;
static uint8_t *cert_a, *key_a, *cert_b, *key_b;
static size_t cl_a, kl_a, cl_b, kl_b;

static void fuzz_random(void *ctx, void *buf, size_t len)
{
	uint8_t *b = buf;
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(++rng_counter * 0x9e3779b97f4a7c15ull >> 56);
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(65536);
	if (!f || !b)
		abort();
	*len = fread(b, 1, 65536, f);
	fclose(f);
	return b;
}

static void keep_pkey(void *ctx, const void *p, size_t len)
{
	(void)ctx;
	(void)p;
	(void)len;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/ud-fuzz-tls.XXXXXX", cmd[1024], path[600], err[200];
	size_t cl, kl, dl;
	uint8_t *cert, *key, *der;
	struct tls_config cfg = {0};
	br_x509_decoder_context xd;
	const br_x509_pkey *pk;
	static uint8_t mem[1u << 22];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(cmd, sizeof cmd,
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-keyout %s/k.pem -out %s/c.pem -days 2 -subj /CN=deck.test "
	         "-addext subjectAltName=DNS:deck.test >/dev/null 2>&1 && "
	         "openssl x509 -in %s/c.pem -outform DER -out %s/c.der && "
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-keyout %s/k2.pem -out %s/c2.pem -days 2 -subj /CN=deck.test "
	         "-addext subjectAltName=DNS:deck.test >/dev/null 2>&1",
	         dir, dir, dir, dir, dir, dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "tls_conn: openssl could not make a test certificate\n");
		abort();
	}
	snprintf(path, sizeof path, "%s/c.pem", dir);
	cert = slurp(path, &cl);
	snprintf(path, sizeof path, "%s/k.pem", dir);
	key = slurp(path, &kl);
	snprintf(path, sizeof path, "%s/c.der", dir);
	der = slurp(path, &dl);
	snprintf(path, sizeof path, "%s/c2.pem", dir);
	cert_b = slurp(path, &cl_b);
	snprintf(path, sizeof path, "%s/k2.pem", dir);
	key_b = slurp(path, &kl_b);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		abort();
	cfg.max_conns = 2;
	cfg.max_handshakes = 2;
	cfg.handshake_timeout_ns = 10000000000ull;
	cfg.drain_timeout_ns = 30000000000ull;
	cfg.random = fuzz_random;
	if (tls_server_size(cfg.max_conns) > sizeof mem ||
	    !(ts = tls_server_init(mem, sizeof mem, &cfg)))
		abort();
	if (tls_server_set_cert(ts, cert, cl, key, kl, err, sizeof err) != 0) {
		fprintf(stderr, "tls_conn: %s\n", err);
		abort();
	}
	br_x509_decoder_init(&xd, keep_pkey, NULL);
	br_x509_decoder_push(&xd, der, dl);
	pk = br_x509_decoder_get_pkey(&xd);
	if (!pk || pk->key_type != BR_KEYTYPE_EC || pk->key.ec.qlen > sizeof pk_q)
		abort();
	memcpy(pk_q, pk->key.ec.q, pk->key.ec.qlen);
	server_pk = *pk;
	server_pk.key.ec.q = pk_q;
	cert_a = cert; /* kept: each input puts the first certificate back */
	key_a = key;
	cl_a = cl;
	kl_a = kl;
	free(der);
	fake_server(&srv, 2);
	return 0;
}

/* The server's turn: TLS and HTTP, as a transport steps a connection. */
static void server_step(struct tls_conn *t, struct http_conn *hc, uint64_t now)
{
	tls_conn_begin(t, now);
	http_conn_poll(&srv, hc, now);
	tls_conn_end(t);
}

static void to_server(struct pipe *p, const uint8_t *b, size_t len)
{
	if (p->in_off) {
		memmove(p->in, p->in + p->in_off, p->in_len - p->in_off);
		p->in_len -= p->in_off;
		p->in_off = 0;
	}
	if (len > PIPE_CAP - p->in_len)
		len = PIPE_CAP - p->in_len;
	memcpy(p->in + p->in_len, b, len);
	p->in_len += len;
}

static struct pipe pp;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static br_ssl_client_context cc;
	static br_x509_knownkey_context kk;
	static br_x509_minimal_context xc; /* set up by init_full, then replaced */
	static uint8_t cbuf[BR_SSL_BUFSIZE_BIDI];
	static const size_t rooms[4] = {PIPE_CAP, 700, 520, 5000}; /* >= TLS_MIN_PIECE */
	struct pipe *p = &pp;
	struct http_conn hc;
	struct tls_conn *t, *victim;
	uint64_t now = 1000000000ull;
	const uint8_t *in;
	size_t in_len, sent = 0;
	bool through_client, closed_client = false, swapped = false;
	int round;
	char err[200];

	if (size < 1)
		return 0;
	through_client = data[0] & 1;
	in = data + 1;
	in_len = size - 1;
	rng_counter = 0;
	memset(p, 0, offsetof(struct pipe, in));
	p->st.ops = &pipe_ops;
	p->chunk = (data[0] >> 1 & 7) ? (size_t)1 << (data[0] >> 1 & 7) : 0;
	p->room = rooms[data[0] >> 4 & 3];
	t = tls_conn_open(ts, &p->st, now, &victim);
	if (!t || victim)
		abort(); /* one connection at a time: a slot is always free */
	http_conn_init(&srv, &hc, tls_conn_stream(t), now);

	if (through_client) {
		br_ssl_client_init_full(&cc, &xc, NULL, 0);
		br_x509_knownkey_init_ec(&kk, &server_pk.key.ec, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
		br_ssl_engine_set_x509(&cc.eng, &kk.vtable);
		br_ssl_engine_set_versions(&cc.eng, BR_TLS12, BR_TLS12);
		br_ssl_engine_set_buffer(&cc.eng, cbuf, sizeof cbuf, 1);
		{
			uint8_t seed[32] = {1, 2, 3};
			br_ssl_engine_inject_entropy(&cc.eng, seed, sizeof seed);
		}
		if (!br_ssl_client_reset(&cc, "deck.test", 0))
			abort();
	} else {
		to_server(p, in, in_len);
		p->in_eof = !(data[0] & 64);
	}

	for (round = 0; round < 400 && !p->closed; round++) {
		now += 1000000ull;
		if (through_client) {
			br_ssl_engine_context *e = &cc.eng;
			unsigned st = br_ssl_engine_current_state(e);
			size_t len;
			uint8_t *b;

			if (st == BR_SSL_CLOSED) {
				p->in_eof = true;
			} else {
				if ((st & BR_SSL_SENDREC) &&
				    (b = br_ssl_engine_sendrec_buf(e, &len))) {
					if (len > PIPE_CAP - p->in_len)
						len = PIPE_CAP - p->in_len;
					to_server(p, b, len);
					br_ssl_engine_sendrec_ack(e, len);
				}
				if ((st & BR_SSL_RECVAPP) &&
				    (b = br_ssl_engine_recvapp_buf(e, &len)))
					br_ssl_engine_recvapp_ack(e, len);
				if ((st & BR_SSL_SENDAPP) && sent < in_len &&
				    (b = br_ssl_engine_sendapp_buf(e, &len))) {
					size_t k = in_len - sent;
					if (p->chunk && k > p->chunk)
						k = p->chunk;
					if (k > len)
						k = len;
					memcpy(b, in + sent, k);
					br_ssl_engine_sendapp_ack(e, k);
					br_ssl_engine_flush(e, 0);
					sent += k;
				} else if ((st & BR_SSL_SENDAPP) && sent == in_len &&
				           !closed_client && round > 200) {
					closed_client = true;
					if (data[0] & 64)
						br_ssl_engine_close(e);
					else
						p->in_eof = true;
				}
			}
		}
		server_step(t, &hc, now);
		if (through_client && !swapped && p->out_len &&
		    br_ssl_engine_current_state(&cc.eng) != BR_SSL_CLOSED &&
		    !(br_ssl_engine_current_state(&cc.eng) & BR_SSL_SENDAPP)) {
			/* The server's flight is out under the first certificate. */
			swapped = true;
			if (tls_server_set_cert(ts, cert_b, cl_b, key_b, kl_b, err, sizeof err) !=
			    0)
				abort(); /* the other slot is free */
			if (tls_server_set_cert(ts, (const uint8_t *)"junk", 4, key_a, kl_a, err,
			                        sizeof err) != TLS_CERT_BUSY)
				abort(); /* the first is still in this handshake's hands */
		}
		if (p->overrun)
			abort(); /* the glue sent more than the transport granted */
		/* The transport takes everything queued (the network moved it). */
		if (p->out_len) {
			if (through_client &&
			    br_ssl_engine_current_state(&cc.eng) != BR_SSL_CLOSED) {
				size_t off = 0, len;
				uint8_t *b;
				while (off < p->out_len &&
				       (b = br_ssl_engine_recvrec_buf(&cc.eng, &len)) != NULL) {
					if (len > p->out_len - off)
						len = p->out_len - off;
					memcpy(b, p->out + off, len);
					br_ssl_engine_recvrec_ack(&cc.eng, len);
					off += len;
					if ((b = br_ssl_engine_recvapp_buf(&cc.eng, &len)) != NULL)
						br_ssl_engine_recvapp_ack(&cc.eng, len);
				}
			}
			p->out_len = 0;
		}
		if (!through_client && p->in_len == 0 && round > 40)
			now += 20000000000ull; /* time out whatever waits */
	}
	if (getenv("TLS_FUZZ_TRACE")) /* what a seed reaches, for whoever writes seeds */
		fprintf(stderr, "tls_conn: handshakes %llu requests %llu closed %d\n",
		        (unsigned long long)tls_server_stats(ts)->handshakes,
		        (unsigned long long)srv.stats.requests, p->closed);
	if (swapped) {
		int e = br_ssl_engine_last_error(&cc.eng);
		if (e == BR_ERR_BAD_SIGNATURE || (e > BR_ERR_X509_OK && e < 64))
			abort(); /* the handshake switched to the second certificate */
	}
	http_conn_fini(&srv, &hc);
	tls_conn_free(t);
	if (swapped) {
		/* Back to the first: its slot is free now. A failed load after it
		 * changes nothing. */
		if (tls_server_set_cert(ts, cert_a, cl_a, key_a, kl_a, err, sizeof err) != 0 ||
		    tls_server_set_cert(ts, (const uint8_t *)"junk", 4, key_b, kl_b, err,
		                        sizeof err) != -1 ||
		    !tls_server_key_desc(ts)[0])
			abort();
	}
	if (srv.pool_avail != srv.pool_total || srv.holders || srv.waiters)
		abort(); /* a buffer escaped the pool */
	if (tls_server_stats(ts)->in_handshake != 0)
		abort(); /* a freed connection stayed on the handshake list */
	return 0;
}
