/* SPDX-License-Identifier: MIT */
/* The simulation as a target: platform.h implemented over the simulated link
 * (simlink.h), so the code that runs in a VM (app/server.c's loop, the stack,
 * HTTP, the app) runs here unchanged, in virtual time.
 *
 * A simulation holds several machines in one process (the two ends of a
 * link). Each is a struct sim_machine: one side of a link, its NIC (MAC, MTU,
 * segmentation offload or not), its heap, command line and store. The driver
 * makes one machine current with sim_enter() before it runs that machine's
 * code (a server_turn(), a client's TCP calls); every plat_* call is then
 * answered by the current machine, as a CPU runs one guest at a time. Nothing
 * above platform/ sees that there are several: each stack and each server
 * keeps all of its state in its own memory.
 *
 * Time is the link's virtual clock (l->now), which only the driver moves:
 * plat_yield_until() records the machine's wake-up time (m->wake) and returns
 * at once, so a driver turns each machine and then moves the clock to the
 * earliest of their wake-ups and the link's next delivery. The wall clock is
 * SIM_EPOCH_NS plus the virtual time. Randomness is the link's seeded PRNG, so
 * a run is still a function of its seed.
 *
 * The NIC: plat_net_send() hands the frame to (observe) if set (a test's check
 * of every frame built) and then to the link; plat_net_recv() takes what the
 * link has due for this side. With (tso) set the NIC announces segmentation
 * offload; plat_net_send_tso() checks the stack's description of the large
 * frame (a wrong one is counted in tso_bad, which a test must find zero) and
 * returns PLAT_EINVAL, the answer of a device that will not cut this frame,
 * so the caller's fallback (net_gso_cut in app/server.c) cuts it: the path a
 * VM takes when its device refuses. A call with no machine entered panics. */
#ifndef UD_SIM_SIMPLAT_H
#define UD_SIM_SIMPLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"
#include "platform/sim/simlink.h"

#define SIM_EPOCH_NS (1700000000ull * 1000000000ull)

struct sim_machine {
	struct sim_link *l;
	int side; /* which end of the link */
	uint8_t mac[6];
	uint16_t mtu;
	bool tso;
	bool verbose; /* plat_log and the console to stderr, with the time */
	void *heap;   /* plat_heap's region, or NULL */
	size_t heap_len;
	const char *cmdline; /* NULL: "" */
	const uint8_t *store;
	size_t store_len;
	/* Every frame sent, before the link takes it (NULL: none). */
	void (*observe)(void *ctx, const struct plat_iov *iov, size_t n);
	void *observe_ctx;
	/* Kept by the platform: */
	uint64_t wake; /* the last plat_yield_until deadline */
	uint64_t boot; /* virtual time of sim_machine_init */
	uint64_t tso_bad, rx_too_long;
	struct plat_net_stats st;
};

/* A machine on side (side) of (l), MAC 02:00:00:00:00:(side + 1), MTU 1500;
 * the caller sets the other fields before entering it. */
void sim_machine_init(struct sim_machine *m, struct sim_link *l, int side);
/* Make (m) the machine that answers plat_* calls from now on (NULL: none). */
void sim_enter(struct sim_machine *m);
struct sim_machine *sim_current(void);

#endif
