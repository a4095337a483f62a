/* SPDX-License-Identifier: MIT */
/* The PL011 UART (Arm PrimeCell UART TRM, DDI 0183): output only, polled. QEMU's
 * needs no set-up; the registers used are the data register and the flags. */
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/platform.h"

#define UARTDR  0x00
#define UARTFR  0x18
#define FR_TXFF (1u << 5)

static uint64_t uart;

void uart_init(uint64_t base)
{
	uart = base;
}

static void putc_raw(char c)
{
	for (int i = 0; i < 1000000 && (mmio_r32(uart + UARTFR) & FR_TXFF); i++)
		;
	mmio_w32(uart + UARTDR, (uint8_t)c);
}

void uart_write(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

void plat_console_write(const char *buf, size_t len)
{
	uart_write(buf, len);
}
