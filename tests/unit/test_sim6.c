/* SPDX-License-Identifier: MIT */
/* Deterministic simulation over IPv6 (issue 18): two of our stacks, each with
 * only IPv6 (a link-local and a static global address, no IPv4), on the
 * simulated link (platform/sim) with seeded loss, reordering, duplication,
 * corruption, delay and a bandwidth limit.
 *
 * Every seed: both stacks run duplicate address detection and announce
 * themselves (MLDv2, unsolicited NA); the client resolves the server by
 * neighbour discovery, over the same lossy link, and connects to its global
 * address (its link-local one on every fourth seed); both send a stream each
 * way, half-close, read the other's to EOF, compare byte for byte and close;
 * then time runs on until both have released every flow and no TCP timer is
 * left. Every frame either stack builds is checked whole (the IPv6 payload
 * length, the TCP and ICMPv6 checksums over the IPv6 pseudo-header) before
 * the link may corrupt it. On odd seeds both stacks use segmentation offload:
 * their large IPv6 frames are cut by net_gso_cut, as the image's fallback cuts
 * them. After the seeds, a dual-stack run: an IPv4 and an IPv6 flow at once
 * between the same stacks.
 *
 * Usage: test_sim6 [--seeds N] [--first S] [--seed S [--pcap FILE]] [-v]
 * A failing seed prints the command that replays it and writes
 * build/sim/seed6-S.pcap of that run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"
#include "net/cksum.h"
#include "net/stack.h"
#include "platform/sim/simlink.h"
#include "tests/unit/check.h"
#include "tests/unit/sim_harness.h"

#define PORT      7u
#define LEN       (128u * 1024u)
#define LIMIT_NS  (4ull * 3600ull * 1000000000ull)
#define MAX_ITERS 20000000ull
#define SEC       SIM_SEC

static bool verbose;
static const char *self = "test_sim6";
static unsigned long long frames6, gso_frames;

static const uint8_t global6[2][16] = {
        {0x20, 0x01, 0x0d, 0xb8, 0, 0x66, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
        {0x20, 0x01, 0x0d, 0xb8, 0, 0x66, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2},
};

/* Every IPv6 frame must be whole: the payload length is the frame's (less
 * Ethernet padding), the extension headers we send (hop-by-hop for MLD) are
 * well formed, and the TCP or ICMPv6 checksum holds. */
static bool frame_whole(const struct plat_iov *iov, size_t n)
{
	static uint8_t f[70000];
	size_t len = 0, i, off = 40, plen;
	const uint8_t *ip = f + 14;
	struct cksum c;
	uint8_t nh;

	for (i = 0; i < n; i++) {
		if (len + iov[i].len > sizeof f)
			return false;
		memcpy(f + len, iov[i].p, iov[i].len);
		len += iov[i].len;
	}
	if (len < 14 || get_u16be(f + 12) != 0x86dd)
		return len >= 14;
	frames6++;
	if (len < 54 || ip[0] >> 4 != 6)
		return false;
	plen = get_u16be(ip + 4);
	if (14 + 40 + plen > len || (14 + 40 + plen < len && len > 60))
		return false;
	nh = ip[6];
	if (nh == 0) { /* hop-by-hop (MLD's router alert) */
		if (plen < 8 || ((size_t)ip[41] + 1) * 8 > plen)
			return false;
		nh = ip[40];
		off += ((size_t)ip[41] + 1) * 8;
	}
	if (nh != 6 && nh != 58)
		return false; /* we send nothing else */
	cksum_init(&c);
	cksum_pseudo6(&c, ip + 8, ip + 24, nh, (uint32_t)(40 + plen - off));
	cksum_add(&c, ip + off, 40 + plen - off);
	return cksum_finish(&c) == 0;
}

/* The stack's description of its large frame (h: its first k bytes): IPv6,
 * or the dual-stack seeds' IPv4 flow. */
static void gso_check(const uint8_t *h, size_t k, size_t len, const struct net_gso *g)
{
	if (k >= 54 && get_u16be(h + 12) == 0x0800) { /* the dual-stack seeds' IPv4 flow */
		if (g->csum_start != 34 || g->csum_offset != 16)
			abort();
		return;
	}
	if (k < 74 || get_u16be(h + 12) != 0x86dd || g->csum_start != 54 || g->csum_offset != 16 ||
	    g->hdr_len != 54u + (size_t)(h[54 + 12] >> 4) * 4u || len - 54 != get_u16be(h + 18) ||
	    len - g->hdr_len <= g->mss)
		abort(); /* the stack described its frame wrongly */
	gso_frames++;
}

static struct sim_checks checks = {frame_whole, gso_check, false, 0};

