/* SPDX-License-Identifier: MIT */
/* TLS as a stream under HTTP: see http/tls.h. */
#include "http/tls.h"

#include <bearssl.h>

#include "lib/mem.h"

#define TLS_QUEUE_SEGS  40u
#define TLS_COPY_BYTES  (STREAM_MIN_COPY + 4096u)
#define TLS_LRU_BYTES   (64u * 1024u) /* about 500 sessions for resumption */
#define TLS_MIN_PIECE   512u          /* smallest part of a record handed down */
/* A handshake we have just answered is not given up for a newcomer for this
 * long: its peer needs a round trip and a key exchange to answer, and a flood
 * faster than that would otherwise push out every honest client as soon as we
 * had answered it. It bounds the handshakes a full table turns over to
 * max_handshakes a grace, 256 a second at the default 64. */
#define TLS_HS_GRACE_NS (250ull * 1000000ull)

struct tls_seg {
	const uint8_t *p;
	size_t len;
	bool copied; /* in our copy ring */
};

struct tls_conn {
	struct stream up; /* what the HTTP layer reads and writes */
	struct stream *low;
	struct tls_server *ts;
	void *user;
	br_ssl_server_context sc;
	uint64_t now;
	uint64_t hs_deadline;               /* 0 once the handshake is done */
	uint64_t drain_deadline;            /* set when HTTP closes */
	struct tls_conn *hs_prev, *hs_next; /* handshakes in progress, oldest first */
	struct tls_conn *next_free;
	bool in_step, dead, low_eof, low_closed;
	bool closing, close_sent, need_flush, used;
	bool hs_answered; /* in the handshake, we have sent our flight: the peer's turn */
	/* When (t->now) we last sent handshake records, or opened: the peer's
	 * grace runs from there. Input that does not make us answer (a flight
	 * trickled a byte at a time) does not restart it. */
	uint64_t answered_at;
	struct tls_cred *cred; /* held from open until the handshake ends */
	struct tls_seg q[TLS_QUEUE_SEGS];
	unsigned q_head, q_n;
	uint64_t queued;
	size_t copy_used;
	uint8_t copy[TLS_COPY_BYTES];
	uint8_t iobuf[BR_SSL_BUFSIZE_BIDI];
};

struct tls_cred {
	int key_type; /* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
	br_x509_certificate chain[TLS_MAX_CHAIN];
	size_t n_chain;
	uint8_t chain_der[TLS_CHAIN_MAX];
	size_t chain_used;
	br_skey_decoder_context skey; /* holds the private key's numbers */
	char desc[48];
	uint32_t users; /* connections whose handshake may still use it */
};

struct tls_server {
	struct tls_config cfg;
	struct tls_stats stats;
	/* Two credentials: new handshakes take the active one; a new certificate
	 * (an ACME renewal) loads into the other, so that handshakes under way
	 * keep the chain and key they began with, and a certificate that fails
	 * to load leaves the one being served alone. */
	struct tls_cred cred[2];
	int active; /* index in cred[], or -1 before the first certificate */
	br_ssl_session_cache_lru lru;
	uint8_t lru_store[TLS_LRU_BYTES];
	struct tls_conn *hs_head, *hs_tail;
	struct tls_conn *free_head;
	uint32_t fresh;
	struct tls_conn *conns; /* cfg.max_conns of them, after the struct */
};

