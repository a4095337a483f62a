/* SPDX-License-Identifier: MIT */
/* Live-follow fan-out at scale, in simulation: 1,024 followers of one deck on
 * our own TCP, behind a server whose copy-ring pool (32) is far smaller than
 * the followers (issues 14 and 19).
 *
 * The server side is the image's (app/, app/netsrv.c, the HTTP layer, our
 * stack); the followers are raw readers on eight client stacks that share
 * side 0 of one simulated link as hosts on a hub (eight addresses, so the
 * per-address cap of APP_SUBS_PER_ADDR is not what is tested). A presenter
 * on the first client stack POSTs authenticated updates, each signed with
 * the deck's token as deck.js signs them.
 *
 * Checks, all counts (virtual times are printed as "#" lines, never asserted):
 * - every follower receives every update spaced apart, in one pass: nobody
 *   is left behind and resent to (events_dropped, events_resent), and the
 *   event text is written once per update (event_copies) however many
 *   followers take it (events_shared), with no copy ring for it (the
 *   server's copied bytes do not grow with followers);
 * - client hosts whose network vanishes one by one, each followed by updates:
 *   the vanished hold a few slots each (APP_SUB_BACKLOG), so the slots never
 *   run out and every other follower still gets every update;
 * - a burst of more updates than a follower's send queue holds, while a few
 *   followers have stopped reading: each other follower sees increasing
 *   positions and ends at the last one (the current position reaches those
 *   that were behind); the stalled ones are reset by the send timeout;
 * - when every follower is gone (reset with events in flight, or closed),
 *   no event slot is still referenced;
 * - on a link losing 2% of frames, every follower still gets every update
 *   (retransmitted from the one shared copy), and the slots all come back.
 *
 * Usage: test_fanout_sim [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/netsrv.h"
#include "lib/hex.h"
#include "lib/sha256.h"
#include "net/stack.h"
#include "platform/sim/simlink.h"
#include "tests/unit/check.h"
#include "tests/unit/http_fake.h"

#define ADDR_SRV   0x0a000002u
#define ADDR_CLI   0x0a000010u /* client stack k has ADDR_CLI + k */
#define N_STACKS   8u
#define PER_STACK  128u
#define FOLLOWERS  (N_STACKS * PER_STACK)
#define SRV_FLOWS  1200u
#define COPY_RINGS 32u
#define MS         1000000ull
#define SEC        1000000000ull
#define SPACED     5u  /* updates one second apart */
#define VANISH     4u  /* client hosts whose network then vanishes, one by one */
#define PER_VANISH 20u /* updates 300 ms apart after each */
#define BURST      60u /* then this many in one write: more than TCP_SNDQ */
#define V_FIRST    (SPACED + 1)
#define B_FIRST    (V_FIRST + VANISH * PER_VANISH)
#define MAX_N      (B_FIRST + BURST)
#define STUCK      8u /* followers on live hosts that stop reading before the burst */
#define LIVE       (FOLLOWERS - VANISH * PER_STACK - STUCK)
#define TOKEN      "0123456789abcdef0123456789abcdef"

static bool verbose;

struct node {
	struct sim_link *l;
	int side;
	bool gone; /* its network vanished: nothing in or out, not even a RST */
};

struct follower {
	struct tcp_flow *f;
	bool sent, subscribed, reset;
	bool stuck; /* stopped reading: its window shuts */
	size_t len;
	char buf[1024]; /* bytes of an event not yet complete */
	int64_t last_n;
	bool monotonic;
	uint8_t seen[MAX_N + 1];
	uint64_t seen_at[MAX_N + 1];
};

struct world {
	struct sim_link l;
	struct node nodes[N_STACKS + 1];
	struct net_stack *cli[N_STACKS], *srv;
	struct http_server hs;
	struct app app;
	struct netsrv *ns;
	struct follower *fo; /* FOLLOWERS of them */
	struct tcp_flow *presenter;
	char pbuf[4096];
	size_t plen;
	unsigned answered_204;
};

