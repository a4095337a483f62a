/* SPDX-License-Identifier: MIT */
/* plat_exit(): ending the VM with a status where the hypervisor allows it.
 *
 * In order: QEMU's isa-debug-exit device (port 0xf4; QEMU exits with status
 * (code << 1) | 1, so codes 0-127 stay distinct); ACPI soft-off, through the
 * hardware-reduced sleep control register (QEMU microvm's GED, memory-mapped and
 * mapped by power_init(); Cloud Hypervisor's, a port) or PM1a_CNT (QEMU pc and
 * q35); the i8042 reset line (Firecracker ends the VM on
 * it); and last, interrupts off and hlt forever. The console always gets
 * "pvh: exit status N" first, which is how a runner without isa-debug-exit, or
 * one that cannot tell QEMU's own failure (status 1) from code 0, learns the
 * code. */
#include <stdint.h>

#include "platform/pvh/power.h"

#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/pvh/acpi.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/paging.h"
#include "platform/pvh/serial.h"

#define DEBUG_EXIT_PORT 0xf4
/* ACPI 6.5 4.8.3.7 (sleep control register: SLP_TYP bits 4:2, SLP_EN bit 5) and
 * 4.8.3.2.1 (PM1 control: SLP_TYP bits 12:10, SLP_EN bit 13). The S5 type is
 * \_S5 in the DSDT, which we do not interpret: QEMU's GED and Cloud Hypervisor
 * take 5, QEMU's PIIX4 and ICH9 take 0. */
#define SLEEP_CTL_S5    ((5u << 2) | (1u << 5))
#define PM1_CNT_S5      ((0u << 10) | (1u << 13))

static volatile uint8_t *sleep_ctl_mmio;

void power_init(void)
{
	const struct acpi_gas *g = &acpi_info.sleep_ctl;

	/* Mapped now: plat_exit() may run after the boot allocator is closed. */
	if (acpi_info.hw_reduced && g->space == 0 && g->addr) {
		paging_map(g->addr, 1, PAGING_MMIO, "ACPI sleep control");
		sleep_ctl_mmio = (volatile uint8_t *)(uintptr_t)g->addr;
	}
}

static void acpi_off(void)
{
	const struct acpi_info *a = &acpi_info;

	if (a->hw_reduced && a->sleep_ctl.addr) {
		if (a->sleep_ctl.space == 1 && a->sleep_ctl.addr < 0x10000)
			outb((uint16_t)a->sleep_ctl.addr, SLEEP_CTL_S5);
		else if (sleep_ctl_mmio) /* QEMU microvm's GED */
			*sleep_ctl_mmio = SLEEP_CTL_S5;
	} else if (a->pm1a_cnt_port) {
		outw(a->pm1a_cnt_port, PM1_CNT_S5);
	}
}

_Noreturn void plat_exit(int code)
{
	serial_sync();
	kprintf("pvh: exit status %d\n", code);
	outl(DEBUG_EXIT_PORT, (uint32_t)code);
	acpi_off();
	outb(0x64, 0xfe); /* i8042: pulse the reset line */
	for (;;)
		__asm__ volatile("cli; hlt");
}
