/* SPDX-License-Identifier: MIT */
/* The server assembly and the loop (server.h). Only platform.h below it. */
#include "app/server.h"
#include "http/tls.h"
#include "net/ip6text.h"

#include "lib/assert.h"
#include "lib/mem.h"
#include "platform/platform.h"

static uint8_t frame[2048];

static bool s_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	(void)ctx;
	return plat_net_send(iov, n) == PLAT_OK;
}

/* A large TCP frame to the device; one it cannot take is cut here. */
static bool s_send_gso(void *ctx, const struct plat_iov *iov, size_t n, const struct net_gso *g)
{
	enum plat_result r =
	        plat_net_send_tso(iov, n, g->mss, g->hdr_len, g->csum_start, g->csum_offset);

	if (r == PLAT_OK)
		return true;
	if (r == PLAT_AGAIN)
		return false;
	return net_gso_cut(iov, n, g, s_send, ctx);
}

static void s_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	plat_random(buf, len);
}

static void s_log(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	plat_log("%.*s\n", (int)len, msg);
}

static void conn_gone(void *ctx, struct http_conn *c)
{
	app_conn_gone(ctx, c);
}

static const struct net_ops ops = {NULL, s_send, s_random, s_log, s_send_gso};

/* Carve (len) bytes, 64-aligned, from the region; NULL when it is used up. */
static void *carve(uint8_t **mem, size_t *left, size_t len)
{
	uint8_t *p = (uint8_t *)(((uintptr_t)*mem + 63) & ~(uintptr_t)63);
	size_t skip = (size_t)(p - *mem);

	len = (len + 63) & ~(size_t)63;
	if (skip > *left || len > *left - skip)
		return NULL;
	*mem = p + len;
	*left -= skip + len;
	return p;
}

size_t server_per_flow(void)
{
	return sizeof(struct tcp_flow) + sizeof(struct nsconn) + 4 * sizeof(int32_t);
}

size_t server_per_ring(uint32_t bytes)
{
	return bytes + 2 * sizeof(int32_t);
}

static size_t up64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

static uint32_t redirect_conns(const struct server_opts *o)
{
	return o->net.tcp_flows < SERVER_REDIRECT_MAX ? o->net.tcp_flows : SERVER_REDIRECT_MAX;
}

size_t server_size(const struct server_opts *o)
{
	/* carve() rounds each piece to 64 bytes and may skip up to 63 first. */
	size_t n = 63 + up64(netsrv_size(o->net.tcp_flows)) +
	           up64((size_t)o->http_bufs * HTTP_BUF_LEN) + up64(net_stack_size(&o->net));

	if (o->tls && o->http_port) /* the redirect's buffers and connections */
		n += 2 * 63 + up64((size_t)SERVER_REDIRECT_BUFS * HTTP_BUF_LEN) +
		     up64(netsrv_size(redirect_conns(o)));
	return n;
}

/* The stack and the HTTP glue from the region, listening on o->port; the
 * HTTP server (sv->http) is set. */
static enum server_result setup_net(struct server *sv, const struct server_opts *o, uint8_t **heap,
                                    size_t *left)
{
	sv->s = carve(heap, left, net_stack_size(&o->net));
	if (!sv->s)
		return SERVER_ENOMEM;
	net_init(sv->s, &o->net, &ops, plat_clock_monotonic_ns());
	if (sv->http && !netsrv_init(sv->ns, sv->s, sv->http, o->port, 1024, o->net.tcp_flows))
		return SERVER_EPORT;
	sv->port = o->port;
	sv->stats_every = o->stats_every_ns;
	return SERVER_OK;
}