static bool node_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	struct node *nd = ctx;

	if (nd->gone)
		return true; /* sent into the void */
	return sim_send(nd->l, nd->side, iov, n);
}

static void node_random(void *ctx, void *buf, size_t len)
{
	struct node *nd = ctx;

	sim_random_bytes(nd->l, buf, len);
}

static void node_log(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	if (verbose)
		fprintf(stderr, "%.*s\n", (int)len, msg);
}

static struct net_stack *stack_new(struct node *nd, struct sim_link *l, int side, uint32_t addr,
                                   unsigned idx)
{
	struct net_config cfg;
	struct net_ops ops = {nd, node_send, node_random, node_log, NULL};
	struct net_stack *s;
	size_t sz;

	memset(&cfg, 0, sizeof cfg);
	cfg.mac[0] = 0x02;
	cfg.mac[4] = (uint8_t)side;
	cfg.mac[5] = (uint8_t)(idx + 1);
	cfg.mtu = 1500;
	cfg.addr = addr;
	cfg.prefix_len = 24;
	if (side) {
		cfg.tcp_flows = SRV_FLOWS;
		cfg.tcp_rx_buf = 8192;
		cfg.tcp_rx_rings = 64;
		cfg.tcp_copy_rings = COPY_RINGS;
	} else {
		cfg.tcp_flows = PER_STACK + 8;
		cfg.tcp_rx_buf = 4096;
		cfg.tcp_tx_copy = 16384;
		cfg.tcp_rx_rings = cfg.tcp_copy_rings = PER_STACK + 8;
	}
	sz = (net_stack_size(&cfg) + 63) / 64 * 64;
	s = aligned_alloc(64, sz);
	if (!s)
		abort();
	memset(s, 0xa5, sz);
	nd->l = l;
	nd->side = side;
	net_init(s, &cfg, &ops, l->now);
	return s;
}

static void conn_gone(void *ctx, struct http_conn *c)
{
	app_conn_gone(ctx, c);
}

static void world_init(struct world *w, uint64_t seed, double loss)
{
	static const uint8_t nonce[16] = {7, 1, 2, 3};
	struct sim_params p;
	struct http_config hc;
	size_t pool_len = 256 * HTTP_BUF_LEN, nssz = (netsrv_size(SRV_FLOWS) + 63) / 64 * 64;
	unsigned k;

	memset(w, 0, sizeof *w);
	memset(&p, 0, sizeof p);
	p.delay_ns = 1 * MS;
	p.loss = loss;
	p.bandwidth_bps = 1000000000ull;
	if (!sim_init(&w->l, seed, &p))
		abort();
	for (k = 0; k < N_STACKS; k++)
		w->cli[k] = stack_new(&w->nodes[k], &w->l, 0, ADDR_CLI + k, k);
	w->srv = stack_new(&w->nodes[N_STACKS], &w->l, 1, ADDR_SRV, 0);
	memset(&hc, 0, sizeof hc);
	hc.header_timeout_ns = 30 * SEC;
	hc.idle_timeout_ns = 60 * SEC;
	hc.send_timeout_ns = 60 * SEC;
	hc.route = app_route;
	hc.app = &w->app;
	http_server_init(&w->hs, &hc, fake_store(), malloc(pool_len), pool_len);
	http_server_tick(&w->hs, 1700000000ull * SEC);
	app_init(&w->app, &w->hs, nonce);
	app_set_token(&w->app, TOKEN, sizeof TOKEN - 1);
	w->ns = aligned_alloc(64, nssz);
	if (!w->ns)
		abort();
	memset(w->ns, 0xa5, nssz);
	if (!netsrv_init(w->ns, w->srv, &w->hs, 80, 1024, SRV_FLOWS))
		abort();
	w->ns->conn_gone = conn_gone;
	w->ns->ctx = &w->app;
	w->fo = calloc(FOLLOWERS, sizeof *w->fo);
	if (!w->fo)
		abort();
}

/* The position events in (fo)'s new bytes: "event: slide|hello" then data
 * with "n":N. */
