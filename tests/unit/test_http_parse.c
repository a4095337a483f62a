/* SPDX-License-Identifier: MIT */
/* Unit tests of the HTTP request parser, path decoding and header grammars.
 * Every input is placed to end at a guard page: an over-read faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"
#include "tests/unit/check.h"

static enum http_parse_result parse(const char *s, size_t n, struct http_request *req, size_t *used,
                                    int *status)
{
	return http_parse_head(guard_place(s, n), n, req, used, status);
}

static void parse_ok(const char *name, const char *s)
{
	struct http_request req;
	size_t used = 0, n = strlen(s), i;
	int status = 0;
	bool prefixes = true;

	CHECK(parse(s, n, &req, &used, &status) == HTTP_PARSE_OK && used == n, "%s: parses", name);
	/* Every proper prefix is incomplete, never an error. */
	for (i = 0; i < n && prefixes; i++)
		prefixes = parse(s, i, &req, &used, &status) == HTTP_PARSE_INCOMPLETE;
	CHECK(prefixes, "%s: every prefix is incomplete", name);
}

static void parse_err(const char *name, const char *s, size_t n, int want)
{
	struct http_request req;
	size_t used = 0;
	int status = 0;
	enum http_parse_result r = parse(s, n, &req, &used, &status);

	CHECK(r == HTTP_PARSE_ERROR && status == want, "%s: %d (got result %d, status %d)", name,
	      want, r, status);
}

