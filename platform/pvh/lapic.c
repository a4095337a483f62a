/* SPDX-License-Identifier: MIT */
/* Local APIC, its timer, the masked PIC, and sleeping until a deadline. */
#include "platform/pvh/lapic.h"

#include <stdbool.h>

#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/pvh/clock.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/paging.h"
#include "platform/pvh/serial.h"
#include "platform/pvh/trap.h"
#include "platform/virtio/vnet.h"

/* Register offsets (Intel SDM vol. 3A 11.4.1, table 11-1). */
#define LAPIC_ID       0x020
#define LAPIC_TPR      0x080
#define LAPIC_EOI      0x0b0
#define LAPIC_SVR      0x0f0
#define LAPIC_LVT_TMR  0x320
#define LAPIC_LINT0    0x350
#define LAPIC_LINT1    0x360
#define LAPIC_LVT_ERR  0x370
#define LAPIC_TMR_INIT 0x380
#define LAPIC_TMR_CUR  0x390
#define LAPIC_TMR_DIV  0x3e0

#define LVT_MASKED          (1u << 16)
#define LVT_NMI             (4u << 8)
#define LVT_TSC_DEADLINE    (2u << 17)
#define SVR_ENABLE          (1u << 8)
#define APIC_BASE_ENABLE    (1ull << 11)
#define TMR_DIV_16          0x3 /* SDM vol. 3A figure 11-10 */
/* Deferred console bytes written per idle pass (serial.h). */
#define CONSOLE_CHUNK       128
/* The longest deferred output waits when the kernel is never idle (a flood of
 * requests): then a chunk goes every CONSOLE_MAX_WAIT_NS, 12.8 KB/s. */
#define CONSOLE_MAX_WAIT_NS 10000000ull

static volatile uint32_t *regs;
static struct lapic_sleep_stats sleep_stats;
static bool tsc_deadline;
static uint64_t lapic_khz;       /* one-shot count rate after the divider */
static uint64_t console_waiting; /* when deferred output was last written, or 0 */

static uint32_t rd(uint32_t off)
{
	return regs[off / 4];
}

static void wr(uint32_t off, uint32_t v)
{
	regs[off / 4] = v;
}

/* 8259A: ICW1-ICW4 to move the vectors off the exception range, then mask all
 * (OCW1). With no PIC (microvm pic=off) the ports are simply not decoded. */
static void pic_mask(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, TRAP_VEC_PIC_BASE);
	outb(0xa1, TRAP_VEC_PIC_BASE + 8);
	outb(0x21, 4); /* the slave sits on IRQ2 */
	outb(0xa1, 2);
	outb(0x21, 1); /* 8086 mode */
	outb(0xa1, 1);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

