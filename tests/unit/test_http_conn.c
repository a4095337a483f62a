/* SPDX-License-Identifier: MIT */
/* Unit tests of the HTTP connection: responses from the store, preconditions,
 * ranges, negotiation, pipelining, timeouts, the buffer pool and backpressure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"
#include "tests/unit/check.h"
#include "tests/unit/http_fake.h"

#define SEC 1000000000ull

static struct http_server srv;
static bool last_peer_closes; /* the last run()'s http_conn.peer_closes */

/* One request (or several) on a fresh connection; returns the output. */
static const char *run(struct fake *f, const char *req)
{
	struct http_conn c;

	fake_init(f, req, strlen(req));
	f->eof = true;
	http_conn_init(&srv, &c, &f->st, 1 * SEC);
	fake_run(&srv, &c, f, 1 * SEC);
	last_peer_closes = c.peer_closes;
	http_conn_fini(&srv, &c);
	return fake_text(f);
}

static bool has(const char *out, const char *s)
{
	return strstr(out, s) != NULL;
}

static const char *etag_of(const char *path, const char *enc)
{
	static char tag[64];
	struct store_entry e;
	int k = strcmp(enc, "br") == 0 ? STORE_ENC_BR : strcmp(enc, "gzip") == 0 ? 1 : 0;

	store_lookup(fake_store(), path, strlen(path), &e);
	snprintf(tag, sizeof tag, "%.*s", (int)e.rep[k].etag_len, e.rep[k].etag);
	return tag;
}

static void test_basics(void)
{
	struct fake f = {0};
	const char *o;

	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 OK\r\nDate: ") && has(o, "\r\n\r\n<h1>index</h1>"),
	      "/ is /index.html");
	o = run(&f, "GET /d HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 308 ") && has(o, "Location: /d/\r\n"),
	      "/d redirects to /d/ with 308");
	o = run(&f, "GET /d?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "Location: /d/?x=1\r\n"), "the redirect keeps the query");
	o = run(&f, "GET /d/ HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "<h1>deck</h1>"), "/d/ is /d/index.html");
	o = run(&f, "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 404 Not Found"), "404");
	o = run(&f, "PUT /d/a.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 405 ") && has(o, "Allow: GET, HEAD\r\n"), "405 with Allow");
	o = run(&f, "BREW /d/a.txt HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 501 ") && has(o, "Connection: close"),
	      "501 for unknown methods, closing");
	o = run(&f, "GET / HTTP/1.1\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 400 ") && f.closed, "no Host: 400 and close");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 400 "), "two Hosts: 400");
	o = run(&f, "GET / HTTP/1.0\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 ") && f.closed, "HTTP/1.0 needs no Host, and closes");
	o = run(&f, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	CHECK(has(o, "Connection: keep-alive\r\n"), "HTTP/1.0 keep-alive is answered in kind");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: "
	            "chunked\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 400 "), "Content-Length with Transfer-Encoding: 400");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	            "GET /d/ HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(fake_count(&f, "HTTP/1.1 200 ") == 2 && has(o, "<h1>deck</h1>"),
	      "an empty chunked body is read, and the next request follows (RFC 9112 7.1)");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 501 "), "a transfer coding we do not implement: 501");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 400 "), "conflicting Content-Lengths: 400");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 413 "), "a body past HTTP_MAX_BODY: 413");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /d/ "
	            "HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(fake_count(&f, "HTTP/1.1 200") == 2 && has(o, "<h1>deck</h1>"),
	      "a GET body is skipped and the next request still parses");
	o = run(&f, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 405 "), "OPTIONS * is 405 with Allow");
	o = run(&f, "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 405 "), "CONNECT is 405");
	fake_free(&f);
}

