/* SPDX-License-Identifier: MIT */
/* Hosted helper for scripts/pvh-qemu: prints the host's TSC rate in kHz.
 *
 * Under TCG the guest's TSC is the host's (QEMU's cpu_get_ticks() reads the host
 * TSC), but no CPUID leaf or pvclock tells the guest its rate, so the runner
 * passes tsc_khz=N. Measured here against CLOCK_MONOTONIC_RAW over 50 ms, the
 * median of three; the kernel only needs it to a fraction of a percent. */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t measure(void)
{
	struct timespec d = {0, 50 * 1000 * 1000};
	uint64_t n0 = now_ns(), t0 = __rdtsc();

	nanosleep(&d, NULL);
	uint64_t n1 = now_ns(), t1 = __rdtsc();
	return (t1 - t0) * 1000000ull / (n1 - n0);
}

int main(void)
{
	uint64_t a = measure(), b = measure(), c = measure(), m;

	m = a > b ? (b > c ? b : (a > c ? c : a)) : (a > c ? a : (b > c ? c : b));
	printf("%llu\n", (unsigned long long)m);
	return 0;
}
