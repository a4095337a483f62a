/* SPDX-License-Identifier: MIT */
/* TCP's ring pools under exhaustion, in simulation (platform/sim): two of our
 * stacks on a simulated link in virtual time.
 *
 * The server stack has 4 receive rings and 4 copy rings for 64 flows. Hogs
 * fill them: their requests are never read (each holds a receive ring), and
 * they never read the 16 KB the server copies to them (each holds a copy
 * ring, its window shut). Forty idle flows hold nothing. An honest client
 * then arrives while every ring is held: it must be served, by taking the
 * ring of the hog stalled longest, and only after that hog has stalled for
 * TCP_POOL_STALL_NS. Once the hogs go, the pools are whole again and a last
 * client is served without any eviction. Each scenario runs clean and on
 * lossy links of several seeds.
 *
 * Usage: test_pool [-v] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/stack.h"
#include "platform/sim/simlink.h"
#include "tests/unit/check.h"

#define ADDR_A   0x0a000001u /* the clients */
#define ADDR_B   0x0a000002u /* the server */
#define PORT     80u
#define FLOWS    64u
#define RINGS    4u
#define REQ      100u
#define HDR      64u
#define BODY     20000u
#define HOG_COPY 16000u
#define IDLE     40u
#define MS       1000000ull
#define SEC      1000000000ull

static bool verbose;

struct node {
	struct sim_link *l;
	int side;
	struct net_stack *s;
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

static struct net_stack *stack_new(struct node *nd, struct sim_link *l, int side, uint32_t addr,
                                   uint32_t rings)
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
	cfg.tcp_flows = FLOWS;
	cfg.tcp_rx_buf = 8192;
	cfg.tcp_tx_copy = 16384;
	cfg.tcp_rx_rings = cfg.tcp_copy_rings = rings;
	sz = (net_stack_size(&cfg) + 63) / 64 * 64;
	s = aligned_alloc(64, sz);
	if (!s)
		abort();
	memset(s, 0xa5, sz); /* not zeroed: the stack must set up what it uses */
	nd->l = l;
	nd->side = side;
	nd->s = s;
	net_init(s, &cfg, &ops, l->now);
	return s;
}

enum kind { HOG, HONEST, IDLER };

/* A client flow on A. */
struct cli {
	struct tcp_flow *f;
	enum kind kind;
	bool sent, done, failed;
	size_t got;
	uint8_t buf[HDR + BODY];
};

/* A server flow on B, known by the client's port. */
struct srv {
	struct tcp_flow *f;
	enum kind kind;
	bool answered, hog_fed;
	size_t got;
};

struct world {
	struct sim_link l;
	struct node na, nb;
	struct net_stack *a, *b;
	struct tcp_listener *ls;
	struct cli c[FLOWS];
	unsigned n_cli;
	struct srv sv[FLOWS];
	unsigned n_srv;
	bool drain; /* the server reads every flow, and closes it at its end */
	uint8_t body[BODY], hdr[HDR], req[REQ], hog_bytes[HOG_COPY];
};

static struct cli *cli_open(struct world *w, enum kind k)
{
	struct cli *c = &w->c[w->n_cli++];

	memset(c, 0, sizeof *c);
	c->kind = k;
	c->f = tcp_connect(w->a, ADDR_B, PORT, w->l.now);
	return c;
}

static enum kind kind_of(const struct world *w, uint16_t port)
{
	unsigned i;

	for (i = 0; i < w->n_cli; i++)
		if (w->c[i].f && w->c[i].f->lport == port)
			return w->c[i].kind;
	return IDLER;
}

/* The server: accept all; answer honest flows when they are ready (it only
 * looks at flows the stack says have news, so a writer waiting for a copy
 * ring must be woken); read nothing from the others. */