static void take_events(struct follower *fo, uint64_t now)
{
	char *end;

	fo->buf[fo->len] = 0;
	while ((end = strstr(fo->buf, "\n\n")) != NULL) {
		size_t evlen = (size_t)(end - fo->buf) + 2;
		char *n;
		*end = 0;
		if ((strstr(fo->buf, "event: slide") || strstr(fo->buf, "event: hello")) &&
		    (n = strstr(fo->buf, "\"n\":")) != NULL) {
			int64_t v = strtoll(n + 4, NULL, 10);
			fo->subscribed = true;
			if (v < fo->last_n)
				fo->monotonic = false;
			fo->last_n = v;
			if (v >= 0 && v <= (int64_t)MAX_N && !fo->seen[v]) {
				fo->seen[v] = 1;
				fo->seen_at[v] = now;
			}
		}
		memmove(fo->buf, fo->buf + evlen, fo->len - evlen);
		fo->len -= evlen;
		fo->buf[fo->len] = 0;
	}
}

static void read_follower(struct follower *fo, uint64_t now)
{
	bool eof = false;
	size_t n;

	if (!fo->f)
		return;
	if (fo->stuck) {
		if (tcp_failed(fo->f)) {
			fo->reset = true;
			tcp_close(fo->f);
			fo->f = NULL;
		}
		return;
	}
	while ((n = tcp_read(fo->f, (uint8_t *)fo->buf + fo->len, sizeof fo->buf - 1 - fo->len,
	                     &eof)) > 0) {
		fo->len += n;
		take_events(fo, now);
		if (fo->len == sizeof fo->buf - 1)
			fo->len = 0; /* not events: nothing of ours is this long */
	}
	if (tcp_failed(fo->f) || eof) {
		fo->reset = true;
		tcp_close(fo->f);
		fo->f = NULL;
	}
}

static void read_presenter(struct world *w)
{
	bool eof = false;
	size_t n;
	char *p;

	if (!w->presenter)
		return;
	while ((n = tcp_read(w->presenter, (uint8_t *)w->pbuf + w->plen,
	                     sizeof w->pbuf - 1 - w->plen, &eof)) > 0) {
		w->plen += n;
		w->pbuf[w->plen] = 0;
		while ((p = strstr(w->pbuf, "HTTP/1.1 ")) != NULL && strstr(p, "\r\n\r\n")) {
			char *e = strstr(p, "\r\n\r\n") + 4;
			if (strncmp(p + 9, "204", 3) == 0)
				w->answered_204++;
			else if (verbose)
				fprintf(stderr, "presenter got: %.40s\n", p);
			w->plen -= (size_t)(e - w->pbuf);
			memmove(w->pbuf, e, w->plen);
			w->pbuf[w->plen] = 0;
		}
	}
}

/* "n=N&h=H&v=0&f=-1&mac=M" as a presenter's page signs it. */
static size_t sign(const struct world *w, unsigned n, char *body)
{
	char msg[160];
	uint8_t sum[SHA256_LEN];
	char mac[2 * SHA256_LEN + 1];
	int m;

	m = snprintf(msg, sizeof msg, "%s/d/%u/%u/0/-1", w->app.nonce, n, n % 7);
	hmac_sha256(TOKEN, sizeof TOKEN - 1, msg, (size_t)m, sum);
	hex_encode(mac, sum, SHA256_LEN);
	mac[2 * SHA256_LEN] = 0;
	return (size_t)sprintf(body, "n=%u&h=%u&v=0&f=-1&mac=%s", n, n % 7, mac);
}

/* POST updates [first, first + count) in one write. */
static void post(struct world *w, unsigned first, unsigned count)
{
	static char req[64 * 1024];
	size_t len = 0;
	unsigned i;

	for (i = 0; i < count; i++) {
		char body[200];
		size_t bl = sign(w, first + i, body);
		len += (size_t)sprintf(req + len,
		                       "POST /_unideck/follow/d HTTP/1.1\r\nHost: sim\r\n"
		                       "Content-Type: application/x-www-form-urlencoded\r\n"
		                       "Content-Length: %zu\r\n\r\n%s",
		                       bl, body);
	}
	if (!w->presenter || !tcp_can_write(w->presenter, len, 0))
		abort(); /* the presenter's 16 KiB copy ring holds a burst */
	tcp_write_copy(w->presenter, req, len);
}

