/* SPDX-License-Identifier: MIT */
/* TSC calibration, the monotonic and wall clocks. */
#include "platform/pvh/clock.h"

#include <stdbool.h>
#include <stddef.h>

#include "lib/cmdline.h"
#include "lib/mem.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/pvh/acpi.h"
#include "platform/pvh/boot.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/paging.h"
#include "platform/pvh/rtc.h"
#include "platform/pvh/trap.h"

#define KHZ_MIN        10000ull     /* 10 MHz: anything slower is a bad reading */
#define KHZ_MAX        100000000ull /* 100 GHz */
#define PM_TIMER_HZ    3579545ull   /* ACPI 6.5 4.8.3.3 */
#define PM_TIMER_TICKS (PM_TIMER_HZ / 100)
#define SPIN_MAX       50000000

/* KVM's pvclock structures (Linux Documentation/virt/kvm/x86/msr.rst). */
struct pvclock_vcpu {
	uint32_t version, pad0;
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags, pad[2];
} __attribute__((packed));

struct pvclock_wall {
	uint32_t version, sec, nsec;
} __attribute__((packed));

enum src {
	SRC_CPUID,
	SRC_HVLEAF,
	SRC_KVMCLOCK,
	SRC_CMDLINE,
	SRC_PMTIMER,
	SRC_HPET,
	SRC_RTC,
	SRC_N
};

static const char *const src_names[SRC_N] = {"cpuid",   "hvleaf", "kvmclock", "cmdline",
                                             "pmtimer", "hpet",   "rtc"};

/* 32-byte aligned: the structure must not cross a page. */
static volatile struct pvclock_vcpu pvti __attribute__((aligned(32)));
static volatile struct pvclock_wall pvwall __attribute__((aligned(16)));

static uint64_t tsc0, khz, ns_mult, tsc_mult, wall_base_ns, last_ns;
static int src = -1;

static uint64_t mul_shr32(uint64_t a, uint64_t b)
{
	return (uint64_t)(((unsigned __int128)a * b) >> 32);
}

static bool probe_cpuid(const char *cmdline, uint64_t *out)
{
	uint32_t r[4], f[4];

	(void)cmdline;
	if (cpu_features.max_leaf < 0x15)
		return false;
	cpuid(0x15, 0, r); /* EAX denominator, EBX numerator, ECX crystal Hz */
	if (r[0] == 0 || r[1] == 0)
		return false;
	if (r[2]) {
		*out = (uint64_t)r[2] * r[1] / r[0] / 1000;
		return true;
	}
	if (cpu_features.max_leaf < 0x16)
		return false;
	cpuid(0x16, 0, f); /* EAX: base frequency in MHz */
	*out = (uint64_t)(f[0] & 0xffff) * 1000;
	return *out != 0;
}

static bool probe_hvleaf(const char *cmdline, uint64_t *out)
{
	uint32_t r[4];

	(void)cmdline;
	if (!cpu_features.hv_base)
		return false;
	cpuid(cpu_features.hv_base, 0, r);
	if (r[0] < 0x40000010)
		return false;
	cpuid(0x40000010, 0, r);
	*out = r[0];
	return r[0] != 0;
}

/* Read the vcpu time info consistently: the version is odd while the host
 * writes, and changes when it did. */
static void pvclock_read(struct pvclock_vcpu *v)
{
	uint32_t ver;

	do {
		ver = pvti.version;
		barrier();
		v->tsc_timestamp = pvti.tsc_timestamp;
		v->system_time = pvti.system_time;
		v->mul = pvti.mul;
		v->shift = pvti.shift;
		barrier();
	} while ((ver & 1) || ver != pvti.version);
}