static void server_step(struct world *w)
{
	struct tcp_flow *f;
	struct tcp_listener *l;

	while (tcp_ready_next(w->b, &f, &l)) {
		struct srv *v = NULL;
		unsigned i;
		if (l) {
			struct tcp_flow *nf;
			while ((nf = tcp_accept(l)) != NULL && w->n_srv < FLOWS) {
				v = &w->sv[w->n_srv++];
				memset(v, 0, sizeof *v);
				v->f = nf;
				v->kind = kind_of(w, nf->rport);
				tcp_set_user(nf, v);
			}
			continue;
		}
		v = tcp_user(f);
		for (i = 0; i < w->n_srv && &w->sv[i] != v; i++)
			;
		if (i == w->n_srv || !v->f)
			continue;
		if (tcp_failed(f)) {
			tcp_close(f);
			v->f = NULL;
			continue;
		}
		if (v->kind == HONEST || w->drain) {
			uint8_t buf[512];
			bool eof = false;
			size_t n;
			while ((n = tcp_read(f, buf, sizeof buf, &eof)) > 0)
				v->got += n;
			if (v->kind == HONEST && v->got >= REQ && !v->answered &&
			    tcp_can_write(f, HDR, 1)) {
				tcp_write_copy(f, w->hdr, HDR);
				tcp_write_ref(f, w->body, BODY);
				v->answered = true;
			}
			if (eof) {
				tcp_close(f);
				v->f = NULL;
			}
		}
	}
}

/* Copy HOG_COPY bytes to every hog that has none yet (they will not read). */
static void feed_hogs(struct world *w)
{
	unsigned i;

	for (i = 0; i < w->n_srv; i++) {
		struct srv *v = &w->sv[i];
		uint8_t buf[512];
		bool eof;
		if (!v->f || v->kind != HOG || v->hog_fed)
			continue;
		/* Its request is read, so that it holds only a copy ring. */
		while (tcp_read(v->f, buf, sizeof buf, &eof) > 0)
			v->got++;
		if (tcp_can_write(v->f, HOG_COPY, 0)) {
			tcp_write_copy(v->f, w->hog_bytes, HOG_COPY);
			v->hog_fed = true;
		}
	}
}

static void client_step(struct world *w)
{
	struct tcp_flow *f;
	struct tcp_listener *l;
	unsigned i;

	while (tcp_ready_next(w->a, &f, &l))
		;
	for (i = 0; i < w->n_cli; i++) {
		struct cli *c = &w->c[i];
		bool eof = false;
		size_t n;
		if (!c->f || c->done)
			continue;
		if (tcp_failed(c->f)) {
			c->failed = true;
			c->done = true;
			tcp_close(c->f);
			c->f = NULL;
			continue;
		}
		if (c->kind != IDLER && !c->sent && tcp_established(c->f) &&
		    tcp_can_write(c->f, REQ, 0)) {
			tcp_write_copy(c->f, w->req, REQ);
			c->sent = true;
		}
		if (c->kind != HONEST)
			continue; /* hogs and idlers never read */
		while ((n = tcp_read(c->f, c->buf + c->got, sizeof c->buf - c->got, &eof)) > 0)
			c->got += n;
		if (c->got == sizeof c->buf) {
			tcp_close(c->f);
			c->f = NULL;
			c->done = true;
		}
	}
}

/* Run both stacks and their apps for (ns) of virtual time, or until (stop)
 * says so. */
static void run(struct world *w, uint64_t ns, bool (*stop)(struct world *w), bool hogs_fed)
{
	uint64_t end = w->l.now + ns;

	while (w->l.now < end && !(stop && stop(w))) {
		uint8_t frame[SIM_FRAME_MAX];
		uint64_t next, t;
		size_t n;
		int side;

		for (side = 0; side < 2; side++)
			while ((n = sim_recv(&w->l, side, frame, sizeof frame)) > 0)
				net_input(side ? w->b : w->a, frame, n, w->l.now);
		client_step(w);
		server_step(w);
		if (hogs_fed)
			feed_hogs(w);
		next = net_poll(w->a, w->l.now);
		if ((t = net_poll(w->b, w->l.now)) < next)
			next = t;
		if (sim_next(&w->l) < next)
			next = sim_next(&w->l);
		if (next > w->l.now + 10 * MS)
			next = w->l.now + 10 * MS; /* the apps look at least every 10 ms */
		w->l.now = next > w->l.now ? next : w->l.now + 1;
	}
}

static bool honest_done(struct world *w)
{
	unsigned i;

	for (i = 0; i < w->n_cli; i++)
		if (w->c[i].kind == HONEST && !w->c[i].done)
			return false;
	return true;
}