static const uint16_t suites[] = {
        BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

static const char *alpn[] = {"http/1.1"}; /* BearSSL takes it non-const */

void tls_wipe(void *p, size_t len)
{
	memset(p, 0, len);
	__asm__ volatile("" : : "r"(p) : "memory"); /* the stores are observed */
}

static void say(char *err, size_t errlen, const char *a, const char *b)
{
	size_t n = 0, k;

	if (!errlen)
		return;
	for (k = 0; a[k] && n < errlen - 1; k++)
		err[n++] = a[k];
	for (k = 0; b && b[k] && n < errlen - 1; k++)
		err[n++] = b[k];
	err[n] = 0;
}

static size_t conns_offset(void)
{
	return (sizeof(struct tls_server) + 63) / 64 * 64;
}

size_t tls_server_size(uint32_t max_conns)
{
	return conns_offset() + (size_t)max_conns * ((sizeof(struct tls_conn) + 63) / 64 * 64);
}

struct tls_server *tls_server_init(void *mem, size_t len, const struct tls_config *cfg)
{
	struct tls_server *ts = mem;

	if (len < tls_server_size(cfg->max_conns) || !cfg->random || !cfg->max_handshakes)
		return NULL;
	memset(ts, 0, sizeof *ts);
	ts->active = -1;
	ts->cfg = *cfg;
	ts->conns = (struct tls_conn *)(void *)((uint8_t *)mem + conns_offset());
	br_ssl_session_cache_lru_init(&ts->lru, ts->lru_store, sizeof ts->lru_store);
	return ts;
}

/* ---- loading the certificate and key ---- */

struct pem_sink {
	uint8_t *buf;
	size_t cap, len;
	bool overflow;
};

static void pem_append(void *ctx, const void *p, size_t len)
{
	struct pem_sink *s = ctx;

	if (s->len + len > s->cap) {
		s->overflow = true;
		return;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

static bool name_is(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && memcmp(a, b, strlen(b)) == 0;
}

/* Walk the PEM objects of (pem); for each, (want) says whether to keep it and
 * its DER goes to (sink), then (done) is called with the object's bytes.
 * Returns the number of objects kept, or -1 with (err) set. */
typedef bool (*pem_want_fn)(const char *name);
typedef bool (*pem_done_fn)(void *ctx, const uint8_t *der, size_t len);

static int pem_walk(const uint8_t *pem, size_t len, pem_want_fn want, struct pem_sink *sink,
                    pem_done_fn done, void *ctx, const char *what, char *err, size_t errlen)
{
	br_pem_decoder_context pc;
	int kept = 0;
	bool in_obj = false, keep = false;
	size_t start = 0, fed = 0;
	static const uint8_t nl = '\n';

	br_pem_decoder_init(&pc);
	/* One newline more, so a file without a final one still ends its object. */
	while (fed <= len) {
		const uint8_t *p = fed < len ? pem + fed : &nl;
		size_t n = fed < len ? len - fed : 1, k = br_pem_decoder_push(&pc, p, n);
		fed += k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			in_obj = true;
			keep = want(br_pem_decoder_name(&pc));
			start = sink->len;
			br_pem_decoder_setdest(&pc, keep ? pem_append : NULL, keep ? sink : NULL);
			break;
		case BR_PEM_END_OBJ:
			in_obj = false;
			if (keep) {
				if (sink->overflow) {
					say(err, errlen, what, " is too large");
					return -1;
				}
				if (!done(ctx, sink->buf + start, sink->len - start))
					return -1;
				kept++;
			}
			break;
		case BR_PEM_ERROR:
			say(err, errlen, what, " is not valid PEM");
			return -1;
		default:
			break;
		}
		if (k == 0 && fed <= len && br_pem_decoder_event(&pc) == 0)
			break; /* nothing consumed and nothing happened: stop */
	}
	if (in_obj) {
		say(err, errlen, what, " ends inside a PEM object");
		return -1;
	}
	return kept;
}

static bool want_cert(const char *name)
{
	return name_is(name, "CERTIFICATE");
}

static bool want_key(const char *name)
{
	return name_is(name, "PRIVATE KEY") || name_is(name, "EC PRIVATE KEY") ||
	       name_is(name, "RSA PRIVATE KEY");
}

struct load_ctx {
	struct tls_cred *ts;
	char *err;
	size_t errlen;
	int keys;
};

static bool cert_done(void *ctx, const uint8_t *der, size_t len)
{
	struct load_ctx *l = ctx;
	struct tls_cred *ts = l->ts;

	if (ts->n_chain == TLS_MAX_CHAIN) {
		say(l->err, l->errlen, "the certificate file has more than 8 certificates", NULL);
		return false;
	}
	ts->chain[ts->n_chain].data = (unsigned char *)(uintptr_t)der;
	ts->chain[ts->n_chain].data_len = len;
	ts->n_chain++;
	return true;
}

static bool key_done(void *ctx, const uint8_t *der, size_t len)
{
	struct load_ctx *l = ctx;

	if (l->keys++) {
		say(l->err, l->errlen, "the key file holds more than one private key", NULL);
		return false;
	}
	br_skey_decoder_init(&l->ts->skey);
	br_skey_decoder_push(&l->ts->skey, der, len);
	if (br_skey_decoder_last_error(&l->ts->skey) != 0) {
		say(l->err, l->errlen,
		    "the private key does not decode (an EC or RSA key in PKCS#8, "
		    "SEC1 or PKCS#1 form is wanted)",
		    NULL);
		return false;
	}
	return true;
}

static void put_u(char *out, size_t cap, size_t *n, unsigned v)
{
	char tmp[12];
	size_t k = 0;

	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k && *n < cap - 1)
		out[(*n)++] = tmp[--k];
	out[*n] = 0;
}

static void put_s(char *out, size_t cap, size_t *n, const char *s)
{
	while (*s && *n < cap - 1)
		out[(*n)++] = *s++;
	out[*n] = 0;
}

/* The key must be the one the leaf certificate names. */
static bool key_matches(struct tls_cred *ts, char *err, size_t errlen)
{
	br_x509_decoder_context xd;
	const br_x509_pkey *pk;
	size_t n = 0;

	br_x509_decoder_init(&xd, NULL, NULL);
	br_x509_decoder_push(&xd, ts->chain[0].data, ts->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&xd);
	if (!pk || br_x509_decoder_last_error(&xd) != 0) {
		say(err, errlen, "the first certificate does not decode as X.509", NULL);
		return false;
	}
	ts->key_type = (int)br_skey_decoder_key_type(&ts->skey);
	if (ts->key_type == BR_KEYTYPE_EC) {
		const br_ec_private_key *sk = br_skey_decoder_get_ec(&ts->skey);
		uint8_t q[BR_EC_KBUF_PUB_MAX_SIZE];
		size_t ql = br_ec_compute_pub(br_ec_get_default(), NULL, q, sk);
		if (pk->key_type != BR_KEYTYPE_EC || pk->key.ec.curve != sk->curve || !ql ||
		    ql != pk->key.ec.qlen || memcmp(q, pk->key.ec.q, ql) != 0) {
			tls_wipe(q, sizeof q);
			say(err, errlen, "the private key does not belong to the first certificate",
			    NULL);
			return false;
		}
		tls_wipe(q, sizeof q);
		put_s(ts->desc, sizeof ts->desc, &n,
		      sk->curve == BR_EC_secp256r1   ? "ECDSA P-256"
		      : sk->curve == BR_EC_secp384r1 ? "ECDSA P-384"
		      : sk->curve == BR_EC_secp521r1 ? "ECDSA P-521"
		                                     : "ECDSA");
		return true;
	}
	if (ts->key_type == BR_KEYTYPE_RSA) {
		const br_rsa_private_key *sk = br_skey_decoder_get_rsa(&ts->skey);
		static uint8_t nbuf[1024]; /* 8192-bit modulus at most; public */
		br_rsa_compute_modulus cm = br_rsa_compute_modulus_get_default();
		size_t nl = cm(NULL, sk), off = 0;
		if (pk->key_type != BR_KEYTYPE_RSA || !nl || nl > sizeof nbuf) {
			say(err, errlen, "the private key does not belong to the first certificate",
			    NULL);
			return false;
		}
		cm(nbuf, sk);
		while (off < pk->key.rsa.nlen && pk->key.rsa.n[off] == 0)
			off++;
		if (nl != pk->key.rsa.nlen - off || memcmp(nbuf, pk->key.rsa.n + off, nl) != 0) {
			say(err, errlen, "the private key does not belong to the first certificate",
			    NULL);
			return false;
		}
		if (sk->n_bitlen < 2048) {
			say(err, errlen, "the RSA key is shorter than 2048 bits", NULL);
			return false;
		}
		put_s(ts->desc, sizeof ts->desc, &n, "RSA ");
		put_u(ts->desc, sizeof ts->desc, &n, sk->n_bitlen);
		return true;
	}
	say(err, errlen, "the private key is neither EC nor RSA", NULL);
	return false;
}

int tls_server_set_cert(struct tls_server *ts, const uint8_t *cert_pem, size_t cert_len,
                        const uint8_t *key_pem, size_t key_len, char *err, size_t errlen)
{
	static uint8_t key_der[TLS_KEY_MAX]; /* wiped before return */
	int slot = ts->active < 0 ? 0 : 1 - ts->active;
	struct tls_cred *c = &ts->cred[slot];
	struct pem_sink cs = {c->chain_der, sizeof c->chain_der, 0, false};
	struct pem_sink ks = {key_der, sizeof key_der, 0, false};
	struct load_ctx l = {c, err, errlen, 0};
	int n, rc = -1;

	if (c->users) {
		say(err, errlen,
		    "handshakes begun under the certificate before last are still under way", NULL);
		return TLS_CERT_BUSY;
	}
	tls_wipe(&c->skey, sizeof c->skey);
	c->n_chain = 0;
	c->desc[0] = 0;
	n = pem_walk(cert_pem, cert_len, want_cert, &cs, cert_done, &l, "the certificate file", err,
	             errlen);
	if (n < 0)
		return -1;
	if (n == 0) {
		say(err, errlen, "the certificate file holds no CERTIFICATE", NULL);
		return -1;
	}
	c->chain_used = cs.len;
	n = pem_walk(key_pem, key_len, want_key, &ks, key_done, &l, "the key file", err, errlen);
	if (n == 0)
		say(err, errlen, "the key file holds no PRIVATE KEY", NULL);
	if (n > 0 && key_matches(c, err, errlen)) {
		ts->active = slot;
		rc = 0;
	}
	tls_wipe(key_der, sizeof key_der);
	if (rc != 0)
		tls_wipe(&c->skey, sizeof c->skey);
	return rc;
}

/* A connection's handshake is over (or it closes): its credential is free of
 * it, and a credential no longer served loses its key once nobody needs it. */
static void cred_release(struct tls_conn *t)
{
	struct tls_cred *c = t->cred;

	if (!c)
		return;
	t->cred = NULL;
	if (--c->users == 0 && c != &t->ts->cred[t->ts->active])
		tls_wipe(&c->skey, sizeof c->skey);
}

const char *tls_server_key_desc(const struct tls_server *ts)
{
	return ts->active < 0 ? "" : ts->cred[ts->active].desc;
}

const struct tls_stats *tls_server_stats(const struct tls_server *ts)
{
	return &ts->stats;
}

/* ---- the handshake list ---- */

static void hs_unlink(struct tls_conn *t)
{
	struct tls_server *ts = t->ts;

	cred_release(t); /* every end of a handshake, and every close, comes here */
	if (!t->hs_deadline)
		return;
	if (t->hs_prev)
		t->hs_prev->hs_next = t->hs_next;
	else
		ts->hs_head = t->hs_next;
	if (t->hs_next)
		t->hs_next->hs_prev = t->hs_prev;
	else
		ts->hs_tail = t->hs_prev;
	t->hs_prev = t->hs_next = NULL;
	t->hs_deadline = 0;
	ts->stats.in_handshake--;
}

/* Nothing more will be read or written on this connection's behalf: HTTP
 * reads end of stream and closes, and the close resets. */
static void drop(struct tls_conn *t)
{
	hs_unlink(t);
	t->dead = true;
}

/* More was queued than can_send granted: the HTTP layer's bug, paid for by
 * this connection alone (it is dropped and reset), never by the process
 * (stream.h). */
static void overrun(struct tls_conn *t)
{
	if (!t->dead)
		t->ts->stats.overruns++;
	drop(t);
}

/* ---- moving bytes ---- */

static br_ssl_engine_context *eng(struct tls_conn *t)
{
	return &t->sc.eng;
}

/* Records the engine has built, to the transport as far as it takes them. */
static bool push_records(struct tls_conn *t)
{
	struct stream *low = t->low;
	size_t len, k;
	unsigned char *buf;
	bool moved = false;

	while (!t->low_closed && (buf = br_ssl_engine_sendrec_buf(eng(t), &len)) != NULL && len) {
		k = len;
		while (!low->ops->can_send(low, k, 1, 0)) {
			if (k <= TLS_MIN_PIECE)
				return moved;
			k /= 2;
		}
		low->ops->send_copy(low, buf, k);
		br_ssl_engine_sendrec_ack(eng(t), k);
		if (t->hs_deadline) {
			t->hs_answered = true;
			t->answered_at = t->now;
		}
		t->ts->stats.record_bytes += k;
		moved = true;
	}
	return moved;
}

/* Queued plaintext into the engine's record buffer. */
static bool feed_app(struct tls_conn *t)
{
	bool moved = false;

	while (t->q_n) {
		struct tls_seg *sg = &t->q[t->q_head];
		size_t room, k;
		unsigned char *buf = br_ssl_engine_sendapp_buf(eng(t), &room);
		if (!buf || !room)
			break;
		k = sg->len < room ? sg->len : room;
		memcpy(buf, sg->p, k);
		br_ssl_engine_sendapp_ack(eng(t), k);
		if (sg->copied)
			t->ts->stats.plain_ring += k;
		else
			t->ts->stats.plain_ref += k;
		t->need_flush = true;
		sg->p += k;
		sg->len -= k;
		t->queued -= k;
		moved = true;
		if (sg->len == 0) {
			t->q_head = (t->q_head + 1) % TLS_QUEUE_SEGS;
			t->q_n--;
		}
		/* A full buffer became a record: hand it down before more. */
		push_records(t);
	}
	if (t->q_n == 0)
		t->copy_used = 0;
	return moved;
}

/* Records from the transport into the engine. */
static bool pull_records(struct tls_conn *t)
{
	struct stream *low = t->low;
	bool moved = false;

	while (!t->low_eof && !t->low_closed) {
		size_t len, n;
		bool eof = false;
		unsigned char *buf = br_ssl_engine_recvrec_buf(eng(t), &len);
		if (!buf || !len)
			break;
		n = low->ops->recv(low, buf, len, &eof);
		if (n) {
			br_ssl_engine_recvrec_ack(eng(t), n);
			moved = true;
			t->hs_answered = false; /* the peer has spoken: our turn */
		}
		if (eof)
			t->low_eof = true;
		if (!n) {
			/* All it sent is read and the engine wants more: in a
			 * handshake, the peer's turn (a ClientHello cut short is
			 * as slow as a flight left unanswered), its grace still
			 * counted from our last flight: a peer that trickles
			 * its answer does not buy itself a new one per byte. */
			if (t->hs_deadline)
				t->hs_answered = true;
			break;
		}
		/* A handshake answer may be waiting to go out. */
		push_records(t);
	}
	return moved;
}

/* What the engine's state means for the handshake and the connection. */
static void observe(struct tls_conn *t)
{
	unsigned st = br_ssl_engine_current_state(eng(t));
	struct tls_server *ts = t->ts;

	if (t->hs_deadline && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) {
		hs_unlink(t);
		ts->stats.handshakes++;
	}
	if ((st & BR_SSL_CLOSED) && !t->dead) {
		int e = br_ssl_engine_last_error(eng(t));
		if (t->hs_deadline) {
			ts->stats.hs_failed++;
			if (e == BR_ERR_UNSUPPORTED_VERSION)
				ts->stats.hs_bad_version++;
		} else if (e == BR_ERR_OK) {
			ts->stats.closed_notify++;
		} else {
			ts->stats.failed++;
		}
		if (e != BR_ERR_OK)
			ts->stats.last_error = (uint32_t)e;
		/* Whatever alert the engine wrote has been handed down already. */
		hs_unlink(t);
		t->dead = true;
	}
}

static void pump(struct tls_conn *t)
{
	int rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		bool moved = false;
		if (t->dead || t->low_closed)
			break;
		moved |= push_records(t);
		moved |= pull_records(t);
		moved |= feed_app(t);
		observe(t);
		if (!moved)
			break;
	}
}

