/* SPDX-License-Identifier: MIT */
/* A live-follow stream over our own TCP, in simulation (platform/sim): the
 * server side is the image's (app/, app/netsrv.c, the HTTP layer, our stack),
 * the client a raw reader on the other stack, in virtual time.
 *
 * Issue 14 asks that followers get a keep-alive: with no update at all, the
 * deck's position must arrive every APP_HEARTBEAT_NS (15 s), on a clean link
 * and on a lossy one; between events the stream holds no ring of the
 * server's pools (an idle follower costs its structs); and a follower that
 * stops reading is reset by the send timeout, while one that reads lives on.
 *
 * Usage: test_follow_sim [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/netsrv.h"
#include "net/stack.h"
#include "platform/sim/simlink.h"
#include "tests/unit/check.h"
#include "tests/unit/http_fake.h"

#define ADDR_A 0x0a000001u
#define ADDR_B 0x0a000002u
#define MS     1000000ull
#define SEC    1000000000ull
#define MAX_EV 64u

static bool verbose;

struct node {
	struct sim_link *l;
	int side;
};

static bool node_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	struct node *nd = ctx;

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

static struct net_stack *stack_new(struct node *nd, struct sim_link *l, int side, uint32_t addr)
{
	struct net_config cfg;
	struct net_ops ops = {nd, node_send, node_random, node_log, NULL};
	struct net_stack *s;
	size_t sz;

	memset(&cfg, 0, sizeof cfg);
	cfg.mac[0] = 0x02;
	cfg.mac[5] = (uint8_t)(side + 1);
	cfg.mtu = 1500;
	cfg.addr = addr;
	cfg.prefix_len = 24;
	cfg.tcp_flows = 16;
	cfg.tcp_rx_buf = side ? 16384 : 2048; /* the client's small window: a slow reader */
	cfg.tcp_rx_rings = cfg.tcp_copy_rings = side ? 4 : 0;
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

struct run {
	uint64_t at[MAX_EV]; /* virtual time each "event: slide" arrived */
	unsigned n_ev;
	bool idle_rings; /* the server held no ring whenever nothing was in flight */
	bool reset;      /* the client's flow was reset */
	unsigned checks; /* times idle_rings was looked at */
	size_t got;
};

/* Follow deck "d" for (secs) of virtual time; (reads) says whether the
 * client reads its stream. */
static struct run follow(uint64_t seed, double loss, unsigned secs, bool reads)
{
	static const char req[] = "GET /_unideck/follow/d HTTP/1.1\r\nHost: sim\r\n\r\n";
	struct run r;
	struct sim_params p;
	struct sim_link l;
	struct node na, nb;
	struct net_stack *a, *b;
	struct http_server hs;
	struct http_config hc;
	struct app app;
	struct netsrv *ns = aligned_alloc(64, (netsrv_size(16) + 63) / 64 * 64);
	size_t pool_len = 4 * HTTP_BUF_LEN;
	void *pool = malloc(pool_len);
	uint8_t nonce[16] = {1, 2, 3};
	static char text[1 << 16];
	struct tcp_flow *f = NULL;
	bool sent = false;
	uint64_t end, check_at;

