/* SPDX-License-Identifier: MIT */
/* The IDT, the fatal exception report with registers and backtrace, and interrupt
 * dispatch. */
#include "platform/pvh/trap.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "lib/mem.h"
#include "platform/kernel/kprintf.h"
#include "platform/kernel/ksyms.h"
#include "platform/platform.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/lapic.h"
#include "platform/pvh/paging.h"
#include "platform/pvh/serial.h"

#define BACKTRACE_MAX 32

/* An IDT gate descriptor (SDM vol. 3A 6.14.1, figure 6-8). */
struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, type; /* type 0x8e: present, DPL 0, 64-bit interrupt gate */
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct irq_slot {
	trap_irq_fn fn;
	void *ctx;
};

extern const char trap_stubs[];                     /* isr.S: 256 stubs, 16 bytes each */
extern const char __guard_main[], __stack_mc_top[]; /* kernel.ld: all the stacks */

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct irq_slot irqs[256];
static struct trap_stats stats;
static int reporting; /* a fault while reporting one: keep it short */

static const char *const exc_names[32] = {
        [0] = "#DE divide error",
        [1] = "#DB debug",
        [2] = "NMI",
        [3] = "#BP breakpoint",
        [4] = "#OF overflow",
        [5] = "#BR bound range exceeded",
        [6] = "#UD invalid opcode",
        [7] = "#NM device not available",
        [8] = "#DF double fault",
        [9] = "coprocessor segment overrun",
        [10] = "#TS invalid TSS",
        [11] = "#NP segment not present",
        [12] = "#SS stack-segment fault",
        [13] = "#GP general protection",
        [14] = "#PF page fault",
        [16] = "#MF x87 floating-point error",
        [17] = "#AC alignment check",
        [18] = "#MC machine check",
        [19] = "#XM SIMD floating-point exception",
        [20] = "#VE virtualization exception",
        [21] = "#CP control protection",
        [28] = "#HV hypervisor injection",
        [29] = "#VC VMM communication",
        [30] = "#SX security exception",
};

