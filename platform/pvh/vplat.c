/* SPDX-License-Identifier: MIT */
/* x86_64's side of the virtio drivers (platform/virtio/vplat.h): 4 KiB MMIO
 * mappings, the I/O APIC for wired lines, the LAPIC's MSI address, the network
 * vector; and discovery: the command line's virtio-mmio windows, the DSDT's
 * (QEMU microvm with ACPI), then PCI; the NIC, the entropy device and the
 * state disk. */
#include "platform/virtio/vplat.h"
#include "lib/cmdline.h"
#include "platform/kernel/kprintf.h"
#include "platform/pvh/acpi.h"
#include "platform/pvh/ioapic.h"
#include "platform/pvh/lapic.h"
#include "platform/pvh/paging.h"
#include "platform/pvh/trap.h"
#include "platform/virtio/vblk.h"
#include "platform/virtio/vnet.h"
#include "platform/virtio/vrng.h"

const char vplat_name[] = "pvh";

void vplat_map_mmio(uint64_t addr, uint64_t len, const char *what)
{
	paging_map(addr, len, PAGING_MMIO, what);
}

bool vplat_irq_line(uint32_t line, char *how, unsigned cap)
{
	ksnprintf(how, cap, "GSI %u", line);
	return ioapic_route(line, TRAP_VEC_NET, true, false);
}

/* Intel SDM vol. 3A 11.11.1-2: address 0xfee00000 with the destination APIC ID
 * in bits 19:12, physical mode; data = vector, fixed, edge. */
bool vplat_msi(uint64_t *addr, uint32_t *data)
{
	*addr = 0xfee00000u | ((uint32_t)lapic_id() << 12);
	*data = TRAP_VEC_NET;
	return true;
}

void vplat_irq_handler(void (*fn)(void *ctx), void *ctx)
{
	trap_set_irq(TRAP_VEC_NET, fn, ctx);
}

void vnet_init(const char *cmdline)
{
	struct cmdline_mmio w;
	const char *v;
	size_t len, pos = 0;

	while (cmdline_next(cmdline, "virtio_mmio.device", &pos, &v, &len)) {
		if (cmdline_mmio(v, len, &w)) {
			vnet_probe_mmio(w.addr, w.size, w.irq);
			vrng_probe_mmio(w.addr, w.size, w.irq);
			vblk_probe_mmio(w.addr, w.size, w.irq);
		} else
			kprintf("pvh: virtio_mmio.device=%.*s: want <size>@<addr>:<irq>\n",
			        (int)len, v);
	}
	for (size_t i = 0; i < acpi_info.n_mmio; i++) {
		vnet_probe_mmio(acpi_info.mmio[i].addr, acpi_info.mmio[i].len,
		                acpi_info.mmio[i].irq);
		vrng_probe_mmio(acpi_info.mmio[i].addr, acpi_info.mmio[i].len,
		                acpi_info.mmio[i].irq);
		vblk_probe_mmio(acpi_info.mmio[i].addr, acpi_info.mmio[i].len,
		                acpi_info.mmio[i].irq);
	}
	vnet_probe_pci();
	vrng_probe_pci();
	vblk_probe_pci();
	vnet_start();
	vrng_start();
	vblk_start();
}
