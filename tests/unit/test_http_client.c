/* SPDX-License-Identifier: MIT */
/* Unit tests of the HTTP/1.1 client core (http/client.h): the request writer
 * (and header injection refused), the response parser fed whole, byte by byte
 * and split at every point (the same head and body each way), every framing of
 * RFC 9112 6.3, every cap with its counter, and the event-stream parser. Every
 * input is placed to end at a guard page: an over-read faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/client.h"
#include "tests/unit/check.h"
#include "tests/unit/http_fake.h"

static struct hcl_stats st;
static struct hcl_resp rs;

struct result {
	enum hcl_ev last; /* DONE, ERROR or NEED (ran out) */
	int status, heads;
	char body[70000];
	size_t body_len, rest; /* bytes left after DONE */
};

/* Feed (s, n) in pieces of (step) bytes (0: whole), each piece placed at a
 * guard page; stop at DONE or ERROR. */
static void run(const char *s, size_t n, size_t step, bool head_req, uint64_t max_body, bool eof,
                struct result *out)
{
	size_t off = 0;

	memset(out, 0, sizeof *out);
	hcl_resp_init(&rs, &st, head_req, max_body);
	out->last = HCL_EV_NEED;
	while (off < n) {
		size_t len = step && n - off > step ? step : n - off, i = 0;
		const uint8_t *p = guard_place(s + off, len);
		while (i < len) {
			size_t used = 0;
			struct hcl_view b;
			enum hcl_ev ev = hcl_resp_feed(&rs, p + i, len - i, &used, &b);
			i += used;
			if (ev == HCL_EV_HEAD) {
				out->heads++;
				out->status = rs.status;
			} else if (ev == HCL_EV_BODY) {
				if (out->body_len + b.len <= sizeof out->body)
					memcpy(out->body + out->body_len, b.p, b.len);
				out->body_len += b.len;
			} else if (ev == HCL_EV_DONE || ev == HCL_EV_ERROR) {
				out->last = ev;
				out->rest = n - off - i;
				return;
			} else if (i < len) {
				out->last = HCL_EV_ERROR; /* NEED with bytes left: a bug */
				return;
			}
		}
		off += len;
	}
	/* A final feed of nothing settles an ended body (S_END). */
	{
		size_t used;
		struct hcl_view b;
		enum hcl_ev ev = hcl_resp_feed(&rs, (const uint8_t *)"", 0, &used, &b);
		if (ev == HCL_EV_DONE || ev == HCL_EV_ERROR)
			out->last = ev;
		else if (eof)
			out->last = hcl_resp_eof(&rs);
	}
}

static void runs(const char *s, size_t step, bool head_req, uint64_t max_body, bool eof,
                 struct result *out)
{
	run(s, strlen(s), step, head_req, max_body, eof, out);
}

