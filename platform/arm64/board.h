/* SPDX-License-Identifier: MIT */
/* The arm64 target's internal interfaces: what boot.c sets up, in its order.
 * Everything here is boot-time unless it says otherwise. */
#ifndef UD_ARM64_BOARD_H
#define UD_ARM64_BOARD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/arm64/fdt.h"

enum arm64_exit {
	EXIT_FAULT = 3, /* CPU exception */
	EXIT_STACK = 4, /* the stack protector found a smashed canary */
	EXIT_PANIC = 5, /* an invariant failed */
};

extern struct fdt_info board; /* the device tree as parsed (boot.c) */
extern uint64_t entry_cnt;    /* CNTVCT_EL0 at the first instruction (entry.S) */

/* uart.c: the PL011 console, polled. */
void uart_init(uint64_t base);
void uart_write(const char *s, size_t n);

/* mmu.c: identity mapping with W^X; devices mapped on demand. */
void mmu_init(const struct fdt_window *ram, uint32_t n_ram, uint64_t store, uint64_t store_len);
void mmu_map_device(uint64_t addr, uint64_t len, const char *what);
const char *mmu_region_name(uint64_t addr);
bool mmu_on(void);
uint32_t mmu_tables_used(void); /* of MMU_TABLES */

/* gic.c: GICv2 or GICv3 from the device tree. */
bool gic_init(void);
void gic_enable(uint32_t intid, bool edge);
uint32_t gic_ack(void); /* in the IRQ path */
void gic_eoi(uint32_t intid);
const char *gic_name(void);

/* timer.c: the generic timer (CNTVCT, CNTV) and the PL031 wall clock. */
void timer_init(void);
uint64_t timer_ns(void);              /* since entry */
void timer_arm(uint64_t deadline_ns); /* CNTV fires at (deadline) */
void timer_irq(void);                 /* in the IRQ path */
uint64_t timer_freq(void);

/* trap.c: exceptions, interrupts, panics. */
void trap_init(void);
void trap_set_net(void (*fn)(void *ctx), void *ctx, uint32_t intid);
_Noreturn void arm64_panic(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* power.c: PSCI SYSTEM_OFF, or semihosting's exit with a status. */
void power_init(const char *cmdline);
_Noreturn void power_off(int code);

/* pcie.c: the ECAM host bridge: BARs assigned from its windows, INTx lines. */
void pcie_init(void);

/* libc.c */
void libc_guard_init(void);
void random_init(void);
const char *random_source(void);

#endif
