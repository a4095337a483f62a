/* SPDX-License-Identifier: MIT */
/* Serving the content store: paths, content negotiation, preconditions and ranges. */
#include "http/http_int.h"

#include "lib/httpdate.h"
#include "lib/mem.h"

#define HEAD_CAP 4096 /* a response head we build: status, Date, store headers, extras */

/* ---- choosing the representation (RFC 9110 12.5.3) ---- */

static int q_for(int explicit_q, int star)
{
	if (explicit_q >= 0)
		return explicit_q;
	return star >= 0 ? star : 0;
}

static bool is_html(const struct store_entry *e)
{
	static const char html[] = "text/html";

	return e->type_len >= sizeof html - 1 && memcmp(e->type, html, sizeof html - 1) == 0 &&
	       (e->type_len == sizeof html - 1 || e->type[sizeof html - 1] == ';');
}

/* The encoding to send, or STORE_ENC_COUNT when none is acceptable (406). */
static int negotiate(const struct http_server *srv, const struct store_entry *e,
                     const struct http_request *req)
{
	const struct http_header *h = http_header_find(req, "accept-encoding");
	struct http_accept a;
	int q[STORE_ENC_COUNT], best = STORE_ENC_COUNT, i;

	/* BREACH (CVE-2013-3587): compressed HTML beside a secret and reflected
	 * input leaks the secret by length. The caller may ask for HTML as is
	 * (HTTPS does by default); other types keep their codings. */
	if (srv->cfg.identity_html && is_html(e) && (e->enc_mask & (1u << STORE_ENC_IDENTITY)))
		return STORE_ENC_IDENTITY;

	/* Without the header we send identity: RFC 9110 would allow any coding,
	 * but clients that send nothing (scripts, probes) expect the plain bytes. */
	if (!h)
		return STORE_ENC_IDENTITY;
	http_accept_parse(h->value, &a);
	/* identity is acceptable unless excluded by identity;q=0, or by *;q=0 with
	 * no identity member; it then ranks below every coding asked for. */
	q[STORE_ENC_IDENTITY] = a.identity >= 0 ? a.identity : a.star == 0 ? 0 : 1;
	if (a.identity < 0 && a.star > 0)
		q[STORE_ENC_IDENTITY] = a.star;
	q[STORE_ENC_GZIP] = q_for(a.gzip, a.star);
	q[STORE_ENC_BR] = q_for(a.br, a.star);
	for (i = 0; i < STORE_ENC_COUNT; i++) {
		if (!(e->enc_mask & (1u << i)) || q[i] <= 0)
			continue;
		if (best == STORE_ENC_COUNT || q[i] > q[best] ||
		    (q[i] == q[best] && e->rep[i].body_len < e->rep[best].body_len))
			best = i;
	}
	return best;
}

/* ---- preconditions, in the order of RFC 9110 13.2.2 ---- */

static bool header_date(const struct http_request *req, const char *name, uint64_t *t)
{
	const struct http_header *h = http_header_find(req, name);

	return h && httpdate_parse(h->value.p, h->value.len, t);
}

/* 0 to go on, or 304 / 412. */
static int preconditions(const struct store_entry *e, const struct store_rep *r,
                         const struct http_request *req)
{
	const struct http_header *im = http_header_find(req, "if-match");
	const struct http_header *inm = http_header_find(req, "if-none-match");
	uint64_t t;

	if (im) {
		if (!http_etag_match(im->value, r->etag, r->etag_len, true))
			return 412;
	} else if (header_date(req, "if-unmodified-since", &t) && e->mtime > t) {
		return 412;
	}
	if (inm) {
		if (http_etag_match(inm->value, r->etag, r->etag_len, false))
			return 304; /* GET and HEAD only reach here */
	} else if (header_date(req, "if-modified-since", &t) && e->mtime <= t) {
		return 304;
	}
	return 0;
}

/* If-Range (RFC 9110 13.1.5): a strong entity tag or an exact date. */
static bool if_range_holds(const struct store_entry *e, const struct store_rep *r,
                           const struct http_request *req)
{
	const struct http_header *h = http_header_find(req, "if-range");
	uint64_t t;

	if (!h)
		return true;
	if (h->value.len >= 1 && (h->value.p[0] == '"' || h->value.p[0] == 'W'))
		return h->value.p[0] == '"' && h->value.len == r->etag_len &&
		       memcmp(h->value.p, r->etag, r->etag_len) == 0;
	return httpdate_parse(h->value.p, h->value.len, &t) && t == e->mtime;
}

/* ---- writing ---- */

/* Queue (head) by copy and then (refs) bodies by reference, or nothing. */
static bool emit(struct http_server *srv, struct http_conn *c, const struct hbuf *head,
                 const uint8_t *body, uint64_t body_len, int status)
{
	if (head->overflow) {
		http_mark_close(c);
		http_respond_error(srv, c, NULL, 500);
		return false;
	}
	if (!http_can_send(c, head->len, 1, body_len ? 1u : 0u)) {
		http_mark_blocked(c);
		return false;
	}
	http_count_status(srv, status);
	http_send_copy(srv, c, head->p, head->len);
	if (body_len)
		http_send_ref(srv, c, body, (size_t)body_len);
	return true;
}