/* The same outcome whole, byte by byte and split in two at every point. */
static void same_every_way(const char *name, const char *s, bool eof, int status, const char *body)
{
	static struct result a, b;
	size_t n = strlen(s), k;
	bool same = true;

	run(s, n, 0, false, 0, eof, &a);
	CHECK(a.last == HCL_EV_DONE && a.status == status && a.heads == 1 &&
	              a.body_len == strlen(body) && memcmp(a.body, body, a.body_len) == 0,
	      "%s: status %d and its body (got ev %d status %d body %zu)", name, status, a.last,
	      a.status, a.body_len);
	run(s, n, 1, false, 0, eof, &b);
	same = b.last == a.last && b.status == a.status && b.body_len == a.body_len &&
	       memcmp(a.body, b.body, a.body_len) == 0;
	CHECK(same, "%s: byte by byte gives the same", name);
	for (k = 1; k < n && same; k++) {
		static struct result c;
		size_t off = 0, i;
		/* two pieces: [0, k) and [k, n) */
		memset(&c, 0, sizeof c);
		hcl_resp_init(&rs, &st, false, 0);
		c.last = HCL_EV_NEED;
		for (i = 0; i < 2 && c.last == HCL_EV_NEED; i++) {
			size_t len = i == 0 ? k : n - k, j = 0;
			const uint8_t *p = guard_place(s + off, len);
			while (j < len) {
				size_t used = 0;
				struct hcl_view bv;
				enum hcl_ev ev = hcl_resp_feed(&rs, p + j, len - j, &used, &bv);
				j += used;
				if (ev == HCL_EV_HEAD)
					c.status = rs.status;
				else if (ev == HCL_EV_BODY) {
					memcpy(c.body + c.body_len, bv.p, bv.len);
					c.body_len += bv.len;
				} else if (ev != HCL_EV_NEED) {
					c.last = ev;
					break;
				}
			}
			off += len;
		}
		if (c.last == HCL_EV_NEED) {
			size_t used;
			struct hcl_view bv;
			c.last = hcl_resp_feed(&rs, (const uint8_t *)"", 0, &used, &bv);
			if (c.last == HCL_EV_NEED && eof)
				c.last = hcl_resp_eof(&rs);
		}
		same = c.last == a.last && c.status == a.status && c.body_len == a.body_len &&
		       memcmp(a.body, c.body, a.body_len) == 0;
	}
	CHECK(same, "%s: split at every point gives the same (first bad split %zu)", name,
	      same ? 0 : k - 1);
}

static void fails(const char *name, const char *s, uint64_t max_body, enum hcl_error want,
                  const uint64_t *counter)
{
	static struct result a;
	uint64_t before = *counter;

	run(s, strlen(s), 0, false, max_body, true, &a);
	CHECK(a.last == HCL_EV_ERROR && rs.error == want && *counter == before + 1,
	      "%s: refused as %s (got ev %d, %s)", name, hcl_error_str(want), a.last,
	      hcl_error_str(rs.error));
}

static void test_requests(void)
{
	char out[512];
	size_t n = 0;
	struct hcl_request rq = {"GET", "/_unideck/relay", "10.0.0.1:8080", NULL, NULL, 0, false,
	                         false};
	struct fake f;

	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_OK &&
	              n == strlen("GET /_unideck/relay HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n\r\n") &&
	              memcmp(out, "GET /_unideck/relay HTTP/1.1\r\nHost: 10.0.0.1:8080\r\n\r\n",
	                     n) == 0,
	      "a GET head");
	rq.method = "POST";
	rq.target = "/acme/new-order";
	rq.headers = "Content-Type: application/jose+json\r\nAccept: */*\r\n";
	rq.body = "{}";
	rq.body_len = 2;
	rq.close = true;
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_OK && n < sizeof out &&
	              (out[n] = 0, strstr(out, "Content-Type: application/jose+json\r\nAccept: "
	                                       "*/*\r\nContent-Length: 2\r\nConnection: "
	                                       "close\r\n\r\n") != NULL),
	      "a POST head with extra fields, its length and Connection: close");
	CHECK(hcl_write_head(&rq, out, 40, &n) == HCL_E2BIG, "a head past the buffer: E2BIG");
	rq.target = "/a\r\nX-Evil: 1";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL,
	      "CRLF in the target: refused");
	rq.target = "/a b";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL,
	      "a space in the target: refused");
	rq.target = "/";
	rq.host = "h\nX: y";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL, "LF in the host: refused");
	rq.host = "h";
	rq.headers = "A: b\r\n\r\nGET /smuggled HTTP/1.1\r\n";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL,
	      "extra headers that end the head early: refused");
	rq.headers = "A: b";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL,
	      "extra headers without their CRLF: refused");
	rq.headers = "A: b\r\n folded\r\n";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL,
	      "a folded extra line: refused");
	rq.headers = NULL;
	rq.method = "GE T";
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_EINVAL, "a method that is no token");
	rq.method = "POST";
	rq.body = NULL;
	rq.body_len = 0;
	rq.has_body = true;
	rq.close = false;
	CHECK(hcl_write_head(&rq, out, sizeof out, &n) == HCL_OK &&
	              (out[n] = 0, strstr(out, "Content-Length: 0\r\n") != NULL),
	      "an empty POST still says Content-Length: 0");

	/* Over a stream: nothing queued without room, all of it with. */
	memset(&f, 0, sizeof f);
	fake_init(&f, "", 0);
	f.room_copy = 10;
	f.room_pieces = 8;
	rq.body = "x=1";
	rq.body_len = 3;
	CHECK(hcl_send(&f.st, &rq) == HCL_AGAIN && f.out_len == 0, "no room: AGAIN, nothing sent");
	f.room_copy = 4096;
	CHECK(hcl_send(&f.st, &rq) == HCL_OK && f.overrun == 0 &&
	              strstr(fake_text(&f), "\r\n\r\nx=1") != NULL,
	      "room: head and body queued, within the grant");
	fake_free(&f);
}

