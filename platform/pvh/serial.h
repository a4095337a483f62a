/* SPDX-License-Identifier: MIT */
/* The console: a 16550 UART on COM1 (I/O port 0x3f8), output only, polled.
 *
 * serial_init() programs 115200 8N1 with FIFOs and no interrupts, and detects a
 * missing UART (the scratch register does not hold a value) so that writes to
 * nothing cost nothing. serial_write() turns "\n" into "\r\n" for terminals.
 *
 * Every UART access is a VM exit, and a boot prints some 500 bytes: written at
 * once they were most of the device accesses between entry and serving (1,287
 * of 1,532 under QEMU's trace). So output is deferred: serial_write() keeps it
 * in a 16 KiB ring, in order, and serial_drain() writes it when the kernel is
 * idle (plat_yield_until), or a chunk every 10 ms when it never is (a flood of
 * requests must not hold a log line back). A full ring is written out at once;
 * nothing is lost.
 * serial_sync() writes what is pending and turns deferral off for good: the
 * fault handler, panics and plat_exit() call it, so a crash report follows
 * everything printed before it. log=debug boots synchronous from the start
 * (boot.c), for debugging a kernel that may never reach idle. Safe to call from
 * the exception handler: no locks, no allocation. */
#ifndef UD_PVH_SERIAL_H
#define UD_PVH_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

void serial_init(void);
void serial_write(const char *buf, size_t len);
/* Writes at most (max) deferred bytes. */
void serial_drain(size_t max);
bool serial_pending(void);
void serial_sync(void);

#endif