static void send_whole(struct http_server *srv, struct http_conn *c, const struct http_request *req,
                       const struct store_rep *r, int status)
{
	char buf[HEAD_CAP];
	struct hbuf b = {buf, 0, sizeof buf, false};
	size_t n = status == 304 ? r->hdr304_len : r->hdr_len;

	hbuf_status(&b, srv, status);
	hbuf_put(&b, r->hdr, n);
	if (status == 304) /* the stored 304 head stops before the policy lines */
		hbuf_str(&b, HTTP_REFERRER_POLICY);
	hbuf_end_head(&b, c, req);
	emit(srv, c, &b, r->body, status == 304 || req->method == HTTP_M_HEAD ? 0 : r->body_len,
	     status);
}

static void send_416(struct http_server *srv, struct http_conn *c, const struct http_request *req,
                     const struct store_rep *r)
{
	char extra[64];
	struct hbuf x = {extra, 0, sizeof extra, false};
	char body[] = "Range Not Satisfiable\n";

	hbuf_str(&x, "Content-Range: bytes */"); /* RFC 9110 14.4 */
	hbuf_u64(&x, r->body_len);
	hbuf_str(&x, "\r\n");
	extra[x.len] = 0;
	http_respond(srv, c, req, 416, "text/plain; charset=utf-8", extra, body, sizeof body - 1);
}

static void content_range(struct hbuf *b, const struct http_range *g, uint64_t len)
{
	hbuf_str(b, "Content-Range: bytes ");
	hbuf_u64(b, g->first);
	hbuf_str(b, "-");
	hbuf_u64(b, g->last);
	hbuf_str(b, "/");
	hbuf_u64(b, len);
	hbuf_str(b, "\r\n");
}

static void send_range(struct http_server *srv, struct http_conn *c, const struct http_request *req,
                       const struct store_rep *r, const struct http_range *g)
{
	char buf[HEAD_CAP];
	struct hbuf b = {buf, 0, sizeof buf, false};
	uint64_t n = g->last - g->first + 1;

	hbuf_status(&b, srv, 206);
	hbuf_put(&b, r->hdr, r->hdr206_len);
	content_range(&b, g, r->body_len);
	hbuf_str(&b, "Content-Length: ");
	hbuf_u64(&b, n);
	hbuf_str(&b, "\r\n");
	hbuf_end_head(&b, c, req);
	emit(srv, c, &b, r->body + g->first, n, 206);
}

/* multipart/byteranges (RFC 9110 14.6), identity only. The boundary comes from
 * the ETag, which is a hash of the bytes, so it cannot collide with them in any
 * realistic file. Returns false when the parts cannot be queued together. */
static bool send_multipart(struct http_server *srv, struct http_conn *c,
                           const struct http_request *req, const struct store_entry *e,
                           const struct store_rep *r, const struct http_range *g, size_t n)
{
	char buf[HEAD_CAP];
	struct hbuf b = {buf, 0, sizeof buf, false};
	size_t part_at[HTTP_MAX_RANGES + 1], k, copy;
	uint64_t total = 0;
	const char *bnd = r->etag + 1;
	size_t bnd_len = r->etag_len - 2;

	/* The part heads, each preceded by CRLF, then the closing delimiter. */
	for (k = 0; k < n; k++) {
		part_at[k] = b.len;
		hbuf_str(&b, "\r\n--ud");
		hbuf_put(&b, bnd, bnd_len);
		hbuf_str(&b, "\r\nContent-Type: ");
		hbuf_put(&b, e->type, e->type_len);
		hbuf_str(&b, "\r\n");
		content_range(&b, &g[k], r->body_len);
		hbuf_str(&b, "\r\n");
		total += g[k].last - g[k].first + 1;
	}
	part_at[n] = b.len;
	hbuf_str(&b, "\r\n--ud");
	hbuf_put(&b, bnd, bnd_len);
	hbuf_str(&b, "--\r\n");
	total += b.len;
	{
		/* The response head goes after the parts in the buffer. */
		size_t head_at = b.len;
		char lenbuf[24];
		struct hbuf lb = {lenbuf, 0, sizeof lenbuf, false};

		hbuf_status(&b, srv, 206);
		hbuf_put(&b, r->hdr, r->hdr304_len);
		hbuf_str(&b, "Content-Type: multipart/byteranges; boundary=ud");
		hbuf_put(&b, bnd, bnd_len);
		hbuf_str(&b,
		         "\r\nAccept-Ranges: bytes\r\nX-Content-Type-Options: nosniff\r\n"
		         "X-Frame-Options: SAMEORIGIN\r\n" HTTP_REFERRER_POLICY "Content-Length: ");
		hbuf_u64(&lb, total);
		hbuf_put(&b, lenbuf, lb.len);
		hbuf_str(&b, "\r\n");
		hbuf_end_head(&b, c, req);
		copy = b.len;
		if (b.overflow)
			return false;
		/* The head, each part's delimiter, the closing one: n + 2 copies
		 * between the n references (issue 14: asking for fewer overran
		 * the transport's queue). A response that fits an empty queue
		 * waits for room rather than turning into a 200. */
		if (!http_can_send(c, copy, (unsigned)n + 2u, (unsigned)n)) {
			if (copy <= STREAM_MIN_COPY && 2u * n + 2u <= STREAM_MIN_PIECES)
				http_mark_blocked(c);
			return false;
		}
		http_count_status(srv, 206);
		http_send_copy(srv, c, buf + head_at, b.len - head_at);
		/* The first delimiter's CRLF makes an empty preamble (RFC 2046 5.1.1). */
		for (k = 0; k < n; k++) {
			http_send_copy(srv, c, buf + part_at[k], part_at[k + 1] - part_at[k]);
			http_send_ref(srv, c, r->body + g[k].first, g[k].last - g[k].first + 1);
		}
		http_send_copy(srv, c, buf + part_at[n], head_at - part_at[n]);
	}
	return true;
}

