/* SPDX-License-Identifier: MIT */
/* The host's TSC rate, for the runners that boot the kernel under TCG (hosted
 * code only: `unideck run` and scripts/pvh-qemu's tsc-khz helper).
 *
 * Under TCG the guest's TSC is the host's (QEMU's cpu_get_ticks() reads the host
 * TSC), but no CPUID leaf or pvclock tells the guest its rate, so the runner
 * passes tsc_khz=N. Measured against CLOCK_MONOTONIC_RAW: each end is a clock
 * read bracketed by two TSC reads, the tightest of a few tries, so a preemption
 * between the reads cannot skew it; over 10 ms that is within 0.02%, and the
 * kernel needs a fraction of a percent. (Measuring over 50 ms, as before, put
 * 50 ms of waiting before every boot.) */
#ifndef UD_PVH_HOST_TSC_H
#define UD_PVH_HOST_TSC_H

#include <stdint.h>
#include <time.h>
#include <x86intrin.h>

static inline void host_tsc_pair(uint64_t *tsc, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		struct timespec ts;
		uint64_t a = __rdtsc();
		clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
		uint64_t b = __rdtsc();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		}
	}
}

static inline uint64_t host_tsc_khz(void)
{
	struct timespec d = {0, 10 * 1000 * 1000};
	uint64_t t0 = 0, n0 = 0, t1 = 0, n1 = 0;

	host_tsc_pair(&t0, &n0);
	nanosleep(&d, NULL);
	host_tsc_pair(&t1, &n1);
	return n1 > n0 ? (t1 - t0) * 1000000ull / (n1 - n0) : 0;
}

#endif
