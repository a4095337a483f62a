/* SPDX-License-Identifier: MIT */
/* A small HTTP/1.1 client core (RFC 9112) over the byte streams of
 * http/stream.h: a request writer, an incremental response parser, and an
 * event-stream (HTML5 server-sent events) parser for long bodies. Used by the
 * follow relay (app/relay.c) and by ACME; plain or TLS is the stream's business.
 *
 * No I/O of its own and no allocation: the caller owns every struct here and
 * feeds received bytes in; all state is in the structs passed. Nothing is kept
 * from a caller's buffer between calls except where said.
 *
 * Requests: hcl_write_head() formats "METHOD TARGET HTTP/1.1", Host, the
 * caller's extra header lines, Content-Length when there is a body, and
 * Connection: close when asked. Fields holding CR, LF or NUL are refused (no
 * header injection through a target or host). hcl_send() queues head and body
 * on a stream when it has room (HCL_AGAIN otherwise, nothing queued); a head
 * and body within STREAM_MIN_COPY always fit an idle stream eventually.
 *
 * Responses: hcl_resp_feed() takes bytes as they come and returns one event at
 * a time: HCL_EV_HEAD once the status line and fields are in (r->status,
 * hcl_header()), HCL_EV_BODY for each piece of body (a view into the caller's
 * bytes, valid until it reuses them: content is never copied), HCL_EV_DONE at
 * the end of the message, HCL_EV_NEED when every byte given was used, or
 * HCL_EV_ERROR (r->error says why; the connection must then be closed). The
 * head is copied into the parser (it must outlive the feed that completed it).
 * Interim 1xx responses are skipped (counted). Body length per RFC 9112 6.3:
 * none for HEAD, 1xx, 204 and 304; chunked when it is the final coding (other
 * codings are refused: this client decodes none); else Content-Length
 * (conflicting values refused); else until the peer closes (hcl_resp_eof()).
 *
 * Limits (named caps, each counted when hit): HCL_MAX_HEAD bytes of status line
 * and fields, HCL_MAX_HEADERS fields, HCL_MAX_LINE bytes of a chunk-size line,
 * HCL_MAX_TRAILER bytes of trailer fields, the caller's max_body (0: none, for
 * event streams), HCL_SSE_MAX_EVENT bytes of one server-sent event (a larger
 * one is skipped whole, counted). */
#ifndef UD_HTTP_CLIENT_H
#define UD_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/stream.h"

#define HCL_MAX_HEAD      8192u
#define HCL_MAX_HEADERS   64u
#define HCL_MAX_LINE      256u
#define HCL_MAX_TRAILER   4096u
#define HCL_MAX_REQ_HEAD  4096u /* a request head hcl_send() formats */
#define HCL_SSE_MAX_EVENT 2048u

struct hcl_view {
	const char *p;
	size_t len;
};

struct hcl_header {
	struct hcl_view name;  /* as sent; compare case-insensitively */
	struct hcl_view value; /* surrounding whitespace removed */
};

/* ---- requests ---- */

struct hcl_request {
	const char *method;  /* "GET", "POST", "HEAD", ... */
	const char *target;  /* origin form: "/path?query" */
	const char *host;    /* Host field value: "name", "name:port", "[v6]:port" */
	const char *headers; /* extra lines, each ending CRLF, or NULL */
	const void *body;    /* NULL with body_len 0: no body, no Content-Length */
	size_t body_len;
	bool has_body; /* send Content-Length even when body_len is 0 (an empty POST) */
	bool close;    /* Connection: close */
};

enum hcl_result {
	HCL_OK = 0,
	HCL_AGAIN,  /* the stream has no room now: try again later */
	HCL_EINVAL, /* a field holds CR, LF or NUL, or is empty */
	HCL_E2BIG,  /* the head does not fit (cap), or head and body never will */
};

/* Format the request head into (out, cap); *len is its length. */
enum hcl_result hcl_write_head(const struct hcl_request *rq, char *out, size_t cap, size_t *len);
/* Format and queue head and body on (s) if it has room for both now. */
enum hcl_result hcl_send(struct stream *s, const struct hcl_request *rq);

/* ---- responses ---- */

struct hcl_stats {
	uint64_t responses, interim;
	uint64_t head_too_large, too_many_headers, bad_status, bad_header;
	uint64_t bad_length, bad_coding, bad_chunk, trailer_too_large, body_too_large, truncated;
	uint64_t sse_events, sse_oversize;
};

