/* SPDX-License-Identifier: MIT */
/* A simulated Ethernet link between two stacks, in virtual time.
 *
 * Everything is decided by one seeded PRNG, so a run is a pure function of its
 * seed and parameters and any failure replays exactly. Each frame sent by one
 * side is, in order: dropped (loss), or copied; possibly corrupted (one bit
 * flipped), duplicated, and delayed past later frames (reordering); then
 * delivered to the other side after the serialisation time of the bandwidth
 * limit plus the propagation delay and jitter. A bounded queue per direction
 * drops what overflows it, as a real switch buffer would.
 *
 * The link can record a pcap of every frame as delivered (what each receiver
 * saw), for Wireshark or tcpdump -r. */
#ifndef UD_SIM_SIMLINK_H
#define UD_SIM_SIMLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "platform/platform.h"

#define SIM_QUEUE     2048u /* frames in flight per direction */
#define SIM_FRAME_MAX 1536u

struct sim_params {
	double loss, dup, reorder, corrupt; /* probabilities per frame, 0..1 */
	uint64_t delay_ns, jitter_ns;       /* one-way propagation, plus up to jitter */
	uint64_t bandwidth_bps;             /* 0: unlimited */
};

struct sim_frame {
	uint64_t at; /* delivery time */
	uint64_t order;
	uint16_t len;
	uint8_t data[SIM_FRAME_MAX];
};

struct sim_dir {
	struct sim_frame *q; /* a binary heap on (at, order) */
	size_t n;
	uint64_t busy_until; /* the wire is serialising until then */
};

struct sim_stats {
	uint64_t sent, lost, duplicated, reordered, corrupted, overflow, delivered;
};

struct sim_link {
	struct sim_params p;
	uint64_t rng[4];
	uint64_t now, order;
	struct sim_dir dir[2]; /* dir[i]: frames toward side i */
	struct sim_stats stats;
	FILE *pcap;
};

/* Returns false when out of memory. */
bool sim_init(struct sim_link *l, uint64_t seed, const struct sim_params *p);
void sim_fini(struct sim_link *l);
/* Record every delivered frame into (path) from now on. */
bool sim_pcap(struct sim_link *l, const char *path);

/* Side (from) transmits a frame: the link takes a copy (or loses it). */
bool sim_send(struct sim_link *l, int from, const struct plat_iov *iov, size_t n);
/* The earliest delivery time pending, UINT64_MAX when the link is idle. */
uint64_t sim_next(const struct sim_link *l);
/* Pop the next frame for (to) due at or before l->now into (buf); its length,
 * or 0 when none is due. */
size_t sim_recv(struct sim_link *l, int to, uint8_t *buf, size_t cap);

/* The link's PRNG (xoshiro256**), for the stacks' random bytes too. */
uint64_t sim_rand(struct sim_link *l);
void sim_random_bytes(struct sim_link *l, void *buf, size_t len);

#endif
