/* SPDX-License-Identifier: MIT */
/* The 16550 serial console on COM1 and plat_console_write(). */
#include "platform/pvh/serial.h"

#include <stdbool.h>
#include <stdint.h>

#include "platform/platform.h"
#include "platform/pvh/cpu.h"

/* Register offsets from the base port (PC16550D data sheet, table 2). */
#define COM1     0x3f8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1 /* interrupt enable (DLAB=0) */
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_DLAB 0x80
#define LCR_8N1  0x03
#define LSR_THRE 0x20 /* transmit holding register empty */

static bool serial_present;

void serial_init(void)
{
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1); /* 115200 baud: 1.8432 MHz / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7); /* enable and clear FIFOs, 14-byte trigger */
	outb(COM1 + UART_MCR, 0x03); /* DTR, RTS; OUT2 off: no interrupts */
	serial_present = true;
}

static void serial_putc(char c)
{
	/* Bounded wait: a wedged UART must not hang the kernel forever. */
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
	if (!serial_present)
		return;
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			serial_putc('\r');
		serial_putc(buf[i]);
	}
}

void plat_console_write(const char *buf, size_t len)
{
	serial_write(buf, len);
}