static void finish_close(struct tls_conn *t)
{
	struct stream *low = t->low;

	if (t->low_closed)
		return;
	if (t->dead) {
		/* An alert may still be in the engine's output: give it a chance. */
		push_records(t);
		t->low_closed = true;
		low->ops->close(low, false);
		return;
	}
	if (t->q_n)
		return;
	if (!t->close_sent) {
		if (t->need_flush) {
			br_ssl_engine_flush(eng(t), 0);
			t->need_flush = false;
		}
		br_ssl_engine_close(eng(t));
		t->close_sent = true;
	}
	push_records(t);
	if (br_ssl_engine_current_state(eng(t)) & BR_SSL_SENDREC)
		return; /* the transport has no room yet */
	t->low_closed = true;
	low->ops->close(low, true);
}

static void step_out(struct tls_conn *t)
{
	pump(t);
	if (t->q_n == 0 && t->need_flush && !t->dead && !t->low_closed) {
		br_ssl_engine_flush(eng(t), 0);
		t->need_flush = false;
		pump(t);
	}
	if (t->closing || (t->dead && t->closing))
		finish_close(t);
}

/* ---- the stream the HTTP layer sees ---- */

static struct tls_conn *of(struct stream *s)
{
	return (struct tls_conn *)(void *)s; /* up is the first member */
}

