/* SPDX-License-Identifier: MIT */
/* The deck server assembled on our own TCP/IP stack, and its one loop, above
 * the platform: what every target with frames runs (the VM images through
 * app/kmain.c; the TAP server and the simulation next, README).
 *
 * server_setup() carves everything from one memory region, once: the
 * connection table, the HTTP buffers, the stack with its flows. server_turn()
 * is one turn of the loop: the frames waiting, the HTTP clock, the app's tick,
 * readiness and deadlines, the stack's timers; it returns the next deadline.
 * server_run() turns it until (ready) says stop, sleeping in plat_yield_until()
 * between turns. */
#ifndef UD_APP_SERVER_H
#define UD_APP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/netsrv.h"
#include "net/stack.h"

#define SERVER_HTTP_BUFS 64u

struct server_opts {
	struct net_config net; /* address, MAC, MTU, flows, receive buffer */
	uint16_t port;
	uint32_t http_bufs;
	uint64_t header_timeout_ns, idle_timeout_ns, send_timeout_ns;
	uint64_t stats_every_ns; /* 0: no stats lines */
	const char *token;       /* the presenter token, 8 to 63 bytes */
	size_t token_len;
};

struct server {
	struct app app; /* large (the subscriber table) */
	struct http_server srv;
	struct net_stack *s;
	struct netsrv *ns;
	uint64_t stats_every, stats_next;
	uint16_t port;
	bool announced;
	unsigned shown6; /* IPv6 addresses printed, by net_address6 index */
};

enum server_result {
	SERVER_OK = 0,
	SERVER_ENOMEM, /* the flows asked for do not fit in the region */
	SERVER_EPORT,  /* cannot listen on the port */
};

/* The memory one flow costs with its connection, for sizing (flows=): its
 * structs and hash heads; rings are lent from the stack's pools. */
size_t server_per_flow(void);
/* The memory of one receive ring of (rx_buf) bytes and one copy ring of
 * (tx_copy). */
size_t server_per_ring(uint32_t rx_buf, uint32_t tx_copy);

enum server_result server_setup(struct server *sv, const struct server_opts *o,
                                const struct store *st, void *mem, size_t len);

/* One turn; returns the next deadline on the monotonic clock. */
uint64_t server_turn(struct server *sv);

/* Turns until (ready) returns true: called once the stack has an address, with
 * it, then never again. Returns only then. */
void server_run(struct server *sv, bool (*ready)(void *ctx, uint32_t addr), void *ctx);

/* The stats line (stats=S), through plat_log. */
void server_print_stats(const struct server *sv);

#endif
