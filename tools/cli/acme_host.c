/* SPDX-License-Identifier: MIT */
/* ACME in `unideck serve`: HTTPS transport, trust anchors, state file, worker. */
#include "tools/cli/acme_host.h"

#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acme/abuf.h"
#include "acme/acme.h"
#include "acme/state.h"
#include "http/client.h"

struct anchors {
	br_x509_trust_anchor *ta;
	size_t n;
};

struct acme_host {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, started;
	int stop_fd; /* an eventfd: written by acme_host_stop() */
	char state_path[4096];
	char directory[ACME_URL_MAX];
	char names_joined[ACME_STATE_NAMES];
	const char *names[ACME_MAX_NAMES];
	char name_store[ACME_MAX_NAMES][ACME_NAME_MAX + 1];
	size_t n_names;
	struct anchors anchors;
	struct acme_rng rng;
	struct acme a; /* under lock */
	uint64_t gen;  /* certificates taken */
	struct acme_state st;
	char req_url[ACME_URL_MAX];
	char req_body[ACME_BODY_MAX];
	uint8_t resp[ACME_HOST_RESP_MAX];
	struct hcl_resp hr;
	struct hcl_stats hstats;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char m[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	fprintf(stderr, "unideck serve: %s\n", m);
}

static void core_log(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "unideck serve: %s\n", msg);
}

static uint64_t now_s(void)
{
	return (uint64_t)time(NULL);
}

static const char *utc(uint64_t t, char *buf, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return buf;
}

/* ---- trust anchors ---- */

struct dn_buf {
	uint8_t *p;
	size_t len, cap;
};

static void dn_append(void *ctx, const void *buf, size_t len)
{
	struct dn_buf *d = ctx;

	if (d->len + len > d->cap) {
		size_t cap = (d->len + len) * 2;
		uint8_t *p = realloc(d->p, cap);
		if (!p)
			return;
		d->p = p;
		d->cap = cap;
	}
	memcpy(d->p + d->len, buf, len);
	d->len += len;
}

struct der_buf {
	uint8_t *p;
	size_t len, cap;
};

static void der_append(void *ctx, const void *buf, size_t len)
{
	dn_append(ctx, buf, len);
}

/* One DER certificate to an anchor (copies what it keeps). */
static bool add_anchor(struct anchors *as, const uint8_t *der, size_t len)
{
	br_x509_decoder_context dc;
	struct dn_buf dn = {0};
	const br_x509_pkey *pk;
	br_x509_trust_anchor *ta;

	if (as->n == ACME_HOST_ANCHORS)
		return false;
	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || br_x509_decoder_last_error(&dc) != 0) {
		free(dn.p);
		return false;
	}
	ta = &as->ta[as->n];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = dn.p;
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		uint8_t *n = malloc(pk->key.rsa.nlen), *e = malloc(pk->key.rsa.elen);
		if (!n || !e) {
			free(n);
			free(e);
			free(dn.p);
			return false;
		}
		memcpy(n, pk->key.rsa.n, pk->key.rsa.nlen);
		memcpy(e, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.n = n;
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = e;
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else if (pk->key_type == BR_KEYTYPE_EC) {
		uint8_t *q = malloc(pk->key.ec.qlen);
		if (!q) {
			free(dn.p);
			return false;
		}
		memcpy(q, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = q;
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	} else {
		free(dn.p);
		return false;
	}
	as->n++;
	return true;
}

/* Every CERTIFICATE in the PEM file (path). */
static bool load_anchors(struct anchors *as, const char *path, char *err, size_t errlen)
{
	br_pem_decoder_context pc;
	struct der_buf der = {0};
	FILE *f = fopen(path, "rb");
	char buf[4096];
	size_t n, bad = 0;
	bool in_cert = false;
	int line = 1;

	if (!f) {
		snprintf(err, errlen, "--acme-ca %s: %s", path, strerror(errno));
		return false;
	}
	as->ta = calloc(ACME_HOST_ANCHORS, sizeof *as->ta);
	if (!as->ta) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, der_append, &der);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		size_t off = 0;
		while (off < n) {
			size_t k = br_pem_decoder_push(&pc, buf + off, n - off), j;
			for (j = off; j < off + k; j++)
				line += buf[j] == '\n';
			off += k;
			switch (br_pem_decoder_event(&pc)) {
			case BR_PEM_BEGIN_OBJ:
				in_cert = strcmp(br_pem_decoder_name(&pc), "CERTIFICATE") == 0 ||
				          strcmp(br_pem_decoder_name(&pc), "TRUSTED CERTIFICATE") ==
				                  0;
				der.len = 0;
				break;
			case BR_PEM_END_OBJ:
				if (in_cert && !add_anchor(as, der.p, der.len))
					bad++;
				in_cert = false;
				break;
			case BR_PEM_ERROR:
				fclose(f);
				free(der.p);
				snprintf(err, errlen, "--acme-ca %s:%d: malformed PEM", path, line);
				return false;
			default:
				break;
			}
		}
	}
	fclose(f);
	free(der.p);
	if (bad)
		say("warning: --acme-ca %s: %zu certificates could not be used as trust anchors",
		    path, bad);
	if (as->n == 0) {
		snprintf(err, errlen, "--acme-ca %s: no certificate in it", path);
		return false;
	}
	return true;
}

