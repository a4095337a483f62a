/* SPDX-License-Identifier: MIT */
/* Deterministic simulation: two of our stacks on a simulated link
 * (platform/sim) with virtual time and seeded loss, reordering, duplication,
 * corruption, delay and a bandwidth limit.
 *
 * Every seed: a client connects, both sides send a stream in each direction
 * (the client by copy, the server by reference, as the HTTP layer does),
 * half-close, read the other's stream to EOF, compare it byte for byte, close;
 * then time runs on until both stacks have released every flow and no TCP
 * timer is left. Every 50th seed moves 4 MB each way; the others 256 KB. On
 * odd seeds both stacks use segmentation offload: their large frames are cut
 * by node_send_gso below the way Linux's TAP device cuts them. A few
 * seeds then run HTTP over the lossy link through the platform seam: two
 * simulated machines (platform/sim/simplat.c) each run the VM image's server
 * and loop (app/server.c: the stack, app/netsrv.c, HTTP, the app, unchanged)
 * and each fetches from the other.
 *
 * Usage: test_sim [--seeds N] [--first S] [--seed S [--pcap FILE]] [-v]
 * A failing seed prints the command that replays it and writes
 * build/sim/seed-S.pcap of that run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/server.h"
#include "lib/cursor.h"
#include "net/cksum.h"
#include "net/stack.h"
#include "platform/sim/simlink.h"
#include "platform/sim/simplat.h"
#include "tests/unit/check.h"
#include "tests/unit/http_fake.h"
#include "tests/unit/sim_harness.h"

#define ADDR_A    0x0a000001u /* 10.0.0.1, the client */
#define ADDR_B    0x0a000002u /* 10.0.0.2, the server */
#define PORT      7u
#define SMALL     (256u * 1024u)
#define LARGE     (4u * 1024u * 1024u)
#define LIMIT_NS  (4ull * 3600ull * 1000000000ull) /* virtual time allowed per seed */
#define MAX_ITERS 20000000ull
#define SEC       SIM_SEC

static bool verbose;
static const char *self = "test_sim";

/* Every frame a stack builds must be whole: its IPv4 length is the frame's
 * (less Ethernet padding), and the IPv4 and transport checksums hold. A frame
 * the link would corrupt is checked before it does. */
static bool frame_whole(const struct plat_iov *iov, size_t n)
{
	static uint8_t f[70000];
	size_t len = 0, i, ihl, tot;
	const uint8_t *ip = f + 14;
	struct cksum c;

	for (i = 0; i < n; i++) {
		if (len + iov[i].len > sizeof f)
			return false;
		memcpy(f + len, iov[i].p, iov[i].len);
		len += iov[i].len;
	}
	if (len < 14 || get_u16be(f + 12) != 0x0800)
		return len >= 14;
	if (len < 34)
		return false;
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get_u16be(ip + 2);
	if (ihl < 20 || tot < ihl || 14 + tot > len || (14 + tot < len && len > 60))
		return false;
	cksum_init(&c);
	cksum_add(&c, ip, ihl);
	if (cksum_finish(&c) != 0)
		return false;
	if ((get_u16be(ip + 6) & 0x3fff) || ip[9] != 6)
		return true;
	cksum_init(&c);
	cksum_pseudo(&c, get_u32be(ip + 12), get_u32be(ip + 16), 6, (uint16_t)(tot - ihl));
	cksum_add(&c, ip + ihl, tot - ihl);
	return cksum_finish(&c) == 0;
}

/* The stack's description of its large IPv4 frame (h: its first k bytes). */
static void gso_check(const uint8_t *h, size_t k, size_t len, const struct net_gso *g)
{
	if (k < 54 || g->hdr_len != 14u + 20u + (size_t)(h[14 + 20 + 12] >> 4) * 4u ||
	    g->csum_start != 34 || g->csum_offset != 16 || len <= g->hdr_len ||
	    len - 14 != get_u16be(h + 16) || len - g->hdr_len <= g->mss)
		abort(); /* the stack described its frame wrongly */
}

static struct sim_checks checks = {frame_whole, gso_check, false, 0};

