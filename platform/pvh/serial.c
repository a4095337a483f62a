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
#define LSR_THRE 0x20 /* transmit holding register (in FIFO mode: the FIFO) empty */
#define FIFO_LEN 16   /* the 16550's transmit FIFO */

/* Deferred output: written by serial_drain() when the kernel is idle. */
#define RING_LEN 16384 /* a power of two */

static bool serial_present;
static bool deferred;
static char ring[RING_LEN];
static uint32_t ring_head, ring_tail; /* free-running; used = tail - head */
/* Bytes the FIFO is known to take without another LSR read. */
static unsigned fifo_room;

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
	deferred = true;
}

static void serial_putc(char c)
{
	/* With the FIFO on, THRE means the whole FIFO is empty (PC16550D, LSR bit
	 * 5), so one LSR read is worth FIFO_LEN bytes: every access here is a VM
	 * exit. The wait is bounded: a wedged UART must not hang the kernel. */
	if (fifo_room == 0) {
		for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
			cpu_relax();
		fifo_room = FIFO_LEN;
	}
	outb(COM1 + UART_THR, (uint8_t)c);
	fifo_room--;
}

static void put_translated(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

void serial_drain(size_t max)
{
	for (; max && ring_head != ring_tail; max--)
		put_translated(ring[ring_head++ % RING_LEN]);
}

bool serial_pending(void)
{
	return ring_head != ring_tail;
}

void serial_sync(void)
{
	deferred = false;
	serial_drain(RING_LEN);
}

void serial_write(const char *buf, size_t len)
{
	if (!serial_present)
		return;
	if (deferred && len > RING_LEN - (ring_tail - ring_head))
		serial_drain(RING_LEN); /* full: make room now rather than lose a byte */
	if (deferred && len <= RING_LEN - (ring_tail - ring_head)) {
		for (size_t i = 0; i < len; i++)
			ring[ring_tail++ % RING_LEN] = buf[i];
		return;
	}
	serial_drain(RING_LEN); /* what was deferred goes first */
	for (size_t i = 0; i < len; i++)
		put_translated(buf[i]);
}

void plat_console_write(const char *buf, size_t len)
{
	serial_write(buf, len);
}
