/* SPDX-License-Identifier: MIT */
/* The HTTP server on kernel sockets: one thread, epoll, non-blocking.
 *
 * hsock owns the listening socket and every connection object; each connection
 * embeds a struct stream (http/stream.h) backed by the socket, so the HTTP layer
 * runs here exactly as it runs on our own TCP stack. Store bytes queued by
 * reference go out with sendfile() when they lie in the store's file mapping
 * (no copy in user space), else with writev().
 *
 * Limits (named caps): HSOCK_MAX_CONNS connections (further ones are accepted and
 * closed at once, counted in refused); per connection a send queue of
 * HSOCK_QUEUE_SEGS segments and HSOCK_COPY_BYTES bytes of copied header data,
 * lent from a pool of HSOCK_OUT_BUFS only while something waits to be sent (a
 * connection wanting one when all are lent waits in line, out_waits, and a
 * holder stalled for HSOCK_OUT_EVICT_NS is reset for it, out_evictions).
 * Out of file descriptors (EMFILE, ENFILE: accept_emfile), as nginx does: the
 * listener is disarmed for HSOCK_ACCEPT_BACKOFF_NS instead of spinning on a
 * readable socket it cannot accept from, a reserve descriptor is spent to
 * accept and close the connection at the head of the backlog (refused), and
 * up to HSOCK_SHED idle keep-alive connections, the longest idle first, are
 * closed to make room (shed_idle).
 *
 * hsock_run() returns when hsock_stop() is called (from a hook) or on SIGINT /
 * SIGTERM, after closing every connection. */
#ifndef UD_HOSTED_HSOCK_H
#define UD_HOSTED_HSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http/http.h"

#define HSOCK_MAX_CONNS         16384u
#define HSOCK_QUEUE_SEGS        32u
#define HSOCK_COPY_BYTES        16384u /* STREAM_MIN_COPY: stream.h's promise */
#define HSOCK_POOL_BUFS         512u   /* HTTP input buffers shared by all connections */
#define HSOCK_ACCEPT_BACKOFF_NS (100ull * 1000000ull)
/* The TLS listener's pause while no handshake slot can be had (a turn's steps
 * or a peer's grace running out frees one). */
#define HSOCK_HS_DEFER_NS       (5ull * 1000000ull)
#define HSOCK_SHED              16u
/* Connections accepted per loop turn from one listener (then the others and
 * the established connections have their turn): plain, and TLS. */
#define HSOCK_ACCEPT_BATCH      64u
#define HSOCK_TLS_ACCEPT_BATCH  8u
/* TLS handshake steps a loop turn, taken in arrival order after the events of
 * established connections (hs_steps counts them). */
#define HSOCK_HS_PER_TURN       4u
/* Output buffers (a send queue and HSOCK_COPY_BYTES of copy area, 17 KiB), lent
 * to a connection only while it has something unsent: idle ones hold none. */
#define HSOCK_OUT_BUFS          2048u
/* A holder whose socket has taken nothing for this long gives its buffer up
 * (reset, out_evictions) to a connection waiting for one. */
#define HSOCK_OUT_EVICT_NS      (2ull * 1000000000ull)

struct hsock;

struct hsock_hooks {
	/* Called once per loop turn with the monotonic time; returns the next time
	 * it wants to be called (UINT64_MAX: only on events). */
	uint64_t (*tick)(void *ctx, uint64_t now);
	/* An extra file descriptor to watch for input (inotify, say), or -1. */
	int extra_fd;
	void (*on_extra)(void *ctx);
	/* A connection is going away (the app drops its subscriptions). */
	void (*conn_gone)(void *ctx, struct http_conn *c);
	void *ctx;
};

struct hsock_stats {
	uint64_t accepted, refused, closed, resets;
	uint64_t bytes_sendfile, bytes_writev;
	uint64_t lingering, closed_at_once;
	uint64_t overruns; /* a connection queued more than can_send granted: reset */
	uint64_t accept_emfile, shed_idle;
	uint64_t out_waits;     /* a connection waited for an output buffer */
	uint64_t out_evictions; /* a stalled holder was reset for a waiter */
	uint64_t out_bufs_peak; /* output buffers lent at once, at most */
	uint64_t hs_steps;      /* TLS handshake steps taken from their line */
	uint64_t hs_deferred;   /* TLS listener paused: no handshake slot could be had */
};

/* Listen on (host, port); port 0 picks a free one. Returns NULL with a message
 * in (err) on failure. (srv) is borrowed and must outlive the hsock. */
struct hsock *hsock_open(const char *host, int port, struct http_server *srv,
                         const struct hsock_hooks *hooks, char *err, size_t errlen);
/* The port actually bound. */
int hsock_port(const struct hsock *h);
/* The listener speaks TLS (http/tls.h) from now on. */
struct tls_server;
void hsock_set_tls(struct hsock *h, struct tls_server *ts);
/* A second listener, plain HTTP, answered by (srv) (the redirect beside
 * HTTPS). Returns its port, or -1 with a message. */
int hsock_listen_plain(struct hsock *h, const char *host, int port, struct http_server *srv,
                       char *err, size_t errlen);
/* Tell the transport where a store's file mapping lies, so references into it
 * can be sent with sendfile(fd); fd -1 for none. */
void hsock_set_store_file(struct hsock *h, const void *map, size_t len, int fd);
/* Whether any queued reference still points into [p, p + len) (a retired store). */
bool hsock_references(const struct hsock *h, const void *p, size_t len);
int hsock_run(struct hsock *h);
void hsock_stop(struct hsock *h);
void hsock_close(struct hsock *h);
const struct hsock_stats *hsock_stats(const struct hsock *h);
/* Every counter of the transport and the HTTP server, one "name value" a line. */
void hsock_dump_stats(const struct hsock *h, FILE *out);

#endif