static struct net_stack *stack_new(struct sim_node *nd, struct sim_link *l, int side, uint32_t addr,
                                   bool tso)
{
	struct net_config cfg;

	sim_config(&cfg, side, tso);
	cfg.addr = addr;
	cfg.prefix_len = 24;
	return sim_stack_new(nd, l, side, &checks, &cfg);
}

struct result {
	bool ok;
	char why[160];
	uint64_t vtime, rexmits, fast, sack, timeouts, tso;
};

/* One seed of the bulk transfer. */
static struct result run_seed(uint64_t seed, const char *pcap)
{
	struct result r;
	struct sim_params prm;
	struct sim_link l;
	struct sim_node na = {0}, nb = {0};
	struct net_stack *a, *b;
	struct tcp_listener *ls;
	struct sim_peer cli, srv;
	size_t len = seed % 50u == 0 ? LARGE : SMALL;
	uint8_t *pa = malloc(len), *pb = malloc(len);
	uint64_t iters = 0;
	bool done = false;

	memset(&r, 0, sizeof r);
	sim_params_for(seed, 20, &prm);
	if (!pa || !pb || !sim_init(&l, seed, &prm))
		abort();
	if (pcap && !sim_pcap(&l, pcap))
		fprintf(stderr, "cannot write %s\n", pcap);
	sim_pattern(pa, len, seed, 1);
	sim_pattern(pb, len, seed, 2);
	a = stack_new(&na, &l, 0, ADDR_A, seed & 1);
	b = stack_new(&nb, &l, 1, ADDR_B, seed & 1);
	ls = tcp_listen(b, PORT, 8);
	memset(&cli, 0, sizeof cli);
	memset(&srv, 0, sizeof srv);
	cli.out = pa;
	cli.out_len = len;
	cli.want = pb;
	cli.want_len = len;
	srv.out = pb;
	srv.out_len = len;
	srv.want = pa;
	srv.want_len = len;
	srv.by_ref = true;
	/* Every third seed the server answers in many small parts. */
	srv.parts = seed % 3u == 0;
	srv.rnd = (uint32_t)seed;
	checks.malformed = 0;
	while (!done) {
		struct tcp_flow *f;
		struct tcp_listener *rl;
		uint64_t next;

		if (++iters > MAX_ITERS || l.now > LIMIT_NS) {
			snprintf(r.why, sizeof r.why,
			         "no progress: %llu iterations, %llu s virtual",
			         (unsigned long long)iters, (unsigned long long)(l.now / SEC));
			break;
		}
		sim_deliver(&l, a, b);
		/* The client (re)connects when it has no live flow. */
		if (!cli.f || (cli.failed && cli.got == 0 && cli.out_off == 0)) {
			if (cli.f)
				tcp_close(cli.f);
			cli.failed = false;
			if (++cli.connects > 5) {
				snprintf(r.why, sizeof r.why, "could not connect in 5 tries");
				break;
			}
			cli.f = tcp_connect(a, ADDR_B, PORT, l.now);
		}
		while (tcp_ready_next(b, &f, &rl))
			if (rl && !srv.f)
				srv.f = tcp_accept(rl);
		while (tcp_ready_next(a, &f, &rl))
			;
		sim_peer_step(&srv, verbose);
		sim_peer_step(&cli, verbose);
		if (cli.mismatch || srv.mismatch || (cli.failed && (cli.got || cli.out_off)) ||
		    srv.failed) {
			snprintf(r.why, sizeof r.why, "%s",
			         cli.mismatch || srv.mismatch ? "received bytes differ"
			                                      : "a connection failed mid-transfer");
			break;
		}
		next = sim_next_deadline(&l, a, b);
		if (cli.closed && srv.closed && sim_tcp_idle(a, l.now) && sim_tcp_idle(b, l.now)) {
			done = true;
			break;
		}
		if (next == UINT64_MAX && verbose) {
			uint32_t k;
			for (k = 0; k < a->tcp.fresh; k++)
				if (a->tcp.flows[k].used)
					fprintf(stderr, "A flow %u state %d rel %d\n", k,
					        a->tcp.flows[k].state, a->tcp.flows[k].released);
			for (k = 0; k < b->tcp.fresh; k++)
				if (b->tcp.flows[k].used)
					fprintf(stderr, "B flow %u state %d rel %d\n", k,
					        b->tcp.flows[k].state, b->tcp.flows[k].released);
		}
		if (next == UINT64_MAX) {
			snprintf(r.why, sizeof r.why,
			         "stuck: nothing scheduled (client got %zu/%zu eof %d closed %d; "
			         "server got %zu eof %d closed %d state %d used %d fin %d)",
			         cli.got, len, cli.eof, cli.closed, srv.got, srv.eof, srv.closed,
			         srv.f ? srv.f->state : -1, srv.f ? srv.f->used : -1,
			         srv.f ? srv.f->peer_fin : -1);
			break;
		}
		if (next > l.now)
			l.now = next;
	}
	if (done) {
		if (checks.malformed)
			snprintf(r.why, sizeof r.why, "%llu frames built malformed",
			         checks.malformed);
		else if (cli.got != len || srv.got != len)
			snprintf(r.why, sizeof r.why,
			         "short: client got %zu, server got %zu of %zu", cli.got, srv.got,
			         len);
		else if (b->ip.stats.reasm_ok + a->ip.stats.reasm_ok)
			snprintf(r.why, sizeof r.why, "unexpected fragments");
		else
			r.ok = true;
	}
	(void)ls;
	r.vtime = l.now;
	r.rexmits = a->tcp.stats.rexmits + b->tcp.stats.rexmits;
	r.fast = a->tcp.stats.fast_rexmits + b->tcp.stats.fast_rexmits;
	r.sack = a->tcp.stats.sack_rexmits + b->tcp.stats.sack_rexmits;
	r.timeouts = a->tcp.stats.rexmit_timeouts + b->tcp.stats.rexmit_timeouts;
	r.tso = a->tcp.stats.tso_sends + b->tcp.stats.tso_sends;
	if (verbose)
		fprintf(stderr,
		        "seed %llu: %s; %llu ms virtual, loss %.2f, sent %llu lost %llu dup %llu "
		        "reord %llu corrupt %llu overflow %llu; rexmits %llu fast %llu sack %llu "
		        "rto %llu\n",
		        (unsigned long long)seed, r.ok ? "ok" : r.why,
		        (unsigned long long)(l.now / 1000000u), prm.loss,
		        (unsigned long long)l.stats.sent, (unsigned long long)l.stats.lost,
		        (unsigned long long)l.stats.duplicated,
		        (unsigned long long)l.stats.reordered,
		        (unsigned long long)l.stats.corrupted, (unsigned long long)l.stats.overflow,
		        (unsigned long long)r.rexmits, (unsigned long long)r.fast,
		        (unsigned long long)r.sack, (unsigned long long)r.timeouts);
	sim_fini(&l);
	free(a);
	free(b);
	free(pa);
	free(pb);
	return r;
}

