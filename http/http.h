/* SPDX-License-Identifier: MIT */
/* The HTTP/1.1 server: request parsing, static responses from the content store,
 * and the per-connection state machine, over the stream interface (http/stream.h).
 *
 * Freestanding: no libc I/O, no allocation. The transport owns every struct
 * http_conn and the memory behind the server's buffer pool; the server borrows
 * both. Times are monotonic nanoseconds passed in by the caller; the wall clock
 * (for Date) is passed to http_server_tick().
 *
 * Driving a connection (the whole contract for a transport):
 *   http_conn_init(srv, c, stream, now)             once, when accepted
 *   st = http_conn_poll(srv, c, now)                whenever the stream became
 *                                                   readable or writable, or the
 *                                                   deadline http_conn_deadline(c)
 *                                                   passed; repeat freely
 *   when st == HTTP_CONN_DONE the HTTP layer has called stream->close() and will
 *   never touch the stream again; the transport may free (c) after
 *   http_conn_fini(srv, c).
 *
 * Input bytes are held in buffers from a pool sized at start-up
 * (http_server_init's bufmem): a connection holds one only while a request is
 * partly received, so idle keep-alive and event-stream connections cost no buffer.
 * When the pool is empty a connection that needs one takes it from the holder
 * furthest from completing a request (the oldest unfinished head, if it has
 * been unfinished for HTTP_EVICT_AGE_NS: 408 and close, pool_evictions), else it
 * waits in line (pool_waits) with its header timer running, and is woken
 * (stream wake()) when a buffer comes back.
 *
 * Limits (named caps, each with a test): request line and header section are each
 * at most HTTP_MAX_HEAD bytes (414 and 431 past them), at most HTTP_MAX_HEADERS
 * header fields (431), request bodies at most HTTP_MAX_BODY bytes (413); a request
 * head must arrive within header_timeout of its first byte (408 then close), and a
 * keep-alive connection may idle for idle_timeout (then closed quietly).
 */
#ifndef UD_HTTP_H
#define UD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/stream.h"
#include "store/store.h"

#define HTTP_MAX_HEAD     8192u /* request line; and, separately, all header fields */
#define HTTP_MAX_HEADERS  64u   /* header fields per request */
#define HTTP_MAX_BODY     4096u /* request body bytes (only the app's POST uses one) */
#define HTTP_BUF_LEN      (2u * HTTP_MAX_HEAD + 1024u) /* one pooled input buffer */
#define HTTP_MAX_RANGES   8u    /* more ranges than this: the whole file, 200 */
#define HTTP_MAX_PATH     1024u /* decoded path bytes (414 past it) */
/* A buffer whose request head has been coming for this long may be taken for
 * a connection that needs one when the pool is empty: no honest client on a
 * working network takes a second over one head, every slowloris client does. */
#define HTTP_EVICT_AGE_NS 1000000000ull

/* ---- requests ---- */

enum http_method {
	HTTP_M_UNKNOWN = 0, /* a token we do not know: 501 */
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_DELETE,
	HTTP_M_CONNECT,
	HTTP_M_OPTIONS,
	HTTP_M_TRACE,
	HTTP_M_PATCH,
};

struct http_view {
	const char *p;
	size_t len;
};

struct http_header {
	struct http_view name;  /* as sent; compare case-insensitively */
	struct http_view value; /* leading and trailing whitespace removed */
};

struct http_request {
	enum http_method method;
	struct http_view method_token;
	struct http_view target; /* as sent */
	struct http_view path;   /* percent-decoded, dot segments removed, starts '/'
	                              (points into the connection's path buffer) */
	struct http_view query;  /* after '?', not decoded; len 0 when none */
	int version_minor;       /* HTTP/1.x */
	size_t n_headers;
	struct http_header headers[HTTP_MAX_HEADERS];
	/* Filled by the semantic pass from the headers above. */
	struct http_view host;
	bool keep_alive;         /* after Connection and the version's default */
	bool chunked;            /* Transfer-Encoding: chunked (RFC 9112 7.1) */
	bool expect_continue;    /* Expect: 100-continue (RFC 9110 10.1.1) */
	uint64_t content_length; /* 0 when absent */
	struct http_view body;   /* the whole body once received (POST only) */
};

/* Find a header by name (case-insensitive); the first one, or NULL. */
const struct http_header *http_header_find(const struct http_request *req, const char *name);

/* ---- the server ---- */

struct http_conn;

/* The deck server's hook (app/): called for every well-formed request before
 * static lookup. Return true when the app has answered it (with the response
 * helpers below); false to let the server look the path up in the store. */
typedef bool (*http_route_fn)(void *app, struct http_conn *c, const struct http_request *req);

struct http_config {
	uint64_t header_timeout_ns; /* first byte of a request to the end of its head */
	uint64_t idle_timeout_ns;   /* between requests on a keep-alive connection */
	uint64_t send_timeout_ns;   /* no progress in sending a response */
	const char *headers;        /* whole lines ending CRLF for every response, or
	                               NULL (HSTS on an HTTPS server) */
	bool identity_html;         /* text/html never compressed (BREACH; HTTPS) */
	http_route_fn route;        /* may be NULL */
	void *app;
};