static size_t up_recv(struct stream *s, uint8_t *buf, size_t cap, bool *eof)
{
	struct tls_conn *t = of(s);
	int rounds;

	*eof = false;
	for (rounds = 0; rounds < 64; rounds++) {
		size_t len;
		unsigned char *p;
		if (t->dead || t->low_closed) {
			*eof = true;
			return 0;
		}
		p = br_ssl_engine_recvapp_buf(eng(t), &len);
		if (p && len) {
			size_t k = len < cap ? len : cap;
			observe(t);
			memcpy(buf, p, k);
			br_ssl_engine_recvapp_ack(eng(t), k);
			return k;
		}
		if (!pull_records(t)) {
			observe(t);
			/* A peer that stops without close_notify: the end all the
			 * same, since no more can come. */
			*eof = t->dead || t->low_eof;
			return 0;
		}
		observe(t);
	}
	return 0;
}

static bool up_can_send(struct stream *s, size_t copy_bytes, unsigned copies, unsigned refs)
{
	struct tls_conn *t = of(s);
	size_t segs = (size_t)copies + refs; /* each call may take an entry */

	if (t->dead || t->low_closed)
		return true; /* dropped: the HTTP layer finds out from recv */
	return t->q_n + segs <= TLS_QUEUE_SEGS && t->copy_used + copy_bytes <= TLS_COPY_BYTES;
}