enum server_result server_setup(struct server *sv, const struct server_opts *o,
                                const struct store *st, void *mem, size_t len)
{
	struct http_config hc;
	uint8_t *heap = mem, nonce[16];
	size_t left = len, pool_len = (size_t)o->http_bufs * HTTP_BUF_LEN;
	enum server_result r;
	void *pool;

	UD_ASSERT(o->token_len >= 8 && o->token_len < 64);
	memset(sv, 0, sizeof *sv);
	/* What set-up and the first connections write lies together at the
	 * start: the server's state and first connections, the first HTTP
	 * buffers, the stack's own state, its hash heads and first flows and
	 * their buffers; the rest of the flows' buffers (most of the heap) after.
	 * Each page first touched is a fault for the hypervisor to fill, and each
	 * new 2 MiB a huge page to find and clear. */
	sv->ns = carve(&heap, &left, netsrv_size(o->net.tcp_flows));
	pool = carve(&heap, &left, pool_len);
	if (!sv->ns || !pool)
		return SERVER_ENOMEM;

	memset(&hc, 0, sizeof hc);
	hc.header_timeout_ns = o->header_timeout_ns;
	hc.idle_timeout_ns = o->idle_timeout_ns;
	hc.send_timeout_ns = o->send_timeout_ns;
	hc.route = app_route;
	hc.app = &sv->app;
	hc.headers = o->tls ? o->headers : NULL;
	http_server_init(&sv->srv, &hc, st, pool, pool_len);
	plat_random(nonce, sizeof nonce);
	app_init(&sv->app, &sv->srv, nonce);
	app_set_token(&sv->app, o->token, o->token_len);
	app_set_conns(&sv->app, o->net.tcp_flows); /* followers never take the last ones */
	sv->http = &sv->srv;
	sv->ap = &sv->app;

	if ((r = setup_net(sv, o, &heap, &left)) != SERVER_OK)
		return r;
	sv->ns->conn_gone = conn_gone;
	sv->ns->ctx = &sv->app;
	if (o->tls) {
		sv->tls = o->tls;
		netsrv_set_tls(sv->ns, o->tls);
	}
	if (o->tls && o->http_port) {
		/* The plain port: its own small HTTP server that redirects. */
		uint32_t rconns = redirect_conns(o);
		size_t rlen = (size_t)SERVER_REDIRECT_BUFS * HTTP_BUF_LEN;
		void *rpool = carve(&heap, &left, rlen);
		sv->rns = carve(&heap, &left, netsrv_size(rconns));
		if (!rpool || !sv->rns)
			return SERVER_ENOMEM;
		hc.headers = NULL;
		hc.route = tls_redirect_route;
		hc.app = &sv->redir;
		sv->redir.srv = &sv->rsrv;
		sv->redir.https_port = o->redirect_port ? o->redirect_port : o->port;
		http_server_init(&sv->rsrv, &hc, NULL, rpool, rlen);
		if (!netsrv_init(sv->rns, sv->s, &sv->rsrv, o->http_port, 256, rconns))
			return SERVER_EPORT;
		netsrv_pair(sv->ns, sv->rns);
		sv->http_port = o->http_port;
	}
	if (o->upstream) {
		if (relay_parse_url(&sv->relay.relay, o->upstream, o->upstream_len) != RELAY_URL_OK)
			return SERVER_EURL;
		relaynet_start(&sv->relay, &sv->app, sv->s, sv->ns, o->dns, o->n_dns, s_log, NULL,
		               plat_clock_monotonic_ns());
		sv->relaying = true;
	}
	return SERVER_OK;
}