static void test_parser(void)
{
	struct http_request req;
	size_t used;
	int status;
	char *big;
	const char *r =
	        "GET /a/b?x=1 HTTP/1.1\r\nHost: example\r\nAccept-Encoding:  gzip, br \r\n\r\n";

	parse_ok("a simple request", r);
	parse(r, strlen(r), &req, &used, &status);
	CHECK(req.method == HTTP_M_GET && req.version_minor == 1 && req.n_headers == 2 &&
	              req.target.len == 8 && memcmp(req.target.p, "/a/b?x=1", 8) == 0,
	      "request line fields");
	CHECK(req.headers[1].value.len == 8 && memcmp(req.headers[1].value.p, "gzip, br", 8) == 0,
	      "field values are trimmed");
	parse_ok("HTTP/1.0", "GET / HTTP/1.0\r\n\r\n");
	parse_ok("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n");
	parse_ok("leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
	parse(r, strlen(r), &req, &used, &status);
	parse("BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n", 31, &req, &used, &status);
	CHECK(req.method == HTTP_M_UNKNOWN, "an unknown method token parses (501 later)");
	parse_err("bare CR", "GET / HTTP/1.1\rHost: a\r\n\r\n", 25, 400);
	parse_err("obs-fold", "GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 27, 400);
	parse_err("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 28, 400);
	parse_err("no colon", "GET / HTTP/1.1\r\nHost\r\n\r\n", 24, 400);
	parse_err("two spaces", "GET  / HTTP/1.1\r\n\r\n", 19, 400);
	parse_err("lower-case version", "GET / http/1.1\r\n\r\n", 18, 400);
	parse_err("HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 18, 505);
	parse_err("HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 18, 400);
	parse_err("a control character in a value", "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", 24, 400);
	parse_err("NUL in a value", "GET / HTTP/1.1\r\nA: b\0c\r\n\r\n", 25, 400);

	big = malloc(20000);
	memset(big, 'a', 20000);
	memcpy(big, "GET /", 5);
	parse_err("request line past 8 KiB, before its end arrives", big, 9000, 414);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	parse_err("header section past 8 KiB, before its end arrives", big, 9000, 431);
	{
		char many[4096];
		size_t n = (size_t)sprintf(many, "GET / HTTP/1.1\r\n"), i;
		for (i = 0; i < HTTP_MAX_HEADERS + 1; i++)
			n += (size_t)sprintf(many + n, "H%zu: v\r\n", i);
		n += (size_t)sprintf(many + n, "\r\n");
		parse_err("more than HTTP_MAX_HEADERS fields", many, n, 431);
	}
	{
		/* Exactly at the cap still parses. */
		size_t line = HTTP_MAX_HEAD;
		memcpy(big, "GET /", 5);
		memset(big + 5, 'b', line - 5 - 9);
		memcpy(big + line - 9, " HTTP/1.1", 9);
		memcpy(big + line, "\r\nHost: a\r\n\r\n", 13);
		CHECK(parse(big, line + 13, &req, &used, &status) == HTTP_PARSE_OK,
		      "a request line of exactly HTTP_MAX_HEAD bytes parses");
	}
	free(big);
}

static void path_case(const char *target, int want_status, const char *want_path,
                      const char *want_query)
{
	struct http_request req;
	char out[HTTP_MAX_PATH];
	int st;

	memset(&req, 0, sizeof req);
	req.target.p = guard_place(target, strlen(target));
	req.target.len = strlen(target);
	st = http_path_decode(&req, out, sizeof out);
	if (want_status) {
		CHECK(st == want_status, "path %s: %d (got %d)", target, want_status, st);
		return;
	}
	CHECK(st == 0 && req.path.len == strlen(want_path) &&
	              memcmp(req.path.p, want_path, req.path.len) == 0 &&
	              req.query.len == strlen(want_query) &&
	              memcmp(req.query.p, want_query, req.query.len) == 0,
	      "path %s -> %s ? %s (got %d %.*s ? %.*s)", target, want_path, want_query, st,
	      (int)req.path.len, req.path.p, (int)req.query.len, req.query.p);
}

static void test_paths(void)
{
	char longp[HTTP_MAX_PATH + 10];

	path_case("/", 0, "/", "");
	path_case("/a/b", 0, "/a/b", "");
	path_case("/a/b?x=1&y", 0, "/a/b", "x=1&y");
	path_case("/a/./b/", 0, "/a/b/", "");
	path_case("/a/../b", 0, "/b", "");
	path_case("/a/..", 0, "/", "");
	path_case("/a/b/..", 0, "/a/", "");
	path_case("/../../etc/passwd", 0, "/etc/passwd", "");
	path_case("/%2e%2e/%2E%2E/x", 0, "/x", "");
	path_case("/a%2F..%2Fb", 0, "/b", "");
	path_case("/%41%62", 0, "/Ab", "");
	path_case("/sp%20ace", 0, "/sp ace", "");
	path_case("/x%00y", 400, NULL, NULL);
	path_case("/x%zz", 400, NULL, NULL);
	path_case("/x%4", 400, NULL, NULL);
	path_case("/x%", 400, NULL, NULL);
	path_case("x", 400, NULL, NULL);
	path_case("http://host/a/b?q", 0, "/a/b", "q");
	path_case("HTTP://host", 0, "/", "");
	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = 0;
	path_case(longp, 414, NULL, NULL);
}

static void range_case(const char *v, uint64_t len, enum http_range_result want, size_t want_n,
                       uint64_t f0, uint64_t l0)
{
	struct http_range g[HTTP_MAX_RANGES];
	struct http_view view = {guard_place(v, strlen(v)), strlen(v)};
	size_t n = 99;
	enum http_range_result r = http_range_parse(view, len, g, HTTP_MAX_RANGES, &n);

	CHECK(r == want && (want != HTTP_RANGE_OK ||
	                    (n == want_n && g[0].first == f0 && g[0].last == l0)),
	      "Range %s on %llu bytes (got %d, n %zu, %llu-%llu)", v, (unsigned long long)len, r, n,
	      (unsigned long long)(n ? g[0].first : 0), (unsigned long long)(n ? g[0].last : 0));
}

static void test_ranges(void)
{
	range_case("bytes=0-1", 1000, HTTP_RANGE_OK, 1, 0, 1);
	range_case("bytes=0-0", 1000, HTTP_RANGE_OK, 1, 0, 0);
	range_case("bytes=10-", 1000, HTTP_RANGE_OK, 1, 10, 999);
	range_case("bytes=-10", 1000, HTTP_RANGE_OK, 1, 990, 999);
	range_case("bytes=-5000", 1000, HTTP_RANGE_OK, 1, 0, 999);
	range_case("bytes=990-5000", 1000, HTTP_RANGE_OK, 1, 990, 999);
	range_case("bytes=0-9, 20-29", 1000, HTTP_RANGE_OK, 2, 0, 9);
	range_case("bytes=1000-", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0, 0);
	range_case("bytes=-0", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0, 0);
	range_case("bytes=2000-3000, 5000-", 1000, HTTP_RANGE_UNSATISFIABLE, 0, 0, 0);
	range_case("bytes=2000-3000, 5-6", 1000, HTTP_RANGE_OK, 1, 5, 6);
	range_case("bytes=0-", 0, HTTP_RANGE_UNSATISFIABLE, 0, 0, 0);
	range_case("bytes=5-3", 1000, HTTP_RANGE_NONE, 0, 0, 0);
	range_case("bytes=x-y", 1000, HTTP_RANGE_NONE, 0, 0, 0);
	range_case("items=0-1", 1000, HTTP_RANGE_NONE, 0, 0, 0);
	range_case("bytes=", 1000, HTTP_RANGE_NONE, 0, 0, 0);
	range_case("bytes=0-10,5-20", 1000, HTTP_RANGE_NONE, 0, 0, 0);
	range_case("bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17", 1000, HTTP_RANGE_NONE, 0, 0,
	           0);
	range_case("bytes=99999999999999999999-", 1000, HTTP_RANGE_NONE, 0, 0, 0);
	range_case("BYTES=0-1", 1000, HTTP_RANGE_OK, 1, 0, 1);
}

static void accept_case(const char *v, int id, int gz, int br, int star)
{
	struct http_accept a;
	struct http_view view = {guard_place(v, strlen(v)), strlen(v)};

	http_accept_parse(view, &a);
	CHECK(a.identity == id && a.gzip == gz && a.br == br && a.star == star,
	      "Accept-Encoding: %s -> %d %d %d %d (got %d %d %d %d)", v, id, gz, br, star,
	      a.identity, a.gzip, a.br, a.star);
}

static void test_accept(void)
{
	accept_case("gzip, deflate, br", -1, 1000, 1000, -1);
	accept_case("br;q=0.5, gzip;q=0.9", -1, 900, 500, -1);
	accept_case("identity;q=0", 0, -1, -1, -1);
	accept_case("*;q=0, gzip", -1, 1000, -1, 0);
	accept_case("x-gzip; q=0.25", -1, 250, -1, -1);
	accept_case("GZIP;Q=1.000", -1, 1000, -1, -1);
	accept_case("br;q=1.5, gzip;q=abc", -1, -1, -1, -1);
	accept_case("br;q=0.001", -1, -1, 1, -1);
	accept_case("", -1, -1, -1, -1);
	accept_case(" , ,br", -1, -1, 1000, -1);
}

static void etag_case(const char *list, bool strong, bool want)
{
	struct http_view v = {guard_place(list, strlen(list)), strlen(list)};

	CHECK(http_etag_match(v, "\"abc\"", 5, strong) == want, "%s comparison of %s: %s",
	      strong ? "strong" : "weak", list, want ? "match" : "no match");
}

static void test_etags(void)
{
	etag_case("\"abc\"", true, true);
	etag_case("W/\"abc\"", true, false);
	etag_case("W/\"abc\"", false, true);
	etag_case("\"x\", \"abc\"", true, true);
	etag_case("*", true, true);
	etag_case("\"abcd\"", false, false);
	etag_case("abc", false, false);
	etag_case("", false, false);
}

/* guard_place's copy is writable: the chunked decoder works in place. */
static uint8_t *place(const void *p, size_t n)
{
	return (uint8_t *)(uintptr_t)guard_place(p, n);
}

/* Chunked bodies (RFC 9112 7.1), decoded in place; each input ends at a guard
 * page, and every proper prefix is incomplete. */
static void test_chunked(void)
{
	static const char in[] = "4\r\nWiki\r\n6;name=\"v\"\r\npedia \r\nE\r\nin \r\n\r\nchunks."
	                         "\r\n0\r\nExpires: never\r\n\r\nNEXT";
	size_t n = sizeof in - 1, raw = 0, body = 0, i;
	uint8_t copy[sizeof in];
	int status = 0;
	bool prefixes = true;

	for (i = 0; i + 4 < n && prefixes; i++) {
		memcpy(copy, in, i);
		prefixes = http_chunked(place(copy, i), i, 4096, &raw, &body, &status) ==
		           HTTP_PARSE_INCOMPLETE;
	}
	CHECK(prefixes, "every proper prefix of a chunked body is incomplete");
	{
		uint8_t *p = place(in, n);
		CHECK(http_chunked(p, n, 4096, &raw, &body, &status) == HTTP_PARSE_OK &&
		              raw == n - 4 && body == 24 &&
		              memcmp(p, "Wikipedia in \r\n\r\nchunks.", 24) == 0,
		      "RFC 9112's example decodes to 24 bytes, in place, up to the next request");
	}
	CHECK(http_chunked(place(in, n), n, 23, &raw, &body, &status) == HTTP_PARSE_ERROR &&
	              status == 413,
	      "past the cap: 413");
	CHECK(http_chunked(place("4\r\nWikiX\r\n", 10), 10, 99, &raw, &body, &status) ==
	                      HTTP_PARSE_ERROR &&
	              status == 400,
	      "data longer than its size: 400");
	CHECK(http_chunked(place(";x\r\n", 4), 4, 99, &raw, &body, &status) == HTTP_PARSE_ERROR &&
	              status == 400,
	      "no chunk size: 400");
	CHECK(http_chunked(place("0\r\nBad\x01: x\r\n\r\n", 15), 15, 99, &raw, &body, &status) ==
	              HTTP_PARSE_ERROR,
	      "a control character in a trailer: 400");
}

int main(void)
{
	test_parser();
	test_paths();
	test_ranges();
	test_accept();
	test_etags();
	test_chunked();
	return check_done();
}
