/* SPDX-License-Identifier: MIT */
/* Exceptions and interrupts. An IRQ is acknowledged at the GIC, handed to the
 * timer or the network handler, and ended. Anything else (a synchronous
 * exception, an SError, an FIQ, or an exception at an unexpected level) is
 * fatal: the report names the exception class from ESR_EL1, the faulting
 * address (FAR_EL1) and which region it is in, every register, and a backtrace
 * through the frame records with symbol names, then the VM exits with status 3
 * (EXIT_FAULT). A fault while reporting one stops at once. */
#include "lib/mem.h"
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"
#include "platform/kernel/ksyms.h"
#include "platform/platform.h"

#define BACKTRACE_MAX 32

struct trap_frame {
	uint64_t x[31];
	uint64_t sp, elr, spsr, esr, far;
};

extern const char __guard_main[], __stack_exc_top[];

static void (*net_fn)(void *ctx);
static void *net_ctx;
static uint32_t net_intid;
static uint64_t unexpected_irqs;
static int reporting;

void trap_init(void)
{
}

void trap_set_net(void (*fn)(void *ctx), void *ctx, uint32_t intid)
{
	net_fn = fn;
	net_ctx = ctx;
	net_intid = intid;
}

static const char *ec_name(uint32_t ec)
{
	switch (ec) {
	case 0x00:
		return "unknown reason (an undefined instruction)";
	case 0x01:
		return "WFI/WFE trapped";
	case 0x07:
		return "SIMD/FP access trapped";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC";
	case 0x18:
		return "system register access trapped";
	case 0x20:
	case 0x21:
		return "instruction abort";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
	case 0x25:
		return "data abort";
	case 0x26:
		return "SP alignment fault";
	case 0x2f:
		return "SError";
	case 0x3c:
		return "BRK instruction";
	default:
		return "exception";
	}
}

/* A data or instruction abort's fault status (ESR ISS DFSC/IFSC). */
static const char *fsc_name(uint32_t fsc)
{
	switch (fsc & 0x3c) {
	case 0x04:
		return "translation fault (unmapped)";
	case 0x08:
		return "access flag fault";
	case 0x0c:
		return "permission fault";
	default:
		return fsc == 0x21 ? "alignment fault" : "other fault";
	}
}

static bool on_stack(uint64_t a)
{
	return a >= (uintptr_t)__guard_main && a + 16 <= (uintptr_t)__stack_exc_top && !(a & 7);
}

static void print_sym(const char *what, uint64_t pc)
{
	const char *name;
	uint64_t off;

	if (ksyms_lookup(pc, &name, &off))
		kprintf("%s 0x%016lx %s+0x%lx\n", what, pc, name, off);
	else
		kprintf("%s 0x%016lx\n", what, pc);
}

static void backtrace(uint64_t pc, uint64_t fp)
{
	char pre[16];

	kprintf("arm64: backtrace:\n");
	print_sym("  #0", pc);
	for (int i = 1; i < BACKTRACE_MAX && on_stack(fp); i++) {
		const uint64_t *rec = (const uint64_t *)(uintptr_t)fp;
		if (!rec[1])
			break;
		ksnprintf(pre, sizeof pre, "  #%d", i);
		print_sym(pre, rec[1] - 4);
		if (rec[0] <= fp)
			break; /* frames go up the stack */
		fp = rec[0];
	}
}

static _Noreturn void fatal(struct trap_frame *f, uint64_t kind)
{
	uint32_t ec = (uint32_t)(f->esr >> 26) & 0x3f;

	if (reporting++)
		power_off(EXIT_FAULT);
	kprintf("\narm64: FATAL: %s (ESR 0x%08lx, EC 0x%02x)%s\n", ec_name(ec), f->esr, ec,
	        (kind >> 2) ? " at an unexpected exception level or stack" : "");
	if (ec >= 0x20 && ec <= 0x25)
		kprintf("arm64: %s %s 0x%lx (%s), %s\n", ec >= 0x24 ? "accessing" : "fetching",
		        ec >= 0x24 && (f->esr & (1u << 6)) ? "for write at" : "at", f->far,
		        mmu_region_name(f->far), fsc_name((uint32_t)f->esr & 0x3f));
	else
		kprintf("arm64: FAR 0x%lx\n", f->far);
	print_sym("arm64: ELR", f->elr);
	kprintf("arm64: SPSR 0x%lx SP 0x%lx\n", f->spsr, f->sp);
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			kprintf("arm64: x30 %016lx\n", f->x[30]);
		else
			kprintf("arm64: x%-2d %016lx  x%-2d %016lx\n", i, f->x[i], i + 1,
			        f->x[i + 1]);
	}
	backtrace(f->elr, f->x[29]);
	power_off(EXIT_FAULT);
}

void trap_entry(struct trap_frame *f, uint64_t kind);
void trap_entry(struct trap_frame *f, uint64_t kind)
{
	if (kind != 1) /* only IRQs from the kernel's own level are expected */
		fatal(f, kind);
	uint32_t id = gic_ack();
	if (id >= 1020)
		return; /* spurious */
	if (id == board.timer_intid)
		timer_irq();
	else if (id == net_intid && net_fn)
		net_fn(net_ctx);
	else
		unexpected_irqs++;
	gic_eoi(id);
}

_Noreturn void arm64_panic(int code, const char *fmt, ...)
{
	va_list ap;
	char buf[256];

	va_start(ap, fmt);
	kvsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	kprintf("\narm64: PANIC: %s\n", buf);
	if (!reporting++)
		backtrace((uint64_t)(uintptr_t)__builtin_return_address(0),
		          (uint64_t)(uintptr_t)__builtin_frame_address(0));
	power_off(code);
}

_Noreturn void plat_panic(const char *file, int line, const char *what)
{
	arm64_panic(EXIT_PANIC, "%s:%d: assertion failed: %s", file, line, what);
}