void trap_init(void)
{
	for (int v = 0; v < 256; v++) {
		uint64_t a = (uint64_t)(uintptr_t)(trap_stubs + 16 * v);
		struct idt_gate *g = &idt[v];
		g->off_lo = (uint16_t)a;
		g->sel = CPU_SEL_CODE;
		g->ist = 0;
		g->type = 0x8e;
		g->off_mid = (uint16_t)(a >> 16);
		g->off_hi = (uint32_t)(a >> 32);
		g->zero = 0;
	}
	idt[2].ist = CPU_IST_NMI;
	idt[8].ist = CPU_IST_DF;
	idt[18].ist = CPU_IST_MC;

	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = {sizeof idt - 1, (uint64_t)(uintptr_t)idt};
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void trap_set_irq(uint8_t vector, trap_irq_fn fn, void *ctx)
{
	irqs[vector].fn = fn;
	irqs[vector].ctx = ctx;
}

void trap_get_stats(struct trap_stats *st)
{
	*st = stats;
}

/* "name+0xoff" for a code address, or just the address. */
static void print_addr(uint64_t a)
{
	const char *name;
	uint64_t off;

	if (ksyms_lookup(a, &name, &off))
		kprintf("0x%016lx %s+0x%lx\n", a, name, off);
	else
		kprintf("0x%016lx\n", a);
}

static bool frame_ok(uint64_t fp)
{
	uint64_t lo = (uint64_t)(uintptr_t)__guard_main + 4096;
	uint64_t hi = (uint64_t)(uintptr_t)__stack_mc_top;

	return (fp & 7) == 0 && fp >= lo && fp + 16 <= hi;
}

/* Print (rip) unless 0, then walk the frame-pointer chain from (fp): [rbp] is
 * the caller's rbp, [rbp+8] the return address. Every rbp is checked against the stack area before it is read, and
 * must grow, so a corrupted chain ends the walk instead of faulting. */
static void backtrace(uint64_t rip, uint64_t fp)
{
	kprintf("backtrace:\n");
	if (rip) {
		kprintf("  ");
		print_addr(rip);
	}
	uint64_t prev = 0, repeats = 0;
	for (int i = 0; i < BACKTRACE_MAX && frame_ok(fp); i++) {
		const uint64_t *f = (const uint64_t *)(uintptr_t)fp;
		uint64_t ret = f[1];
		if (ret == 0)
			break;
		if (ret == prev) { /* deep recursion: one line, then a count */
			repeats++;
		} else {
			kprintf("  ");
			print_addr(ret);
		}
		prev = ret;
		if (f[0] <= fp)
			break;
		fp = f[0];
	}
	if (repeats)
		kprintf("  (the last frame repeated %lu more times)\n", repeats);
}

static void print_pf_error(uint64_t err)
{
	kprintf("  (%s, %s, %s%s%s)\n", err & 1 ? "protection violation" : "page not present",
	        err & 16 ? "instruction fetch" : (err & 2 ? "write" : "read"),
	        err & 4 ? "user" : "supervisor", err & 8 ? ", reserved bit set" : "",
	        err & 32 ? ", protection key" : "");
}

static void print_regs(const struct trap_frame *f)
{
	kprintf("rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	kprintf("rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", f->rsi, f->rdi, f->rbp, f->rsp);
	kprintf("r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f->r8, f->r9, f->r10, f->r11);
	kprintf("r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f->r12, f->r13, f->r14, f->r15);
	kprintf("rip=%016lx rflags=%016lx cs=%04lx ss=%04lx\n", f->rip, f->rflags, f->cs, f->ss);
	kprintf("cr0=%016lx cr2=%016lx cr3=%016lx cr4=%016lx\n", read_cr0(), read_cr2(), read_cr3(),
	        read_cr4());
	kprintf("efer=%016lx\n", rdmsr(MSR_EFER));
}

static _Noreturn void trap_fatal(const struct trap_frame *f)
{
	const char *name = f->vector < 32 ? exc_names[f->vector] : NULL;

	serial_sync(); /* what was printed before the fault comes first */
	if (reporting++) {
		kprintf("\npvh: exception %lu while reporting an exception\n", f->vector);
		plat_exit(TRAP_EXIT_FAULT);
	}
	kprintf("\npvh: EXCEPTION %lu: %s\n", f->vector, name ? name : "reserved");
	kprintf("error code: 0x%lx\n", f->error);
	uint64_t cr2 = read_cr2();
	if (f->vector == 14) {
		print_pf_error(f->error);
		kprintf("fault address (cr2): 0x%016lx in %s\n", cr2, paging_region_name(cr2));
		if (cr2 < 4096)
			kprintf("  null pointer dereference\n");
	}
	/* A page fault on a guard page cannot push its own frame there: it becomes
	 * a double fault, and CR2 still names the guard page. */
	if (f->vector == 8 && memcmp(paging_region_name(cr2), "stack guard", 11) == 0)
		kprintf("  stack overflow: cr2 0x%016lx is in a stack guard page\n", cr2);
	kprintf("at: ");
	print_addr(f->rip);
	kprintf("rip is in %s\n", paging_region_name(f->rip));
	print_regs(f);
	backtrace(f->rip, f->rbp);
	plat_exit(TRAP_EXIT_FAULT);
}

void trap_dispatch(struct trap_frame *f)
{
	uint64_t v = f->vector;

	if (v < 32)
		trap_fatal(f);
	if (v == TRAP_VEC_SPURIOUS) {
		stats.spurious++; /* SDM vol. 3A 11.9: no EOI for the spurious vector */
		return;
	}
	if (v >= TRAP_VEC_PIC_BASE && v < TRAP_VEC_PIC_BASE + 16) {
		stats.pic_spurious++;
		return;
	}
	if (irqs[v].fn) {
		stats.irqs++;
		irqs[v].fn(irqs[v].ctx);
	} else {
		stats.unexpected++;
	}
	lapic_eoi();
}

_Noreturn void plat_panic(const char *file, int line, const char *what)
{
	trap_panic(TRAP_EXIT_PANIC, "%s:%d: assertion failed: %s", file, line, what);
}

_Noreturn void trap_panic(int code, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	serial_sync();
	va_start(ap, fmt);
	kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kprintf("\npvh: PANIC: %s\n", buf);
	backtrace(0, (uint64_t)(uintptr_t)__builtin_frame_address(0));
	plat_exit(code);
}