/* ---- HTTPS, one request per connection ---- */

struct conn {
	int fd;
	int stop_fd; /* readable once acme_host_stop() is called */
	uint64_t deadline_ms;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int wait_fd(struct conn *c, short ev)
{
	uint64_t now = mono_ms();
	struct pollfd p[2] = {{c->fd, ev, 0}, {c->stop_fd, POLLIN, 0}};
	int r;

	if (now >= c->deadline_ms)
		return -1;
	do
		r = poll(p, 2, (int)(c->deadline_ms - now));
	while (r < 0 && errno == EINTR);
	/* Stopping cuts a request short rather than wait out its timeout. */
	return r > 0 && !p[1].revents && p[0].revents ? 0 : -1;
}

static int sock_read(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;

	for (;;) {
		ssize_t n = read(c->fd, buf, len);
		if (n > 0)
			return (int)n;
		if (n == 0)
			return -1;
		if (errno != EAGAIN && errno != EINTR)
			return -1;
		if (wait_fd(c, POLLIN) != 0)
			return -1;
	}
}

static int sock_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;

	for (;;) {
		ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0)
			return (int)n;
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		if (wait_fd(c, POLLOUT) != 0)
			return -1;
	}
}

static int dial(const char *host, const char *port, uint64_t deadline_ms, int stop_fd)
{
	struct addrinfo hints = {0}, *res, *ai;
	int fd = -1;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		struct conn c = {-1, stop_fd, deadline_ms};
		int e = 0;
		socklen_t el = sizeof e;
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0)
			continue;
		c.fd = fd;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && wait_fd(&c, POLLOUT) == 0 &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static const char *tls_error_name(int e)
{
	switch (e) {
	case BR_ERR_X509_NOT_TRUSTED:
		return "the server's certificate is not trusted (--acme-ca)";
	case BR_ERR_X509_BAD_SERVER_NAME:
		return "the server's certificate is for another name";
	case BR_ERR_X509_EXPIRED:
		return "the server's certificate has expired or is not yet valid";
	case BR_ERR_X509_BAD_SIGNATURE:
		return "a signature in the server's chain is bad";
	case BR_ERR_X509_NOT_CA:
		return "the server's chain has a non-CA issuer";
	case BR_ERR_X509_EMPTY_CHAIN:
		return "the server sent no certificate";
	case BR_ERR_IO:
		return "the connection failed or timed out";
	case BR_ERR_BAD_VERSION:
		return "no TLS version in common";
	default:
		return NULL;
	}
}

