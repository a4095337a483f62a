/* SPDX-License-Identifier: MIT */
/* I/O APIC redirection entries. */
#include "platform/pvh/ioapic.h"

#include <stddef.h>

#include "platform/kernel/kprintf.h"
#include "platform/pvh/acpi.h"
#include "platform/pvh/lapic.h"
#include "platform/pvh/paging.h"

#define IOREGSEL   0x00
#define IOWIN      0x10
#define IOAPIC_VER 0x01
#define IOREDTBL   0x10

#define RED_ACTIVE_LOW (1u << 13)
#define RED_LEVEL      (1u << 15)

static volatile uint32_t *map(uint32_t addr)
{
	paging_map(addr, 4096, PAGING_MMIO, "I/O APIC");
	return (volatile uint32_t *)(uintptr_t)addr;
}

static uint32_t rd(volatile uint32_t *io, uint32_t reg)
{
	io[IOREGSEL / 4] = reg;
	return io[IOWIN / 4];
}

static void wr(volatile uint32_t *io, uint32_t reg, uint32_t v)
{
	io[IOREGSEL / 4] = reg;
	io[IOWIN / 4] = v;
}

/* The I/O APIC serving (gsi) and its pin, or NULL. */
static volatile uint32_t *find(uint32_t gsi, uint32_t *pin)
{
	const struct acpi_info *a = &acpi_info;
	struct acpi_ioapic defaults[2] = {{0, 0xfec00000u, 0}, {1, 0xfec10000u, 24}};
	const struct acpi_ioapic *list = a->n_ioapic ? a->ioapic : defaults;
	size_t n = a->n_ioapic ? a->n_ioapic : 2;

	for (size_t i = 0; i < n; i++) {
		if (gsi < list[i].gsi_base)
			continue;
		volatile uint32_t *io = map(list[i].addr);
		uint32_t ver = rd(io, IOAPIC_VER);
		if (ver == 0xffffffffu || (ver & 0xff) == 0)
			continue; /* nothing there: unassigned memory reads all ones or zero */
		uint32_t max = (ver >> 16) & 0xff;
		if (gsi - list[i].gsi_base <= max) {
			*pin = gsi - list[i].gsi_base;
			return io;
		}
	}
	return NULL;
}

bool ioapic_route(uint32_t gsi, uint8_t vector, bool level, bool active_low)
{
	uint32_t pin;
	volatile uint32_t *io = find(gsi, &pin);

	if (!io) {
		kprintf("pvh: no I/O APIC serves GSI %u\n", gsi);
		return false;
	}
	uint32_t lo = vector | (level ? RED_LEVEL : 0) | (active_low ? RED_ACTIVE_LOW : 0);
	wr(io, IOREDTBL + 2 * pin + 1, (uint32_t)lapic_id() << 24);
	wr(io, IOREDTBL + 2 * pin, lo);
	return true;
}
