/* SPDX-License-Identifier: MIT */
/* x86_64 instructions the VM platform needs, as inline functions, and the CPU set-up.
 *
 * Port I/O, MSRs, CPUID, control registers, the TSC and barriers are one-line
 * wrappers (no state). cpu_init() runs once at boot, before anything else in C
 * that could use SSE: it loads our GDT with a TSS whose IST stacks serve double
 * fault, NMI and machine check, enables SSE (Intel SDM vol. 3A 13.1.3) and records
 * the features the rest of the platform asks about in struct cpu_features.
 *
 * Everything runs in ring 0 on one CPU with interrupts disabled except inside
 * plat_yield_until(); nothing here is re-entrant and nothing needs to be. */
#ifndef UD_PVH_CPU_H
#define UD_PVH_CPU_H

#include <stdbool.h>
#include <stdint.h>

/* Segment selectors of our GDT (cpu.c; entry.S builds the same code/data pair). */
#define CPU_SEL_CODE 0x08
#define CPU_SEL_DATA 0x10
#define CPU_SEL_TSS  0x18

/* IST slots (1-based, as the IDT encodes them). */
#define CPU_IST_DF  1
#define CPU_IST_NMI 2
#define CPU_IST_MC  3

/* Model-specific registers we use (Intel SDM vol. 4 table 2-2; KVM's pvclock MSRs
 * from Linux Documentation/virt/kvm/x86/msr.rst). */
#define MSR_APIC_BASE       0x0000001bu
#define MSR_TSC_DEADLINE    0x000006e0u
#define MSR_EFER            0xc0000080u
#define MSR_KVM_WALL_CLOCK  0x4b564d00u
#define MSR_KVM_SYSTEM_TIME 0x4b564d01u

#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)

struct cpu_features {
	bool nx;            /* EFER.NXE is set: page tables may use bit 63 */
	bool rdrand;        /* CPUID.01H:ECX[30] */
	bool rdseed;        /* CPUID.(EAX=07H,ECX=0):EBX[18] */
	bool erms;          /* CPUID.(EAX=07H,ECX=0):EBX[9]: fast rep movsb/stosb */
	bool tsc_deadline;  /* CPUID.01H:ECX[24] */
	bool invariant_tsc; /* CPUID.80000007H:EDX[8] */
	bool hypervisor;    /* CPUID.01H:ECX[31] */
	bool kvmclock;      /* KVM leaf 0x40000001 EAX[3] (clocksource2) */
	uint32_t max_leaf;  /* CPUID.00H:EAX */
	uint32_t hv_base;   /* hypervisor leaf base (0x40000000 when KVM), 0 if none */
	char hv_sig[13];    /* "KVMKVMKVM", "TCGTCGTCGTCG", ... or "" */
	char vendor[13];
	uint8_t apic_id; /* initial APIC ID of this CPU, CPUID.01H:EBX[31:24] */
};

extern struct cpu_features cpu_features;

/* Enable SSE, load our GDT and TSS, detect features. The IST stacks are fixed
 * regions with guard pages, placed by kernel.ld. */
void cpu_init(void);

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}

/* The TSC, not serialised: good enough for clocks, where a few cycles of
 * reordering do not matter. */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

/* Compiler barrier: x86 keeps stores in order and loads in order (SDM vol. 3A
 * 9.2.2), so ring updates that only need that ordering need only this. */
static inline void barrier(void)
{
	__asm__ volatile("" : : : "memory");
}

/* Full barrier: a store followed by a load of another location (publishing an
 * avail index, then reading the device's notification flag) needs mfence. */
static inline void mb(void)
{
	__asm__ volatile("mfence" : : : "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* Wait for an interrupt with interrupts enabled for exactly the hlt: sti delays
 * interrupt recognition by one instruction (SDM vol. 2B STI), so a wake-up that
 * became pending after the caller's last check is taken and ends the hlt. */
static inline void cpu_wait_irq(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

/* RDRAND/RDSEED with the retry loop Intel recommends (DRNG guide 5.2.1); false
 * when the CPU gave nothing in ten tries. */
bool cpu_rdrand(uint64_t *v);
bool cpu_rdseed(uint64_t *v);

#endif
