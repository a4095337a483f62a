/* SPDX-License-Identifier: MIT */
/* Header-value grammars: token lists, entity tags, Accept-Encoding and Range. */
#include "http/http_int.h"

#include "lib/mem.h"

static char lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch + 32) : ch;
}

bool http_token_eq(const char *a, size_t n, const char *lc)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!lc[i] || lower(a[i]) != lc[i])
			return false;
	return lc[n] == 0;
}

const struct http_header *http_header_find(const struct http_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->n_headers; i++)
		if (http_token_eq(req->headers[i].name.p, req->headers[i].name.len, name))
			return &req->headers[i];
	return NULL;
}

static bool is_ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* The next comma-separated member of (v) from *i, trimmed; false at the end. */
static bool next_member(struct http_view v, size_t *i, struct http_view *m)
{
	size_t s, e;

	while (*i < v.len && (is_ows(v.p[*i]) || v.p[*i] == ','))
		(*i)++;
	if (*i >= v.len)
		return false;
	s = *i;
	while (*i < v.len && v.p[*i] != ',')
		(*i)++;
	e = *i;
	while (e > s && is_ows(v.p[e - 1]))
		e--;
	m->p = v.p + s;
	m->len = e - s;
	return true;
}

bool http_list_has(struct http_view v, const char *lc)
{
	struct http_view m;
	size_t i = 0;

	while (next_member(v, &i, &m))
		if (http_token_eq(m.p, m.len, lc))
			return true;
	return false;
}

/* entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 8.8.3). Entity tags
 * cannot hold commas... but etagc allows them in principle; ours never do, and a
 * client's tag with a comma simply fails to match. */
bool http_etag_match(struct http_view list, const char *etag, size_t etag_len, bool strong)
{
	struct http_view m;
	size_t i = 0;

	while (next_member(list, &i, &m)) {
		bool weak = m.len >= 2 && m.p[0] == 'W' && m.p[1] == '/';
		if (m.len == 1 && m.p[0] == '*')
			return true;
		if (weak) {
			if (strong)
				continue; /* strong comparison: weak tags never match */
			m.p += 2;
			m.len -= 2;
		}
		if (m.len < 2 || m.p[0] != '"' || m.p[m.len - 1] != '"')
			continue;
		if (m.len == etag_len && memcmp(m.p, etag, etag_len) == 0)
			return true;
	}
	return false;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 12.4.2),
 * in thousandths; -1 when malformed. */
static int parse_q(const char *p, size_t n)
{
	int v, scale = 100;
	size_t i;

	if (n == 0 || (p[0] != '0' && p[0] != '1'))
		return -1;
	v = (p[0] - '0') * 1000;
	if (n == 1)
		return v;
	if (p[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++, scale /= 10) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v += (p[i] - '0') * scale;
	}
	return v > 1000 ? -1 : v;
}

/* One member "coding *( OWS ";" OWS param )": the coding and its q. */
static bool accept_member(struct http_view m, struct http_view *coding, int *q)
{
	size_t i = 0, s;

	while (i < m.len && m.p[i] != ';' && !is_ows(m.p[i]))
		i++;
	coding->p = m.p;
	coding->len = i;
	*q = 1000;
	while (i < m.len) {
		while (i < m.len && (is_ows(m.p[i]) || m.p[i] == ';'))
			i++;
		s = i;
		while (i < m.len && m.p[i] != ';')
			i++;
		if (i - s >= 2 && (m.p[s] == 'q' || m.p[s] == 'Q') && m.p[s + 1] == '=') {
			size_t e = i;
			while (e > s + 2 && is_ows(m.p[e - 1]))
				e--;
			*q = parse_q(m.p + s + 2, e - s - 2);
			if (*q < 0)
				return false;
		}
	}
	return coding->len > 0;
}

void http_accept_parse(struct http_view v, struct http_accept *a)
{
	struct http_view m, coding;
	size_t i = 0;
	int q;

	a->identity = a->gzip = a->br = a->star = -1;
	while (next_member(v, &i, &m)) {
		if (!accept_member(m, &coding, &q))
			continue; /* a malformed member says nothing: ignore it */
		if (http_token_eq(coding.p, coding.len, "identity"))
			a->identity = q;
		else if (http_token_eq(coding.p, coding.len, "gzip") ||
		         http_token_eq(coding.p, coding.len, "x-gzip"))
			a->gzip = q;
		else if (http_token_eq(coding.p, coding.len, "br"))
			a->br = q;
		else if (coding.len == 1 && coding.p[0] == '*')
			a->star = q;
	}
}

/* 1*DIGIT, overflow-checked; false when none or too large. */
static bool parse_u64(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9' || __builtin_mul_overflow(v, 10u, &v) ||
		    __builtin_add_overflow(v, (uint64_t)(p[i] - '0'), &v))
			return false;
	}
	*out = v;
	return true;
}

/* int-range / suffix-range (RFC 9110 14.1.2). Returns 1 for a satisfiable
 * range, 0 for an unsatisfiable one, -1 for bad syntax. */
static int one_range(struct http_view m, uint64_t len, struct http_range *r)
{
	size_t dash;
	uint64_t a, b;

	for (dash = 0; dash < m.len && m.p[dash] != '-'; dash++)
		;
	if (dash == m.len)
		return -1;
	if (dash == 0) {
		if (!parse_u64(m.p + 1, m.len - 1, &b))
			return -1;
		if (b == 0 || len == 0)
			return 0;
		r->first = b >= len ? 0 : len - b;
		r->last = len - 1;
		return 1;
	}
	if (!parse_u64(m.p, dash, &a))
		return -1;
	if (dash + 1 == m.len) {
		b = UINT64_MAX;
	} else if (!parse_u64(m.p + dash + 1, m.len - dash - 1, &b) || b < a) {
		return -1;
	}
	if (a >= len)
		return 0;
	r->first = a;
	r->last = b >= len ? len - 1 : b;
	return 1;
}

enum http_range_result http_range_parse(struct http_view v, uint64_t len, struct http_range *out,
                                        size_t cap, size_t *n)
{
	struct http_view m;
	size_t i = 6, k, j;
	bool any = false;

	*n = 0;
	if (v.len < 6 || !http_token_eq(v.p, 5, "bytes") || v.p[5] != '=')
		return HTTP_RANGE_NONE; /* another unit, or none: ignore (RFC 9110 14.2) */
	while (next_member(v, &i, &m)) {
		struct http_range r;
		int ok = one_range(m, len, &r);
		if (ok < 0)
			return HTTP_RANGE_NONE; /* invalid: MAY ignore (RFC 9110 14.2) */
		any = true;
		if (ok == 0)
			continue;
		if (*n == cap)
			return HTTP_RANGE_NONE; /* too many: the whole representation */
		out[(*n)++] = r;
	}
	if (!any)
		return HTTP_RANGE_NONE;
	if (*n == 0)
		return HTTP_RANGE_UNSATISFIABLE;
	/* Overlapping ranges are a known amplification trick (RFC 9110 17.15):
	 * answer them with the whole representation once. */
	for (k = 0; k < *n; k++)
		for (j = k + 1; j < *n; j++)
			if (out[k].first <= out[j].last && out[j].first <= out[k].last)
				return HTTP_RANGE_NONE;
	return HTTP_RANGE_OK;
}
