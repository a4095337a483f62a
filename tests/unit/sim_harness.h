/* SPDX-License-Identifier: MIT */
/* The harness the deterministic simulations share (test_sim over IPv4,
 * test_sim6 over IPv6 and dual stack).
 *
 * A node joins one of our stacks to one side of a simulated link
 * (platform/sim/simlink.h): every frame the stack builds is checked whole
 * before the link may corrupt it, and a large frame handed to the offload path
 * has its description checked, then is cut by net_gso_cut as the image's
 * fallback cuts it. A peer moves one stream each way over a TCP flow and
 * compares what it reads with what the other side sent. Beside them: the
 * link's seeded impairments, the bytes each direction carries, the command
 * line and the replay of a failing seed into a pcap.
 *
 * What differs between the tests is theirs: the frame and offload checks (struct
 * sim_checks, shared by both nodes of a run; a frame found broken counts in
 * (malformed), a wrongly described large frame aborts, since that is the
 * stack's own bug) and the stack's addresses (on top of sim_config). Nodes and
 * checks are the caller's and must outlive the stack; sim_stack_new allocates
 * the stack, which the caller frees. */
#ifndef UD_TESTS_SIM_HARNESS_H
#define UD_TESTS_SIM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/stack.h"
#include "platform/sim/simlink.h"

#define SIM_SEC 1000000000ull

struct sim_checks {
	/* True when the frame gathered from (iov, n) is whole. */
	bool (*frame_whole)(const struct plat_iov *iov, size_t n);
	/* Aborts when (g) describes wrongly the large frame of (len) bytes
	 * whose first (k) bytes are (h). */
	void (*gso_check)(const uint8_t *h, size_t k, size_t len, const struct net_gso *g);
	bool verbose;                 /* log each stack's lines to stderr */
	unsigned long long malformed; /* frames built with a wrong length or checksum */
};

struct sim_node {
	struct sim_link *l;
	int side;
	struct net_stack *s;
	struct sim_checks *chk;
};

/* (cfg) zeroed, then what every simulated stack has: a local MAC ending in
 * side + 1, a 1500-byte MTU, 16 flows, and 64 KiB offload when (tso). */
void sim_config(struct net_config *cfg, int side, bool tso);
/* A stack of (cfg) on (side) of (l), through (nd); offload when cfg->tso_max.
 * The stack's memory is not zeroed (see test_net). Aborts when out of memory. */
struct net_stack *sim_stack_new(struct sim_node *nd, struct sim_link *l, int side,
                                struct sim_checks *chk, const struct net_config *cfg);

/* Every frame the link holds for either side, into that side's stack. */
void sim_deliver(struct sim_link *l, struct net_stack *a, struct net_stack *b);
/* The earliest of both stacks' timers (run by net_poll) and the link's next
 * frame: UINT64_MAX when nothing is scheduled. */
uint64_t sim_next_deadline(struct sim_link *l, struct net_stack *a, struct net_stack *b);
/* True when (s) has released every flow and no TCP timer is left. */
bool sim_tcp_idle(struct net_stack *s, uint64_t now);

/* The link's impairments for (seed): loss from 0 to (max_loss_pct)%,
 * duplication, reordering, corruption, delay, jitter and a bandwidth limit. */
void sim_params_for(uint64_t seed, unsigned max_loss_pct, struct sim_params *p);
/* (len) bytes that are a function of (seed) and (salt), one salt a direction. */
void sim_pattern(uint8_t *buf, size_t len, uint64_t seed, uint64_t salt);

/* One end of a transfer: sends (out) and must receive exactly (want). */
struct sim_peer {
	struct tcp_flow *f;
	const uint8_t *out; /* what it sends */
	size_t out_len, out_off;
	const uint8_t *want; /* what it must receive */
	size_t want_len, got;
	bool by_ref, shut, eof, closed, mismatch, failed;
	bool parts;   /* many small chunks, copies and references in turn */
	uint32_t rnd; /* for the chunk sizes */
	unsigned connects;
};

/* Move one peer's data: send what fits, read what came, half-close when all
 * is sent, close once the other side's EOF is in as well. */
void sim_peer_step(struct sim_peer *p, bool verbose);

struct sim_args {
	uint64_t first, seeds, one; /* one: replay that seed alone (0: none) */
	const char *pcap;
	bool verbose;
};

/* --seeds N, --first S, --seed S, --pcap FILE and -v into (a), which holds
 * the test's defaults on entry. */
void sim_args_parse(struct sim_args *a, int argc, char **argv);
/* build/sim/STEM-SEED.pcap into (path), its folders made. */
void sim_replay_path(char *path, size_t cap, const char *stem, uint64_t seed);
/* What failed and the command that replays it (what: "" or "ipv6 "). */
void sim_replay_note(const char *what, uint64_t seed, const char *why, const char *self,
                     const char *path);

#endif