/* Split https://HOST[:PORT]/PATH. */
static bool split_url(const char *url, char *host, size_t hcap, char *port, size_t pcap,
                      const char **path)
{
	const char *h, *e, *colon;
	size_t hl;

	if (strncmp(url, "https://", 8) != 0)
		return false;
	h = url + 8;
	e = h + strcspn(h, "/?#");
	*path = *e == '/' ? e : "/";
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(e - h));
		if (!rb)
			return false;
		hl = (size_t)(rb - h - 1);
		if (hl >= hcap)
			return false;
		memcpy(host, h + 1, hl);
		colon = rb + 1 < e && rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(e - h));
		hl = (size_t)((colon ? colon : e) - h);
		if (hl == 0 || hl >= hcap)
			return false;
		memcpy(host, h, hl);
	}
	host[hl] = '\0';
	if (colon) {
		size_t pl = (size_t)(e - colon - 1);
		if (pl == 0 || pl >= pcap)
			return false;
		memcpy(port, colon + 1, pl);
		port[pl] = '\0';
	} else {
		snprintf(port, pcap, "443");
	}
	return true;
}

struct parsed {
	char location[ACME_URL_MAX], nonce[ACME_NONCE_MAX + 1], ctype[128];
	uint64_t retry_after;
	const uint8_t *body;
	size_t body_len;
	int status;
};

/* A header's value into (dst), NUL-terminated; empty when absent or over (cap)
 * (as if absent: a Location or nonce cut short would be wrong). */
static void take_hdr(const struct hcl_resp *r, const char *name, char *dst, size_t cap)
{
	const struct hcl_header *hd = hcl_header(r, name);
	size_t n = hd && hd->value.len < cap ? hd->value.len : 0;

	if (n)
		memcpy(dst, hd->value.p, n);
	dst[n] = '\0';
}