/* Issue 14's conformance gaps: chunked bodies, Expect: 100-continue. */
static void test_bodies(void)
{
	struct fake f = {0};
	struct http_conn c;
	const char *o;
	static const char head[] = "POST /d/ HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	                           "Expect: 100-continue\r\n\r\n";
	static const char whole[] = "POST /d/ HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	                            "Expect: 100-continue\r\n\r\nhello";
	char big[8192];
	size_t n;

	o = run(&f, "POST /d/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	            "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\nGET /d/ HTTP/1.1\r\nHost: "
	            "a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 405 ") && has(o, "<h1>deck</h1>"),
	      "a chunked body with an extension and a trailer is read whole, the next request "
	      "follows");
	o = run(&f, "POST /d/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	            "zz\r\nabc\r\n0\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 400 ") && f.closed, "a bad chunk size: 400 and close");
	o = run(&f, "POST /d/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	            "fffffffffffffffffffff\r\n");
	CHECK(has(o, "HTTP/1.1 400 "), "a chunk size that overflows: 400");
	n = (size_t)snprintf(big, sizeof big,
	                     "POST /d/ HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	                     "%x\r\n",
	                     HTTP_MAX_BODY + 1);
	memset(big + n, 'x', 64);
	big[n + 64] = 0;
	o = run(&f, big);
	CHECK(has(o, "HTTP/1.1 413 "), "chunks past HTTP_MAX_BODY: 413 at once, as Content-Length");
	{
		static char huge[HTTP_BUF_LEN + 4096];
		size_t k = 0;
		n = (size_t)snprintf(huge, sizeof huge,
		                     "POST /d/ HTTP/1.1\r\nHost: a\r\n"
		                     "Transfer-Encoding: chunked\r\n\r\n");
		while (n + 40 < sizeof huge) {
			n += (size_t)snprintf(huge + n, sizeof huge - n,
			                      "1;a-long-extension-to-pad\r\nx\r\n");
			k++;
		}
		o = run(&f, huge);
		CHECK(k < HTTP_MAX_BODY && has(o, "HTTP/1.1 413 ") && f.closed,
		      "%zu one-byte chunks whose framing outgrows the buffer: 413, not a hang", k);
	}
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 417 "), "an expectation we cannot meet: 417");

	fake_init(&f, head, sizeof head - 1);
	http_conn_init(&srv, &c, &f.st, SEC);
	http_conn_poll(&srv, &c, SEC);
	CHECK(strcmp(fake_text(&f), "HTTP/1.1 100 Continue\r\n\r\n") == 0,
	      "Expect: 100-continue gets 100 Continue before the body comes (RFC 9110 10.1.1)");
	http_conn_poll(&srv, &c, SEC);
	CHECK(fake_count(&f, "100 Continue") == 1, "once");
	f.in = (const uint8_t *)whole;
	f.in_len = sizeof whole - 1;
	fake_run(&srv, &c, &f, SEC);
	CHECK(fake_count(&f, "HTTP/1.1 405 ") == 1, "then the final answer once the body is in");
	http_conn_fini(&srv, &c);
	o = run(&f, "POST /d/ HTTP/1.1\r\nHost: a\r\nContent-Length: 99999\r\nExpect: "
	            "100-continue\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 413 ") && !has(o, "100 Continue"),
	      "a body we will refuse: the final status at once, no 100");
	o = run(&f, "POST /d/ HTTP/1.0\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello");
	CHECK(!has(o, "100 Continue") && has(o, "HTTP/1.1 405 "), "no 100 to an HTTP/1.0 client");
	fake_free(&f);
}

/* peer_closes lets a transport close without lingering (hsock): only when the
 * client itself said it was done, never when the close is ours. */
static void test_close_kinds(void)
{
	struct fake f = {0};
	const char *o;

	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 ") && f.closed && f.graceful && last_peer_closes,
	      "the client's Connection: close: it sends nothing more");
	o = run(&f, "GET / HTTP/1.0\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 ") && last_peer_closes, "HTTP/1.0 without keep-alive too");
	o = run(&f, "GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 404 ") && last_peer_closes, "a 404 it asked to close after too");
	o = run(&f, "GET / HTTP/1.1\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 400 ") && f.closed && !last_peer_closes,
	      "a 400 closes on our account: not the client's");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nContent-Length: "
	            "99999999\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 413 ") && !last_peer_closes,
	      "a 413 with Connection: close: its body may still be coming");
	o = run(&f, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 ") && !last_peer_closes, "keep-alive: the client said nothing");
	fake_free(&f);
}

