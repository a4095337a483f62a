/* SPDX-License-Identifier: MIT */
/* arm64's side of the virtio drivers (platform/virtio/vplat.h): Device-nGnRE
 * mappings, GIC interrupt IDs for wired lines (virtio-mmio's SPIs, PCI INTx
 * through interrupt-map), no MSI (virt's GICv2m and ITS are not driven: INTx
 * serves one NIC). */
#include "platform/virtio/vplat.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"

const char vplat_name[] = "arm64";

static uint32_t net_line;

void vplat_map_mmio(uint64_t addr, uint64_t len, const char *what)
{
	mmu_map_device(addr, len, what);
}

bool vplat_irq_line(uint32_t line, char *how, unsigned cap)
{
	if (line < 32 || line >= 1020) {
		ksnprintf(how, cap, "none");
		return false;
	}
	ksnprintf(how, cap, "SPI %u (%s)", line - 32, gic_name());
	net_line = line;
	gic_enable(line, false); /* virtio's lines are level-triggered */
	return true;
}

bool vplat_msi(uint64_t *addr, uint32_t *data)
{
	(void)addr;
	(void)data;
	return false;
}

void vplat_irq_handler(void (*fn)(void *ctx), void *ctx)
{
	trap_set_net(fn, ctx, net_line);
}
