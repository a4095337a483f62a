/* SPDX-License-Identifier: MIT */
/* The kernel's C library subset (lib/mem.h's functions are defined in libc.c) and
 * the stack-protector guard.
 *
 * libc_guard_init() sets __stack_chk_guard from RDRAND, or from the TSC when the
 * CPU has no RDRAND (weak, documented there). Call it once, early in boot, from
 * a function that never returns (its own canary would no longer match). */
#ifndef UD_PVH_LIBC_H
#define UD_PVH_LIBC_H

void libc_guard_init(void);

#endif