enum hcl_error {
	HCL_ERR_NONE = 0,
	HCL_ERR_HEAD_TOO_LARGE,
	HCL_ERR_TOO_MANY_HEADERS,
	HCL_ERR_BAD_STATUS,
	HCL_ERR_BAD_HEADER,
	HCL_ERR_BAD_LENGTH,
	HCL_ERR_BAD_CODING,
	HCL_ERR_BAD_CHUNK,
	HCL_ERR_TRAILER_TOO_LARGE,
	HCL_ERR_BODY_TOO_LARGE,
	HCL_ERR_TRUNCATED,
};

enum hcl_ev {
	HCL_EV_NEED = 0,
	HCL_EV_HEAD,
	HCL_EV_BODY,
	HCL_EV_DONE,
	HCL_EV_ERROR,
};

struct hcl_resp {
	/* after HCL_EV_HEAD */
	int status;
	int version_minor;
	struct hcl_view reason;
	size_t n_headers;
	struct hcl_header headers[HCL_MAX_HEADERS];
	bool chunked;
	bool has_length;
	bool until_close; /* the body ends when the peer closes */
	bool keep_alive;  /* the connection may carry another request afterwards */
	uint64_t length;  /* Content-Length, when has_length */
	uint64_t body_seen;
	enum hcl_error error;
	/* private */
	struct hcl_stats *stats;
	bool head_request;
	uint64_t max_body;
	uint8_t state;
	uint64_t chunk_left;
	size_t head_len, line_len, trailer_len;
	char head[HCL_MAX_HEAD];
	char line[HCL_MAX_LINE];
};

/* Ready (r) for the response to a request; (head_request): it was HEAD;
 * (max_body) bytes of body at most, 0 for no cap; (stats) is borrowed and
 * outlives (r), and may be shared by many parsers. */
void hcl_resp_init(struct hcl_resp *r, struct hcl_stats *stats, bool head_request,
                   uint64_t max_body);
/* Take bytes from (p, len): *used of them were taken (all of them with
 * HCL_EV_NEED), and with HCL_EV_BODY (*body) views the piece of body. Call
 * again with the rest. After HCL_EV_DONE the bytes past *used belong to the
 * next response (call hcl_resp_init() first). */
enum hcl_ev hcl_resp_feed(struct hcl_resp *r, const uint8_t *p, size_t len, size_t *used,
                          struct hcl_view *body);
/* The peer closed: HCL_EV_DONE when that ends the body, else HCL_EV_ERROR
 * (truncated; or nothing at all came). */
enum hcl_ev hcl_resp_eof(struct hcl_resp *r);
/* The first field named (name), case-insensitively, or NULL. */
const struct hcl_header *hcl_header(const struct hcl_resp *r, const char *name);
/* Whether the response's head is in (HCL_EV_HEAD was returned). */
bool hcl_resp_has_head(const struct hcl_resp *r);
const char *hcl_error_str(enum hcl_error e);

/* ---- server-sent events (a text/event-stream body) ---- */

struct hcl_sse {
	/* after HCL_SSE_EVENT: the event's type ("message" when none) and data,
	 * valid until the next feed */
	struct hcl_view type, data;
	/* private */
	struct hcl_stats *stats;
	bool skip;    /* the event grew past the cap: drop it whole */
	bool last_cr; /* the last byte was CR: an LF next ends no line */
	bool bom_done;
	size_t line_len, type_len, data_len;
	bool has_data;
	char line[HCL_SSE_MAX_EVENT];
	char type_buf[64];
	char data_buf[HCL_SSE_MAX_EVENT];
};

enum hcl_sse_ev {
	HCL_SSE_NEED = 0,
	HCL_SSE_EVENT,
};

void hcl_sse_init(struct hcl_sse *e, struct hcl_stats *stats);
/* Take body bytes; *used taken. HCL_SSE_EVENT when an event was dispatched
 * (WHATWG HTML 9.2.6: at a blank line, when it has data); call again with the
 * rest. Comments, id: and retry: are read and ignored. */
enum hcl_sse_ev hcl_sse_feed(struct hcl_sse *e, const uint8_t *p, size_t len, size_t *used);

#endif