static void test_head_and_refs(void)
{
	struct fake f = {0};
	const char *o;
	char get_head[2048];

	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(f.refd == 1000, "the body goes out by reference (%llu bytes)",
	      (unsigned long long)f.refd);
	CHECK(f.copied < 600, "only the head is copied (%llu bytes)", (unsigned long long)f.copied);
	snprintf(get_head, sizeof get_head, "%.*s", (int)(strstr(o, "\r\n\r\n") - o), o);
	o = run(&f, "HEAD /d/v.mp4 HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(f.refd == 0 && strncmp(o, get_head, strlen(get_head)) == 0 &&
	              strlen(o) == strlen(get_head) + 4,
	      "HEAD: the same head, no body");
	fake_free(&f);
}

static void test_negotiation(void)
{
	struct fake f = {0};
	const char *o;

	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\n\r\n");
	CHECK(!has(o, "Content-Encoding") && has(o, "Vary: Accept-Encoding"),
	      "no Accept-Encoding: identity, with Vary");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip, br\r\n\r\n");
	CHECK(has(o, "Content-Encoding: br"), "br and gzip offered: the smaller (br)");
	o = run(&f,
	        "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip;q=1, br;q=0.5\r\n\r\n");
	CHECK(has(o, "Content-Encoding: gzip"), "q-values win over size");
	o = run(&f,
	        "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: identity;q=0, gzip\r\n\r\n");
	CHECK(has(o, "Content-Encoding: gzip"), "identity;q=0 with gzip: gzip");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: identity;q=0\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 406 "), "nothing acceptable: 406");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: *;q=0\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 406 "), "*;q=0 excludes identity too");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: *\r\n\r\n");
	CHECK(has(o, "Content-Encoding: br"), "* accepts any coding");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nAccept-Encoding: gzip\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 ") && !has(o, "Content-Encoding"),
	      "identity when it is all there is");
	fake_free(&f);
}

static void test_preconditions(void)
{
	struct fake f = {0};
	char req[512];
	const char *o, *et = etag_of("/d/a.txt", "identity");

	snprintf(req, sizeof req, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: %s\r\n\r\n",
	         et);
	o = run(&f, req);
	CHECK(has(o, "HTTP/1.1 304 ") && has(o, "ETag: ") && has(o, "Vary: Accept-Encoding") &&
	              has(o, "Cache-Control: ") && !has(o, "Content-Length"),
	      "If-None-Match: 304 with validators and Vary, no body headers");
	snprintf(req, sizeof req,
	         "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\nIf-None-Match: "
	         "%s\r\n\r\n",
	         et);
	o = run(&f, req);
	CHECK(has(o, "HTTP/1.1 200 "), "another representation's ETag does not match");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Match: \"nope\"\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 412 "), "If-Match mismatch: 412");
	snprintf(req, sizeof req, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Match: W/%s\r\n\r\n", et);
	o = run(&f, req);
	CHECK(has(o, "HTTP/1.1 412 "), "If-Match uses the strong comparison");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Unmodified-Since: Thu, 01 Jan 1970 "
	            "00:00:00 GMT\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 412 "), "If-Unmodified-Since before: 412");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Match: *\r\nIf-Unmodified-Since: Thu, "
	            "01 Jan 1970 00:00:00 GMT\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 "), "If-Match present: If-Unmodified-Since is ignored (13.2.2)");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Tue, 14 Nov 2023 "
	            "22:13:20 GMT\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 304 "), "If-Modified-Since equal to Last-Modified: 304");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: Tue, 14 Nov 2023 "
	            "22:13:19 GMT\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 "), "If-Modified-Since a second earlier: 200");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-Modified-Since: yesterday\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 "), "an invalid date is ignored");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nIf-None-Match: "
	            "\"x\"\r\nIf-Modified-Since: Tue, 14 Nov 2023 22:13:20 GMT\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 "), "If-None-Match present: If-Modified-Since is ignored");
	fake_free(&f);
}

