/* SPDX-License-Identifier: MIT */
/* The local APIC (xAPIC, memory-mapped), its timer, the legacy PIC's masking, and
 * plat_yield_until().
 *
 * lapic_init() remaps the 8259 PICs to vectors 0x20-0x2f and masks them (nothing
 * relies on them or on the PIT), enables the LAPIC with spurious vector 0xff and
 * masks LINT0, LINT1 stays NMI. It maps the LAPIC page uncached.
 *
 * The timer wakes the CPU from hlt at a monotonic deadline: in TSC-deadline mode
 * when CPUID.01H:ECX[24] says so (Intel SDM vol. 3A 11.5.4.1), else one-shot
 * with a count from the LAPIC timer rate, which lapic_timer_calibrate() measures
 * against the TSC once clocks are up (1 ms), unless the hypervisor's timing leaf
 * 0x40000010 gives the bus rate. A wake-up early by rounding is
 * allowed (the caller sees a spurious wake-up); late it is not, beyond the
 * hypervisor's own latency. The timer interrupt only ends the hlt. */
#ifndef UD_PVH_LAPIC_H
#define UD_PVH_LAPIC_H

#include <stdint.h>

void lapic_init(void);
void lapic_timer_calibrate(void);
void lapic_eoi(void);
uint8_t lapic_id(void);

/* Which timer mode is in use: "tsc-deadline" or "one-shot". */
const char *lapic_timer_mode(void);

/* Halt until any interrupt or the monotonic (deadline_ns), without looking for
 * frames first (plat_yield_until() does that, then calls this). An interrupt
 * that became pending while interrupts were off ends it at once. */
void lapic_wait(uint64_t deadline_ns);

/* What ended the sleeps in plat_yield_until(). */
struct lapic_sleep_stats {
	uint64_t sleeps;   /* hlt executed */
	uint64_t by_frame; /* woke before the deadline with a frame waiting */
	uint64_t by_timer; /* woke at or after the deadline */
};
void lapic_get_sleep_stats(struct lapic_sleep_stats *st);

#endif