static void test_framing(void)
{
	static struct result a;
	const char *two = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 204 No\r\n\r\n";

	same_every_way("Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false,
	               200, "hello");
	CHECK(rs.keep_alive, "HTTP/1.1 keeps the connection");
	same_every_way("chunked with extensions and trailers",
	               "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
	               "5;name=val\r\nhello\r\n1 ; x\r\n,\r\n0A\r\n0123456789\r\n0\r\n"
	               "Trailer-A: 1\r\nTrailer-B: 2\r\n\r\n",
	               false, 201, "hello,0123456789");
	same_every_way("bare LF line ends",
	               "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n0\n\n", false, 200,
	               "abc");
	same_every_way("until close", "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it", true, 200,
	               "all of it");
	CHECK(!rs.keep_alive && rs.until_close, "a body until close ends the connection");
	same_every_way("interim 100 and 103 skipped",
	               "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
	               "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
	               false, 200, "ok");
	same_every_way("204 has no body", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
	               false, 204, "");
	same_every_way("304 has no body", "HTTP/1.1 304 Not Modified\r\n\r\n", false, 304, "");
	same_every_way("Content-Length list of equal values",
	               "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nok",
	               false, 200, "ok");
	same_every_way("no reason phrase", "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false, 200,
	               "");

	runs("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", 0, true, 0, false, &a);
	CHECK(a.last == HCL_EV_DONE && a.body_len == 0, "the answer to HEAD has no body");
	run(two, strlen(two), 0, false, 0, false, &a);
	CHECK(a.last == HCL_EV_DONE && a.body_len == 3 &&
	              a.rest == strlen("HTTP/1.1 204 No\r\n\r\n"),
	      "two pipelined responses: DONE where the first ends");
	runs("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 0, false, 0,
	     false, &a);
	CHECK(a.last == HCL_EV_DONE && rs.keep_alive, "HTTP/1.0 with keep-alive keeps it");
	runs("HTTP/1.1 200 OK\r\nConnection: foo, Close\r\nContent-Length: 0\r\n\r\n", 0, false, 0,
	     false, &a);
	CHECK(a.last == HCL_EV_DONE && !rs.keep_alive, "Connection: close in a list closes");
	runs("HTTP/1.1 200 OK\r\nContent-Length: 4\r\nTransfer-Encoding: "
	     "chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n",
	     0, false, 0, false, &a);
	CHECK(a.last == HCL_EV_DONE && a.body_len == 1 && !rs.keep_alive,
	      "chunked overrides Content-Length, and the connection is not reused");
	runs("HTTP/1.1 200 OK\r\nX-Long: ab\r\nCONTENT-length: 3\r\n\r\nxyz", 0, false, 0, false,
	     &a);
	CHECK(a.last == HCL_EV_DONE && hcl_header(&rs, "x-long") &&
	              hcl_header(&rs, "x-long")->value.len == 2 && !hcl_header(&rs, "missing"),
	      "fields by name, case-insensitively");
	runs("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab", 0, false, 0, true, &a);
	CHECK(a.last == HCL_EV_ERROR && rs.error == HCL_ERR_TRUNCATED,
	      "a body cut short by the peer: truncated");
	runs("HTTP/1.1 200 OK\r\nContent-", 0, false, 0, true, &a);
	CHECK(a.last == HCL_EV_ERROR && rs.error == HCL_ERR_TRUNCATED,
	      "a head cut short: truncated");
}