static void test_ranges(void)
{
	struct fake f = {0};
	char req[512];
	const char *o, *et = etag_of("/d/v.mp4", "identity");

	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 206 ") && has(o, "Content-Range: bytes 0-1/1000\r\n") &&
	              has(o, "Content-Length: 2\r\n") && f.refd == 2,
	      "Safari's bytes=0-1 probe: 206, two bytes");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=1000-\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 416 ") && has(o, "Content-Range: bytes */1000\r\n"),
	      "416 with bytes */len");
	o = run(&f, "HEAD /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=0-1\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 "), "HEAD ignores Range");
	snprintf(req, sizeof req,
	         "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=5-9\r\nIf-Range: %s\r\n\r\n",
	         et);
	o = run(&f, req);
	CHECK(has(o, "HTTP/1.1 206 "), "If-Range with the ETag: 206");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=5-9\r\nIf-Range: "
	            "\"other\"\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 ") && f.refd == 1000,
	      "If-Range with another ETag: the whole file");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=5-9\r\nIf-Range: Tue, 14 Nov "
	            "2023 22:13:20 GMT\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 206 "), "If-Range with the exact date: 206");
	o = run(&f, "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: bytes=0-9,20-29\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 206 ") &&
	              has(o, "Content-Type: multipart/byteranges; boundary=ud") &&
	              fake_count(&f, "Content-Range: bytes ") == 2 && f.refd == 20,
	      "two ranges: multipart/byteranges, bodies by reference");
	{
		const char *body = strstr(o, "\r\n\r\n") + 4;
		const char *cl = strstr(o, "Content-Length: ");
		CHECK(cl && (size_t)atol(cl + 16) == f.out_len - (size_t)(body - o),
		      "the multipart Content-Length is exact");
		CHECK(fake_count(&f, "\r\n--ud") == 3 && fake_count(&f, "--\r\n") >= 1,
		      "parts are delimited and closed");
	}
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\nRange: "
	            "bytes=0-9,20-29\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 200 "), "several ranges of an encoded representation: 200 whole");
	o = run(&f, "GET /d/a.txt HTTP/1.1\r\nHost: a\r\nAccept-Encoding: br\r\nRange: "
	            "bytes=0-9\r\n\r\n");
	CHECK(has(o, "HTTP/1.1 206 ") && has(o, "Content-Encoding: br"),
	      "one range of the br bytes");
	fake_free(&f);
}

static void test_pipelining(void)
{
	static const char reqs[] = "GET /d/ HTTP/1.1\r\nHost: a\r\n\r\n"
	                           "GET /nope HTTP/1.1\r\nHost: a\r\n\r\n"
	                           "POST /d/ HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nGET /"
	                           "HEAD /d/v.mp4 HTTP/1.1\r\nHost: a\r\n\r\n";
	char first[8192];
	size_t chunk;
	bool same = true;
	struct fake f = {0};

	run(&f, reqs);
	snprintf(first, sizeof first, "%s", fake_text(&f));
	CHECK(fake_count(&f, "HTTP/1.1 ") == 4 && strstr(first, "200 OK") < strstr(first, "404") &&
	              strstr(first, "404") < strstr(first, "405") &&
	              strstr(first, "405") < strrchr(first, '2'),
	      "pipelined requests are answered in order, a body that looks like a request "
	      "included");
	for (chunk = 1; chunk < sizeof reqs && same; chunk++) {
		struct http_conn c;
		fake_init(&f, reqs, sizeof reqs - 1);
		f.chunk = chunk;
		f.eof = true;
		http_conn_init(&srv, &c, &f.st, SEC);
		fake_run(&srv, &c, &f, SEC);
		http_conn_fini(&srv, &c);
		same = strcmp(fake_text(&f), first) == 0;
	}
	CHECK(same, "the same answers however the input is split (chunks of 1 to %zu)", chunk - 1);
	fake_free(&f);
}