static struct net_stack *stack_new(struct sim_node *nd, struct sim_link *l, int side, bool v4,
                                   bool tso)
{
	struct net_config cfg;

	sim_config(&cfg, side, tso);
	cfg.mac[4] = 0x66;
	if (v4) {
		cfg.addr = 0x0a000001u + (uint32_t)side;
		cfg.prefix_len = 24;
	}
	cfg.ipv6 = true;
	memcpy(cfg.addr6, global6[side], 16);
	cfg.prefix6 = 64;
	return sim_stack_new(nd, l, side, &checks, &cfg);
}

struct result {
	bool ok;
	char why[200];
	uint64_t rexmits, nd_resolved, nd_failed, dad_ok;
};

/* Open the client's flow: IPv6 to (dst), or IPv4 when (v4). */
static struct tcp_flow *connect_to(struct net_stack *a, const struct net_stack *b, bool v4,
                                   uint64_t now)
{
	if (v4)
		return tcp_connect(a, 0x0a000002u, PORT, now);
	(void)b;
	return tcp_connect6(a, global6[1], PORT, now);
}

/* One seed: (nflows) transfers at once (the first over IPv4 when dual). */
static struct result run_seed(uint64_t seed, const char *pcap, bool dual)
{
	struct result r;
	struct sim_params prm;
	struct sim_link l;
	struct sim_node na = {0}, nb = {0};
	struct net_stack *a, *b;
	struct sim_peer cli[2], srv[2];
	size_t nflows = dual ? 2 : 1, k;
	uint8_t *pa = malloc(LEN), *pb = malloc(LEN), ll[16];
	uint64_t iters = 0;
	bool done = false, use_ll = !dual && seed % 4u == 0;

	memset(&r, 0, sizeof r);
	sim_params_for(seed, 15, &prm);
	if (!pa || !pb || !sim_init(&l, seed, &prm))
		abort();
	if (pcap && !sim_pcap(&l, pcap))
		fprintf(stderr, "cannot write %s\n", pcap);
	sim_pattern(pa, LEN, seed, 7);
	sim_pattern(pb, LEN, seed, 8);
	a = stack_new(&na, &l, 0, dual, seed & 1);
	b = stack_new(&nb, &l, 1, dual, seed & 1);
	memcpy(ll, b->ip6.ll.a, 16);
	tcp_listen(b, PORT, 8);
	memset(cli, 0, sizeof cli);
	memset(srv, 0, sizeof srv);
	for (k = 0; k < 2; k++) {
		cli[k].out = srv[k].want = pa;
		srv[k].out = cli[k].want = pb;
		cli[k].out_len = srv[k].out_len = LEN;
		cli[k].want_len = srv[k].want_len = LEN;
		srv[k].by_ref = true;
	}
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
		/* The client connects once both addresses passed DAD (a flow to a
		 * tentative source could not be sent), again after a failure
		 * before any byte moved (a SYN lost thrice, or ND failing). */
		for (k = 0; k < nflows; k++) {
			struct sim_peer *c = &cli[k];
			if (!ipv6_is_ours(a, use_ll ? a->ip6.ll.a : global6[0]))
				break;
			if (c->f && !(c->failed && c->got == 0 && c->out_off == 0))
				continue;
			if (c->f)
				tcp_close(c->f);
			c->failed = false;
			if (++c->connects > 8) {
				snprintf(r.why, sizeof r.why, "could not connect in 8 tries");
				goto out;
			}
			c->f = use_ll ? tcp_connect6(a, ll, PORT, l.now)
			              : connect_to(a, b, dual && k == 0, l.now);
		}
		while (tcp_ready_next(b, &f, &rl))
			for (k = 0; rl && k < nflows; k++)
				if (!srv[k].f) {
					srv[k].f = tcp_accept(rl);
					break;
				}
		while (tcp_ready_next(a, &f, &rl))
			;
		done = true;
		for (k = 0; k < nflows; k++) {
			sim_peer_step(&srv[k], verbose);
			sim_peer_step(&cli[k], verbose);
			if (cli[k].mismatch || srv[k].mismatch ||
			    (cli[k].failed && (cli[k].got || cli[k].out_off)) || srv[k].failed) {
				snprintf(r.why, sizeof r.why, "%s",
				         cli[k].mismatch || srv[k].mismatch
				                 ? "received bytes differ"
				                 : "a connection failed mid-transfer");
				goto out;
			}
			done = done && cli[k].closed && srv[k].closed;
		}
		done = done && sim_tcp_idle(a, l.now) && sim_tcp_idle(b, l.now);
		if (done)
			break;
		next = sim_next_deadline(&l, a, b);
		if (next == UINT64_MAX) {
			snprintf(r.why, sizeof r.why,
			         "stuck: nothing scheduled (client got %zu/%u, server got %zu)",
			         cli[0].got, LEN, srv[0].got);
			break;
		}
		if (next > l.now)
			l.now = next;
	}
	if (done) {
		if (checks.malformed)
			snprintf(r.why, sizeof r.why, "%llu frames built malformed",
			         checks.malformed);
		else if (cli[0].got != LEN || srv[0].got != LEN ||
		         (dual && (cli[1].got != LEN || srv[1].got != LEN)))
			snprintf(r.why, sizeof r.why, "short: client got %zu, server got %zu",
			         cli[0].got, srv[0].got);
		else if (a->ip6.nd.dad_conflicts + b->ip6.nd.dad_conflicts)
			snprintf(r.why, sizeof r.why,
			         "a duplicate address detected on a link of two");
		else
			r.ok = true;
	}