/* One machine's HTTP client: a raw flow on that machine's own stack, asking
 * the other machine's server for a 200 and a 206. */
struct hclient {
	struct tcp_flow *f;
	bool sent, eof;
	uint8_t got[65536];
	size_t got_len;
};

static const char http_req[] = "GET /d/a.txt HTTP/1.1\r\nHost: sim\r\n\r\n"
                               "GET /d/v.mp4 HTTP/1.1\r\nHost: sim\r\nRange: bytes=100-299\r\n"
                               "Connection: close\r\n\r\n";

/* Called with the client's machine entered (its sends go out its NIC). */
static bool hclient_step(struct hclient *c, struct net_stack *s, uint32_t to, uint64_t now)
{
	size_t n;

	if (!c->f && !(c->f = tcp_connect(s, to, 80, now)))
		return false;
	if (tcp_established(c->f) && !c->sent && tcp_can_write(c->f, sizeof http_req - 1, 0)) {
		tcp_write_copy(c->f, http_req, sizeof http_req - 1);
		c->sent = true;
	}
	while (!c->eof &&
	       (n = tcp_read(c->f, c->got + c->got_len, sizeof c->got - c->got_len, &c->eof)) > 0)
		c->got_len += n;
	return !tcp_failed(c->f);
}

/* The two responses: a 200 with a.txt's bytes, then a 206 with v.mp4[100, 300). */
static bool responses_right(const struct hclient *c)
{
	struct store_entry txt, vid;
	const uint8_t *got = c->got, *p, *q;
	size_t got_len = c->got_len, tl;

	store_lookup(fake_store(), "/d/a.txt", 8, &txt);
	store_lookup(fake_store(), "/d/v.mp4", 8, &vid);
	tl = txt.rep[STORE_ENC_IDENTITY].body_len;
	p = memmem(got, got_len, "\r\n\r\n", 4);
	if (got_len < 12 || memcmp(got, "HTTP/1.1 200", 12) != 0 || !p ||
	    (size_t)(got + got_len - (p + 4)) <= tl ||
	    memcmp(p + 4, txt.rep[STORE_ENC_IDENTITY].body, tl) != 0)
		return false;
	q = p + 4 + tl;
	if (memcmp(q, "HTTP/1.1 206", 12) != 0)
		return false;
	p = memmem(q, (size_t)(got + got_len - q), "\r\n\r\n", 4);
	return p && p + 4 + 200 == got + got_len &&
	       memcmp(p + 4, vid.rep[STORE_ENC_IDENTITY].body + 100, 200) == 0;
}

