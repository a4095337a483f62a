/* SPDX-License-Identifier: MIT */
/* The HTTP server on our own TCP stack: the glue between net/tcp.h flows and
 * http/http.h connections, for every platform that has frames (TAP, virtio-net,
 * the simulation).
 *
 * Each accepted flow gets a struct nsconn from a fixed table, with a struct
 * stream (http/stream.h) over the flow, so the HTTP layer runs unchanged: reads
 * copy out of the flow's receive ring, headers are copied into its send ring,
 * store bytes are queued by reference and never copied.
 *
 * Driving it, once per loop turn after the frames are in:
 *   next = netsrv_step(ns, now);    readiness, then HTTP deadlines
 *   next = min(next, net_poll(s, now));
 * A flow accepted while the table is full is reset at once (counted in refused). */
#ifndef UD_APP_NETSRV_H
#define UD_APP_NETSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "net/tcp.h"

struct nsconn {
	struct stream st;
	struct http_conn hc;
	struct tcp_flow *f;
	struct netsrv *ns;
	bool used, done;
	int32_t next_free; /* on netsrv.free_head's list; -1 ends it */
	bool woken;        /* on netsrv.woken_head's list (stream wake(), or closed
	                      while another was polled); survives reuse of the slot */
	int32_t next_woken;
	uint64_t deadline;
};

struct netsrv_stats {
	uint64_t accepted, refused, closed, resets;
};

struct netsrv {
	struct net_stack *s;
	struct http_server *srv;
	struct tcp_listener *l;
	/* A connection is going away (the app drops its subscriptions), or NULL. */
	void (*conn_gone)(void *ctx, struct http_conn *c);
	void *ctx;
	/* A flow that is not one of our connections has news (the follow
	 * relay's upstream, app/relaynet.c), or NULL. */
	void (*on_flow)(void *ctx, struct tcp_flow *f, uint64_t now);
	void *flow_ctx;
	uint32_t max_conns, n_conns;
	/* conns[0, fresh) have been used; the rest were never touched, so boot
	 * costs nothing per connection. Released ones wait on the free list. */
	uint32_t fresh;
	int32_t free_head;
	int32_t woken_head; /* connections to poll although their flow said nothing */
	uint64_t next_deadline;
	struct netsrv_stats stats;
	struct nsconn *conns; /* max_conns of them, after the struct */
};

size_t netsrv_size(uint32_t max_conns);
/* Listen on (port) with (backlog); false when the port is taken. (mem) holds
 * netsrv_size(max_conns) bytes, suitably aligned. */
bool netsrv_init(struct netsrv *ns, struct net_stack *s, struct http_server *srv, uint16_t port,
                 unsigned backlog, uint32_t max_conns);
uint64_t netsrv_step(struct netsrv *ns, uint64_t now);
/* Connections open now. */
uint32_t netsrv_open(const struct netsrv *ns);

#endif