/* Run the world until (until) in virtual time. */
static void run(struct world *w, uint64_t until)
{
	static const char req[] = "GET /_unideck/follow/d HTTP/1.1\r\nHost: sim\r\n\r\n";

	while (w->l.now < until) {
		uint8_t frame[SIM_FRAME_MAX];
		struct tcp_flow *rf;
		struct tcp_listener *rl;
		uint64_t next, t;
		size_t n;
		unsigned k;

		while ((n = sim_recv(&w->l, 1, frame, sizeof frame)) > 0)
			net_input(w->srv, frame, n, w->l.now);
		while ((n = sim_recv(&w->l, 0, frame, sizeof frame)) > 0)
			for (k = 0; k < N_STACKS; k++)
				if (!w->nodes[k].gone)
					net_input(w->cli[k], frame, n, w->l.now); /* a hub */
		for (k = 0; k < N_STACKS; k++)
			while (tcp_ready_next(w->cli[k], &rf, &rl)) {
				struct follower *fo = rf ? tcp_user(rf) : NULL;
				if (rf && rf == w->presenter) {
					read_presenter(w);
					continue;
				}
				if (!fo)
					continue;
				if (!fo->sent && tcp_established(rf) &&
				    tcp_can_write(rf, sizeof req - 1, 0)) {
					tcp_write_copy(rf, req, sizeof req - 1);
					fo->sent = true;
				}
				read_follower(fo, w->l.now);
			}
		next = app_tick(&w->app, w->l.now);
		if ((t = netsrv_step(w->ns, w->l.now)) < next)
			next = t;
		for (k = 0; k < N_STACKS; k++)
			if ((t = net_poll(w->cli[k], w->l.now)) < next)
				next = t;
		if ((t = net_poll(w->srv, w->l.now)) < next)
			next = t;
		if ((t = netsrv_step(w->ns, w->l.now)) < next)
			next = t;
		if (sim_next(&w->l) < next)
			next = sim_next(&w->l);
		if (next > until)
			next = until;
		w->l.now = next > w->l.now ? next : w->l.now + 1;
	}
}

static void world_fini(struct world *w)
{
	unsigned k;

	sim_fini(&w->l);
	for (k = 0; k < N_STACKS; k++)
		free(w->cli[k]);
	free(w->srv);
	free(w->ns);
	free(w->fo);
}

/* Connect every follower, each on its client host, and the presenter. */
static void follow_all(struct world *w)
{
	unsigned i;

	for (i = 0; i < FOLLOWERS; i++) {
		struct follower *fo = &w->fo[i];
		fo->monotonic = true;
		fo->last_n = -1;
		fo->f = tcp_connect(w->cli[i % N_STACKS], ADDR_SRV, 80, w->l.now);
		if (!fo->f)
			abort();
		tcp_set_user(fo->f, fo);
	}
	w->presenter = tcp_connect(w->cli[0], ADDR_SRV, 80, w->l.now);
	if (!w->presenter)
		abort();
}

/* On a link that loses 2% of frames: every update still reaches every
 * follower, retransmitted from the one shared copy, and every reference goes
 * back once the followers leave. */
