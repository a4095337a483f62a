/* SPDX-License-Identifier: MIT */
/* The console: a 16550 UART on COM1 (I/O port 0x3f8), output only, polled.
 *
 * serial_init() programs 115200 8N1 with FIFOs and no interrupts, and detects a
 * missing UART (the scratch register does not hold a value) so that writes to
 * nothing cost nothing. serial_write() turns "\n" into "\r\n" for terminals.
 * Safe to call from the exception handler: no locks, no allocation. */
#ifndef UD_PVH_SERIAL_H
#define UD_PVH_SERIAL_H

#include <stddef.h>

void serial_init(void);
void serial_write(const char *buf, size_t len);

#endif
