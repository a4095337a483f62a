/* SPDX-License-Identifier: MIT */
/* Clocks: a monotonic clock from the TSC, and wall time.
 *
 * clock_init() finds the TSC frequency from the first source that gives one:
 *   1. CPUID leaf 0x15 (TSC/crystal ratio and crystal Hz), or 0x15's ratio with
 *      leaf 0x16's base frequency (Intel SDM vol. 3B 18.7.3);
 *   2. the hypervisor timing leaf 0x40000010 (EAX = TSC kHz; QEMU/KVM and VMware
 *      provide it when the TSC rate is fixed);
 *   3. kvmclock (pvclock, when CPUID 0x40000001 says so): its tsc_to_system_mul
 *      and tsc_shift give the rate exactly;
 *   4. the tsc_khz=N command-line key (what a runner passes under TCG, where the
 *      guest TSC runs at the host's rate and none of the above exist);
 *   5. measuring against the ACPI PM timer, else the HPET, for 10 ms;
 *   6. measuring one second of the CMOS RTC (slow; last resort).
 * The PIT is never used: QEMU microvm may not have one. clocksrc=NAME (cpuid,
 * hvleaf, kvmclock, cmdline, pmtimer, hpet, rtc) starts the search at that
 * source, so tests can exercise each. No source at all panics.
 *
 * Monotonic time is nanoseconds since entry (entry.S reads the TSC first), by a
 * 64x64->128-bit multiply, clamped never to go back. Wall time is read once at
 * boot, from kvmclock's wall clock or else the RTC, then advanced by the
 * monotonic clock; 0 plus monotonic time when neither answers. */
#ifndef UD_PVH_CLOCK_H
#define UD_PVH_CLOCK_H

#include <stdint.h>

void clock_init(const char *cmdline);
uint64_t clock_tsc_khz(void);
const char *clock_source_name(void);

/* Monotonic nanoseconds -> the TSC value at that time, saturating. */
uint64_t clock_ns_to_tsc(uint64_t ns);

#endif