static bool probe_kvmclock(const char *cmdline, uint64_t *out)
{
	struct pvclock_vcpu v;

	(void)cmdline;
	if (!cpu_features.kvmclock)
		return false;
	wrmsr(MSR_KVM_SYSTEM_TIME, (uint64_t)(uintptr_t)&pvti | 1);
	pvclock_read(&v);
	if (v.mul == 0 || v.shift < -31 || v.shift > 31)
		return false;
	/* One TSC tick is mul * 2^shift / 2^32 ns, so kHz = 10^6 * 2^32 / mul / 2^shift. */
	uint64_t k = (1000000ull << 32) / v.mul;
	*out = v.shift < 0 ? k << -v.shift : k >> v.shift;
	return true;
}

static bool probe_cmdline(const char *cmdline, uint64_t *out)
{
	const char *v;
	size_t n;

	if (!cmdline_get(cmdline, "tsc_khz", &v, &n))
		return false;
	if (!cmdline_u64(v, n, out)) {
		kprintf("pvh: tsc_khz=%.*s is not a number\n", (int)n, v);
		return false;
	}
	return true;
}

static bool probe_pmtimer(const char *cmdline, uint64_t *out)
{
	uint16_t port = acpi_info.pm_timer_port;
	uint32_t mask = acpi_info.pm_timer_32bit ? 0xffffffffu : 0xffffffu;
	uint32_t p0, p, start;
	long i;

	(void)cmdline;
	if (!port)
		return false;
	p0 = inl(port) & mask;
	for (i = 0; i < SPIN_MAX && ((p = inl(port) & mask) == p0); i++)
		;
	if (i == SPIN_MAX)
		return false; /* the timer does not run */
	uint64_t t0 = rdtsc();
	start = p;
	for (; i < SPIN_MAX && ((p - start) & mask) < PM_TIMER_TICKS; i++)
		p = inl(port) & mask;
	uint64_t t1 = rdtsc();
	uint64_t ticks = (p - start) & mask;
	if (ticks < PM_TIMER_TICKS)
		return false;
	*out = (t1 - t0) * PM_TIMER_HZ / ticks / 1000;
	return true;
}

/* IA-PC HPET 1.0a 2.3: capabilities at 0x000 (period in fs in bits 63:32,
 * COUNT_SIZE_CAP bit 13), configuration at 0x010 (ENABLE_CNF bit 0), main
 * counter at 0x0f0. */
static bool probe_hpet(const char *cmdline, uint64_t *out)
{
	uint64_t base = acpi_info.hpet_base;

	(void)cmdline;
	if (!base)
		return false;
	paging_map(base, 1024, PAGING_MMIO, "hpet");
	volatile uint64_t *h = (volatile uint64_t *)(uintptr_t)base;
	uint64_t cap = h[0], period = cap >> 32;
	uint64_t mask = (cap & (1u << 13)) ? ~0ull : 0xffffffffull;
	if (period == 0 || period > 100000000ull)
		return false;
	h[2] |= 1;
	uint64_t want = 10000000000000ull / period; /* 10 ms in ticks */
	uint64_t c0 = h[30] & mask, c;
	uint64_t t0 = rdtsc();
	long i;
	for (i = 0; i < SPIN_MAX && (((c = h[30]) - c0) & mask) < want; i++)
		;
	uint64_t t1 = rdtsc();
	if (i == SPIN_MAX)
		return false;
	uint64_t us = ((c - c0) & mask) * period / 1000000000ull;
	if (us == 0)
		return false;
	*out = (t1 - t0) * 1000 / us;
	return true;
}

static bool probe_rtc(const char *cmdline, uint64_t *out)
{
	uint64_t t0, t1;

	(void)cmdline;
	kprintf("pvh: calibrating the TSC against the RTC (takes a second or two)\n");
	if (!rtc_second_edge(&t0) || !rtc_second_edge(&t1))
		return false;
	*out = (t1 - t0) / 1000;
	return true;
}

typedef bool (*probe_fn)(const char *cmdline, uint64_t *khz);
static const probe_fn probes[SRC_N] = {probe_cpuid,   probe_hvleaf, probe_kvmclock, probe_cmdline,
                                       probe_pmtimer, probe_hpet,   probe_rtc};

