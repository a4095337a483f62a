/* SPDX-License-Identifier: MIT */
/* The hosted target's clocks (platform.h): CLOCK_MONOTONIC and CLOCK_REALTIME in
 * nanoseconds, for the socket server and the TAP server alike (the simulation
 * keeps its own virtual time). */
#include <time.h>

#include "platform/platform.h"

static uint64_t ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t plat_clock_monotonic_ns(void)
{
	return ns(CLOCK_MONOTONIC);
}

uint64_t plat_clock_wall_ns(void)
{
	return ns(CLOCK_REALTIME);
}