static void enqueue(struct tls_conn *t, const uint8_t *p, size_t len, bool copied)
{
	struct tls_seg *sg;

	if (t->q_n && copied) {
		struct tls_seg *last = &t->q[(t->q_head + t->q_n - 1) % TLS_QUEUE_SEGS];
		if (last->copied && last->p + last->len == p) {
			last->len += len;
			t->queued += len;
			return;
		}
	}
	if (t->q_n == TLS_QUEUE_SEGS) {
		overrun(t);
		return;
	}
	sg = &t->q[(t->q_head + t->q_n) % TLS_QUEUE_SEGS];
	sg->p = p;
	sg->len = len;
	sg->copied = copied;
	t->q_n++;
	t->queued += len;
}

/* Outside a step (an event the app pushes), nobody else will send it. */
static void after_send(struct tls_conn *t)
{
	if (!t->in_step)
		step_out(t);
}

static void up_send_copy(struct stream *s, const void *p, size_t len)
{
	struct tls_conn *t = of(s);
	const uint8_t *b = p;

	if (t->dead || t->low_closed || !len)
		return;
	if (t->q_n == 0) {
		/* Nothing before it: straight into the record buffer. */
		size_t room;
		unsigned char *buf;
		while (len && (buf = br_ssl_engine_sendapp_buf(eng(t), &room)) != NULL && room) {
			size_t k = len < room ? len : room;
			memcpy(buf, b, k);
			br_ssl_engine_sendapp_ack(eng(t), k);
			t->ts->stats.plain_direct += k;
			t->need_flush = true;
			b += k;
			len -= k;
			push_records(t);
		}
	}
	if (len) {
		uint8_t *dst = t->copy + t->copy_used;
		if (t->copy_used + len > TLS_COPY_BYTES) {
			overrun(t);
			return;
		}
		memcpy(dst, b, len);
		t->copy_used += len;
		enqueue(t, dst, len, true);
	}
	after_send(t);
}

