/* SPDX-License-Identifier: MIT */
/* Clocks and sleeping on the generic timer (Arm ARM D11): the monotonic clock is
 * CNTVCT_EL0 counted from the first instruction, the deadline is CNTV_CVAL_EL0
 * (its interrupt the PPI the device tree names, 27 on virt), and the wall clock
 * is the PL031 RTC's seconds read once at boot plus the monotonic clock. */
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"

#define PL031_DR   0x00
#define CTL_ENABLE 1u
#define CTL_IMASK  2u

static uint64_t freq, ns_mult, tick_mult; /* ns = ticks * ns_mult >> 32; the inverse */
static uint64_t wall_base_ns;

static uint64_t mul_shr32(uint64_t a, uint64_t m)
{
	return (uint64_t)(((unsigned __int128)a * m) >> 32);
}

void timer_init(void)
{
	freq = read_sysreg(cntfrq_el0) & 0xffffffffu;
	if (freq < 1000000 || freq > 10000000000ull)
		arm64_panic(EXIT_PANIC, "timer: CNTFRQ_EL0 says %lu Hz", freq);
	ns_mult = (1000000000ull << 32) / freq;
	tick_mult = (freq << 32) / 1000000000ull;
	write_sysreg(cntv_ctl_el0, CTL_IMASK);
	if (board.rtc.addr && board.rtc.size >= 0x1000) {
		mmu_map_device(board.rtc.addr, 0x1000, "PL031 RTC");
		uint64_t s = mmio_r32(board.rtc.addr + PL031_DR);
		wall_base_ns = s * 1000000000ull - timer_ns();
	}
	if (board.timer_intid)
		gic_enable(board.timer_intid, false);
}

uint64_t timer_freq(void)
{
	return freq;
}

uint64_t timer_ns(void)
{
	isb();
	return mul_shr32(read_sysreg(cntvct_el0) - entry_cnt, ns_mult);
}

void timer_arm(uint64_t deadline_ns)
{
	uint64_t t = entry_cnt + mul_shr32(deadline_ns, tick_mult) + 1;

	if (deadline_ns > (1ull << 62))
		t = ~0ull;
	write_sysreg(cntv_cval_el0, t);
	write_sysreg(cntv_ctl_el0, CTL_ENABLE);
	isb();
}

void timer_irq(void)
{
	write_sysreg(cntv_ctl_el0, CTL_IMASK); /* the level drops; the loop re-arms */
	isb();
}

uint64_t plat_clock_monotonic_ns(void)
{
	return timer_ns();
}

uint64_t plat_clock_wall_ns(void)
{
	return wall_base_ns + timer_ns();
}

uint64_t plat_uptime_ns(void)
{
	return timer_ns();
}