	memset(&r, 0, sizeof r);
	r.idle_rings = true;
	memset(&p, 0, sizeof p);
	p.loss = loss;
	p.delay_ns = 2 * MS;
	p.bandwidth_bps = 100000000ull;
	if (!ns || !pool || !sim_init(&l, seed, &p))
		abort();
	a = stack_new(&na, &l, 0, ADDR_A);
	b = stack_new(&nb, &l, 1, ADDR_B);
	memset(&hc, 0, sizeof hc);
	hc.header_timeout_ns = 10 * SEC;
	hc.idle_timeout_ns = 60 * SEC;
	hc.send_timeout_ns = 60 * SEC;
	hc.route = app_route;
	hc.app = &app;
	http_server_init(&hs, &hc, fake_store(), pool, pool_len);
	http_server_tick(&hs, 1700000000ull * SEC);
	app_init(&app, &hs, nonce);
	app_set_token(&app, "0123456789abcdef0123456789abcdef", 32);
	memset(ns, 0xa5, (netsrv_size(16) + 63) / 64 * 64);
	if (!netsrv_init(ns, b, &hs, 80, 16, 16))
		abort();
	ns->conn_gone = conn_gone;
	ns->ctx = &app;
	end = l.now + (uint64_t)secs * SEC;
	check_at = l.now + 14 * SEC;
	f = tcp_connect(a, ADDR_B, 80, l.now);
	while (l.now < end) {
		uint8_t frame[SIM_FRAME_MAX];
		struct tcp_flow *rf;
		struct tcp_listener *rl;
		uint64_t next, t;
		size_t n;
		int side;
		bool eof = false;

		for (side = 0; side < 2; side++)
			while ((n = sim_recv(&l, side, frame, sizeof frame)) > 0)
				net_input(side ? b : a, frame, n, l.now);
		while (tcp_ready_next(a, &rf, &rl))
			;
		if (f && !sent && tcp_established(f) && tcp_can_write(f, sizeof req - 1, 0)) {
			tcp_write_copy(f, req, sizeof req - 1);
			sent = true;
		}
		while (f && reads &&
		       (n = tcp_read(f, (uint8_t *)text + r.got, sizeof text - 1 - r.got, &eof)) >
		               0) {
			size_t k = r.got;
			r.got += n;
			text[r.got] = 0;
			/* Count the events that completed in these bytes. */
			for (k = k > 20 ? k - 20 : 0; k + 12 <= r.got; k++)
				if (memcmp(text + k, "event: slide", 12) == 0 && r.n_ev < MAX_EV)
					r.at[r.n_ev++] = l.now;
		}
		if (f && tcp_failed(f)) {
			r.reset = true;
			tcp_close(f);
			f = NULL;
		}
		next = app_tick(&app, l.now);
		if ((t = netsrv_step(ns, l.now)) < next)
			next = t;
		if ((t = net_poll(a, l.now)) < next)
			next = t;
		if ((t = net_poll(b, l.now)) < next)
			next = t;
		if ((t = netsrv_step(ns, l.now)) < next)
			next = t;
		/* A second before each heartbeat the last event is long
		 * acknowledged: the server holds no ring for the stream. */
		if (reads && l.now >= check_at) {
			if (b->tcp.stats.flows_open != 1 || b->tcp.stats.rx_rings_used ||
			    b->tcp.stats.copy_rings_used)
				r.idle_rings = false;
			if (verbose)
				fprintf(stderr, "at %llu s: %llu flows, %llu rx, %llu copy rings\n",
				        (unsigned long long)(l.now / SEC),
				        (unsigned long long)b->tcp.stats.flows_open,
				        (unsigned long long)b->tcp.stats.rx_rings_used,
				        (unsigned long long)b->tcp.stats.copy_rings_used);
			r.checks++;
			check_at += 15 * SEC;
		}
		if (sim_next(&l) < next)
			next = sim_next(&l);
		if (reads && check_at < next)
			next = check_at;
		if (next > end)
			next = end;
		l.now = next > l.now ? next : l.now + 1;
	}
	if (verbose)
		fprintf(stderr, "got %zu bytes: %.400s\n", r.got, text);
	if (f)
		tcp_close(f);
	sim_fini(&l);
	free(a);
	free(b);
	free(ns);
	free(pool);
	return r;
}

static void heartbeats(uint64_t seed, double loss)
{
	struct run r = follow(seed, loss, 50, true);
	unsigned i, regular = 0;

	/* One per heartbeat: at 15, 30 and 45 s (the answer to subscribing
	 * says hello; the position comes with the heartbeat). */
	for (i = 1; i < r.n_ev; i++) {
		uint64_t gap = r.at[i] - r.at[i - 1];
		/* A lossy link may delay one by retransmissions. */
		regular += gap >= 14 * SEC && gap <= (loss > 0 ? 20 : 16) * SEC;
	}
	CHECK(r.n_ev >= 3 && r.at[0] <= 16 * SEC && regular == r.n_ev - 1 && !r.reset,
	      "follow seed %llu, loss %.0f%%: with no update the position arrives every 15 s (%u "
	      "events in 50 s virtual, %u gaps of 15 s)",
	      (unsigned long long)seed, loss * 100, r.n_ev, regular);
	if (loss == 0)
		CHECK(r.idle_rings && r.checks >= 3,
		      "follow: between events the stream holds no ring of the server's (%u looks)",
		      r.checks);
}

int main(int argc, char **argv)
{
	struct run r;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	heartbeats(1, 0.0);
	heartbeats(2, 0.03);
	heartbeats(3, 0.03);
	/* A follower that reads nothing: its 2 KiB window fills with heartbeats
	 * (the subscribe answer and each position) and the send timeout (60 s
	 * without progress) resets it, well before the idle timeout would
	 * matter. */
	r = follow(4, 0.0, 400, false);
	CHECK(r.reset, "follow: a follower that stopped reading is reset by the send timeout");
	return check_done();
}
