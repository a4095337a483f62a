/* SPDX-License-Identifier: MIT */
/* Exceptions and interrupts: the IDT, fatal reports, and interrupt handlers.
 *
 * Every CPU exception is fatal: the report on the console names the exception,
 * gives the error code (decoded for page faults), CR2, every register, the memory
 * region a faulting address lies in, and a frame-pointer backtrace with symbol
 * names (ksyms.h), then the kernel exits with TRAP_EXIT_FAULT. Double fault, NMI
 * and machine check run on their own IST stacks (cpu.h), so a stack overflow is
 * reported too.
 *
 * Device and timer interrupts go to handlers registered with trap_set_irq(); they
 * run with interrupts disabled, on the interrupted stack, only ever while the CPU
 * waits in plat_yield_until() (interrupts are off everywhere else). Handlers must
 * be compiled with -mgeneral-regs-only (all of platform/pvh is) and keep to a few
 * register reads and writes. trap_dispatch() sends the LAPIC EOI after the
 * handler. Vectors 0x20-0x2f are the masked legacy PIC's; anything there is a
 * spurious interrupt and only counted. */
#ifndef UD_PVH_TRAP_H
#define UD_PVH_TRAP_H

#include <stdint.h>

/* Exit codes the platform itself uses; an application picks others. */
enum trap_exit {
	TRAP_EXIT_FAULT = 3, /* CPU exception */
	TRAP_EXIT_STACK = 4, /* stack protector found a smashed canary */
	TRAP_EXIT_PANIC = 5, /* a platform invariant failed (trap_panic) */
};

/* Interrupt vectors in use. */
#define TRAP_VEC_PIC_BASE 0x20 /* 0x20-0x2f: legacy PIC, masked */
#define TRAP_VEC_TIMER    0x40 /* LAPIC timer */
#define TRAP_VEC_NET      0x41 /* virtio-net receive (IOAPIC or MSI-X) */
#define TRAP_VEC_SPURIOUS 0xff /* LAPIC spurious vector: no EOI */

/* The registers as isr.S saves them, lowest address first. */
struct trap_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct trap_stats {
	uint64_t irqs;         /* handled device and timer interrupts */
	uint64_t spurious;     /* LAPIC spurious vector */
	uint64_t pic_spurious; /* something on the masked PIC's vectors */
	uint64_t unexpected;   /* a vector with no handler */
};

typedef void (*trap_irq_fn)(void *ctx);

void trap_init(void);
void trap_set_irq(uint8_t vector, trap_irq_fn fn, void *ctx);
void trap_get_stats(struct trap_stats *st);

/* Print (fmt...) and a backtrace of the caller, then exit with (code). */
_Noreturn void trap_panic(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Called from isr.S only. */
void trap_dispatch(struct trap_frame *f);

#endif