static int first_source(const char *cmdline)
{
	const char *v;
	size_t n;

	if (!cmdline_get(cmdline, "clocksrc", &v, &n))
		return 0;
	for (int i = 0; i < SRC_N; i++)
		if (strlen(src_names[i]) == n && memcmp(src_names[i], v, n) == 0)
			return i;
	kprintf("pvh: clocksrc=%.*s unknown; searching from the start\n", (int)n, v);
	return 0;
}

static uint64_t wall_now_kvmclock(void)
{
	struct pvclock_vcpu v;
	uint32_t ver, sec, nsec;

	wrmsr(MSR_KVM_WALL_CLOCK, (uint64_t)(uintptr_t)&pvwall);
	do {
		ver = pvwall.version;
		barrier();
		sec = pvwall.sec;
		nsec = pvwall.nsec;
		barrier();
	} while ((ver & 1) || ver != pvwall.version);
	pvclock_read(&v);
	uint64_t d = rdtsc() - v.tsc_timestamp;
	d = v.shift < 0 ? d >> -v.shift : d << v.shift;
	uint64_t sys = v.system_time + mul_shr32(d, v.mul);
	return (uint64_t)sec * 1000000000ull + nsec + sys;
}

static void init_wall(void)
{
	uint64_t now_wall = 0, secs;

	if (cpu_features.kvmclock) {
		wrmsr(MSR_KVM_SYSTEM_TIME, (uint64_t)(uintptr_t)&pvti | 1);
		now_wall = wall_now_kvmclock();
		wrmsr(MSR_KVM_SYSTEM_TIME, 0); /* stop the host's updates */
	} else if (rtc_unix_time(acpi_info.century_reg, &secs)) {
		now_wall = secs * 1000000000ull;
	} else {
		kprintf("pvh: no wall clock (no kvmclock, no RTC); wall time starts at 0\n");
	}
	uint64_t mono = plat_clock_monotonic_ns();
	wall_base_ns = now_wall > mono ? now_wall - mono : 0;
}

void clock_init(const char *cmdline)
{
	tsc0 = boot_entry_tsc();
	for (int i = first_source(cmdline); i < SRC_N; i++) {
		uint64_t k = 0;
		if (!probes[i](cmdline, &k))
			continue;
		if (k < KHZ_MIN || k > KHZ_MAX) {
			kprintf("pvh: TSC rate %lu kHz from %s is implausible\n", k, src_names[i]);
			continue;
		}
		khz = k;
		src = i;
		break;
	}
	if (src < 0)
		trap_panic(TRAP_EXIT_PANIC, "no way to measure the TSC rate");
	if (cpu_features.kvmclock && src != SRC_KVMCLOCK)
		wrmsr(MSR_KVM_SYSTEM_TIME, 0);
	ns_mult = (1000000ull << 32) / khz;
	tsc_mult = (khz << 32) / 1000000ull;
	init_wall();
}

uint64_t clock_tsc_khz(void)
{
	return khz;
}

/* The TSC counted from entry.S's first read, in ns. */
uint64_t plat_uptime_ns(void)
{
	uint64_t t = rdtsc() - boot_entry_tsc();

	return khz ? t / khz * 1000000 + t % khz * 1000000 / khz : 0;
}

const char *clock_source_name(void)
{
	return src >= 0 ? src_names[src] : "none";
}

uint64_t clock_ns_to_tsc(uint64_t ns)
{
	uint64_t d = mul_shr32(ns, tsc_mult), t;

	if (ns > (1ull << 62) || __builtin_add_overflow(tsc0, d, &t))
		return UINT64_MAX;
	return t;
}

uint64_t plat_clock_monotonic_ns(void)
{
	uint64_t ns = mul_shr32(rdtsc() - tsc0, ns_mult);

	if (ns < last_ns)
		ns = last_ns;
	last_ns = ns;
	return ns;
}

uint64_t plat_clock_wall_ns(void)
{
	return wall_base_ns + plat_clock_monotonic_ns();
}
