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
 * A flow accepted while the table is full is reset at once (counted in refused).
 *
 * TLS (netsrv_set_tls): each connection then gets a struct tls_conn between its
 * flow's stream and HTTP (http/tls.h), so HTTP reads and writes plaintext and
 * never learns it is encrypted. A connection the TLS pool refuses is reset
 * (tls_refused).
 *
 * Handshakes under a flood (issue 17): a connection is taken from the
 * listener only when tls_server_admits() says a handshake slot is free or one
 * can give way (its peer owes us its answer past TLS_HS_GRACE_NS); while none
 * can, newcomers wait in the listener's backlog, established and unread,
 * never reset (tls_deferred counts the holds, tls_held the connections taken
 * after one). Accepts wait until every flow with news in the turn has been
 * stepped, so an answer that has arrived is read before anyone is judged
 * slow; at most NETSRV_TLS_ACCEPT_BATCH a step, since each costs a key
 * exchange and a signature (hsock.c's HSOCK_HS_PER_TURN). A handshake given
 * up for a newer one is stepped at once and closes.
 *
 * Two netsrv may share one stack (HTTPS on 443 and the plain redirect on 80,
 * each other's peer): whichever steps first takes the readiness of both. */
#ifndef UD_APP_NETSRV_H
#define UD_APP_NETSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "net/tcp.h"

struct tls_server;
struct tls_conn;

struct nsconn {
	struct stream st;
	struct http_conn hc;
	struct tcp_flow *f;
	struct netsrv *ns;
	struct tls_conn *tls; /* between the flow and HTTP, or NULL */
	bool used, done;
	bool http_done;    /* HTTP finished; TLS still sends its last records */
	int32_t next_free; /* on netsrv.free_head's list; -1 ends it */
	bool woken;        /* on netsrv.woken_head's list (stream wake(), or closed
	                      while another was polled); survives reuse of the slot */
	int32_t next_woken;
	uint64_t deadline;
};

/* New TLS connections taken from the backlog in one step at most. */
#define NETSRV_TLS_ACCEPT_BATCH 4u

struct netsrv_stats {
	uint64_t accepted, refused, closed, resets;
	uint64_t tls_refused;  /* the TLS pool was full: reset */
	uint64_t tls_deferred; /* accepting held back: no handshake could give way */
	uint64_t tls_held;     /* connections accepted after such a hold */
};

struct netsrv {
	struct net_stack *s;
	struct http_server *srv;
	struct tcp_listener *l;
	struct tls_server *tls; /* every connection speaks TLS, or NULL */
	/* A connection is going away (the app drops its subscriptions), or NULL. */
	void (*conn_gone)(void *ctx, struct http_conn *c);
	void *ctx;
	/* A flow that is not one of our connections has news (the follow
	 * relay's upstream, app/relaynet.c), or NULL. */
	void (*on_flow)(void *ctx, struct tcp_flow *f, uint64_t now);
	void *flow_ctx;
	/* Another netsrv on the same stack (the plain redirect beside HTTPS), or
	 * NULL: the stack's readiness queue is one, so each steps the other's
	 * connections too (netsrv_pair). */
	struct netsrv *peer;
	uint32_t max_conns, n_conns;
	/* conns[0, fresh) have been used; the rest were never touched, so boot
	 * costs nothing per connection. Released ones wait on the free list. */
	uint32_t fresh;
	int32_t free_head;
	int32_t woken_head; /* connections to poll although their flow said nothing */
	uint64_t next_deadline;
	bool accept_due;  /* the listener has (or may have) connections to take */
	bool tls_waiting; /* held back: no handshake slot could be had */
	bool draining;    /* taking what waited through a hold */
	struct netsrv_stats stats;
	struct nsconn *conns; /* max_conns of them, after the struct */
};

size_t netsrv_size(uint32_t max_conns);
/* Listen on (port) with (backlog); false when the port is taken. (mem) holds
 * netsrv_size(max_conns) bytes, suitably aligned. */
bool netsrv_init(struct netsrv *ns, struct net_stack *s, struct http_server *srv, uint16_t port,
                 unsigned backlog, uint32_t max_conns);
/* Every connection accepted from now on speaks TLS through (ts). */
/* (a) and (b) listen on the same stack: each hands the other its events. */
void netsrv_pair(struct netsrv *a, struct netsrv *b);
void netsrv_set_tls(struct netsrv *ns, struct tls_server *ts);
uint64_t netsrv_step(struct netsrv *ns, uint64_t now);
/* Connections open now. */
uint32_t netsrv_open(const struct netsrv *ns);

#endif