static void lossy(uint64_t seed)
{
	static struct world w;
	unsigned i, k, all = 0, left = 0;
	uint64_t copies0;

	world_init(&w, seed, 0.02);
	follow_all(&w);
	/* Joining is slow here: a thousand requests at once find the server's
	 * 64 receive rings full, and their retransmissions back off. */
	for (k = 0; k < 120 && w.app.n_subs < FOLLOWERS; k++)
		run(&w, w.l.now + 1 * SEC);
	run(&w, w.l.now + 2 * SEC);
	copies0 = w.app.stats.event_copies;
	for (k = 1; k <= SPACED; k++) {
		post(&w, k, 1);
		run(&w, w.l.now + 2 * SEC);
	}
	for (i = 0; i < FOLLOWERS; i++) {
		bool got = w.fo[i].f != NULL;
		for (k = 1; k <= SPACED; k++)
			got = got && w.fo[i].seen[k];
		all += got;
	}
	CHECK(all == FOLLOWERS && w.answered_204 == SPACED &&
	              w.app.stats.event_copies - copies0 == SPACED && w.srv->tcp.stats.rexmits > 0,
	      "fan-out, 2%% loss (seed %llu): every one of %u followers received each of %u "
	      "updates "
	      "(%u did), with %llu copies and %llu retransmissions by the server",
	      (unsigned long long)seed, FOLLOWERS, SPACED, all,
	      (unsigned long long)(w.app.stats.event_copies - copies0),
	      (unsigned long long)w.srv->tcp.stats.rexmits);
	for (i = 0; i < FOLLOWERS; i++)
		if (w.fo[i].f) {
			tcp_close(w.fo[i].f);
			w.fo[i].f = NULL;
		}
	run(&w, w.l.now + 60 * SEC);
	for (k = 0; k < APP_EV_SLOTS; k++)
		left += w.app.slots[k].b.refs;
	CHECK(left == 0 && w.app.n_subs == 0,
	      "fan-out, 2%% loss: once the followers have left no slot is referenced (%u left, %zu "
	      "followers)",
	      left, w.app.n_subs);
	world_fini(&w);
}