static void test_refusals(void)
{
	char *big = malloc(HCL_MAX_HEAD + 100), *many = malloc(80 * 8 + 64);
	size_t i, n;

	fails("not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", 0, HCL_ERR_BAD_STATUS, &st.bad_status);
	fails("HTTP/2 status line", "HTTP/2 200 OK\r\n\r\n", 0, HCL_ERR_BAD_STATUS, &st.bad_status);
	fails("a two-digit status", "HTTP/1.1 20 OK\r\n\r\n", 0, HCL_ERR_BAD_STATUS,
	      &st.bad_status);
	fails("101 never asked for", "HTTP/1.1 101 Switching\r\n\r\n", 0, HCL_ERR_BAD_STATUS,
	      &st.bad_status);
	fails("an empty first line", "\r\nHTTP/1.1 200 OK\r\n\r\n", 0, HCL_ERR_BAD_STATUS,
	      &st.bad_status);
	fails("space before the colon", "HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx", 0,
	      HCL_ERR_BAD_HEADER, &st.bad_header);
	fails("obs-fold", "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", 0, HCL_ERR_BAD_HEADER,
	      &st.bad_header);
	fails("a bare CR in a field", "HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", 0, HCL_ERR_BAD_HEADER,
	      &st.bad_header);
	fails("a field without a colon", "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n", 0,
	      HCL_ERR_BAD_HEADER, &st.bad_header);
	fails("conflicting Content-Length",
	      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 0,
	      HCL_ERR_BAD_LENGTH, &st.bad_length);
	fails("negative Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0,
	      HCL_ERR_BAD_LENGTH, &st.bad_length);
	fails("a 20-digit Content-Length",
	      "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", 0,
	      HCL_ERR_BAD_LENGTH, &st.bad_length);
	fails("gzip transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	      0, HCL_ERR_BAD_CODING, &st.bad_coding);
	fails("chunked twice",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	      0, HCL_ERR_BAD_CODING, &st.bad_coding);
	fails("a chunk size that is not hex",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, HCL_ERR_BAD_CHUNK,
	      &st.bad_chunk);
	fails("a chunk size past 2^60",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n", 0,
	      HCL_ERR_BAD_CHUNK, &st.bad_chunk);
	fails("a chunk without its CRLF",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n", 0,
	      HCL_ERR_BAD_CHUNK, &st.bad_chunk);
	fails("Content-Length past max_body", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", 10,
	      HCL_ERR_BODY_TOO_LARGE, &st.body_too_large);
	fails("chunks past max_body",
	      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n6\r\n123456\r\n",
	      10, HCL_ERR_BODY_TOO_LARGE, &st.body_too_large);
	fails("a body until close past max_body", "HTTP/1.1 200 OK\r\n\r\n01234567890", 10,
	      HCL_ERR_BODY_TOO_LARGE, &st.body_too_large);

	/* The head cap, and the field-count cap. */
	n = (size_t)sprintf(big, "HTTP/1.1 200 OK\r\nX: ");
	while (n < HCL_MAX_HEAD + 10)
		big[n++] = 'a';
	memcpy(big + n, "\r\n\r\n", 5);
	fails("a head past HCL_MAX_HEAD", big, 0, HCL_ERR_HEAD_TOO_LARGE, &st.head_too_large);
	n = (size_t)sprintf(many, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < HCL_MAX_HEADERS + 1; i++)
		n += (size_t)sprintf(many + n, "F%zu: v\r\n", i);
	sprintf(many + n, "\r\n");
	fails("more than HCL_MAX_HEADERS fields", many, 0, HCL_ERR_TOO_MANY_HEADERS,
	      &st.too_many_headers);
	/* A long trailer section. */
	{
		char *t = malloc(HCL_MAX_TRAILER + 200);
		n = (size_t)sprintf(
		        t, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: ");
		while (n < HCL_MAX_TRAILER + 100)
			t[n++] = 'b';
		memcpy(t + n, "\r\n\r\n", 5);
		fails("trailers past HCL_MAX_TRAILER", t, 0, HCL_ERR_TRAILER_TOO_LARGE,
		      &st.trailer_too_large);
		free(t);
	}
	free(big);
	free(many);
}

static int sse_all(const char *s, size_t n, size_t step, char types[][64], char datas[][256])
{
	static struct hcl_sse e;
	size_t off = 0;
	int k = 0;

	hcl_sse_init(&e, &st);
	while (off < n) {
		size_t len = step && n - off > step ? step : n - off, i = 0;
		const uint8_t *p = guard_place(s + off, len);
		while (i < len) {
			size_t used;
			if (hcl_sse_feed(&e, p + i, len - i, &used) == HCL_SSE_EVENT && k < 8) {
				snprintf(types[k], 64, "%.*s", (int)e.type.len, e.type.p);
				snprintf(datas[k], 256, "%.*s", (int)e.data.len, e.data.p);
				k++;
			}
			i += used;
		}
		off += len;
	}
	return k;
}

static void test_sse(void)
{
	static const char s[] = "\xef\xbb\xbf: a comment\r\nevent: hello\r\ndata: {\"a\":1}\r\n\r\n"
	                        "retry: 10\nid: 7\ndata:one\ndata: two\n\n"
	                        "data: cr ends\r\r"
	                        "event: empty\n\n"
	                        "event: slide\ndata\n\n";
	char t[8][64], d[8][256];
	size_t step;
	bool same = true;
	char *big;
	size_t n;
	int k2;

	CHECK(sse_all(s, sizeof s - 1, 0, t, d) == 4 && strcmp(t[0], "hello") == 0 &&
	              strcmp(d[0], "{\"a\":1}") == 0 && strcmp(t[1], "message") == 0 &&
	              strcmp(d[1], "one\ntwo") == 0 && strcmp(d[2], "cr ends") == 0 &&
	              strcmp(t[3], "slide") == 0 && d[3][0] == 0,
	      "events: BOM, comments, CRLF, LF and CR, multi-line data, no data no event");
	for (step = 1; step < sizeof s - 1 && same; step++) {
		char t2[8][64], d2[8][256];
		int k = sse_all(s, sizeof s - 1, step, t2, d2), i;
		same = k == 4;
		for (i = 0; i < k && same; i++)
			same = strcmp(t[i], t2[i]) == 0 && strcmp(d[i], d2[i]) == 0;
	}
	CHECK(same, "events: the same in pieces of every size");

	/* An event past the cap is skipped whole; the next one arrives. */
	big = malloc(HCL_SSE_MAX_EVENT * 10);
	n = (size_t)sprintf(big, "event: slide\ndata: ");
	while (n < HCL_SSE_MAX_EVENT * 2)
		big[n++] = 'x';
	n += (size_t)sprintf(big + n, "\n\nevent: after\ndata: fine\n\n");
	{
		uint64_t before = st.sse_oversize;
		int k = sse_all(big, n, 0, t, d);
		CHECK(k == 1 && strcmp(t[0], "after") == 0 && st.sse_oversize == before + 1,
		      "an event past HCL_SSE_MAX_EVENT: skipped whole, counted, the next one kept");
	}
	n = (size_t)sprintf(big, "data: a\n");
	while (n < HCL_SSE_MAX_EVENT * 8)
		n += (size_t)sprintf(big + n, "data: b\n");
	n += (size_t)sprintf(big + n, "\ndata: ok\n\n");
	k2 = sse_all(big, n, 7, t, d);
	CHECK(k2 == 1 && strcmp(d[0], "ok") == 0,
	      "many data lines past the cap: skipped, the next one kept (%d)", k2);
	free(big);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_requests();
	test_framing();
	test_refusals();
	test_sse();
	return check_done();
}