static void up_send_ref(struct stream *s, const void *p, size_t len)
{
	struct tls_conn *t = of(s);

	if (t->dead || t->low_closed || !len)
		return;
	enqueue(t, p, len, false);
	feed_app(t);
	after_send(t);
}

static uint64_t up_unsent(struct stream *s)
{
	struct tls_conn *t = of(s);
	uint64_t n = t->queued;

	if (br_ssl_engine_current_state(eng(t)) & BR_SSL_SENDREC)
		n++; /* a record not yet taken: never report an empty queue then */
	return n + t->low->ops->unsent(t->low);
}

static void up_close(struct stream *s, bool graceful)
{
	struct tls_conn *t = of(s);

	hs_unlink(t);
	if (!graceful || t->dead) {
		t->dead = true;
		t->closing = true;
		finish_close(t);
		return;
	}
	t->closing = true;
	t->drain_deadline = t->now + t->ts->cfg.drain_timeout_ns;
	if (!t->in_step)
		step_out(t);
}

/* A buffer HTTP waited for is free: the transport polls us soon. */
static void up_wake(struct stream *s)
{
	struct tls_conn *t = of(s);

	if (t->low->ops->wake)
		t->low->ops->wake(t->low);
}

static const struct stream_ops tls_ops = {
        .recv = up_recv,
        .can_send = up_can_send,
        .send_copy = up_send_copy,
        .send_ref = up_send_ref,
        .unsent = up_unsent,
        .close = up_close,
        .wake = up_wake,
};

/* ---- connections ---- */