static void timer_irq(void *ctx)
{
	(void)ctx; /* waking the CPU was the point */
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	pic_mask();
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	base &= 0x000ffffffffff000ull;
	paging_map(base, 4096, PAGING_MMIO, "local APIC");
	regs = (volatile uint32_t *)(uintptr_t)base;
	wr(LAPIC_TPR, 0);
	wr(LAPIC_LINT0, LVT_MASKED);
	wr(LAPIC_LINT1, LVT_NMI);
	wr(LAPIC_LVT_ERR, LVT_MASKED);
	wr(LAPIC_LVT_TMR, LVT_MASKED);
	wr(LAPIC_SVR, SVR_ENABLE | TRAP_VEC_SPURIOUS);
	tsc_deadline = cpu_features.tsc_deadline;
	trap_set_irq(TRAP_VEC_TIMER, timer_irq, NULL);
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

uint8_t lapic_id(void)
{
	return (uint8_t)(rd(LAPIC_ID) >> 24);
}

const char *lapic_timer_mode(void)
{
	return tsc_deadline ? "tsc-deadline" : "one-shot";
}

/* The hypervisor timing leaf's EBX: the LAPIC bus rate in kHz, or 0. */
static uint64_t bus_khz_from_cpuid(void)
{
	uint32_t r[4];

	if (!cpu_features.hv_base)
		return 0;
	cpuid(cpu_features.hv_base, 0, r);
	if (r[0] < 0x40000010)
		return 0;
	cpuid(0x40000010, 0, r);
	return r[1];
}

/* The one-shot count rate: from the timing leaf, else by counting down from the
 * maximum for 250 us of TSC time (a busy wait on the boot path, so short: at
 * QEMU's 62.5 MHz count rate that is 15,625 counts, one part in 10^4). */
void lapic_timer_calibrate(void)
{
	uint64_t khz = clock_tsc_khz();

	if (tsc_deadline)
		return;
	if ((lapic_khz = bus_khz_from_cpuid() / 16) != 0) {
		klog(KLOG_DEBUG, "pvh: LAPIC timer %lu kHz after divide-by-16 (CPUID)\n",
		     lapic_khz);
		wr(LAPIC_TMR_DIV, TMR_DIV_16);
		return;
	}
	wr(LAPIC_TMR_DIV, TMR_DIV_16);
	wr(LAPIC_LVT_TMR, LVT_MASKED);
	uint64_t t0 = rdtsc();
	wr(LAPIC_TMR_INIT, 0xffffffffu);
	while (rdtsc() - t0 < khz / 4)
		cpu_relax();
	uint32_t left = rd(LAPIC_TMR_CUR);
	uint64_t t1 = rdtsc();
	wr(LAPIC_TMR_INIT, 0);
	uint64_t counted = 0xffffffffull - left;
	lapic_khz = counted * khz / (t1 - t0);
	if (lapic_khz == 0)
		trap_panic(TRAP_EXIT_PANIC, "the LAPIC timer does not count");
	klog(KLOG_DEBUG, "pvh: LAPIC timer %lu kHz after divide-by-16\n", lapic_khz);
}

static void timer_arm(uint64_t deadline_ns, uint64_t now_ns)
{
	if (tsc_deadline) {
		wr(LAPIC_LVT_TMR, TRAP_VEC_TIMER | LVT_TSC_DEADLINE);
		wrmsr(MSR_TSC_DEADLINE, clock_ns_to_tsc(deadline_ns));
		return;
	}
	/* Round up: one count later rather than early. A sleep beyond the 32-bit
	 * count wakes at the longest count, a spurious wake-up. */
	uint64_t d = deadline_ns - now_ns;
	uint64_t counts = d > (1ull << 40) ? 0xffffffffull : (d * lapic_khz + 999999) / 1000000;
	if (counts > 0xffffffffull)
		counts = 0xffffffffull;
	wr(LAPIC_LVT_TMR, TRAP_VEC_TIMER);
	wr(LAPIC_TMR_INIT, (uint32_t)(counts ? counts : 1));
}

static void timer_disarm(void)
{
	if (tsc_deadline)
		wrmsr(MSR_TSC_DEADLINE, 0);
	else
		wr(LAPIC_TMR_INIT, 0);
	wr(LAPIC_LVT_TMR, LVT_MASKED);
}

void lapic_wait(uint64_t deadline_ns)
{
	uint64_t now = plat_clock_monotonic_ns();

	if (deadline_ns <= now)
		return;
	if (deadline_ns != UINT64_MAX)
		timer_arm(deadline_ns, now);
	cpu_wait_irq();
	timer_disarm();
	sleep_stats.sleeps++;
	if (plat_clock_monotonic_ns() >= deadline_ns)
		sleep_stats.by_timer++;
	else if (vnet_rx_ready())
		sleep_stats.by_frame++;
}

void plat_yield_until(uint64_t deadline_ns)
{
	uint64_t now;

	vnet_flush();
	now = plat_clock_monotonic_ns();
	if (!serial_pending()) {
		console_waiting = 0;
	} else if (!console_waiting) {
		console_waiting = now;
	} else if (now - console_waiting >= CONSOLE_MAX_WAIT_NS) {
		/* Never idle for that long: the output goes anyway, a chunk at a
		 * time, so that a line logged under load is not held back until
		 * the load ends (or the ring fills). */
		serial_drain(CONSOLE_CHUNK);
		console_waiting = now;
	}
	if (deadline_ns <= now || vnet_rx_ready())
		return;
	/* Idle: deferred console output goes now, a little at a time so that a
	 * frame arriving meanwhile waits for one chunk at most. */
	if (serial_pending()) {
		serial_drain(CONSOLE_CHUNK);
		return;
	}
	/* Interrupts are off: a frame or timer that became due since the checks
	 * above is pending and ends the hlt at once. */
	lapic_wait(deadline_ns);
}

void lapic_get_sleep_stats(struct lapic_sleep_stats *st)
{
	*st = sleep_stats;
}