static bool idlers_up(struct world *w)
{
	return w->b->tcp.stats.flows_open == IDLE;
}

/* The newest hog's request is in (it holds a ring). */
static bool hog_up(struct world *w)
{
	unsigned i, hogs = 0;

	for (i = 0; i < w->n_cli; i++)
		hogs += w->c[i].kind == HOG;
	return w->b->tcp.stats.rx_rings_used == hogs;
}

static bool body_ok(const struct world *w, const struct cli *c)
{
	return !c->failed && c->got == HDR + BODY && memcmp(c->buf, w->hdr, HDR) == 0 &&
	       memcmp(c->buf + HDR, w->body, BODY) == 0;
}

static struct world *world_new(uint64_t seed, double loss)
{
	struct world *w = calloc(1, sizeof *w);
	struct sim_params p;
	size_t i;

	if (!w)
		abort();
	memset(&p, 0, sizeof p);
	p.loss = loss;
	p.delay_ns = 1 * MS;
	p.bandwidth_bps = 100000000ull;
	if (!sim_init(&w->l, seed, &p))
		abort();
	w->a = stack_new(&w->na, &w->l, 0, ADDR_A, 0);
	w->b = stack_new(&w->nb, &w->l, 1, ADDR_B, RINGS);
	w->ls = tcp_listen(w->b, PORT, 128);
	for (i = 0; i < BODY; i++)
		w->body[i] = (uint8_t)(i * 7 + seed);
	for (i = 0; i < HDR; i++)
		w->hdr[i] = (uint8_t)('A' + i % 26);
	memset(w->req, 'r', REQ);
	memset(w->hog_bytes, 'h', HOG_COPY);
	return w;
}

static void world_free(struct world *w)
{
	sim_fini(&w->l);
	free(w->a);
	free(w->b);
	free(w);
}

