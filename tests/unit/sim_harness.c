/* SPDX-License-Identifier: MIT */
/* The harness shared by the deterministic simulations: nodes, peers, the
 * link's seeded impairments and the replay of a failing seed. */
#include "tests/unit/sim_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool node_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	struct sim_node *nd = ctx;

	if (!nd->chk->frame_whole(iov, n))
		nd->chk->malformed++;
	return sim_send(nd->l, nd->side, iov, n);
}

/* A device with segmentation offload: the stack's description of its large
 * frame is checked by the test, then net_gso_cut (the image's fallback) cuts
 * it and every frame it makes is checked whole by node_send. */
static bool node_send_gso(void *ctx, const struct plat_iov *iov, size_t n, const struct net_gso *g)
{
	struct sim_node *nd = ctx;
	uint8_t h[14 + 40 + 60]; /* Ethernet, IPv6 (or IPv4) and the longest TCP header */
	size_t len = 0, i, k = 0;

	for (i = 0; i < n; i++)
		len += iov[i].len;
	for (i = 0; i < n && k < sizeof h; i++) {
		size_t c = iov[i].len < sizeof h - k ? iov[i].len : sizeof h - k;
		memcpy(h + k, iov[i].p, c);
		k += c;
	}
	nd->chk->gso_check(h, k, len, g);
	return net_gso_cut(iov, n, g, node_send, ctx);
}

static void node_random(void *ctx, void *buf, size_t len)
{
	struct sim_node *nd = ctx;

	sim_random_bytes(nd->l, buf, len);
}

static void node_log(void *ctx, const char *msg, size_t len)
{
	struct sim_node *nd = ctx;

	if (nd->chk->verbose)
		fprintf(stderr, "[%c %llu.%09llu] %.*s\n", 'A' + nd->side,
		        (unsigned long long)(nd->l->now / SIM_SEC),
		        (unsigned long long)(nd->l->now % SIM_SEC), (int)len, msg);
}

void sim_config(struct net_config *cfg, int side, bool tso)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->mac[0] = 0x02;
	cfg->mac[5] = (uint8_t)(side + 1);
	cfg->mtu = 1500;
	cfg->tcp_flows = 16;
	cfg->tso_max = tso ? 65535u : 0u;
}

struct net_stack *sim_stack_new(struct sim_node *nd, struct sim_link *l, int side,
                                struct sim_checks *chk, const struct net_config *cfg)
{
	struct net_ops ops = {nd, node_send, node_random, node_log,
	                      cfg->tso_max ? node_send_gso : NULL};
	size_t size = (net_stack_size(cfg) + 63) / 64 * 64;
	struct net_stack *s = aligned_alloc(64, size);

	if (!s)
		abort();
	memset(s, 0xa5, size); /* not zeroed: see test_net */
	nd->l = l;
	nd->side = side;
	nd->s = s;
	nd->chk = chk;
	net_init(s, cfg, &ops, l->now);
	return s;
}

void sim_deliver(struct sim_link *l, struct net_stack *a, struct net_stack *b)
{
	uint8_t frame[SIM_FRAME_MAX];
	size_t n;
	int side;

	for (side = 0; side < 2; side++)
		while ((n = sim_recv(l, side, frame, sizeof frame)) > 0)
			net_input(side ? b : a, frame, n, l->now);
}

uint64_t sim_next_deadline(struct sim_link *l, struct net_stack *a, struct net_stack *b)
{
	uint64_t next = net_poll(a, l->now), t;

	if ((t = net_poll(b, l->now)) < next)
		next = t;
	if (sim_next(l) < next)
		next = sim_next(l);
	return next;
}

bool sim_tcp_idle(struct net_stack *s, uint64_t now)
{
	uint32_t i;

	for (i = 0; i < s->tcp.fresh; i++)
		if (s->tcp.flows[i].used)
			return false;
	return tcp_poll(s, now) == UINT64_MAX;
}

void sim_params_for(uint64_t seed, unsigned max_loss_pct, struct sim_params *p)
{
	memset(p, 0, sizeof *p);
	p->loss = (double)(seed % (max_loss_pct + 1u)) / 100.0;
	p->dup = (seed % 3u) ? 0.01 : 0.0;
	p->reorder = (seed % 5u) ? 0.02 : 0.0;
	p->corrupt = (seed % 7u) ? 0.005 : 0.0;
	p->delay_ns = (1 + seed % 20u) * 1000000ull;
	p->jitter_ns = (seed % 4u) * 500000ull;
	p->bandwidth_bps = (10 + seed % 91u) * 1000000ull;
}

void sim_pattern(uint8_t *buf, size_t len, uint64_t seed, uint64_t salt)
{
	uint64_t x = seed * 0x9e3779b97f4a7c15ull + salt;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x >> 24);
	}
}

void sim_peer_step(struct sim_peer *p, bool verbose)
{
	uint8_t buf[8192];
	bool eof = false;
	size_t n;

	if (!p->f || p->closed)
		return;
	if (tcp_failed(p->f)) {
		p->failed = true;
		return;
	}
	while (p->out_off < p->out_len) {
		size_t k = p->out_len - p->out_off, most = p->by_ref ? 16384u : 3000u;
		bool ref = p->by_ref;
		if (p->parts) {
			/* A multipart response's shape: short copied boundaries and
			 * referenced ranges of 1 to 300 bytes, so that a segment spans
			 * more chunks than one frame gathers (issue 14, bug 2). */
			p->rnd = p->rnd * 1103515245u + 12345u;
			most = 1 + (p->rnd >> 16) % 300u;
			ref = (p->rnd >> 8) & 1;
		}
		if (k > most)
			k = most;
		if (!tcp_can_write(p->f, ref ? 0 : k, ref ? 1 : 0))
			break;
		if (ref)
			tcp_write_ref(p->f, p->out + p->out_off, k);
		else
			tcp_write_copy(p->f, p->out + p->out_off, k);
		p->out_off += k;
	}
	if (p->out_off == p->out_len && !p->shut) {
		tcp_shutdown(p->f);
		p->shut = true;
	}
	while ((n = tcp_read(p->f, buf, sizeof buf, &eof)) > 0) {
		if (p->got + n > p->want_len || memcmp(buf, p->want + p->got, n) != 0) {
			if (verbose && !p->mismatch)
				fprintf(stderr, "%s: %zu bytes at %zu differ from what was sent\n",
				        p->by_ref ? "server" : "client", n, p->got);
			p->mismatch = true;
		}
		p->got += n;
	}
	if (eof)
		p->eof = true;
	if (p->eof && p->shut) {
		tcp_close(p->f);
		p->closed = true;
	}
}

void sim_args_parse(struct sim_args *a, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
			a->seeds = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--first") && i + 1 < argc)
			a->first = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			a->one = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--pcap") && i + 1 < argc)
			a->pcap = argv[++i];
		else if (!strcmp(argv[i], "-v"))
			a->verbose = true;
	}
}

void sim_replay_path(char *path, size_t cap, const char *stem, uint64_t seed)
{
	mkdir("build", 0755);
	mkdir("build/sim", 0755);
	snprintf(path, cap, "build/sim/%s-%llu.pcap", stem, (unsigned long long)seed);
}

void sim_replay_note(const char *what, uint64_t seed, const char *why, const char *self,
                     const char *path)
{
	fprintf(stderr, "%sseed %llu failed: %s\n  replay: %s --seed %llu -v --pcap %s\n", what,
	        (unsigned long long)seed, why, self, (unsigned long long)seed, path);
}