/* The oldest handshake whose peer owes us its answer past the grace, or NULL. */
static struct tls_conn *evictable(const struct tls_server *ts, uint64_t now)
{
	for (struct tls_conn *x = ts->hs_head; x; x = x->hs_next)
		if (x->hs_answered && now - x->answered_at >= TLS_HS_GRACE_NS)
			return x;
	return NULL;
}

struct tls_conn *tls_conn_open(struct tls_server *ts, struct stream *low, uint64_t now,
                               struct tls_conn **victim)
{
	struct tls_conn *t = NULL;
	uint8_t seed[32];

	*victim = NULL;
	if (ts->active < 0) {
		ts->stats.refused++;
		return NULL;
	}
	if (ts->free_head) {
		t = ts->free_head;
		ts->free_head = t->next_free;
	} else if (ts->fresh < ts->cfg.max_conns) {
		t = (struct tls_conn *)(void *)((uint8_t *)ts->conns +
		                                (size_t)ts->fresh *
		                                        ((sizeof(struct tls_conn) + 63) / 64 * 64));
		ts->fresh++;
	}
	if (!t) {
		ts->stats.refused++;
		return NULL;
	}
	/* Only the head: the buffers are written before they are read. */
	memset(t, 0, offsetof(struct tls_conn, q));
	t->q_head = t->q_n = 0;
	t->queued = 0;
	t->copy_used = 0;
	t->used = true;
	t->up.ops = &tls_ops;
	t->low = low;
	t->ts = ts;
	t->now = now;
	t->answered_at = now; /* the ClientHello's grace runs from here */