/* Every frame a machine's stack built is checked before the link takes it. */
static void observe_frame(void *ctx, const struct plat_iov *iov, size_t n)
{
	(void)ctx;
	if (!frame_whole(iov, n))
		checks.malformed++;
}

/* HTTP over the lossy link through the platform seam: two machines
 * (platform/sim/simplat.c), each running app/server.c's assembly and loop,
 * the same code as the VM image, over the fake store; each machine's client
 * fetches from the other's server. Two servers in one process: each turn is
 * made with its machine entered. */
static struct result run_http(uint64_t seed)
{
	static const uint32_t addr[2] = {ADDR_A, ADDR_B};
	struct result r;
	struct sim_params prm;
	struct sim_link l;
	struct sim_machine m[2];
	struct server *sv[2] = {NULL, NULL};
	void *mem[2] = {NULL, NULL};
	static struct hclient c[2];
	uint64_t iters = 0;
	bool failed = false;
	int side;

	memset(&r, 0, sizeof r);
	sim_params_for(seed, 20, &prm);
	if (!sim_init(&l, seed, &prm))
		abort();
	checks.malformed = 0;
	for (side = 0; side < 2; side++) {
		struct server_opts o;
		size_t len;
		enum server_result sr;

		sim_machine_init(&m[side], &l, side);
		m[side].tso = seed & 1;
		m[side].verbose = verbose;
		m[side].observe = observe_frame;
		memset(&o, 0, sizeof o);
		memcpy(o.net.mac, m[side].mac, 6);
		o.net.mtu = m[side].mtu;
		o.net.tso_max = m[side].tso ? 65535u : 0u;
		o.net.addr = addr[side];
		o.net.prefix_len = 24;
		o.net.tcp_flows = 8;
		o.port = 80;
		o.http_bufs = 4;
		o.header_timeout_ns = 10 * SEC;
		o.idle_timeout_ns = 60 * SEC;
		o.send_timeout_ns = 30 * SEC;
		o.token = "simulation-presenter-token";
		o.token_len = strlen(o.token);
		len = server_size(&o);
		sv[side] = malloc(sizeof *sv[side]);
		mem[side] = aligned_alloc(64, (len + 63) / 64 * 64);
		if (!sv[side] || !mem[side])
			abort();
		memset(mem[side], 0xa5, len); /* not zeroed: the layers set up what they use */
		sim_enter(&m[side]);
		sr = server_setup(sv[side], &o, fake_store(), mem[side], len);
		if (sr != SERVER_OK) {
			snprintf(r.why, sizeof r.why, "server_setup on %c: %d", 'A' + side, sr);
			failed = true;
		}
		memset(&c[side], 0, sizeof c[side]);
	}
	while (!failed && !(c[0].eof && c[1].eof) && ++iters < MAX_ITERS && l.now < LIMIT_NS) {
		uint64_t next = sim_next(&l), t;

		for (side = 0; side < 2 && !failed; side++) {
			sim_enter(&m[side]);
			if (!c[side].eof &&
			    !hclient_step(&c[side], sv[side]->s, addr[!side], l.now)) {
				snprintf(r.why, sizeof r.why, "%c's connection failed", 'A' + side);
				failed = true;
			}
			if ((t = server_turn(sv[side])) < next)
				next = t;
			if (m[side].wake < next) /* nothing sleeps here, but a turn may ask */
				next = m[side].wake;
		}
		sim_enter(NULL);
		if (next == UINT64_MAX)
			break;
		if (next > l.now)
			l.now = next;
	}
	for (side = 0; side < 2; side++) {
		if (failed)
			break;
		if (!c[side].eof) {
			snprintf(r.why, sizeof r.why, "%c: no EOF: %zu bytes in", 'A' + side,
			         c[side].got_len);
			failed = true;
		} else if (!responses_right(&c[side])) {
			snprintf(r.why, sizeof r.why, "%c: responses wrong (%zu bytes)", 'A' + side,
			         c[side].got_len);
			failed = true;
		} else if (m[side].tso_bad) {
			snprintf(r.why, sizeof r.why, "%c: %llu large frames described wrongly",
			         'A' + side, (unsigned long long)m[side].tso_bad);
			failed = true;
		} else if (sv[side]->srv.stats.requests < 2) {
			snprintf(r.why, sizeof r.why, "%c's server counted %llu requests",
			         'A' + side, (unsigned long long)sv[side]->srv.stats.requests);
			failed = true;
		}
	}
	if (!failed && checks.malformed) {
		snprintf(r.why, sizeof r.why, "%llu frames built malformed", checks.malformed);
		failed = true;
	}
	r.ok = !failed;
	for (side = 0; side < 2; side++) {
		sim_enter(&m[side]);
		if (c[side].f)
			tcp_close(c[side].f);
	}
	sim_enter(NULL);
	r.vtime = l.now;
	sim_fini(&l);
	for (side = 0; side < 2; side++) {
		free(sv[side]);
		free(mem[side]);
	}
	return r;
}

