/* SPDX-License-Identifier: MIT */
/* The server's cost of a full TLS handshake, in instructions: http/tls.c (the
 * same file the image links) against BearSSL's own client in one process,
 * over memory, so that nothing but the two engines runs. Run it under
 * callgrind with collection on for the server's entry points only:
 *
 *   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=tls_conn_open \
 *       --toggle-collect=tls_conn_begin --toggle-collect=tls_conn_end \
 *       build/bench/tls_hs CERT.pem KEY.pem N
 *
 * and divide the instructions by N (bench/tls_image.py does). Each handshake is
 * a full one (the client never resumes). Prints "handshakes N suite S" and
 * exits 0 when every handshake finished. The client checks the server's key
 * only (br_x509_knownkey): its X.509 work is not the server's cost. */
#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "http/tls.h"

#define BUF (64u * 1024u)

struct mem_stream {
	struct stream st;
	uint8_t in[BUF];
	size_t in_len, in_off;
	uint8_t out[BUF];
	size_t out_len;
	bool closed;
};

static size_t m_recv(struct stream *s, uint8_t *buf, size_t cap, bool *eof)
{
	struct mem_stream *m = (struct mem_stream *)(void *)s;
	size_t n = m->in_len - m->in_off < cap ? m->in_len - m->in_off : cap;

	*eof = false;
	memcpy(buf, m->in + m->in_off, n);
	m->in_off += n;
	if (m->in_off == m->in_len)
		m->in_off = m->in_len = 0;
	return n;
}

static bool m_can_send(struct stream *s, size_t copy_bytes, unsigned copies, unsigned refs)
{
	struct mem_stream *m = (struct mem_stream *)(void *)s;

	(void)copies;
	(void)refs;
	return m->out_len + copy_bytes <= BUF;
}

static void m_send(struct stream *s, const void *p, size_t len)
{
	struct mem_stream *m = (struct mem_stream *)(void *)s;

	if (m->out_len + len > BUF)
		abort();
	memcpy(m->out + m->out_len, p, len);
	m->out_len += len;
}

static uint64_t m_unsent(struct stream *s)
{
	return ((struct mem_stream *)(void *)s)->out_len;
}

static void m_close(struct stream *s, bool graceful)
{
	(void)graceful;
	((struct mem_stream *)(void *)s)->closed = true;
}

static void m_wake(struct stream *s)
{
	(void)s;
}

static const struct stream_ops mem_ops = {m_recv,   m_can_send, m_send, m_send,
                                          m_unsent, m_close,    m_wake, NULL};

static void rnd(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	if (getrandom(buf, len, 0) != (ssize_t)len)
		abort();
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = malloc(1 << 20);

	if (!f || !p) {
		perror(path);
		exit(2);
	}
	*len = fread(p, 1, 1 << 20, f);
	fclose(f);
	return p;
}

/* The leaf's public key, for the client's known-key check. */
static br_x509_decoder_context xd;
static void xd_push(void *ctx, const void *p, size_t len)
{
	(void)ctx;
	br_x509_decoder_push(&xd, p, len);
}

static const br_x509_pkey *leaf_key(const uint8_t *pem, size_t len)
{
	br_pem_decoder_context pc;
	bool in = false, done = false;

	br_pem_decoder_init(&pc);
	while (len && !done) {
		size_t n = br_pem_decoder_push(&pc, pem, len);
		pem += n;
		len -= n;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			in = strcmp(br_pem_decoder_name(&pc), "CERTIFICATE") == 0;
			if (in) {
				br_x509_decoder_init(&xd, NULL, NULL);
				br_pem_decoder_setdest(&pc, xd_push, NULL);
			} else {
				br_pem_decoder_setdest(&pc, NULL, NULL);
			}
			break;
		case BR_PEM_END_OBJ:
			done = in;
			break;
		case BR_PEM_ERROR:
			return NULL;
		}
	}
	return done ? br_x509_decoder_get_pkey(&xd) : NULL;
}