/* One HTTPS exchange; false (logged) on any failure of the transport. */
static bool https(struct acme_host *h, const struct acme_request *q, struct parsed *out)
{
	static const char *const methods[] = {"GET", "HEAD", "POST"};
	char host[256], port[8], hostport[300], head[HCL_MAX_REQ_HEAD], extra[256];
	const char *path;
	struct hcl_request rq = {0};
	bool done = false;
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	br_sslio_context io;
	static unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	struct conn c;
	size_t got = 0, hl;
	int err;

	if (!split_url(q->url, host, sizeof host, port, sizeof port, &path)) {
		say("acme: not an https URL: %s", q->url);
		return false;
	}
	c.deadline_ms = mono_ms() + ACME_HOST_TIMEOUT_S * 1000u;
	c.stop_fd = h->stop_fd;
	c.fd = dial(host, port, c.deadline_ms, h->stop_fd);
	if (c.fd < 0) {
		say("acme: cannot connect to %s port %s", host, port);
		return false;
	}
	br_ssl_client_init_full(&cc, &xc, h->anchors.ta, h->anchors.n);
	br_ssl_engine_set_buffer(&cc.eng, iobuf, sizeof iobuf, 1);
	br_ssl_client_reset(&cc, host, 0); /* the name checked against the certificate */
	br_sslio_init(&io, &cc.eng, sock_read, &c, sock_write, &c);
	/* Host carries the port unless it is https's own (RFC 9110 7.2): ACME
	 * servers build their resource URLs from it. The request and the
	 * response go through http/client.h, as every client of ours does. */
	snprintf(hostport, sizeof hostport, "%s%s%s%s%s", strchr(host, ':') ? "[" : "", host,
	         strchr(host, ':') ? "]" : "", strcmp(port, "443") ? ":" : "",
	         strcmp(port, "443") ? port : "");
	snprintf(extra, sizeof extra, "User-Agent: unideck/" UD_VERSION "\r\nAccept: %s\r\n%s",
	         q->want_pem ? "application/pem-certificate-chain" : "application/json",
	         q->method == ACME_POST ? "Content-Type: application/jose+json\r\n" : "");
	rq.method = methods[q->method];
	rq.target = path;
	rq.host = hostport;
	rq.headers = extra;
	rq.body = q->body_len ? q->body : NULL;
	rq.body_len = q->body_len;
	rq.has_body = q->method == ACME_POST;
	rq.close = true;
	if (hcl_write_head(&rq, head, sizeof head, &hl) != HCL_OK) {
		say("acme: cannot write a request for %s", q->url);
		close(c.fd);
		return false;
	}
	if (br_sslio_write_all(&io, head, hl) != 0 ||
	    (q->body_len && br_sslio_write_all(&io, q->body, q->body_len) != 0) ||
	    br_sslio_flush(&io) != 0)
		goto fail;
	hcl_resp_init(&h->hr, &h->hstats, q->method == ACME_HEAD, sizeof h->resp);
	while (!done) {
		uint8_t in[4096];
		size_t off = 0;
		int n = br_sslio_read(&io, in, sizeof in);
		if (n < 0) {
			/* The peer closed. BearSSL counts a close without close_notify
			 * as an error (BR_ERR_IO); the parser says whether the
			 * response was whole by then (its length, or until close). */
			err = br_ssl_engine_last_error(&cc.eng);
			if (err != 0 && err != BR_ERR_IO)
				goto fail;
			if (hcl_resp_eof(&h->hr) != HCL_EV_DONE) {
				say("acme: the response from %s was cut short", host);
				close(c.fd);
				return false;
			}
			break;
		}
		while (off < (size_t)n && !done) {
			size_t used;
			struct hcl_view piece;
			enum hcl_ev ev =
			        hcl_resp_feed(&h->hr, in + off, (size_t)n - off, &used, &piece);
			off += used;
			if (ev == HCL_EV_BODY) {
				/* max_body above keeps this within h->resp */
				memcpy(h->resp + got, piece.p, piece.len);
				got += piece.len;
			} else if (ev == HCL_EV_DONE) {
				done = true;
			} else if (ev == HCL_EV_ERROR) {
				say("acme: bad HTTP response from %s: %s", host,
				    hcl_error_str(h->hr.error));
				close(c.fd);
				return false;
			} else if (ev == HCL_EV_NEED) {
				break;
			}
		}
	}
	close(c.fd);
	out->status = h->hr.status;
	take_hdr(&h->hr, "Location", out->location, sizeof out->location);
	take_hdr(&h->hr, "Replay-Nonce", out->nonce, sizeof out->nonce);
	take_hdr(&h->hr, "Content-Type", out->ctype, sizeof out->ctype);
	{
		char ra[24];
		take_hdr(&h->hr, "Retry-After", ra, sizeof ra);
		/* Seconds; an HTTP-date (rare from ACME servers) counts as absent and
		 * the default poll interval applies. */
		out->retry_after = strtoull(ra, NULL, 10);
	}
	out->body = h->resp;
	out->body_len = got;
	return true;
fail:
	err = br_ssl_engine_last_error(&cc.eng);
	if (tls_error_name(err))
		say("acme: TLS with %s failed: %s", host, tls_error_name(err));
	else
		say("acme: TLS with %s failed (BearSSL error %d)", host, err);
	close(c.fd);
	return false;
}

/* ---- the state file ---- */

