/* SPDX-License-Identifier: MIT */
/* The deck server assembled on our own TCP/IP stack, and its one loop, above
 * the platform: what every target with frames runs. Its drivers are thin: the
 * VM images (app/kmain.c), the TAP server and `unideck get` (tools/cli/tapnet.c,
 * over platform/hosted/tap.c) and the simulation (tests/unit/test_sim.c, over
 * platform/sim/simplat.c). Below it is platform.h alone: frames through
 * plat_net_*, time through the clocks, sleep through plat_yield_until.
 *
 * server_setup() carves everything from one memory region, once: the
 * connection table, the HTTP buffers, the stack with its flows, and builds the
 * deck app over them. server_setup_ext() does the same around an HTTP server
 * the driver owns (or none). server_turn() is one turn of the loop: the frames
 * waiting (at most SERVER_RX_BATCH), the HTTP clock, the app's tick, the
 * driver's tick, readiness and deadlines, the stack's timers; it returns the
 * next deadline. server_loop() turns it until a flag is set, sleeping in
 * plat_yield_until() between turns; server_run() until (ready) says stop.
 *
 * Several servers may live in one process (the simulation runs two): nothing
 * here is shared between them but a scratch frame used within one turn. */
#ifndef UD_APP_SERVER_H
#define UD_APP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/netsrv.h"
#include "app/relaynet.h"
#include "app/tls_redirect.h"
#include "net/stack.h"

#define SERVER_HTTP_BUFS     64u
#define SERVER_REDIRECT_BUFS 16u  /* the plain redirect server's buffers */
#define SERVER_REDIRECT_MAX  256u /* its connections at most */
/* Frames taken per turn: a flood cannot hold the loop from its timers and
 * output; a turn that stops at the cap asks for the next one at once. */
#define SERVER_RX_BATCH      256u

struct server_opts {
	struct net_config net; /* address, MAC, MTU, flows, receive buffer */
	uint16_t port;
	uint32_t http_bufs;
	uint64_t header_timeout_ns, idle_timeout_ns, send_timeout_ns;
	uint64_t stats_every_ns; /* 0: no stats lines */
	const char *token;       /* the presenter token, 8 to 63 bytes */
	size_t token_len;
	/* HTTPS: (tls) speaks on (port); (headers) are whole CRLF-ended lines for
	 * every response there (HSTS), or NULL; (http_port), when not 0, answers
	 * plain HTTP with a 308 to https (app/tls_redirect.h). */
	struct tls_server *tls;
	const char *headers;
	uint16_t http_port;
	uint16_t redirect_port; /* the HTTPS port the 308 names (0: port) */
	/* server_setup_ext: the driver's HTTP server for (http_port), its own
	 * redirect route (the TAP server's, with its ACME challenge answers);
	 * borrowed for the server's life. server_setup makes its own. */
	struct http_server *plain;
	/* upstream= (app/relay.h), checked with relay_parse_url, or NULL; and
	 * dns= servers for its name (none: DHCP's) */
	const char *upstream;
	size_t upstream_len;
	uint32_t dns[DNS_MAX_SERVERS];
	size_t n_dns;
};

/* What a driver adds to the loop (server_setup_ext). */
struct server_hooks {
	/* Once per turn once (now) has reached the time it last returned: the
	 * driver's own work (live reload, a client's requests); returns the next
	 * time it wants to be called. */
	uint64_t (*tick)(void *ctx, uint64_t now);
	/* A connection is going away (the driver's app drops its subscriptions). */
	void (*conn_gone)(void *ctx, struct http_conn *c);
	void *ctx;
};

struct server {
	struct app app; /* large (the subscriber table); unused by server_setup_ext */
	struct http_server srv;
	struct http_server *http; /* &srv, the driver's, or NULL (the stack alone) */
	struct app *ap;           /* &app, or NULL when the driver owns the app */
	struct server_hooks hooks;
	uint64_t hook_next;
	struct net_stack *s;
	struct netsrv *ns;
	struct tls_server *tls;    /* HTTPS on port, or NULL */
	struct netsrv *rns;        /* the plain redirect on http_port, or NULL */
	struct http_server rsrv;   /* its HTTP server (server_setup) */
	struct http_server *rhttp; /* &rsrv or the driver's (server_setup_ext) */
	struct tls_redirect redir;
	uint64_t stats_every, stats_next;
	uint16_t port, http_port;
	bool announced;
	bool quiet;      /* server_setup_ext: the driver prints its own addresses */
	bool ready_stop; /* server_run: (ready) said stop */
	bool (*ready)(void *ctx, uint32_t addr);
	void *ready_ctx;
	unsigned shown6; /* IPv6 addresses printed, by net_address6 index */
	bool relaying;
	struct relaynet relay; /* with upstream= */
};

enum server_result {
	SERVER_OK = 0,
	SERVER_ENOMEM, /* the flows asked for do not fit in the region */
	SERVER_EPORT,  /* cannot listen on the port */
	SERVER_EURL,   /* upstream= is not a URL relay_parse_url takes */
};

/* The memory one flow costs with its connection, for sizing (flows=): its
 * structs and hash heads; rings are lent from the stack's pools. */
size_t server_per_flow(void);
/* The memory of one pooled ring of (bytes), bookkeeping included. */
size_t server_per_ring(uint32_t bytes);

/* The region server_setup needs for (o), alignment included: what a hosted
 * driver allocates (the VM images size (o) from the region they have). */
size_t server_size(const struct server_opts *o);

enum server_result server_setup(struct server *sv, const struct server_opts *o,
                                const struct store *st, void *mem, size_t len);

/* The stack and the loop around an HTTP server the driver owns and keeps
 * (`unideck serve --net`: its app survives rebuilds of the store), or none
 * (srv NULL: the stack alone, which the driver uses from hooks->tick, as
 * `unideck get` does). (srv) and (hooks->ctx) are borrowed for the server's
 * life; o->http_bufs and the token are not used. With o->tls, o->http_port
 * and o->plain, o->plain answers on the plain port beside HTTPS. Addresses
 * are not printed: the driver says where it serves. */
enum server_result server_setup_ext(struct server *sv, const struct server_opts *o,
                                    struct http_server *srv, const struct server_hooks *hooks,
                                    void *mem, size_t len);

/* One turn; returns the next deadline on the monotonic clock. */
uint64_t server_turn(struct server *sv);

/* Turns until (*stop) is true, checked after every turn and every sleep. */
void server_loop(struct server *sv, const volatile bool *stop);

/* Turns until (ready) returns true: called once the stack has an address, with
 * it, then never again. Returns only then. */
void server_run(struct server *sv, bool (*ready)(void *ctx, uint32_t addr), void *ctx);

/* The stats line (stats=S), through plat_log. */
void server_print_stats(const struct server *sv);

#endif
