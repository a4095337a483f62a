/* SPDX-License-Identifier: MIT */
/* CPU set-up: GDT and TSS with IST stacks, SSE, and feature detection. */
#include "platform/pvh/cpu.h"

#include "lib/mem.h"

struct cpu_features cpu_features;

/* The 64-bit TSS (SDM vol. 3A 8.7, figure 8-11): only the IST slots matter here,
 * there is no ring 3. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

extern const char __stack_df_top[], __stack_nmi_top[], __stack_mc_top[]; /* kernel.ld */

static struct tss tss __attribute__((aligned(16)));
static uint64_t gdt[5] __attribute__((aligned(16)));

#define CR0_MP     (1u << 1)
#define CR0_EM     (1u << 2)
#define CR0_TS     (1u << 3)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMM  (1u << 10)

static void load_gdt(void)
{
	uint64_t base = (uint64_t)(uintptr_t)&tss;
	uint64_t limit = sizeof tss - 1;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull; /* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull; /* data, DPL 0 */
	/* A 16-byte system descriptor, type 9 = available 64-bit TSS (SDM vol. 3A
	 * 8.2.3, figure 8-4). */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	         (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = {sizeof gdt - 1, (uint64_t)(uintptr_t)gdt};
	/* Reload CS with a far return, then the data segments, then the task
	 * register. */
	__asm__ volatile("lgdt %0\n\t"
	                 "pushq %1\n\t"
	                 "leaq 1f(%%rip), %%rax\n\t"
	                 "pushq %%rax\n\t"
	                 "lretq\n"
	                 "1:\n\t"
	                 "movl %2, %%eax\n\t"
	                 "movl %%eax, %%ds\n\t"
	                 "movl %%eax, %%es\n\t"
	                 "movl %%eax, %%ss\n\t"
	                 "ltr %w3"
	                 :
	                 : "m"(gdtr), "i"(CPU_SEL_CODE), "i"(CPU_SEL_DATA), "r"(CPU_SEL_TSS)
	                 : "rax", "memory");
}

/* SDM vol. 3A 13.1.3: CR0.EM=0, CR0.MP=1, CR4.OSFXSR and OSXMMEXCPT. */
static void enable_sse(void)
{
	write_cr0((read_cr0() & ~(uint64_t)(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMM);
}

static void copy_sig(char *dst, uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(dst, &a, 4);
	memcpy(dst + 4, &b, 4);
	memcpy(dst + 8, &c, 4);
	dst[12] = '\0';
}

static void detect_hypervisor(struct cpu_features *f)
{
	uint32_t r[4];

	if (!f->hypervisor)
		return;
	/* Hypervisor CPUID leaves at 0x40000000 (Linux arch/x86 kvm_para.h): EBX,
	 * ECX, EDX hold the signature. KVM's feature leaf is base + 1. */
	cpuid(0x40000000, 0, r);
	f->hv_base = 0x40000000;
	copy_sig(f->hv_sig, r[1], r[2], r[3]);
	if (memcmp(f->hv_sig, "KVMKVMKVM\0\0\0", 12) == 0 && r[0] >= 0x40000001) {
		cpuid(0x40000001, 0, r);
		f->kvmclock = (r[0] >> 3) & 1; /* KVM_FEATURE_CLOCKSOURCE2 */
	}
}

static void detect(struct cpu_features *f)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	f->max_leaf = r[0];
	copy_sig(f->vendor, r[1], r[3], r[2]);
	cpuid(1, 0, r);
	f->apic_id = (uint8_t)(r[1] >> 24);
	f->tsc_deadline = (r[2] >> 24) & 1;
	f->rdrand = (r[2] >> 30) & 1;
	f->hypervisor = (r[2] >> 31) & 1;
	if (f->max_leaf >= 7) {
		cpuid(7, 0, r);
		f->rdseed = (r[1] >> 18) & 1;
		f->erms = (r[1] >> 9) & 1;
	}
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		f->invariant_tsc = (r[3] >> 8) & 1;
	}
	f->nx = (rdmsr(MSR_EFER) & EFER_NXE) != 0; /* entry.S set it if CPUID allowed */
	detect_hypervisor(f);
}

void cpu_init(void)
{
	enable_sse();
	tss.ist[CPU_IST_DF - 1] = (uint64_t)(uintptr_t)__stack_df_top;
	tss.ist[CPU_IST_NMI - 1] = (uint64_t)(uintptr_t)__stack_nmi_top;
	tss.ist[CPU_IST_MC - 1] = (uint64_t)(uintptr_t)__stack_mc_top;
	tss.iomap_base = sizeof tss; /* no I/O bitmap */
	load_gdt();
	detect(&cpu_features);
}

bool cpu_rdrand(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

bool cpu_rdseed(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		unsigned char ok;
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
		cpu_relax();
	}
	return false;
}