	br_ssl_server_zero(&t->sc);
	br_ssl_engine_set_versions(eng(t), BR_TLS12, BR_TLS12);
	br_ssl_engine_set_suites(eng(t), suites, sizeof suites / sizeof suites[0]);
	br_ssl_engine_set_default_ec(eng(t));
	br_ssl_engine_set_hash(eng(t), br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng(t), br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(eng(t), br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(eng(t), &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng(t), &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng(t));
	br_ssl_engine_set_default_chapol(eng(t));
	struct tls_cred *c = &ts->cred[ts->active];
	t->cred = c;
	c->users++;
	if (c->key_type == BR_KEYTYPE_EC)
		br_ssl_server_set_single_ec(&t->sc, c->chain, c->n_chain,
		                            br_skey_decoder_get_ec(&c->skey), BR_KEYTYPE_SIGN, 0,
		                            br_ec_get_default(), br_ecdsa_sign_asn1_get_default());
	else
		br_ssl_server_set_single_rsa(&t->sc, c->chain, c->n_chain,
		                             br_skey_decoder_get_rsa(&c->skey), BR_KEYTYPE_SIGN,
		                             br_rsa_private_get_default(),
		                             br_rsa_pkcs1_sign_get_default());
	br_ssl_engine_set_protocol_names(eng(t), alpn, 1);
	br_ssl_engine_add_flags(eng(t), BR_OPT_ENFORCE_SERVER_PREFERENCES |
	                                        BR_OPT_NO_RENEGOTIATION |
	                                        BR_OPT_TOLERATE_NO_CLIENT_AUTH);
	br_ssl_server_set_cache(&t->sc, &ts->lru.vtable);
	br_ssl_engine_set_buffer(eng(t), t->iobuf, sizeof t->iobuf, 1);
	ts->cfg.random(ts->cfg.random_ctx, seed, sizeof seed);
	br_ssl_engine_inject_entropy(eng(t), seed, sizeof seed);
	tls_wipe(seed, sizeof seed);
	if (!br_ssl_server_reset(&t->sc)) {
		cred_release(t);
		t->used = false;
		t->next_free = ts->free_head;
		ts->free_head = t;
		ts->stats.refused++;
		return NULL;
	}
	ts->stats.opened++;

	/* At the cap, a handshake gives way: the oldest that we have answered
	 * and that owes us its next flight (a client that has not answered in
	 * the time the newer ones took is the slowest; one whose answer has
	 * arrived, read or waiting in the transport's line, is not: see
	 * tls_conn_peer_spoke); when we have answered
	 * none (a transport that rations handshake steps has not read them
	 * yet), the oldest. Turning the newcomer away instead was tried: under
	 * a flood faster than the handshakes we can do, it refused nearly every
	 * honest newcomer, since the slots were always full of unread ones. */
	if (ts->stats.in_handshake >= ts->cfg.max_handshakes && ts->hs_head) {
		struct tls_conn *v = evictable(ts, now);
		if (!v) {
			v = ts->hs_head;
			ts->stats.hs_full++;
		}
		drop(v);
		ts->stats.hs_evicted++;
		*victim = v;
	}
	t->hs_deadline = now + ts->cfg.handshake_timeout_ns;
	if (!t->hs_deadline)
		t->hs_deadline = 1;
	t->hs_prev = ts->hs_tail;
	if (ts->hs_tail)
		ts->hs_tail->hs_next = t;
	else
		ts->hs_head = t;
	ts->hs_tail = t;
	if (++ts->stats.in_handshake > ts->stats.hs_peak)
		ts->stats.hs_peak = ts->stats.in_handshake;
	if (++ts->stats.conns > ts->stats.conns_peak)
		ts->stats.conns_peak = ts->stats.conns;
	return t;
}

struct stream *tls_conn_stream(struct tls_conn *t)
{
	return &t->up;
}

void tls_conn_set_user(struct tls_conn *t, void *user)
{
	t->user = user;
}

void *tls_conn_user(const struct tls_conn *t)
{
	return t->user;
}

void tls_conn_begin(struct tls_conn *t, uint64_t now)
{
	t->now = now;
	t->in_step = true;
	if (t->hs_deadline && now >= t->hs_deadline) {
		t->ts->stats.hs_timeouts++;
		drop(t);
	}
	if (t->closing && !t->low_closed && t->drain_deadline && now >= t->drain_deadline) {
		t->ts->stats.drain_timeouts++;
		t->dead = true;
	}
	pump(t);
}

void tls_conn_end(struct tls_conn *t)
{
	step_out(t);
	t->in_step = false;
}

bool tls_server_admits(const struct tls_server *ts, uint64_t now)
{
	return ts->stats.in_handshake < ts->cfg.max_handshakes || evictable(ts, now);
}

uint64_t tls_server_admit_at(const struct tls_server *ts, uint64_t now)
{
	uint64_t at = UINT64_MAX;

	if (tls_server_admits(ts, now))
		return now;
	for (const struct tls_conn *x = ts->hs_head; x; x = x->hs_next)
		if (x->hs_answered && x->answered_at + TLS_HS_GRACE_NS < at)
			at = x->answered_at + TLS_HS_GRACE_NS;
	return at;
}

void tls_conn_peer_spoke(struct tls_conn *t)
{
	t->hs_answered = false;
}

bool tls_conn_in_handshake(const struct tls_conn *t)
{
	return t->hs_deadline != 0 && !t->dead;
}

bool tls_conn_more(const struct tls_conn *t)
{
	struct tls_conn *m = (struct tls_conn *)(uintptr_t)t;

	if (t->low_closed || (t->dead && !t->closing))
		return false;
	return t->q_n || (br_ssl_engine_current_state(eng(m)) & BR_SSL_SENDREC) ||
	       (t->closing && !t->low_closed);
}

bool tls_conn_wants_input(const struct tls_conn *t)
{
	struct tls_conn *m = (struct tls_conn *)(uintptr_t)t;
	size_t len;

	if (t->dead || t->low_closed || t->low_eof)
		return false;
	/* Records the engine can take while HTTP has no buffer to read into:
	 * the handshake goes on (its data waits in the engine after it). */
	return br_ssl_engine_recvrec_buf(eng(m), &len) != NULL && len > 0;
}

uint64_t tls_conn_deadline(const struct tls_conn *t)
{
	if (t->hs_deadline)
		return t->hs_deadline;
	if (t->closing && !t->low_closed && t->drain_deadline)
		return t->drain_deadline;
	return UINT64_MAX;
}

bool tls_conn_references(const struct tls_conn *t, const void *p, size_t len)
{
	const uint8_t *lo = p, *hi = lo + len;
	unsigned k;

	for (k = 0; k < t->q_n; k++) {
		const struct tls_seg *sg = &t->q[(t->q_head + k) % TLS_QUEUE_SEGS];
		if (!sg->copied && sg->p >= lo && sg->p < hi)
			return true;
	}
	return false;
}

void tls_conn_free(struct tls_conn *t)
{
	struct tls_server *ts = t->ts;

	hs_unlink(t);
	ts->stats.conns--;
	/* Session keys live in the engine: not left behind in a free slot. */
	tls_wipe(&t->sc, sizeof t->sc);
	t->used = false;
	t->next_free = ts->free_head;
	ts->free_head = t;
}