static void save_state(struct acme_host *h)
{
	static uint8_t enc[ACME_STATE_MAX];
	char tmp[sizeof h->state_path + 8];
	size_t n;
	int fd;

	if (!h->state_path[0])
		return;
	n = acme_state_encode(&h->st, enc, sizeof enc);
	if (n == 0) {
		say("acme: the state does not fit ACME_STATE_MAX; not saved");
		return;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", h->state_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, enc, n) != (ssize_t)n || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, h->state_path) != 0) {
		say("acme: cannot write state %s: %s", h->state_path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		return;
	}
	memset(enc, 0, n);
}

/* Move a refused state aside (never destroy what might be someone's file). */
static void set_aside(struct acme_host *h, const char *why)
{
	char bad[sizeof h->state_path + 8];

	snprintf(bad, sizeof bad, "%s.bad", h->state_path);
	if (rename(h->state_path, bad) == 0)
		say("acme: state %s refused: %s; kept as %s, ordering afresh", h->state_path, why,
		    bad);
	else
		say("acme: state %s refused: %s (and cannot be moved aside: %s); ordering afresh",
		    h->state_path, why, strerror(errno));
}

static void load_state(struct acme_host *h, struct acme_key *account)
{
	static uint8_t raw[ACME_STATE_MAX + 1];
	struct acme_state *s = &h->st;
	enum acme_state_result r;
	struct acme_key ck;
	struct acme_chain_info info;
	char t1[40], t2[40];
	ssize_t n;
	int fd;

	fd = open(h->state_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			say("acme: cannot read state %s: %s", h->state_path, strerror(errno));
		else
			say("acme: no state at %s yet: a new account and certificate",
			    h->state_path);
		goto fresh;
	}
	n = read(fd, raw, sizeof raw);
	close(fd);
	r = n < 0 ? ACME_STATE_TRUNCATED : acme_state_decode(raw, (size_t)n, s);
	memset(raw, 0, sizeof raw);
	if (r != ACME_STATE_OK) {
		set_aside(h, acme_state_result_str(r));
		goto fresh;
	}
	if (strcmp(s->directory, h->directory) != 0) {
		say("acme: state %s is for the ACME server %s, not %s", h->state_path, s->directory,
		    h->directory);
		set_aside(h, "another ACME server's");
		goto fresh;
	}
	if (!acme_key_from_scalar(account, s->account_d)) {
		set_aside(h, "its account key is not a P-256 key");
		goto fresh;
	}
	say("acme: account key from %s", h->state_path);
	if (!s->have_cert)
		goto no_cert;
	if (strcmp(s->names, h->names_joined) != 0) {
		say("acme: the certificate in the state is for %s, not %s: ordering one", s->names,
		    h->names_joined);
		goto no_cert;
	}
	if (!acme_key_from_scalar(&ck, s->cert_d) ||
	    !acme_chain_check(s->chain, s->chain_len, &ck, &info) || !info.key_matches) {
		say("acme: the certificate in the state does not match its key: ordering one");
		goto no_cert;
	}
	/* The recorded lifetime rules, but never beyond what the leaf says. */
	if (s->not_after > info.not_after)
		s->not_after = info.not_after;
	if (s->not_after <= now_s()) {
		say("acme: the certificate in the state expired at %s: renewing",
		    utc(s->not_after, t1, sizeof t1));
		goto no_cert;
	}
	acme_set_cert(&h->a, &ck, s->chain, s->chain_len, s->not_before, s->not_after);
	h->gen = 1;
	say("acme: certificate for %s from the state, valid until %s; renewal from %s",
	    h->names_joined, utc(s->not_after, t1, sizeof t1), utc(h->a.renew_at, t2, sizeof t2));
	acme_key_wipe(&ck);
	return;
no_cert:
	s->have_cert = false;
	return;
fresh:
	memset(s, 0, sizeof *s);
	if (!acme_key_gen(account, &h->rng))
		say("acme: cannot make an account key");
	snprintf(s->directory, sizeof s->directory, "%s", h->directory);
	snprintf(s->names, sizeof s->names, "%s", h->names_joined);
	memcpy(s->account_d, account->d, ACME_KEY_LEN);
	save_state(h);
}

/* ---- the worker ---- */

static void take_cert(struct acme_host *h)
{
	char t1[40], t2[40];

	/* Under the lock: the chain and key move to the state. */
	h->st.have_cert = true;
	memcpy(h->st.cert_d, h->a.cert_key.d, ACME_KEY_LEN);
	memcpy(h->st.chain, h->a.chain, h->a.chain_len);
	h->st.chain_len = h->a.chain_len;
	h->st.not_before = h->a.not_before;
	h->st.not_after = h->a.not_after;
	snprintf(h->st.names, sizeof h->st.names, "%s", h->names_joined);
	h->gen++;
	say("acme: certificate for %s obtained, valid until %s; renewal from %s", h->names_joined,
	    utc(h->a.not_after, t1, sizeof t1), utc(h->a.renew_at, t2, sizeof t2));
}

static void *worker(void *arg)
{
	struct acme_host *h = arg;
	struct acme_request q;
	struct parsed p;

	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		uint64_t wake, now = now_s();
		enum acme_step st = acme_poll(&h->a, now, &q, &wake);
		if (st == ACME_STEP_CERT) {
			take_cert(h);
			pthread_mutex_unlock(&h->lock);
			save_state(h);
			pthread_mutex_lock(&h->lock);
			continue;
		}
		if (st == ACME_STEP_WAIT) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			/* At most a minute at a time, so a changed clock is noticed. */
			ts.tv_sec += wake > now ? (time_t)(wake - now < 60 ? wake - now : 60) : 1;
			pthread_cond_timedwait(&h->wake, &h->lock, &ts);
			continue;
		}
		/* Copy the request out of the core, then talk without the lock. */
		snprintf(h->req_url, sizeof h->req_url, "%s", q.url);
		q.url = h->req_url;
		if (q.body_len) {
			memcpy(h->req_body, q.body, q.body_len);
			q.body = h->req_body;
		}
		pthread_mutex_unlock(&h->lock);
		{
			bool ok = https(h, &q, &p);
			struct acme_response r = {0};
			if (ok) {
				r.status = p.status;
				r.location = p.location[0] ? p.location : NULL;
				r.nonce = p.nonce[0] ? p.nonce : NULL;
				r.content_type = p.ctype;
				r.retry_after_s = p.retry_after;
				r.body = p.body;
				r.body_len = p.body_len;
			}
			pthread_mutex_lock(&h->lock);
			if (h->stop)
				break; /* the request was cut short: not an error to log */
			acme_input(&h->a, now_s(), &r);
		}
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static bool split_names(struct acme_host *h, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	h->n_names = 0;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n > ACME_NAME_MAX || h->n_names == ACME_MAX_NAMES) {
			snprintf(err, errlen,
			         "--domain takes 1 to %u names of 1 to %u bytes, comma-separated",
			         ACME_MAX_NAMES, ACME_NAME_MAX);
			return false;
		}
		memcpy(h->name_store[h->n_names], p, n);
		h->name_store[h->n_names][n] = '\0';
		h->names[h->n_names] = h->name_store[h->n_names];
		h->n_names++;
		p += n;
		if (*p == ',')
			p++;
	}
	if (h->n_names == 0 || strlen(list) >= sizeof h->names_joined) {
		snprintf(err, errlen, "--domain wants at least one name");
		return false;
	}
	snprintf(h->names_joined, sizeof h->names_joined, "%s", list);
	return true;
}