int main(int argc, char **argv)
{
	static struct mem_stream ms;
	static br_ssl_client_context cc;
	static br_x509_knownkey_context xk;
	static uint8_t cbuf[BR_SSL_BUFSIZE_BIDI];
	struct tls_config cfg = {4, 4, UINT64_MAX / 2, UINT64_MAX / 2, rnd, NULL};
	size_t cl, kl, done = 0, n;
	uint8_t *cert, *key;
	char err[160];
	void *mem;
	struct tls_server *ts;
	const br_x509_pkey *pk;

	if (argc != 4) {
		fprintf(stderr, "usage: tls_hs CERT.pem KEY.pem N\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	cert = slurp(argv[1], &cl);
	key = slurp(argv[2], &kl);
	mem = aligned_alloc(64, (tls_server_size(4) + 63) / 64 * 64);
	ts = tls_server_init(mem, tls_server_size(4), &cfg);
	if (!ts || tls_server_set_cert(ts, cert, cl, key, kl, err, sizeof err) != 0) {
		fprintf(stderr, "tls_hs: %s\n", err);
		return 1;
	}
	pk = leaf_key(cert, cl);
	if (!pk)
		return 1;
	if (pk->key_type == BR_KEYTYPE_EC)
		br_x509_knownkey_init_ec(&xk, &pk->key.ec, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
	else
		br_x509_knownkey_init_rsa(&xk, &pk->key.rsa, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
	static br_x509_minimal_context xm; /* replaced by the known key below */
	br_ssl_client_init_full(&cc, &xm, NULL, 0);
	br_ssl_engine_set_x509(&cc.eng, &xk.vtable);
	br_ssl_engine_set_buffer(&cc.eng, cbuf, sizeof cbuf, 1);
	{
		uint8_t seed[32];
		rnd(NULL, seed, sizeof seed);
		br_ssl_engine_inject_entropy(&cc.eng, seed, sizeof seed);
	}
	for (size_t i = 0; i < n; i++) {
		struct tls_conn *victim, *t;
		memset(&ms, 0, sizeof ms);
		ms.st.ops = &mem_ops;
		t = tls_conn_open(ts, &ms.st, 1, &victim);
		if (!t || !br_ssl_client_reset(&cc, "deck.test", 0))
			return 1;
		for (int round = 0; round < 1000; round++) {
			unsigned st = br_ssl_engine_current_state(&cc.eng);
			size_t len;
			if (st & BR_SSL_CLOSED) {
				fprintf(stderr, "tls_hs: client error %d\n",
				        br_ssl_engine_last_error(&cc.eng));
				return 1;
			}
			if (st & BR_SSL_SENDAPP) {
				done++;
				break;
			}
			if (st & BR_SSL_SENDREC) {
				uint8_t *b = br_ssl_engine_sendrec_buf(&cc.eng, &len);
				memcpy(ms.in + ms.in_len, b, len);
				ms.in_len += len;
				br_ssl_engine_sendrec_ack(&cc.eng, len);
				continue;
			}
			tls_conn_begin(t, 1);
			tls_conn_end(t);
			size_t off = 0;
			while (off < ms.out_len &&
			       (br_ssl_engine_current_state(&cc.eng) & BR_SSL_RECVREC)) {
				uint8_t *b = br_ssl_engine_recvrec_buf(&cc.eng, &len);
				size_t k = ms.out_len - off < len ? ms.out_len - off : len;
				memcpy(b, ms.out + off, k);
				br_ssl_engine_recvrec_ack(&cc.eng, k);
				off += k;
			}
			memmove(ms.out, ms.out + off, ms.out_len - off);
			ms.out_len -= off;
		}
		tls_conn_free(t);
	}
	br_ssl_session_parameters sp;
	br_ssl_engine_get_session_parameters(&cc.eng, &sp);
	printf("handshakes %zu suite 0x%04x server %lu\n", done, sp.cipher_suite,
	       (unsigned long)tls_server_stats(ts)->handshakes);
	return done == n ? 0 : 1;
}
