/* SPDX-License-Identifier: MIT */
/* The HTTP/1.1 request head parser (RFC 9112) and the request-target path normaliser. */
#include "http/http_int.h"

#include "lib/mem.h"

/* tchar of RFC 9110 5.6.2. */
static bool is_tchar(uint8_t ch)
{
	static const char extra[] = "!#$%&'*+-.^_`|~";
	size_t i;

	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	for (i = 0; extra[i]; i++)
		if (ch == (uint8_t)extra[i])
			return true;
	return false;
}

/* field-vchar / SP / HTAB (RFC 9110 5.5), obs-text allowed. */
static bool is_field_char(uint8_t ch)
{
	return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

/* Find the end of the line starting at (i): the index of its LF, or len when
 * there is none yet. A CR must be followed by LF (RFC 9112 2.2: a bare CR is
 * invalid); *bad is set for it. A lone LF is accepted as a terminator. */
static size_t line_end(const uint8_t *p, size_t len, size_t i, bool *bad)
{
	for (; i < len; i++) {
		if (p[i] == '\n')
			return i;
		if (p[i] == '\r' && i + 1 < len && p[i + 1] != '\n') {
			*bad = true;
			return i;
		}
	}
	return len;
}

/* The line [s, e) without its CR. */
static size_t trim_cr(const uint8_t *p, size_t s, size_t e)
{
	return e > s && p[e - 1] == '\r' ? e - 1 : e;
}

static const struct {
	const char *name;
	enum http_method m;
} methods[] = {
        {"GET", HTTP_M_GET},         {"HEAD", HTTP_M_HEAD},     {"POST", HTTP_M_POST},
        {"PUT", HTTP_M_PUT},         {"DELETE", HTTP_M_DELETE}, {"CONNECT", HTTP_M_CONNECT},
        {"OPTIONS", HTTP_M_OPTIONS}, {"TRACE", HTTP_M_TRACE},   {"PATCH", HTTP_M_PATCH},
};

static enum http_method method_of(const char *p, size_t n)
{
	size_t i;

	/* Methods are case-sensitive (RFC 9110 9.1). */
	for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strlen(methods[i].name) == n && memcmp(methods[i].name, p, n) == 0)
			return methods[i].m;
	return HTTP_M_UNKNOWN;
}

/* request-line = method SP request-target SP HTTP-version (RFC 9112 3). */
static int parse_request_line(const uint8_t *p, size_t s, size_t e, struct http_request *req)
{
	size_t i = s, t0, v0;

	while (i < e && is_tchar(p[i]))
		i++;
	if (i == s || i >= e || p[i] != ' ')
		return 400;
	req->method_token.p = (const char *)p + s;
	req->method_token.len = i - s;
	req->method = method_of(req->method_token.p, req->method_token.len);
	t0 = ++i;
	while (i < e && p[i] > 0x20 && p[i] < 0x7f)
		i++;
	if (i == t0 || i >= e || p[i] != ' ')
		return 400;
	req->target.p = (const char *)p + t0;
	req->target.len = i - t0;
	v0 = ++i;
	if (e - v0 != 8 || memcmp(p + v0, "HTTP/", 5) != 0 || p[v0 + 5] < '0' || p[v0 + 5] > '9' ||
	    p[v0 + 6] != '.' || p[v0 + 7] < '0' || p[v0 + 7] > '9')
		return 400;
	if (p[v0 + 5] != '1')
		return p[v0 + 5] == '0' ? 400 : 505; /* RFC 9110 15.6.6 */
	/* Any later 1.x is answered as 1.1 (RFC 9110 2.5). */
	req->version_minor = p[v0 + 7] == '0' ? 0 : 1;
	return 0;
}