struct acme_host *acme_host_start(const struct acme_host_opts *o, char *err, size_t errlen)
{
	struct acme_host *h = calloc(1, sizeof *h);
	struct acme_config cfg = {0};
	struct acme_key account;
	uint8_t seed[48];
	struct stat sb;

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (strncmp(o->directory, "https://", 8) != 0 || strlen(o->directory) >= ACME_URL_MAX) {
		snprintf(err, errlen, "--acme takes the https:// URL of an ACME directory");
		goto fail;
	}
	snprintf(h->directory, sizeof h->directory, "%s", o->directory);
	if (!split_names(h, o->domains, err, errlen))
		goto fail;
	if (getrandom(seed, sizeof seed, 0) != sizeof seed ||
	    !acme_rng_init(&h->rng, seed, sizeof seed)) {
		snprintf(err, errlen, "no randomness: %s", strerror(errno));
		goto fail;
	}
	memset(seed, 0, sizeof seed);
	cfg.directory = h->directory;
	cfg.names = h->names;
	cfg.n_names = h->n_names;
	cfg.log = core_log;
	if (!acme_init(&h->a, &cfg, &h->rng)) {
		snprintf(err, errlen,
		         "--domain %s: each name must be a DNS name (letters, digits, '-', with an "
		         "optional leading '*.')",
		         o->domains);
		goto fail;
	}
	if (!load_anchors(&h->anchors, o->ca_file ? o->ca_file : ACME_HOST_DEFAULT_CA, err, errlen))
		goto fail;
	if (o->state) {
		if (stat(o->state, &sb) == 0 && S_ISDIR(sb.st_mode))
			snprintf(h->state_path, sizeof h->state_path, "%s/acme.state", o->state);
		else
			snprintf(h->state_path, sizeof h->state_path, "%s", o->state);
	} else {
		say("acme: no --state: the account and certificate are kept in memory only, so "
		    "every start orders again");
	}
	if (h->state_path[0]) {
		load_state(h, &account);
	} else {
		memset(&h->st, 0, sizeof h->st);
		acme_key_gen(&account, &h->rng);
	}
	acme_set_account_key(&h->a, &account);
	acme_key_wipe(&account);
	h->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->wake, NULL);
	{
		/* Signals (Ctrl-C, SIGTERM) are the serving loop's: the worker
		 * blocks them all, so they never land where no one reads them. */
		sigset_t all, old;
		int rc;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&h->thread, NULL, worker, h);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start the ACME thread");
			goto fail;
		}
	}
	h->started = true;
	return h;