int main(int argc, char **argv)
{
	static struct world w;
	unsigned i, k, subscribed = 0, all_spaced = 0, monotonic = 0, at_last = 0, reset = 0;
	uint64_t sent0, drop0, resent0, copied0, copies0, shared0, t_post[SPACED + 1];
	const struct tcp_stats *ts;
	unsigned held, left;
	uint64_t full0, held0;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	world_init(&w, 11, 0.0);
	ts = &w.srv->tcp.stats;
	follow_all(&w);
	run(&w, w.l.now + 10 * SEC);
	for (i = 0; i < FOLLOWERS; i++)
		subscribed += w.fo[i].subscribed;
	if (verbose) {
		unsigned est = 0, sent = 0;
		for (i = 0; i < FOLLOWERS; i++) {
			est += w.fo[i].f && tcp_established(w.fo[i].f);
			sent += w.fo[i].sent;
		}
		fprintf(stderr,
		        "established %u, requests sent %u; server: syn %llu, accepted %llu, "
		        "backlog full %llu, cookies %llu, flows full %llu; netsrv accepted %llu "
		        "refused %llu; http pool waits %llu, requests %llu; subs %zu refused %llu "
		        "per addr %llu\n",
		        est, sent, (unsigned long long)ts->syn_rcvd,
		        (unsigned long long)ts->accepted, (unsigned long long)ts->backlog_full,
		        (unsigned long long)ts->cookies_sent, (unsigned long long)ts->flows_full,
		        (unsigned long long)w.ns->stats.accepted,
		        (unsigned long long)w.ns->stats.refused,
		        (unsigned long long)w.hs.stats.pool_waits,
		        (unsigned long long)w.hs.stats.requests, w.app.n_subs,
		        (unsigned long long)w.app.stats.subs_refused,
		        (unsigned long long)w.app.stats.subs_per_addr);
	}
	CHECK(subscribed == FOLLOWERS && w.app.n_subs == FOLLOWERS,
	      "fan-out: %u followers subscribed over 8 addresses (%u of them heard the hello; "
	      "the server has %u copy rings)",
	      (unsigned)w.app.n_subs, subscribed, COPY_RINGS);

	/* Spaced updates: each must reach everyone in one pass. */
	sent0 = w.app.stats.events_sent;
	drop0 = w.app.stats.events_dropped;
	resent0 = w.app.stats.events_resent;
	copied0 = ts->bytes_copied;
	copies0 = w.app.stats.event_copies;
	shared0 = w.hs.stats.events_shared;
	for (i = 1; i <= SPACED; i++) {
		t_post[i] = w.l.now;
		post(&w, i, 1);
		run(&w, w.l.now + 1 * SEC);
	}
	for (i = 0; i < FOLLOWERS; i++) {
		bool all = true;
		for (k = 1; k <= SPACED; k++)
			all = all && w.fo[i].seen[k];
		all_spaced += all;
	}
	for (k = 1; k <= SPACED; k++) {
		uint64_t last = 0;
		for (i = 0; i < FOLLOWERS; i++)
			if (w.fo[i].seen[k] && w.fo[i].seen_at[k] > last)
				last = w.fo[i].seen_at[k];
		printf("# update %u: the last of %u followers had it %.1f ms (virtual) after the "
		       "POST was written\n",
		       k, FOLLOWERS, (double)(last - t_post[k]) / 1e6);
	}
	printf("# spaced updates: %llu events sent, %llu missed for want of room, %llu resent; "
	       "%llu bytes copied into TCP; copy rings full %llu times\n",
	       (unsigned long long)(w.app.stats.events_sent - sent0),
	       (unsigned long long)(w.app.stats.events_dropped - drop0),
	       (unsigned long long)(w.app.stats.events_resent - resent0),
	       (unsigned long long)(ts->bytes_copied - copied0),
	       (unsigned long long)ts->copy_rings_full);
	CHECK(all_spaced == FOLLOWERS && w.answered_204 == SPACED,
	      "fan-out: every one of %u followers received each of %u spaced updates (%u did; "
	      "%u answered 204)",
	      FOLLOWERS, SPACED, all_spaced, w.answered_204);
	CHECK(w.app.stats.events_dropped == drop0 && w.app.stats.events_resent == resent0,
	      "fan-out: no follower was left behind and resent to: one pass, no rounds (%llu "
	      "missed, %llu resent)",
	      (unsigned long long)(w.app.stats.events_dropped - drop0),
	      (unsigned long long)(w.app.stats.events_resent - resent0));

	CHECK(w.app.stats.event_copies - copies0 == SPACED && w.app.stats.slots_full == 0 &&
	              w.hs.stats.events_shared - shared0 == (uint64_t)SPACED * FOLLOWERS,
	      "fan-out: one copy of the event text per update, however many followers (%llu "
	      "copies for %u updates; %llu references queued)",
	      (unsigned long long)(w.app.stats.event_copies - copies0), SPACED,
	      (unsigned long long)(w.hs.stats.events_shared - shared0));
	CHECK(ts->bytes_copied - copied0 < 4096,
	      "fan-out: no event went through a copy ring (%llu bytes copied into TCP for %u "
	      "updates to %u followers: the 204s)",
	      (unsigned long long)(ts->bytes_copied - copied0), SPACED, FOLLOWERS);

	/* Client hosts vanish one by one (a room's Wi-Fi dropping phones), each
	 * followed by PER_VANISH updates: their followers never acknowledge
	 * again, yet each holds only APP_SUB_BACKLOG bytes of slots, so the
	 * slots never run out and the others still get every update in one
	 * pass. (Holding all they were sent, 40 queued events each, the four
	 * would pin 80 slots: every event then went by copy, in rounds.) */
	full0 = w.app.stats.slots_full;
	held0 = w.app.stats.events_held;
	for (k = 0; k < VANISH; k++) {
		w.nodes[N_STACKS - 1 - k].gone = true;
		for (i = 0; i < PER_VANISH; i++) {
			post(&w, V_FIRST + k * PER_VANISH + i, 1);
			run(&w, w.l.now + 300 * MS);
		}
	}
	all_spaced = 0;
	for (i = 0; i < FOLLOWERS; i++) {
		bool all = true;
		if (w.nodes[i % N_STACKS].gone)
			continue;
		for (k = V_FIRST; k < B_FIRST; k++)
			all = all && w.fo[i].seen[k];
		all_spaced += all;
	}
	CHECK(all_spaced == FOLLOWERS - VANISH * PER_STACK && w.app.stats.slots_full == full0 &&
	              w.app.stats.events_held > held0,
	      "fan-out: with %u hosts' followers vanished one by one, each of the other %u got "
	      "every one of %u updates (%u did), the slots never ran out (%llu times) and the "
	      "vanished were held back (%llu events)",
	      VANISH, FOLLOWERS - VANISH * PER_STACK, VANISH * PER_VANISH, all_spaced,
	      (unsigned long long)(w.app.stats.slots_full - full0),
	      (unsigned long long)(w.app.stats.events_held - held0));

	/* A burst: more updates at once than a follower's queue holds, while
	 * STUCK followers have stopped reading. */
	for (i = 0; i < STUCK; i++)
		w.fo[i * N_STACKS * 5].stuck = true; /* on host 0, which stays */
	post(&w, B_FIRST, BURST);
	run(&w, w.l.now + 4 * SEC);
	for (i = 0; i < FOLLOWERS; i++) {
		if (w.fo[i].stuck || w.nodes[i % N_STACKS].gone)
			continue;
		monotonic += w.fo[i].monotonic;
		at_last += w.fo[i].last_n == (int64_t)(B_FIRST + BURST - 1);
		reset += w.fo[i].reset;
	}
	printf("# burst of %u: %llu missed for want of room, %llu resent the current position; "
	       "%llu events found every slot held and went by copy\n",
	       BURST, (unsigned long long)w.app.stats.events_dropped - drop0,
	       (unsigned long long)w.app.stats.events_resent - resent0,
	       (unsigned long long)w.app.stats.slots_full);
	CHECK(monotonic == LIVE && at_last == LIVE && reset == 0 &&
	              w.answered_204 == B_FIRST - 1 + BURST,
	      "fan-out: after a burst of %u updates every follower is at the last one, having "
	      "seen positions only move forward (%u at the last, %u in order, %u reset, %u "
	      "answered 204)",
	      BURST, at_last, monotonic, reset, w.answered_204);
	/* The stalled ones lose: the send timeout resets them, 60 s after their
	 * window shut (with APP_SUB_BACKLOG, heartbeats fill it, a minute on). */
	run(&w, w.l.now + 150 * SEC);
	reset = 0;
	for (i = 0; i < FOLLOWERS; i++)
		reset += w.fo[i].reset;
	CHECK(reset == STUCK && w.app.n_subs == LIVE,
	      "fan-out: the %u followers that stopped reading and the %u vanished were reset by "
	      "the send timeout, and only they (%u seen reset, %zu still following)",
	      STUCK, VANISH * PER_STACK, reset, w.app.n_subs);

	/* One more update; half the followers reset before acknowledging it,
	 * the rest close. Every slot reference goes back. */
	tcp_close(w.presenter); /* idle for minutes: the server closed it */
	w.presenter = tcp_connect(w.cli[0], ADDR_SRV, 80, w.l.now);
	if (!w.presenter)
		abort();
	run(&w, w.l.now + 1 * SEC);
	post(&w, MAX_N, 1);
	/* Until the event is queued to the followers, before their ACKs. */
	held = 0;
	for (i = 0; i < 500 && held == 0; i++) {
		run(&w, w.l.now + 100000ull);
		for (k = 0; k < APP_EV_SLOTS; k++)
			held += w.app.slots[k].b.refs;
	}
	for (i = 0; i < FOLLOWERS; i++)
		if (w.fo[i].f) {
			if (i % 2)
				tcp_abort(w.fo[i].f);
			else
				tcp_close(w.fo[i].f);
			w.fo[i].f = NULL;
		}
	run(&w, w.l.now + 30 * SEC);
	left = 0;
	for (k = 0; k < APP_EV_SLOTS; k++)
		left += w.app.slots[k].b.refs;
	CHECK(held > 0 && left == 0 && w.app.n_subs == 0,
	      "fan-out: once every follower is gone (half reset with the event in flight, half "
	      "closed) no slot is referenced (%u references held in flight, %u left, %zu "
	      "followers)",
	      held, left, w.app.n_subs);
	world_fini(&w);
	lossy(12);
	return check_done();
}
