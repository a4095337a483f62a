/* SPDX-License-Identifier: MIT */
/* Functions shared between the files of http/, not part of its interface.
 *
 * http_parse.c: the request head parser and the path normaliser.
 * http_hdr.c:   header-value grammars (tokens lists, entity tags, q-values, ranges).
 * http_resp.c:  response writing (status lines, error pages, events).
 * http_static.c: serving store entries (negotiation, preconditions, ranges).
 * http_conn.c:  the connection state machine and the buffer pool. */
#ifndef UD_HTTP_INT_H
#define UD_HTTP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

enum http_parse_result {
	HTTP_PARSE_OK = 0,
	HTTP_PARSE_INCOMPLETE,
	HTTP_PARSE_ERROR, /* *status says which: 400, 414, 431, 505 */
};

/* Parse one request head at the start of (p, len) (RFC 9112 2-5). On OK the
 * head is (*consumed) bytes long (leading empty lines included) and (req) holds
 * views into (p); headers are not interpreted yet. */
enum http_parse_result http_parse_head(const uint8_t *p, size_t len, struct http_request *req,
                                       size_t *consumed, int *status);

/* Decode the path of (target) into (out, cap): percent-decoding, then dot-segment
 * removal (RFC 3986 5.2.4). Sets (path) and (query) views. Returns 0, or the
 * status to answer: 400 (bad escape, %00, not a path) or 414 (too long). */
int http_path_decode(struct http_request *req, char *out, size_t cap);

/* Interpret the headers of a parsed head: Host, Connection, Content-Length,
 * Transfer-Encoding and Expect (RFC 9112 3.2, 6, 9.3; RFC 9110 10.1.1).
 * Returns 0 or the status to answer. */
int http_semantics(struct http_request *req);

/* A chunked body (RFC 9112 7.1) at the start of (p, len): OK when it is all
 * there, trailers included, (*raw) bytes long; it is then decoded in place,
 * (*body) bytes at p. At most (max_body) decoded bytes (else *status 413);
 * syntax errors and chunk sizes that overflow are 400. INCOMPLETE writes
 * nothing. */
enum http_parse_result http_chunked(uint8_t *p, size_t len, size_t max_body, size_t *raw,
                                    size_t *body, int *status);

/* ---- http_hdr.c ---- */

/* Case-insensitive equality of (a, n) with the NUL-terminated lower-case (lc). */
bool http_token_eq(const char *a, size_t n, const char *lc);
/* Whether the comma-separated token list (v) holds (lc), case-insensitively. */
bool http_list_has(struct http_view v, const char *lc);
/* Entity-tag list matching (RFC 9110 8.8.3.2): "*" matches anything present.
 * Strong comparison ignores weak tags; weak comparison strips W/. */
bool http_etag_match(struct http_view list, const char *etag, size_t etag_len, bool strong);

/* q-values per coding from Accept-Encoding (RFC 9110 12.5.3), in thousandths;
 * -1 for "not mentioned". Malformed members are ignored. */
struct http_accept {
	int identity, gzip, br, star;
};
void http_accept_parse(struct http_view v, struct http_accept *a);

/* One byte range, resolved against a length: [first, last] inclusive. */
struct http_range {
	uint64_t first, last;
};
enum http_range_result {
	HTTP_RANGE_NONE = 0,      /* ignore the header: serve 200 */
	HTTP_RANGE_OK,            /* n ranges, satisfiable, non-overlapping */
	HTTP_RANGE_UNSATISFIABLE, /* 416 */
};
/* Parse "bytes=..." (RFC 9110 14.1.2) against a representation of (len) bytes. */
enum http_range_result http_range_parse(struct http_view v, uint64_t len, struct http_range *out,
                                        size_t cap, size_t *n);

/* ---- http_resp.c ---- */

const char *http_reason(int status);
/* On every response: no page of ours has a reason to tell another site where
 * its reader came from, and the presenter's page must never leak its address
 * (issue 14; the token itself rides in the fragment, which no Referer holds). */
#define HTTP_REFERRER_POLICY "Referrer-Policy: no-referrer\r\n"
/* Append helpers over a bounded buffer: false when it would overflow. */
struct hbuf {
	char *p;
	size_t len, cap;
	bool overflow;
};
void hbuf_put(struct hbuf *b, const char *s, size_t n);
void hbuf_str(struct hbuf *b, const char *s);
void hbuf_u64(struct hbuf *b, uint64_t v);
/* "HTTP/1.1 NNN Reason\r\n" then the Date line. */
void hbuf_status(struct hbuf *b, const struct http_server *srv, int status);
/* The Connection line this response needs (close, keep-alive for 1.0), if any,
 * and the final CRLF of the head. */
void hbuf_end_head(struct hbuf *b, const struct http_conn *c, const struct http_request *req);
void http_count_status(struct http_server *srv, int status);
/* Whether the connection must close after this status (framing errors). */
bool http_status_closes(int status);

/* ---- http_static.c ---- */

/* Answer a request from the store: "/x/" is "/x/index.html", and "/x" redirects
 * to "/x/" when only the latter exists; else 404. */
void http_serve_static(struct http_server *srv, struct http_conn *c,
                       const struct http_request *req);

/* ---- http_conn.c ---- */

/* Queue bytes on the connection's stream (after can_send said yes), counting. */
void http_send_copy(struct http_server *srv, struct http_conn *c, const void *p, size_t n);
void http_send_ref(struct http_server *srv, struct http_conn *c, const void *p, size_t n);
/* Room for exactly (copy) bytes over (copies) http_send_copy calls and (refs)
 * http_send_ref calls (stream.h): every call made after a yes must be counted. */
bool http_can_send(struct http_conn *c, size_t copy, unsigned copies, unsigned refs);
/* The response being written closes the connection afterwards. */
void http_mark_close(struct http_conn *c);
/* A response could not be queued for lack of room: retry on the next poll. */
void http_mark_blocked(struct http_conn *c);

#endif