/* Counters: every drop, close and error by name. */
struct http_stats {
	uint64_t conns_opened, conns_closed;
	uint64_t requests;
	uint64_t status_2xx, status_304, status_3xx, status_4xx, status_5xx;
	uint64_t bad_request, uri_too_long, header_too_large, body_too_large;
	uint64_t timeout_header, timeout_idle, timeout_send;
	uint64_t pool_waits;              /* a connection found the buffer pool empty */
	uint64_t pool_evictions;          /* a slow head lost its buffer to another (408) */
	uint64_t bytes_ref, bytes_copied; /* sent by reference (store) and by copy */
	/* events queued as a shared buffer, and those copied instead (a transport
	 * without send_shared: TLS) */
	uint64_t events_shared, events_copied;
};

struct http_server {
	struct http_config cfg;
	const struct store *store;
	struct http_stats stats;
	char date_line[64]; /* "Date: ...\r\n", refreshed by http_server_tick */
	size_t date_line_len;
	uint64_t date_sec;
	/* buffer pool: a free list through returned buffers, then the ones never
	 * used (pool_fresh_left of them from pool_fresh) */
	uint8_t *pool_free, *pool_fresh;
	size_t pool_total, pool_avail, pool_fresh_left;
	/* connections holding a buffer, and those waiting for one (oldest first) */
	struct http_conn *holders, *waiters, *waiters_tail;
};

void http_server_init(struct http_server *srv, const struct http_config *cfg,
                      const struct store *store, void *bufmem, size_t bufmem_len);
/* Serve a new store from now on (a preview rebuild). The old one must stay
 * readable until every reference queued from it has been sent. */
void http_server_set_store(struct http_server *srv, const struct store *store);
/* Refresh the Date line; call once per loop turn, cheap when the second is unchanged. */
void http_server_tick(struct http_server *srv, uint64_t wall_ns);

/* ---- a connection ---- */

enum http_conn_state {
	HTTP_CONN_OPEN = 0,
	HTTP_CONN_DONE,
};

struct http_conn {
	struct stream *s;
	uint8_t *buf; /* pooled input buffer, or NULL */
	size_t buf_len;
	uint64_t t_head_start; /* first byte of the current request, 0 if none */
	uint64_t t_idle_start;
	uint64_t t_last_progress;
	uint64_t last_unsent; /* the stream's unsent bytes at the last poll */
	uint64_t queued;      /* bytes queued since then (so new ones are not "no progress") */
	uint64_t deadline;
	uint32_t requests;
	uint8_t state;
	bool peer_eof;
	bool close_after; /* close once the queued response is out */
	/* The request itself said this is the last (Connection: close, or HTTP/1.0
	 * without keep-alive): the client must send nothing more (RFC 9112 9.6),
	 * so the transport need not wait for its FIN before letting go. */
	bool peer_closes;
	bool streaming;    /* an event stream: no further requests parsed */
	bool waiting;      /* a parsed request waits for send room */
	bool continued;    /* 100 Continue sent for the request being received */
	bool pool_waiting; /* on srv->waiters; else on srv->holders when buf is set */
	struct http_conn *pool_prev, *pool_next;
	void *app_data;   /* the app's, for event-stream subscribers */
	uint8_t peer[16]; /* the client's address (4 or 16 bytes), for per-client caps */
	uint8_t peer_len;
	char path_buf[HTTP_MAX_PATH];
};

void http_conn_init(struct http_server *srv, struct http_conn *c, struct stream *s, uint64_t now);
enum http_conn_state http_conn_poll(struct http_server *srv, struct http_conn *c, uint64_t now);
/* When http_conn_poll should next be called even if nothing happens. */
uint64_t http_conn_deadline(const struct http_conn *c);
/* The client's address (IPv4: 4 bytes, IPv6: 16), for the app's per-client caps. */
void http_conn_set_peer(struct http_conn *c, const void *addr, size_t len);
/* Release the connection's buffer. After HTTP_CONN_DONE, or to drop a connection
 * early (the transport then closes the stream itself). */
void http_conn_fini(struct http_server *srv, struct http_conn *c);

/* ---- response helpers, for the app's route hook ---- */

/* Serve a store entry with the full static logic (preconditions, ranges,
 * encodings), as if the path had been looked up. */
void http_respond_entry(struct http_server *srv, struct http_conn *c,
                        const struct http_request *req, const struct store_entry *e);
/* A small response with a body to copy; (extra_headers) are whole lines ending
 * CRLF, or NULL. */
void http_respond(struct http_server *srv, struct http_conn *c, const struct http_request *req,
                  int status, const char *type, const char *extra_headers, const void *body,
                  size_t body_len);
/* Answer later: the route is asked again for this request once the stream
 * has room (for a route whose answer must not be lost after it changed state,
 * such as the presenter's update). */
void http_defer(struct http_conn *c);
/* The server's own page for an error status (HTML, small). */
void http_respond_error(struct http_server *srv, struct http_conn *c,
                        const struct http_request *req, int status);
/* Turn the connection into a text/event-stream (HTML5 SSE): sends the head;
 * afterwards the app pushes events with http_event_send(). False when there was
 * no room: the request stays queued and the route is asked again later. For a
 * HEAD request only the head is sent and the connection stays as it was. */
bool http_event_start(struct http_server *srv, struct http_conn *c, const struct http_request *req);
/* Queue one event's bytes (already framed "event: x\ndata: y\n\n"); false when
 * the connection has no room (the app decides: retry later or drop). */
bool http_event_send(struct http_server *srv, struct http_conn *c, const void *p, size_t len);
/* The same event for many connections, written once (b): queued by reference
 * where the transport can hold one (stream.h's send_shared, counted in
 * events_shared), else copied (events_copied). The caller may rewrite (b)
 * only once b->refs is 0 again. */
bool http_event_share(struct http_server *srv, struct http_conn *c, struct shared_buf *b);

#endif
