/* SPDX-License-Identifier: MIT */
/* Plain HTTP beside HTTPS: see app/tls_redirect.h. */
#include "app/tls_redirect.h"

#include "lib/mem.h"

#define CHALLENGE_PREFIX "/.well-known/acme-challenge/"
#define LOCATION_MAX     (HTTP_MAX_HEAD + 300u)

static bool host_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '-' || ch == '_' || ch == ':' || ch == '[' || ch == ']';
}

/* The host part of a Host value: "[v6]" or a name, without ":port". */
static bool host_of(struct http_view h, struct http_view *out)
{
	size_t i, end = h.len;

	if (!h.len)
		return false;
	for (i = 0; i < h.len; i++)
		if (!host_char(h.p[i]))
			return false;
	if (h.p[0] == '[') {
		for (end = 1; end < h.len && h.p[end] != ']'; end++)
			;
		if (end == h.len)
			return false;
		end++;
		if (end != h.len && h.p[end] != ':')
			return false;
	} else {
		for (end = 0; end < h.len && h.p[end] != ':'; end++)
			if (h.p[end] == '[' || h.p[end] == ']')
				return false;
	}
	out->p = h.p;
	out->len = end;
	return end > 0;
}

static bool token_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > TLS_REDIRECT_TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char ch = p[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
	}
	return true;
}

static void put(char *b, size_t *n, size_t cap, const char *p, size_t len)
{
	if (*n + len > cap)
		len = cap - *n;
	memcpy(b + *n, p, len);
	*n += len;
}

bool tls_redirect_route(void *app, struct http_conn *c, const struct http_request *req)
{
	static char loc[LOCATION_MAX];
	static const char body[] = "<!doctype html><title>HTTPS</title>"
	                           "<p>This server is served over HTTPS.</p>\n";
	struct tls_redirect *r = app;
	struct http_server *srv = r->srv;
	struct http_view host;
	size_t n = 0, plen = sizeof CHALLENGE_PREFIX - 1;
	char port[8];
	size_t pn = 0;

	if (req->path.len > plen && memcmp(req->path.p, CHALLENGE_PREFIX, plen) == 0) {
		const char *tok = req->path.p + plen;
		size_t tl = req->path.len - plen;
		const uint8_t *kb;
		size_t kl;
		if ((req->method == HTTP_M_GET || req->method == HTTP_M_HEAD) &&
		    token_ok(tok, tl) && r->challenge && r->challenge(r->ctx, tok, tl, &kb, &kl)) {
			r->challenges_served++;
			http_respond(srv, c, req, 200, "application/octet-stream", NULL, kb, kl);
			return true;
		}
		r->challenges_missed++;
		http_respond_error(srv, c, req, 404);
		return true;
	}
	if (!host_of(req->host, &host)) {
		r->bad_host++;
		http_respond_error(srv, c, req, 400);
		return true;
	}
	put(loc, &n, sizeof loc, "Location: https://", 18);
	put(loc, &n, sizeof loc, host.p, host.len);
	if (r->https_port != 443) {
		unsigned v = r->https_port;
		char tmp[6];
		size_t k = 0;
		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		port[pn++] = ':';
		while (k)
			port[pn++] = tmp[--k];
		put(loc, &n, sizeof loc, port, pn);
	}
	if (req->target.len && req->target.p[0] == '/') {
		put(loc, &n, sizeof loc, req->target.p, req->target.len);
	} else {
		/* absolute-form: the decoded path and the query as sent */
		put(loc, &n, sizeof loc, req->path.p, req->path.len);
		if (req->query.len) {
			put(loc, &n, sizeof loc, "?", 1);
			put(loc, &n, sizeof loc, req->query.p, req->query.len);
		}
	}
	if (n + 3 > sizeof loc) {
		http_respond_error(srv, c, req, 414);
		return true;
	}
	loc[n++] = '\r';
	loc[n++] = '\n';
	loc[n] = 0;
	r->redirects++;
	http_respond(srv, c, req, 308, "text/html; charset=utf-8", loc, body, sizeof body - 1);
	return true;
}