fail:
	free(h);
	return NULL;
}

size_t acme_host_challenge(struct acme_host *h, const char *token, size_t len, char *out,
                           size_t cap)
{
	const char *ka;
	size_t n = 0;

	pthread_mutex_lock(&h->lock);
	if (acme_challenge_lookup(&h->a, token, len, &ka, &n) && n < cap)
		memcpy(out, ka, n);
	else
		n = 0;
	pthread_mutex_unlock(&h->lock);
	/* The token is public (the CA sent it in the clear); the log shows the
	 * validation arrived. At most one line per published challenge fetch. */
	if (n)
		say("acme: HTTP-01 challenge %.*s fetched", (int)(len < 16 ? len : 16), token);
	return n;
}

bool acme_host_cert(struct acme_host *h, uint64_t *seen, char *chain, size_t cap, size_t *chain_len,
                    char *key_pem, size_t key_cap, size_t *key_len)
{
	bool fresh = false;
	struct abuf b;

	pthread_mutex_lock(&h->lock);
	abuf_init(&b, key_pem, key_cap);
	if (h->gen != *seen && h->a.chain_len < cap && acme_key_pem(&b, &h->a.cert_key)) {
		memcpy(chain, h->a.chain, h->a.chain_len);
		*chain_len = h->a.chain_len;
		*key_len = b.len;
		*seen = h->gen;
		fresh = true;
	}
	pthread_mutex_unlock(&h->lock);
	return fresh;
}

void acme_host_stop(struct acme_host *h)
{
	if (!h)
		return;
	{
		uint64_t one = 1;
		if (write(h->stop_fd, &one, sizeof one) != sizeof one)
			say("acme: cannot wake the worker: %s", strerror(errno));
	}
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	close(h->stop_fd);
	acme_key_wipe(&h->a.account);
	acme_key_wipe(&h->a.cert_key);
	memset(&h->st, 0, sizeof h->st);
	free(h);
}
_Static_assert(ACME_HOST_KEYAUTH_MAX > ACME_KEYAUTH_MAX, "room for a key authorization");
_Static_assert(ACME_HOST_CHAIN_MAX == ACME_CHAIN_MAX, "a chain fits the serving side");

void acme_host_dump_stats(struct acme_host *h, FILE *out)
{
	struct acme_stats st;

	pthread_mutex_lock(&h->lock);
	st = h->a.stats;
	pthread_mutex_unlock(&h->lock);
	fprintf(out,
	        "acme.requests %llu\nacme.orders %llu\nacme.certs %llu\nacme.errors %llu\n"
	        "acme.bad_nonces %llu\nacme.polls %llu\nacme.challenges_served %llu\n",
	        (unsigned long long)st.requests, (unsigned long long)st.orders,
	        (unsigned long long)st.certs, (unsigned long long)st.errors,
	        (unsigned long long)st.bad_nonces, (unsigned long long)st.polls,
	        (unsigned long long)st.challenges_served);
}