out:
	r.rexmits = a->tcp.stats.rexmits + b->tcp.stats.rexmits;
	r.nd_resolved = a->ip6.nd.resolved + b->ip6.nd.resolved;
	r.nd_failed = a->ip6.nd.failed + b->ip6.nd.failed;
	r.dad_ok = a->ip6.nd.dad_ok + b->ip6.nd.dad_ok;
	if (verbose)
		fprintf(stderr,
		        "seed %llu: %s; %llu ms virtual, loss %.2f, sent %llu lost %llu dup %llu "
		        "reord %llu corrupt %llu; rexmits %llu, nd resolved %llu failed %llu\n",
		        (unsigned long long)seed, r.ok ? "ok" : r.why,
		        (unsigned long long)(l.now / 1000000u), prm.loss,
		        (unsigned long long)l.stats.sent, (unsigned long long)l.stats.lost,
		        (unsigned long long)l.stats.duplicated,
		        (unsigned long long)l.stats.reordered,
		        (unsigned long long)l.stats.corrupted, (unsigned long long)r.rexmits,
		        (unsigned long long)r.nd_resolved, (unsigned long long)r.nd_failed);
	sim_fini(&l);
	free(a);
	free(b);
	free(pa);
	free(pb);
	return r;
}

int main(int argc, char **argv)
{
	struct sim_args args = {1, 500, 0, NULL, false};
	uint64_t s;
	uint64_t rexmits = 0, resolved = 0, nd_failed = 0, dad = 0;
	unsigned failed = 0;

	self = argv[0];
	sim_args_parse(&args, argc, argv);
	verbose = checks.verbose = args.verbose;
	if (args.one) {
		struct result r = run_seed(args.one, args.pcap, false);
		CHECK(r.ok, "ipv6 seed %llu: %s", (unsigned long long)args.one,
		      r.ok ? "ok" : r.why);
		return check_done();
	}
	frames6 = gso_frames = 0;
	for (s = args.first; s < args.first + args.seeds; s++) {
		struct result r = run_seed(s, NULL, false);
		if (!r.ok) {
			char path[64];
			failed++;
			sim_replay_path(path, sizeof path, "seed6", s);
			run_seed(s, path, false);
			sim_replay_note("ipv6 ", s, r.why, self, path);
		}
		rexmits += r.rexmits;
		resolved += r.nd_resolved;
		nd_failed += r.nd_failed;
		dad += r.dad_ok;
	}
	CHECK(failed == 0,
	      "%llu IPv6 seeds (loss 0-15%%, dup, reorder, corruption; a quarter to the "
	      "link-local address): %u failed",
	      (unsigned long long)args.seeds, failed);
	CHECK(frames6 > 0 && rexmits > 0 && resolved >= args.seeds &&
	              dad >= 4 * args.seeds - 4 * failed,
	      "the seeds ran IPv6 for real: %llu IPv6 frames, %llu retransmissions, %llu "
	      "neighbours resolved (%llu resolutions failed on the lossy link), %llu addresses "
	      "through DAD",
	      frames6, (unsigned long long)rexmits, (unsigned long long)resolved,
	      (unsigned long long)nd_failed, (unsigned long long)dad);
	CHECK(args.seeds < 2 || gso_frames > 0,
	      "segmentation offload over IPv6 on odd seeds: %llu large frames, cut by net_gso_cut "
	      "and every frame whole",
	      gso_frames);
	for (s = 1; s <= 6; s++) {
		struct result r = run_seed(1000 + s * 5, NULL, true);
		CHECK(r.ok, "dual stack, seed %llu: an IPv4 and an IPv6 flow at once: %s",
		      (unsigned long long)(1000 + s * 5), r.ok ? "both streams intact" : r.why);
	}
	return check_done();
}