enum server_result server_setup_ext(struct server *sv, const struct server_opts *o,
                                    struct http_server *srv, const struct server_hooks *hooks,
                                    void *mem, size_t len)
{
	uint8_t *heap = mem;
	size_t left = len;
	enum server_result r;

	memset(sv, 0, sizeof *sv);
	sv->http = srv;
	sv->hooks = *hooks;
	sv->quiet = true;
	if (srv && !(sv->ns = carve(&heap, &left, netsrv_size(o->net.tcp_flows))))
		return SERVER_ENOMEM;
	if ((r = setup_net(sv, o, &heap, &left)) != SERVER_OK)
		return r;
	if (sv->ns) {
		sv->ns->conn_gone = hooks->conn_gone;
		sv->ns->ctx = hooks->ctx;
	}
	/* HTTPS on the driver's server (serve --net tap --cert): the driver
	 * set its headers (HSTS); no plain redirect port here yet. */
	if (sv->ns && o->tls) {
		sv->tls = o->tls;
		netsrv_set_tls(sv->ns, o->tls);
	}
	return SERVER_OK;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Each IPv6 address once it has passed DAD, as a bracketed URL. */
static void show_ipv6(struct server *sv);

uint64_t server_turn(struct server *sv)
{
	uint64_t next = UINT64_MAX, now;
	size_t len;
	unsigned k;
	uint32_t a;
	uint8_t pl;

	for (k = 0; k < SERVER_RX_BATCH; k++) {
		if (plat_net_recv(frame, sizeof frame, &len) != PLAT_OK)
			break;
		net_input(sv->s, frame, len, plat_clock_monotonic_ns());
	}
	now = plat_clock_monotonic_ns();
	if (k == SERVER_RX_BATCH)
		next = now; /* more may be waiting: no sleep before the next turn */
	if (sv->http)
		http_server_tick(sv->http, plat_clock_wall_ns());
	if (sv->rns)
		http_server_tick(&sv->rsrv, plat_clock_wall_ns());
	if (sv->ap)
		next = min64(next, app_tick(sv->ap, now));
	if (sv->hooks.tick) {
		if (now >= sv->hook_next)
			sv->hook_next = sv->hooks.tick(sv->hooks.ctx, now);
		next = min64(next, sv->hook_next);
	}
	if (sv->relaying)
		next = min64(next, relaynet_poll(&sv->relay, now));
	if (sv->ns)
		next = min64(next, netsrv_step(sv->ns, now));
	if (sv->rns)
		next = min64(next, netsrv_step(sv->rns, now));
	next = min64(next, net_poll(sv->s, now));
	/* What the poll made ready (ACKs opening room) is taken at once. */
	if (sv->ns)
		next = min64(next, netsrv_step(sv->ns, now));
	if (sv->rns)
		next = min64(next, netsrv_step(sv->rns, now));
	next = min64(next, net_poll(sv->s, now));
	if (sv->stats_every) {
		if (now >= sv->stats_next) {
			if (sv->stats_next)
				server_print_stats(sv);
			sv->stats_next = now + sv->stats_every;
		}
		next = min64(next, sv->stats_next);
	}
	if (!sv->quiet)
		show_ipv6(sv);
	if (sv->ready && !sv->announced && net_address(sv->s, &a, &pl, NULL)) {
		sv->announced = true;
		sv->ready_stop = sv->ready(sv->ready_ctx, a);
	}
	return next;
}

static void show_ipv6(struct server *sv)
{
	uint8_t a6[2][16];
	size_t k, n6 = net_address6(sv->s, a6, 2);

	for (k = 0; k < n6; k++) {
		char txt[NET_IP6_TEXT];
		bool ll = a6[k][0] == 0xfe && (a6[k][1] & 0xc0) == 0x80;
		if (sv->shown6 & (1u << k))
			continue;
		sv->shown6 |= 1u << k;
		net_ip6_format(a6[k], txt);
		const char *scheme = sv->tls ? "https" : "http";
		if (sv->port == (sv->tls ? 443 : 80))
			plat_log("unideck: IPv6: serving at %s://[%s]/%s\n", scheme, txt,
			         ll ? " (link-local: a client adds %25ITS-INTERFACE)" : "");
		else
			plat_log("unideck: IPv6: serving at %s://[%s]:%u/%s\n", scheme, txt,
			         (unsigned)sv->port,
			         ll ? " (link-local: a client adds %25ITS-INTERFACE)" : "");
	}
}

void server_loop(struct server *sv, const volatile bool *stop)
{
	while (!*stop) {
		uint64_t next = server_turn(sv);
		if (*stop)
			break;
		plat_yield_until(next);
	}
}

void server_run(struct server *sv, bool (*ready)(void *ctx, uint32_t addr), void *ctx)
{
	sv->ready = ready;
	sv->ready_ctx = ctx;
	server_loop(sv, &sv->ready_stop);
}

static void print_net_line(void *ctx, const char *line)
{
	(void)ctx;
	plat_log("stats: %s\n", line);
}

/* stats=S: what an operator watching the console wants to know, in one line,
 * then the network layer's counters a line a layer (net_stats_brief: IPv4 and
 * ARP, IPv6 and neighbour discovery), then TLS and the relay when they run. */
void server_print_stats(const struct server *sv)
{
	static const struct http_stats none;
	const struct http_stats *h = sv->http ? &sv->http->stats : &none;
	const struct tcp_stats *t = &sv->s->tcp.stats;
	struct plat_net_stats v;

	plat_net_stats(&v);
	/* One line, the caps and who lost to them at its end (issue 14): flows,
	 * the rings lent while data moves (net/tcp_pool.c), the HTTP buffers. */
	plat_log(
	        "stats: http %lu requests (%lu 2xx, %lu 304, %lu 4xx, %lu 5xx), %lu connections "
	        "open; tcp %lu accepted, %lu segments, %lu large, %lu retransmitted, store bytes "
	        "%lu by reference, %lu copied; net rx %lu frames, %lu interrupts; tx %lu frames, "
	        "%lu notifications, %lu bytes copied; caps flows %lu open, %lu peak, %lu cap, %lu "
	        "full; rx rings %lu used, %lu peak, %lu cap, %lu full, %lu evicted; copy rings %lu "
	        "used, %lu peak, %lu cap, %lu waits, %lu evicted; http buffers %lu free of %lu, "
	        "%lu waits, %lu evicted, %lu header timeouts; syn cookies %lu\n",
	        h->requests, h->status_2xx, h->status_304, h->status_4xx, h->status_5xx,
	        h->conns_opened - h->conns_closed, t->accepted, t->tx_segs, t->tso_sends,
	        t->rexmits, t->bytes_ref, t->bytes_copied, v.rx_frames, v.rx_irqs, v.tx_frames,
	        v.tx_notifies, v.tx_copied, t->flows_open, t->flows_peak, t->flows_cap,
	        t->flows_full, t->rx_rings_used, t->rx_rings_peak, t->rx_rings_cap,
	        t->rx_rings_full, t->rx_rings_evicted, t->copy_rings_used, t->copy_rings_peak,
	        t->copy_rings_cap, t->copy_waits, t->copy_rings_evicted,
	        (uint64_t)sv->srv.pool_avail, (uint64_t)sv->srv.pool_total, h->pool_waits,
	        h->pool_evictions, h->timeout_header, t->cookies_sent);
	net_stats_brief(sv->s, print_net_line, NULL);
	if (sv->tls) {
		const struct tls_stats *s = tls_server_stats(sv->tls);
		plat_log("stats: tls %lu opened, %lu refused (and %lu reset at accept), %lu "
		         "handshakes (%lu failed, %lu timed out, %lu evicted, %lu bad version), "
		         "%lu in progress, %lu closed by notify, %lu failed after; store bytes "
		         "%lu copied into records, headers %lu direct and %lu through the ring, "
		         "%lu record bytes handed to TCP; redirect %lu 308s\n",
		         s->opened, s->refused, sv->ns->stats.tls_refused, s->handshakes,
		         s->hs_failed, s->hs_timeouts, s->hs_evicted, s->hs_bad_version,
		         s->in_handshake, s->closed_notify, s->failed, s->plain_ref,
		         s->plain_direct, s->plain_ring, s->record_bytes, sv->redir.redirects);
	}
	if (sv->relaying) {
		const struct relay_stats *r = &sv->relay.relay.stats;
		const struct app_stats *a = &sv->app.stats;
		plat_log("stats: relay %lu connects, %lu failed, %lu lost, %lu idle, %lu bad "
		         "answers, %lu bad events; updates %lu applied, %lu forged, %lu stale, %lu "
		         "unknown deck; %lu presenter posts refused; dns %lu queries, %lu answers, "
		         "%lu timeouts\n",
		         r->connects, r->connect_failed, r->lost, r->idle_timeouts,
		         r->bad_status + r->bad_response, r->bad_events, a->relay_applied,
		         a->relay_forged, a->relay_stale, a->relay_unknown_deck,
		         a->relay_posts_refused, sv->relay.dns.stats.queries,
		         sv->relay.dns.stats.answers, sv->relay.dns.stats.timeouts);
	}
}
