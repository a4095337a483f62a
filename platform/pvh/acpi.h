/* SPDX-License-Identifier: MIT */
/* What the platform needs from the ACPI tables: timers, interrupt controllers and
 * the power-off register.
 *
 * acpi_init() finds the RSDP (the PVH start info's rsdp_paddr, else the BIOS
 * areas, ACPI 6.5 5.2.5.1), walks the XSDT or RSDT and reads the FADT (5.2.9),
 * MADT (5.2.12) and HPET (IA-PC HPET 1.0a 3.2.4) tables, and finds the virtio-mmio
 * devices that QEMU microvm declares in its DSDT when ACPI is on (it then leaves
 * them off the command line): each is a "LNRO0005" device whose _CRS holds a
 * Memory32Fixed and an Extended Interrupt descriptor (6.4.3.4, 6.4.3.6). That is
 * a bounded byte scan of the AML near each ID, not an AML interpreter. Table bytes are input:
 * every table's checksum and length are checked before use and each field is read
 * through a cursor; a bad table is skipped. Runs at boot while the boot page
 * tables map the first 4 GiB, where firmware puts the tables; nothing is kept
 * but struct acpi_info. No ACPI at all (Firecracker without ACPI) leaves
 * present false and the rest zero. */
#ifndef UD_PVH_ACPI_H
#define UD_PVH_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_IOAPIC 4
#define ACPI_MAX_ISO    16
#define ACPI_MAX_MMIO   8

struct acpi_gas {      /* Generic Address Structure, ACPI 6.5 5.2.3.2 */
	uint8_t space; /* 0 system memory, 1 system I/O */
	uint8_t width;
	uint64_t addr; /* 0: absent */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr, gsi_base;
};

struct acpi_iso { /* an ISA IRQ routed to another GSI (MADT type 2) */
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags: polarity bits 1:0, trigger bits 3:2 */
};

struct acpi_mmio { /* a virtio-mmio window declared in the DSDT ("LNRO0005") */
	uint64_t addr, len;
	uint32_t irq;
};

struct acpi_info {
	bool present;
	uint64_t rsdp;
	uint16_t pm_timer_port;    /* ACPI PM timer, 3.579545 MHz; 0: none */
	bool pm_timer_32bit;       /* FADT flags TMR_VAL_EXT */
	uint16_t pm1a_cnt_port;    /* 0: none */
	struct acpi_gas sleep_ctl; /* hardware-reduced ACPI sleep control register */
	bool hw_reduced;
	uint8_t century_reg; /* CMOS index of the century, 0: none */
	uint64_t hpet_base;  /* 0: none */
	uint64_t lapic_addr;
	size_t n_ioapic;
	struct acpi_ioapic ioapic[ACPI_MAX_IOAPIC];
	size_t n_iso;
	struct acpi_iso iso[ACPI_MAX_ISO];
	size_t n_mmio;
	struct acpi_mmio mmio[ACPI_MAX_MMIO];
};

extern struct acpi_info acpi_info;

void acpi_init(uint64_t rsdp_hint);

#endif