static void test_backpressure(void)
{
	struct fake f = {0};
	struct http_conn c;
	static const char reqs[] =
	        "GET /d/ HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";

	fake_init(&f, reqs, sizeof reqs - 1);
	f.room_copy = 0;
	http_conn_init(&srv, &c, &f.st, SEC);
	CHECK(http_conn_poll(&srv, &c, SEC) == HTTP_CONN_OPEN && f.out_len == 0 && c.waiting,
	      "no room to send: nothing is sent, the request waits");
	f.room_copy = 1 << 20;
	fake_run(&srv, &c, &f, SEC);
	CHECK(fake_count(&f, "HTTP/1.1 200") == 2, "room again: both answers go out in order");
	http_conn_fini(&srv, &c);

	/* A blocked request that closes the connection is still asked again. */
	static const char last[] = "GET /d/ HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
	fake_init(&f, last, sizeof last - 1);
	f.room_copy = 0;
	http_conn_init(&srv, &c, &f.st, SEC);
	http_conn_poll(&srv, &c, SEC);
	f.room_copy = 1 << 20;
	CHECK(fake_run(&srv, &c, &f, SEC) == HTTP_CONN_DONE &&
	              fake_count(&f, "HTTP/1.1 200") == 1 &&
	              fake_count(&f, "Connection: close") == 1 && f.closed,
	      "a blocked Connection: close request is answered once room comes, then closed");
	http_conn_fini(&srv, &c);
	static const char bad[] = "GET / HTTP/1.1\r\n\r\n";
	fake_init(&f, bad, sizeof bad - 1);
	f.room_copy = 0;
	http_conn_init(&srv, &c, &f.st, SEC);
	http_conn_poll(&srv, &c, SEC);
	f.room_copy = 1 << 20;
	CHECK(fake_run(&srv, &c, &f, SEC) == HTTP_CONN_DONE && fake_count(&f, "HTTP/1.1 400") == 1,
	      "so is a blocked 400");
	http_conn_fini(&srv, &c);
	fake_free(&f);
}