void http_respond_entry(struct http_server *srv, struct http_conn *c,
                        const struct http_request *req, const struct store_entry *e)
{
	struct http_range g[HTTP_MAX_RANGES];
	const struct http_header *rh;
	const struct store_rep *r;
	size_t n = 0;
	int enc, pre;

	if (req->method != HTTP_M_GET && req->method != HTTP_M_HEAD) {
		http_respond_error(srv, c, req, 405);
		return;
	}
	enc = negotiate(srv, e, req);
	if (enc == STORE_ENC_COUNT) {
		http_respond_error(srv, c, req, 406);
		return;
	}
	r = &e->rep[enc];
	pre = preconditions(e, r, req);
	if (pre == 412) {
		http_respond_error(srv, c, req, 412);
		return;
	}
	if (pre == 304) {
		send_whole(srv, c, req, r, 304);
		return;
	}
	/* Range applies to GET only (RFC 9110 14.2); HEAD gets the 200 head. */
	rh = req->method == HTTP_M_GET ? http_header_find(req, "range") : NULL;
	if (rh && if_range_holds(e, r, req)) {
		switch (http_range_parse(rh->value, r->body_len, g, HTTP_MAX_RANGES, &n)) {
		case HTTP_RANGE_UNSATISFIABLE:
			send_416(srv, c, req, r);
			return;
		case HTTP_RANGE_OK:
			if (n == 1) {
				send_range(srv, c, req, r, &g[0]);
				return;
			}
			if (enc == STORE_ENC_IDENTITY && send_multipart(srv, c, req, e, r, g, n))
				return;
			if (c->waiting)
				return;
			break; /* the whole representation instead */
		case HTTP_RANGE_NONE:
			break;
		}
	}
	send_whole(srv, c, req, r, 200);
}

/* Look (path + suffix) up; false when absent or too long. */
static bool lookup(const struct store *st, const struct http_view *path, const char *suffix,
                   struct store_entry *e)
{
	char key[HTTP_MAX_PATH + 16];
	size_t sl = strlen(suffix);

	if (path->len + sl > sizeof key)
		return false;
	memcpy(key, path->p, path->len);
	memcpy(key + path->len, suffix, sl);
	return store_lookup(st, key, path->len + sl, e);
}

static void redirect(struct http_server *srv, struct http_conn *c, const struct http_request *req)
{
	char loc[HTTP_MAX_PATH + 64];
	struct hbuf b = {loc, 0, sizeof loc - 1, false};

	/* A deck lives at /slug/ so that its relative links resolve; RFC 9110
	 * 15.4.9: 308 keeps the method. The query comes along. */
	hbuf_str(&b, "Location: ");
	hbuf_put(&b, req->path.p, req->path.len);
	hbuf_str(&b, "/");
	if (req->query.len) {
		hbuf_str(&b, "?");
		hbuf_put(&b, req->query.p, req->query.len);
	}
	hbuf_str(&b, "\r\n");
	if (b.overflow) {
		http_respond_error(srv, c, req, 414);
		return;
	}
	loc[b.len] = 0;
	http_respond(srv, c, req, 308, "text/plain; charset=utf-8", loc, "", 0);
}

void http_serve_static(struct http_server *srv, struct http_conn *c, const struct http_request *req)
{
	struct store_entry e;
	bool dir = req->path.len && req->path.p[req->path.len - 1] == '/';

	if (srv->store && lookup(srv->store, &req->path, dir ? "index.html" : "", &e)) {
		http_respond_entry(srv, c, req, &e);
		return;
	}
	if (srv->store && !dir && lookup(srv->store, &req->path, "/index.html", &e)) {
		redirect(srv, c, req);
		return;
	}
	http_respond_error(srv, c, req, 404);
}