/* One run; (clean) adds the checks that hold only without loss. */
static void scenario(uint64_t seed, double loss)
{
	struct world *w = world_new(seed, loss);
	const struct tcp_stats *st = &w->b->tcp.stats;
	const char *tag = loss > 0 ? "lossy" : "clean";
	bool clean = loss == 0;
	uint64_t ev, full, stall_at;
	unsigned i, held = 0;

	/* Forty idle flows, then four hogs that send a request each, 100 ms
	 * apart; none is read. */
	for (i = 0; i < IDLE; i++)
		cli_open(w, IDLER);
	run(w, 10 * SEC, idlers_up, false);
	for (i = 0; i < RINGS; i++) {
		cli_open(w, HOG);
		run(w, 10 * SEC, hog_up, false);
		run(w, 100 * MS, NULL, false);
	}
	CHECK(st->rx_rings_used == RINGS && st->flows_open == RINGS + IDLE,
	      "pool %s %llu: %u unread hogs hold the %u receive rings; %u idle flows hold none "
	      "(%llu used, %llu flows)",
	      tag, (unsigned long long)seed, RINGS, RINGS, IDLE,
	      (unsigned long long)st->rx_rings_used, (unsigned long long)st->flows_open);
	CHECK(st->copy_rings_used == 0, "pool %s %llu: no copy ring held once acknowledged", tag,
	      (unsigned long long)seed);

	/* An honest client arrives with every receive ring held: it is served,
	 * by the ring of the hog stalled longest, once that one has stalled. */
	stall_at = w->sv[IDLE].f->progress_at + TCP_POOL_STALL_NS;
	cli_open(w, HONEST);
	if (stall_at > w->l.now + 50 * MS)
		run(w, stall_at - 50 * MS - w->l.now, honest_done, false);
	CHECK(st->rx_rings_evicted == 0 && !honest_done(w) && (!clean || st->rx_rings_full > 0),
	      "pool %s %llu: no ring is taken from a hog before it has stalled %llu ms (%llu "
	      "refusals meanwhile)",
	      tag, (unsigned long long)seed, (unsigned long long)(TCP_POOL_STALL_NS / MS),
	      (unsigned long long)st->rx_rings_full);
	run(w, 20 * SEC, honest_done, false);
	CHECK(body_ok(w, &w->c[w->n_cli - 1]),
	      "pool %s %llu: an honest newcomer is served with every receive ring held (%zu bytes)",
	      tag, (unsigned long long)seed, w->c[w->n_cli - 1].got);
	CHECK((!clean || st->rx_rings_full > 0) && st->rx_rings_evicted >= 1,
	      "pool %s %llu: it waited, then a stalled hog lost its ring (%llu refusals, %llu "
	      "evicted)",
	      tag, (unsigned long long)seed, (unsigned long long)st->rx_rings_full,
	      (unsigned long long)st->rx_rings_evicted);
	if (clean) {
		CHECK(w->c[IDLE].failed && !w->c[IDLE + 1].failed && !w->c[IDLE + 2].failed &&
		              !w->c[IDLE + 3].failed && st->rx_rings_evicted == 1,
		      "pool clean: the hog stalled longest (the first) was reset, and only it");
	}
	/* The remaining hogs are copied 16 KB they will not read: their copy
	 * rings stay held, and one more hog takes the last. */
	cli_open(w, HOG);
	run(w, 300 * MS, NULL, true);
	for (i = 0; i < w->n_srv; i++)
		held += w->sv[i].kind == HOG && w->sv[i].f;
	CHECK(st->copy_rings_used == RINGS,
	      "pool %s %llu: %u hogs that do not read hold the %u copy rings (%llu)", tag,
	      (unsigned long long)seed, held, RINGS, (unsigned long long)st->copy_rings_used);
	ev = st->copy_rings_evicted;
	/* An honest client now needs a copy ring for its response's header: its
	 * writer waits, and is woken when a stalled hog's ring is taken. */
	cli_open(w, HONEST);
	run(w, 20 * SEC, honest_done, true);
	CHECK(body_ok(w, &w->c[w->n_cli - 1]),
	      "pool %s %llu: an honest newcomer is served with every copy ring held", tag,
	      (unsigned long long)seed);
	CHECK(st->copy_waits > 0 && st->copy_rings_evicted > ev,
	      "pool %s %llu: its writer waited and a stalled reader lost its ring (%llu waits, "
	      "%llu evicted)",
	      tag, (unsigned long long)seed, (unsigned long long)st->copy_waits,
	      (unsigned long long)(st->copy_rings_evicted - ev));

	/* Recovery: the hogs and idlers go; the pools are whole; the next
	 * client is served with no refusal and no eviction. */
	w->drain = true;
	for (i = 0; i < w->n_cli; i++)
		if (w->c[i].f) {
			tcp_close(w->c[i].f);
			w->c[i].f = NULL;
			w->c[i].done = true;
		}
	run(w, 10 * SEC, NULL, false);
	CHECK(st->rx_rings_used == 0 && st->copy_rings_used == 0 && st->flows_open == 0,
	      "pool %s %llu: after the hogs go every ring is back (%llu receive, %llu copy, %llu "
	      "flows)",
	      tag, (unsigned long long)seed, (unsigned long long)st->rx_rings_used,
	      (unsigned long long)st->copy_rings_used, (unsigned long long)st->flows_open);
	full = st->rx_rings_full + st->copy_rings_full + st->copy_waits;
	ev = st->rx_rings_evicted + st->copy_rings_evicted;
	cli_open(w, HONEST);
	run(w, 20 * SEC, honest_done, false);
	CHECK(body_ok(w, &w->c[w->n_cli - 1]) &&
	              st->rx_rings_full + st->copy_rings_full + st->copy_waits == full &&
	              st->rx_rings_evicted + st->copy_rings_evicted == ev,
	      "pool %s %llu: recovered: the next client is served without waiting", tag,
	      (unsigned long long)seed);
	CHECK(st->rx_rings_peak <= RINGS && st->copy_rings_peak <= RINGS,
	      "pool %s %llu: the caps held (peak %llu receive, %llu copy rings of %u)", tag,
	      (unsigned long long)seed, (unsigned long long)st->rx_rings_peak,
	      (unsigned long long)st->copy_rings_peak, RINGS);
	world_free(w);
}

int main(int argc, char **argv)
{
	uint64_t seed;

	verbose = argc > 1 && strcmp(argv[1], "-v") == 0;
	scenario(1, 0.0);
	for (seed = 2; seed <= 5; seed++)
		scenario(seed, 0.02);
	return check_done();
}