static void report_failure(uint64_t seed, const struct result *r)
{
	char path[64];

	sim_replay_path(path, sizeof path, "seed", seed);
	run_seed(seed, path);
	sim_replay_note("", seed, r->why, self, path);
}

int main(int argc, char **argv)
{
	struct sim_args args = {1, 1000, 0, NULL, false};
	uint64_t s;
	unsigned failed = 0, lossy = 0;
	uint64_t rexmits = 0, fast = 0, sack = 0, timeouts = 0, tso_odd = 0, tso_even = 0;

	self = argv[0];
	sim_args_parse(&args, argc, argv);
	verbose = checks.verbose = args.verbose;
	if (args.one) {
		struct result r = run_seed(args.one, args.pcap);
		CHECK(r.ok, "seed %llu: %s", (unsigned long long)args.one, r.ok ? "ok" : r.why);
		return check_done();
	}
	for (s = args.first; s < args.first + args.seeds; s++) {
		struct result r = run_seed(s, args.pcap);
		if (!r.ok) {
			failed++;
			report_failure(s, &r);
		}
		lossy += s % 21u >= 10u;
		rexmits += r.rexmits;
		fast += r.fast;
		sack += r.sack;
		timeouts += r.timeouts;
		tso_odd += (s & 1) ? r.tso : 0;
		tso_even += (s & 1) ? 0 : r.tso;
	}
	CHECK(failed == 0, "%llu seeds (loss 0-20%%, dup, reorder, corruption): %u failed",
	      (unsigned long long)args.seeds, failed);
	/* The loss was real and recovery used every mechanism. */
	CHECK(args.seeds < 100 || (rexmits > 0 && fast > 0 && sack > 0 && timeouts > 0),
	      "recovery used: %llu retransmissions, %llu fast, %llu chosen by SACK, %llu timeouts",
	      (unsigned long long)rexmits, (unsigned long long)fast, (unsigned long long)sack,
	      (unsigned long long)timeouts);
	CHECK(args.seeds < 2 || (tso_odd > 0 && tso_even == 0),
	      "segmentation offload: %llu large frames on odd seeds, %llu on even ones",
	      (unsigned long long)tso_odd, (unsigned long long)tso_even);
	for (s = 1; s <= 12; s++) {
		struct result r = run_http(s * 7);
		CHECK(r.ok, "HTTP through the seam, two servers, seed %llu (loss %llu%%): %s",
		      (unsigned long long)(s * 7), (unsigned long long)(s * 7 % 21u),
		      r.ok ? "each machine's 200 and 206 bodies match the store" : r.why);
	}
	(void)lossy;
	return check_done();
}