static void test_timeouts(void)
{
	struct fake f = {0};
	struct http_conn c;
	static const char part[] = "GET / HTTP/1.1\r\nHost:";
	static const char whole[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

	fake_init(&f, part, sizeof part - 1);
	http_conn_init(&srv, &c, &f.st, SEC);
	http_conn_poll(&srv, &c, SEC);
	CHECK(http_conn_deadline(&c) == 11 * SEC, "a partial head sets the header deadline");
	CHECK(http_conn_poll(&srv, &c, 10 * SEC) == HTTP_CONN_OPEN,
	      "before it, the connection waits");
	CHECK(http_conn_poll(&srv, &c, 11 * SEC) == HTTP_CONN_DONE && has(fake_text(&f), "408") &&
	              f.closed && srv.stats.timeout_header == 1,
	      "at it: 408 and close");
	http_conn_fini(&srv, &c);

	fake_init(&f, whole, sizeof whole - 1);
	http_conn_init(&srv, &c, &f.st, SEC);
	http_conn_poll(&srv, &c, SEC);
	CHECK(http_conn_deadline(&c) == 61 * SEC, "after a response, the idle deadline");
	CHECK(http_conn_poll(&srv, &c, 61 * SEC) == HTTP_CONN_DONE && f.graceful &&
	              srv.stats.timeout_idle == 1,
	      "an idle keep-alive connection closes quietly");
	http_conn_fini(&srv, &c);

	fake_init(&f, whole, sizeof whole - 1);
	http_conn_init(&srv, &c, &f.st, SEC);
	f.stalled = true;
	http_conn_poll(&srv, &c, SEC);
	http_conn_poll(&srv, &c, 20 * SEC);
	CHECK(http_conn_poll(&srv, &c, 31 * SEC) == HTTP_CONN_DONE && !f.graceful &&
	              srv.stats.timeout_send == 1,
	      "a client that stops reading is reset after the send timeout");
	http_conn_fini(&srv, &c);
	fake_free(&f);
}

static void test_pool(void)
{
	struct http_server small;
	struct fake a = {0}, b = {0};
	struct http_conn ca, cb;
	static const char whole[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	const size_t part = 16; /* "GET / HTTP/1.1\r\n" */

	fake_server(&small, 1);
	CHECK(small.pool_total == 1, "a pool of one buffer");

	/* Issue 14 bug 4: a waiting connection is woken when a buffer returns. */
	fake_init(&a, whole, part);
	fake_init(&b, whole, sizeof whole - 1);
	http_conn_init(&small, &ca, &a.st, SEC);
	http_conn_init(&small, &cb, &b.st, SEC);
	http_conn_poll(&small, &ca, SEC);
	http_conn_poll(&small, &cb, SEC);
	CHECK(small.pool_avail == 0 && b.out_len == 0 && small.stats.pool_waits == 1 &&
	              cb.pool_waiting,
	      "the pool is empty: the second connection waits in line without reading");
	a.in_len = sizeof whole - 1; /* the rest of the first head arrives */
	fake_run(&small, &ca, &a, SEC + SEC / 2);
	CHECK(has(fake_text(&a), "HTTP/1.1 200") && b.wakes == 1 && !cb.pool_waiting,
	      "the holder is answered and its buffer wakes the one in line");
	http_conn_poll(&small, &cb, SEC + SEC / 2);
	CHECK(has(fake_text(&b), "HTTP/1.1 200"), "woken, it is served");
	http_conn_fini(&small, &ca);
	http_conn_fini(&small, &cb);
	CHECK(small.pool_avail == 1, "every buffer returns to the pool");

	/* Issue 14 bug 5: the header timer runs while waiting for a buffer. */
	fake_init(&a, whole, part);
	fake_init(&b, whole, part);
	http_conn_init(&small, &ca, &a.st, SEC);
	http_conn_init(&small, &cb, &b.st, SEC);
	http_conn_poll(&small, &ca, SEC);
	http_conn_poll(&small, &cb, SEC + SEC / 2);
	CHECK(cb.pool_waiting && http_conn_deadline(&cb) == 11 * SEC + SEC / 2,
	      "a connection waiting for a buffer has a header deadline");
	CHECK(http_conn_poll(&small, &cb, 11 * SEC + SEC / 2) == HTTP_CONN_DONE &&
	              has(fake_text(&b), "408") && b.closed && !cb.pool_waiting,
	      "at it: 408 and close, out of the line");
	http_conn_fini(&small, &cb);

	/* Fairness: a head that has been coming for a second loses its buffer to
	 * a newcomer, which is served; a younger one does not. */
	fake_init(&b, whole, sizeof whole - 1);
	http_conn_init(&small, &cb, &b.st, SEC + SEC / 2);
	http_conn_poll(&small, &cb, SEC + SEC / 2);
	CHECK(cb.pool_waiting && !a.closed && small.stats.pool_evictions == 0,
	      "a holder younger than HTTP_EVICT_AGE_NS keeps its buffer");
	http_conn_fini(&small, &cb);
	fake_init(&b, whole, sizeof whole - 1);
	http_conn_init(&small, &cb, &b.st, 3 * SEC);
	http_conn_poll(&small, &cb, 3 * SEC);
	CHECK(has(fake_text(&b), "HTTP/1.1 200") && a.closed && has(fake_text(&a), "408") &&
	              ca.state == HTTP_CONN_DONE && small.stats.pool_evictions == 1,
	      "an older slow head is closed (408) and the newcomer served with its buffer");
	http_conn_fini(&small, &ca);
	http_conn_fini(&small, &cb);
	CHECK(small.pool_avail == 1 && !small.holders && !small.waiters,
	      "every buffer returns, nobody left in line");
	fake_free(&a);
	fake_free(&b);
	fake_server_free(&small);
}

/* Issue 14 bug 7: an event stream meets the send timeout when its reader
 * stops, and never when it reads (an event just queued is not a stall). */
static void test_stream_timeout(void)
{
	struct fake f = {0};
	struct http_conn c;
	struct http_request req;
	static const char ev[] = "event: slide\ndata: {}\n\n";
	uint64_t t;
	bool open = true;

	memset(&req, 0, sizeof req);
	req.method = HTTP_M_GET;
	req.version_minor = 1;
	req.keep_alive = true;
	fake_init(&f, "", 0);
	http_conn_init(&srv, &c, &f.st, SEC);
	CHECK(http_event_start(&srv, &c, &req) && c.streaming && f.wakes == 0, "a stream opens");
	for (t = 16; t <= 181 && open; t += 15) {
		http_event_send(&srv, &c, ev, sizeof ev - 1);
		f.unsent = sizeof ev - 1; /* queued, not yet acknowledged */
		open = http_conn_poll(&srv, &c, t * SEC) == HTTP_CONN_OPEN;
		f.unsent = 0; /* the reader takes it */
	}
	CHECK(open && f.wakes > 0, "a reading follower lives through 3 minutes of heartbeats");
	http_conn_fini(&srv, &c);

	fake_init(&f, "", 0);
	http_conn_init(&srv, &c, &f.st, SEC);
	http_event_start(&srv, &c, &req);
	f.stalled = true;
	for (t = 16; t <= 181 && open; t += 15) {
		http_event_send(&srv, &c, ev, sizeof ev - 1);
		open = http_conn_poll(&srv, &c, t * SEC) == HTTP_CONN_OPEN;
	}
	CHECK(!open && !f.graceful && t <= 61,
	      "one that stopped reading is reset by the send timeout");
	http_conn_fini(&srv, &c);
	fake_free(&f);
}

/* A shared event (one copy for every follower) over a transport that cannot
 * hold a reference (TLS encrypts per connection; this fake has no
 * send_shared): it is copied, counted as such, and holds nothing. */
static void test_event_share_copies(void)
{
	static const char ev[] = "event: slide\ndata: {\"n\":7}\n\n";
	struct shared_buf b = {(const uint8_t *)ev, sizeof ev - 1, 0};
	struct fake f = {0};
	struct http_conn c;
	struct http_request req;
	uint64_t copied = srv.stats.events_copied, shared = srv.stats.events_shared;

	memset(&req, 0, sizeof req);
	req.method = HTTP_M_GET;
	req.version_minor = 1;
	req.keep_alive = true;
	fake_init(&f, "", 0);
	http_conn_init(&srv, &c, &f.st, SEC);
	CHECK(!http_event_share(&srv, &c, &b), "a shared event needs an event stream");
	http_event_start(&srv, &c, &req);
	CHECK(http_event_share(&srv, &c, &b) && fake_count(&f, "\"n\":7") == 1 && b.refs == 0 &&
	              srv.stats.events_copied == copied + 1 && srv.stats.events_shared == shared &&
	              f.overrun == 0,
	      "without send_shared a shared event is copied once, counted, and not held");
	http_conn_fini(&srv, &c);
	fake_free(&f);
}

/* Issue 14 bug 1: pipelined requests ending in a multi-range GET asked for n
 * references and one copy, then queued 2n + 2 pieces; hsock aborted past 32. */
static void test_exact_room(void)
{
	struct fake f = {0};
	struct http_conn c;
	char reqs[2048];
	size_t n = 0;
	int i;

	for (i = 0; i < 8; i++)
		n += (size_t)snprintf(reqs + n, sizeof reqs - n,
		                      "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
	n += (size_t)snprintf(reqs + n, sizeof reqs - n,
	                      "GET /d/v.mp4 HTTP/1.1\r\nHost: a\r\nRange: "
	                      "bytes=0-0,10-10,20-20,30-30,40-40,50-50,60-60,70-70\r\n\r\n");
	fake_init(&f, reqs, n);
	f.room_pieces = 32; /* hsock's queue */
	http_conn_init(&srv, &c, &f.st, SEC);
	fake_run(&srv, &c, &f, SEC);
	CHECK(f.overrun == 0, "nothing is queued beyond what can_send granted (%u overruns)",
	      f.overrun);
	CHECK(fake_count(&f, "HTTP/1.1 200") == 8 && c.waiting,
	      "the eight fit, the multipart response waits for room");
	f.room_pieces = 18; /* 8 references and 10 copies, exactly */
	fake_run(&srv, &c, &f, SEC);
	CHECK(f.overrun == 0 && fake_count(&f, "HTTP/1.1 206") == 1 &&
	              fake_count(&f, "Content-Range: bytes ") == 8,
	      "with room for exactly its 18 pieces the multipart response goes out whole");
	http_conn_fini(&srv, &c);
	fake_free(&f);
}

/* Set-up writes nothing into the pool (each page it touched would be a fault
 * for the hypervisor at boot); the buffers are handed out whole and apart, and
 * come back for reuse. */
static void test_pool_lazy(void)
{
	struct http_server p;
	struct http_config cfg = {0};
	size_t len = 3 * HTTP_BUF_LEN + 16, i;
	uint8_t *mem = malloc(len);
	struct fake f[4];
	struct http_conn c[4];
	static const char part[] = "GET / HTTP/1.1\r\n";
	bool untouched = true;

	memset(f, 0, sizeof f);
	memset(mem, 0xa5, len);
	cfg.header_timeout_ns = 10 * SEC;
	cfg.idle_timeout_ns = 60 * SEC;
	http_server_init(&p, &cfg, fake_store(), mem, len);
	for (i = 0; i < len; i++)
		untouched = untouched && mem[i] == 0xa5;
	CHECK(untouched && p.pool_total == 3, "set-up leaves the pool's memory untouched");
	for (i = 0; i < 4; i++) {
		fake_init(&f[i], part, sizeof part - 1);
		http_conn_init(&p, &c[i], &f[i].st, SEC);
		http_conn_poll(&p, &c[i], SEC);
	}
	CHECK(p.pool_avail == 0 && c[0].buf && c[1].buf && c[2].buf && !c[3].buf,
	      "three buffers out of a pool of three, the fourth connection waits");
	bool apart = true;
	for (i = 0; i < 3; i++)
		apart = apart && c[i].buf >= mem && c[i].buf + HTTP_BUF_LEN <= mem + len &&
		        (i == 0 || (size_t)(c[i].buf > c[i - 1].buf
		                                    ? c[i].buf - c[i - 1].buf
		                                    : c[i - 1].buf - c[i].buf) >= HTTP_BUF_LEN);
	CHECK(apart, "the buffers lie inside the pool and do not overlap");
	uint8_t *reused = c[1].buf;
	http_conn_fini(&p, &c[1]);
	http_conn_poll(&p, &c[3], SEC);
	CHECK(c[3].buf == reused, "a returned buffer is handed out again");
	for (i = 0; i < 4; i++) {
		if (i != 1)
			http_conn_fini(&p, &c[i]);
		fake_free(&f[i]);
	}
	CHECK(p.pool_avail == 3, "every buffer returns to the pool");
	free(mem);
}

int main(void)
{
	fake_server(&srv, 4);
	test_basics();
	test_close_kinds();
	test_bodies();
	test_head_and_refs();
	test_negotiation();
	test_preconditions();
	test_ranges();
	test_pipelining();
	test_backpressure();
	test_timeouts();
	test_pool();
	test_exact_room();
	test_stream_timeout();
	test_event_share_copies();
	test_pool_lazy();
	CHECK(srv.pool_avail == srv.pool_total, "no buffer leaked");
	fake_server_free(&srv);
	return check_done();
}