/* field-line = field-name ":" OWS field-value OWS (RFC 9112 5). */
static int parse_field(const uint8_t *p, size_t s, size_t e, struct http_request *req)
{
	size_t i = s, v, w;
	struct http_header *h;

	if (p[s] == ' ' || p[s] == '\t')
		return 400; /* obs-fold: RFC 9112 5.2 lets a server reject it */
	while (i < e && is_tchar(p[i]))
		i++;
	if (i == s || i >= e || p[i] != ':')
		return 400; /* no name, or whitespace before the colon (RFC 9112 5.1) */
	if (req->n_headers == HTTP_MAX_HEADERS)
		return 431;
	for (v = i + 1; v < e; v++)
		if (!is_field_char(p[v]))
			return 400;
	v = i + 1;
	while (v < e && (p[v] == ' ' || p[v] == '\t'))
		v++;
	w = e;
	while (w > v && (p[w - 1] == ' ' || p[w - 1] == '\t'))
		w--;
	h = &req->headers[req->n_headers++];
	h->name.p = (const char *)p + s;
	h->name.len = i - s;
	h->value.p = (const char *)p + v;
	h->value.len = w - v;
	return 0;
}

enum http_parse_result http_parse_head(const uint8_t *p, size_t len, struct http_request *req,
                                       size_t *consumed, int *status)
{
	size_t i = 0, e, line, fields_start;
	bool bad = false;
	int st;

	memset(req, 0, sizeof *req);
	/* RFC 9112 2.2: ignore at least one empty line before the request line. */
	while (i < len && (p[i] == '\n' || (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')))
		i += p[i] == '\r' ? 2 : 1;
	e = line_end(p, len, i, &bad);
	if (bad) {
		*status = 400;
		return HTTP_PARSE_ERROR;
	}
	/* RFC 9112 3: long request lines are answered 414. The cap counts the
	 * line without its CRLF; a CR may already be there before its LF. */
	line = e == len ? e : trim_cr(p, i, e);
	if (line - i > HTTP_MAX_HEAD + (e == len ? 1u : 0u)) {
		*status = 414;
		return HTTP_PARSE_ERROR;
	}
	if (e == len)
		return HTTP_PARSE_INCOMPLETE;
	st = parse_request_line(p, i, line, req);
	if (st) {
		*status = st;
		return HTTP_PARSE_ERROR;
	}
	fields_start = i = e + 1;
	for (;;) {
		e = line_end(p, len, i, &bad);
		if (bad) {
			*status = 400;
			return HTTP_PARSE_ERROR;
		}
		if (e - fields_start > HTTP_MAX_HEAD) {
			*status = 431;
			return HTTP_PARSE_ERROR;
		}
		if (e == len)
			return HTTP_PARSE_INCOMPLETE;
		line = trim_cr(p, i, e);
		if (line == i)
			break; /* the empty line that ends the head */
		st = parse_field(p, i, line, req);
		if (st) {
			*status = st;
			return HTTP_PARSE_ERROR;
		}
		i = e + 1;
	}
	*consumed = e + 1;
	return HTTP_PARSE_OK;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Remove dot segments in place (RFC 3986 5.2.4) from an absolute path of (n)
 * bytes; returns the new length. The output is a run of "/segment" units; ".."
 * drops the last unit, so nothing can climb above the root. */
static size_t remove_dots(char *s, size_t n)
{
	size_t in = 0, out = 0;

	while (in < n) {
		size_t end = in + 1, len;

		while (end < n && s[end] != '/')
			end++;
		len = end - in - 1;
		if (len == 1 && s[in + 1] == '.') {
			if (end == n)
				s[out++] = '/';
		} else if (len == 2 && s[in + 1] == '.' && s[in + 2] == '.') {
			while (out > 0 && s[out - 1] != '/')
				out--;
			if (out > 0)
				out--;
			if (end == n)
				s[out++] = '/';
		} else {
			memmove(s + out, s + in, end - in); /* out <= in: safe in place */
			out += end - in;
		}
		in = end;
	}
	if (out == 0)
		s[out++] = '/';
	return out;
}

int http_path_decode(struct http_request *req, char *out, size_t cap)
{
	const char *t = req->target.p;
	size_t n = req->target.len, i, o = 0, end;

	/* absolute-form: "scheme://authority/path" (RFC 9112 3.2.2, any scheme:
	 * a server MUST accept it); the authority is not ours to check, as a
	 * proxy would, since every name reaches the same store. */
	for (i = 0;
	     i < n &&
	     ((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
	      (i && ((t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' || t[i] == '.')));
	     i++)
		;
	if (i && n - i >= 3 && t[i] == ':' && t[i + 1] == '/' && t[i + 2] == '/') {
		i += 3;
		while (i < n && t[i] != '/' && t[i] != '?')
			i++;
		t += i;
		n -= i;
		if (n == 0 || t[0] == '?') {
			/* "http://host" means "/" (RFC 9112 3.2.2). */
			req->query.p = n ? t + 1 : t;
			req->query.len = n ? n - 1 : 0;
			out[0] = '/';
			req->path.p = out;
			req->path.len = 1;
			return 0;
		}
	}
	if (n == 0 || t[0] != '/')
		return 400;
	for (end = 0; end < n && t[end] != '?'; end++)
		;
	req->query.p = end < n ? t + end + 1 : t + n;
	req->query.len = end < n ? n - end - 1 : 0;
	for (i = 0; i < end; i++) {
		char ch = t[i];
		if (ch == '%') {
			int hi, lo;
			if (i + 2 >= end)
				return 400;
			hi = hexval(t[i + 1]);
			lo = hexval(t[i + 2]);
			if (hi < 0 || lo < 0)
				return 400;
			ch = (char)(hi << 4 | lo);
			if (ch == 0)
				return 400; /* a NUL in a path is never legitimate */
			i += 2;
		}
		if (o == cap)
			return 414;
		out[o++] = ch;
	}
	req->path.p = out;
	req->path.len = remove_dots(out, o);
	return 0;
}

/* Content-Length = 1*DIGIT (RFC 9110 8.6), overflow-checked. */
static bool parse_length(struct http_view v, uint64_t *out)
{
	uint64_t n = 0;
	size_t i;

	if (v.len == 0)
		return false;
	for (i = 0; i < v.len; i++) {
		uint8_t ch = (uint8_t)v.p[i];
		if (ch < '0' || ch > '9' || __builtin_mul_overflow(n, 10u, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(ch - '0'), &n))
			return false;
	}
	*out = n;
	return true;
}

/* uri-host [":" port] (RFC 9110 7.2); empty is allowed. */
static bool host_ok(struct http_view v)
{
	static const char ok[] = "-._~%!$&'()*+,;=:[]";
	size_t i, k;

	for (i = 0; i < v.len; i++) {
		char ch = v.p[i];
		bool good = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		            (ch >= '0' && ch <= '9');
		for (k = 0; !good && ok[k]; k++)
			good = ch == ok[k];
		if (!good)
			return false;
	}
	return true;
}

int http_semantics(struct http_request *req)
{
	unsigned hosts = 0;
	bool have_cl = false, have_te = false, te_other = false, expect_other = false;
	uint64_t cl = 0, v;
	size_t i;

	req->keep_alive = req->version_minor >= 1;
	req->chunked = false;
	req->expect_continue = false;
	for (i = 0; i < req->n_headers; i++) {
		const struct http_header *h = &req->headers[i];
		if (http_token_eq(h->name.p, h->name.len, "host")) {
			hosts++;
			req->host = h->value;
		} else if (http_token_eq(h->name.p, h->name.len, "content-length")) {
			/* Repeats must agree (RFC 9110 8.6); anything else is smuggling bait. */
			if (!parse_length(h->value, &v) || (have_cl && v != cl))
				return 400;
			have_cl = true;
			cl = v;
		} else if (http_token_eq(h->name.p, h->name.len, "transfer-encoding")) {
			/* Only chunked alone: any other coding is 501 (RFC 9112
			 * 6.1), and two fields are refused rather than merged. */
			if (have_te)
				return 400;
			have_te = true;
			if (!http_token_eq(h->value.p, h->value.len, "chunked"))
				te_other = true;
		} else if (http_token_eq(h->name.p, h->name.len, "expect")) {
			if (!http_token_eq(h->value.p, h->value.len, "100-continue"))
				expect_other = true;
			req->expect_continue = true;
		} else if (http_token_eq(h->name.p, h->name.len, "connection")) {
			if (http_list_has(h->value, "close"))
				req->keep_alive = false;
			else if (req->version_minor == 0 && http_list_has(h->value, "keep-alive"))
				req->keep_alive = true;
		}
	}
	/* RFC 9112 3.2: a 1.1 request without exactly one Host is answered 400. */
	if (hosts > 1 || (req->version_minor >= 1 && hosts == 0) || !host_ok(req->host))
		return 400;
	/* RFC 9112 6.1: both framings at once is an attack or a bug; close after. */
	if (have_te && have_cl)
		return 400;
	/* A transfer coding in HTTP/1.0 cannot be trusted to frame anything
	 * (RFC 9112 6.1); one we do not implement is 501. */
	if (have_te && req->version_minor == 0)
		return 400;
	if (te_other)
		return 501;
	req->chunked = have_te;
	/* RFC 9110 10.1.1: an expectation we cannot meet is 417. 100-continue
	 * from HTTP/1.0 is ignored (no 1xx may go to a 1.0 client). */
	if (expect_other)
		return 417;
	if (req->version_minor == 0)
		req->expect_continue = false;
	if (cl > HTTP_MAX_BODY)
		return 413;
	req->content_length = cl;
	return 0;
}

/* chunk-size [ chunk-ext ] CRLF at (*i): the size, and *i past the line.
 * 0 incomplete, -1 invalid, 1 ok. */
static int chunk_line(const uint8_t *p, size_t len, size_t *i, uint64_t *size)
{
	size_t k = *i, digits = 0;
	uint64_t n = 0;
	int h;

	while (k < len && (h = hexval((char)p[k])) >= 0) {
		if (__builtin_mul_overflow(n, 16u, &n) ||
		    __builtin_add_overflow(n, (uint64_t)h, &n))
			return -1;
		k++;
		digits++;
	}
	if (k == len)
		return 0;
	if (!digits)
		return -1;
	/* chunk-ext (RFC 9112 7.1.1): ignored, but only field characters. */
	while (k < len && p[k] != '\r' && p[k] != '\n') {
		if (!is_field_char(p[k]))
			return -1;
		k++;
	}
	if (k == len || (p[k] == '\r' && k + 1 == len))
		return 0;
	if (p[k] == '\r' && p[k + 1] != '\n')
		return -1;
	k += p[k] == '\r' ? 2 : 1;
	*i = k;
	*size = n;
	return 1;
}

/* CRLF (or LF) at *i. 0 incomplete, -1 invalid, 1 ok. */
static int crlf(const uint8_t *p, size_t len, size_t *i)
{
	size_t k = *i;

	if (k < len && p[k] == '\r')
		k++;
	if (k == len)
		return 0;
	if (p[k] != '\n')
		return -1;
	*i = k + 1;
	return 1;
}

/* The trailer section (RFC 9112 7.1.2) at *i: fields read past and dropped,
 * up to the empty line. 0 incomplete, -1 invalid, 1 ok. */
static int trailers(const uint8_t *p, size_t len, size_t *i)
{
	for (;;) {
		bool bad = false;
		size_t e = line_end(p, len, *i, &bad), t, j;

		if (bad)
			return -1;
		if (e == len)
			return 0;
		t = trim_cr(p, *i, e);
		for (j = *i; j < t; j++)
			if (!is_field_char(p[j]))
				return -1;
		j = *i;
		*i = e + 1;
		if (t == j)
			return 1; /* the empty line ends the message */
	}
}

enum http_parse_result http_chunked(uint8_t *p, size_t len, size_t max_body, size_t *raw,
                                    size_t *body, int *status)
{
	size_t i = 0, total = 0, o = 0;
	uint64_t size = 0;
	int r;

	/* First pass: find the end, write nothing. */
	for (;;) {
		if ((r = chunk_line(p, len, &i, &size)) <= 0)
			goto out;
		if (size == 0)
			break;
		if (size > max_body - total) {
			*status = 413;
			return HTTP_PARSE_ERROR;
		}
		total += (size_t)size;
		if (len - i < size)
			return HTTP_PARSE_INCOMPLETE;
		i += (size_t)size;
		if ((r = crlf(p, len, &i)) <= 0)
			goto out;
	}
	if ((r = trailers(p, len, &i)) <= 0)
		goto out;
	*raw = i;
	/* Second pass: move the chunks' data together, in place (always to
	 * before where it came from). */
	i = 0;
	for (;;) {
		chunk_line(p, len, &i, &size);
		if (size == 0)
			break;
		memmove(p + o, p + i, (size_t)size);
		o += (size_t)size;
		i += (size_t)size;
		crlf(p, len, &i);
	}
	*body = o;
	return HTTP_PARSE_OK;
out:
	if (r < 0) {
		*status = 400;
		return HTTP_PARSE_ERROR;
	}
	return HTTP_PARSE_INCOMPLETE;
}
