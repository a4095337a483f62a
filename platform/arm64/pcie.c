/* SPDX-License-Identifier: MIT */
/* PCI on arm64: configuration space through the ECAM window of the device
 * tree's pci-host-ecam-generic (PCIe 5.0 7.2.2: bus << 20 | device << 15 |
 * function << 12 | offset), each bus's 1 MiB mapped when first touched.
 *
 * Nothing has assigned BARs when QEMU boots us with -kernel (no firmware), so
 * pcie_init() does, as a firmware would: for every function on the root bus,
 * each memory BAR is sized and placed, naturally aligned, in the host bridge's
 * 32-bit memory window (64-bit BARs too, with a zero upper half), and the
 * function's INTx pin is looked up in interrupt-map (with its mask) and the GIC
 * interrupt ID written to the interrupt line register (0xff: none), which
 * platform/virtio/vpci.c then routes. A BAR that does not fit is left
 * unassigned (0) and reported; the driver then refuses that device. */
#include "lib/mem.h"
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"
#include "platform/virtio/pci.h"

#define PCI_COMMAND  0x04
#define PCI_HDR_TYPE 0x0e
#define PCI_BAR0     0x10
#define PCI_IRQ_LINE 0x3c
#define PCI_IRQ_PIN  0x3d

static bool mapped[256];
static uint64_t next_mem, mem_end;

static uint64_t cfg_addr(const struct pci_dev *d, uint8_t off)
{
	uint32_t bus = d->bus;

	if (bus < board.pci.bus_start || bus > board.pci.bus_end)
		return 0;
	uint64_t rel = (uint64_t)(bus - board.pci.bus_start) << 20;
	if (rel + (1u << 20) > board.pci.ecam_size)
		return 0;
	if (!mapped[bus]) {
		mmu_map_device(board.pci.ecam + rel, 1u << 20, "PCI ECAM");
		mapped[bus] = true;
	}
	return board.pci.ecam + rel + ((uint64_t)d->dev << 15) + ((uint64_t)d->fn << 12) +
	       (off & 0xfcu);
}

bool pcicfg_present(void)
{
	return board.pci.present;
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	uint64_t a = cfg_addr(d, off);

	return a ? mmio_r32(a) : 0xffffffffu;
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
	uint64_t a = cfg_addr(d, off);

	if (a)
		mmio_w32(a, v);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
	uint64_t a = cfg_addr(d, off);

	if (a)
		*(volatile uint16_t *)(uintptr_t)(a + (off & 2)) = v;
}

static void assign_bars(const struct pci_dev *d)
{
	for (unsigned bar = 0; bar < 6; bar++) {
		uint8_t off = (uint8_t)(PCI_BAR0 + 4 * bar);
		uint32_t lo = pci_read32(d, off);
		if (lo & 1)
			continue; /* I/O: not used */
		bool is64 = ((lo >> 1) & 3) == 2;
		pci_write32(d, off, 0xffffffffu);
		uint32_t slo = pci_read32(d, off) & ~0xfu, shi = 0xffffffffu;
		if (is64) {
			pci_write32(d, (uint8_t)(off + 4), 0xffffffffu);
			shi = pci_read32(d, (uint8_t)(off + 4));
		}
		uint64_t mask = (uint64_t)shi << 32 | slo;
		if (!is64)
			mask |= 0xffffffff00000000ull;
		uint64_t size = ~mask + 1;
		if (slo == 0 && (!is64 || shi == 0xffffffffu || shi == 0)) {
			pci_write32(d, off, 0);
			if (is64)
				pci_write32(d, (uint8_t)(off + 4), 0), bar++;
			continue; /* not implemented */
		}
		uint64_t at = (next_mem + size - 1) & ~(size - 1);
		if (size == 0 || at < next_mem || at + size > mem_end) {
			kprintf("arm64: pci %02x:%02x.%x BAR %u (%lu KiB) does not fit the memory "
			        "window: left unassigned\n",
			        d->bus, d->dev, d->fn, bar, size / 1024);
			pci_write32(d, off, 0);
			if (is64)
				pci_write32(d, (uint8_t)(off + 4), 0), bar++;
			continue;
		}
		uint64_t pci_addr = at - board.pci.mem32_cpu + board.pci.mem32_pci;
		pci_write32(d, off, (uint32_t)pci_addr | (lo & 0xfu));
		if (is64) {
			pci_write32(d, (uint8_t)(off + 4), (uint32_t)(pci_addr >> 32));
			bar++;
		}
		next_mem = at + size;
	}
}

/* interrupt-map: (device, pin) under the mask to a GIC interrupt ID. */
static uint8_t intx_line(const struct pci_dev *d)
{
	uint32_t pin = pci_read32(d, PCI_IRQ_LINE) >> 8 & 0xff;
	uint32_t hi = (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 | (uint32_t)d->fn << 8;

	if (pin < 1 || pin > 4)
		return 0xff;
	for (uint32_t i = 0; i < board.pci.n_imap; i++) {
		const struct fdt_imap *m = &board.pci.imap[i];
		if ((hi & board.pci.imap_mask_hi) == (m->devfn_hi & board.pci.imap_mask_hi) &&
		    (pin & board.pci.imap_mask_pin) == m->pin)
			return m->intid < 255 ? (uint8_t)m->intid : 0xff;
	}
	return 0xff;
}

void pcie_init(void)
{
	if (!board.pci.present)
		return;
	next_mem = board.pci.mem32_cpu;
	mem_end = board.pci.mem32_cpu + board.pci.mem32_size;
	mmu_map_device(board.pci.mem32_cpu, board.pci.mem32_size, "PCI memory window");
	for (uint8_t dev = 0; dev < 32; dev++) {
		struct pci_dev f0 = {(uint8_t)board.pci.bus_start, dev, 0, 0, 0, 0, 0xff};
		if ((pci_read32(&f0, 0) & 0xffff) == 0xffff)
			continue;
		bool multi = pci_read32(&f0, 0x0c) >> 16 & 0x80;
		for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++) {
			struct pci_dev d = {(uint8_t)board.pci.bus_start, dev, fn, 0, 0, 0, 0xff};
			if ((pci_read32(&d, 0) & 0xffff) == 0xffff ||
			    (pci_read32(&d, 0x0c) >> 16 & 0x7f) != 0)
				continue;                /* absent, or a bridge (not followed) */
			pci_write16(&d, PCI_COMMAND, 0); /* no decoding while placing */
			assign_bars(&d);
			pci_write16(&d, PCI_IRQ_LINE, (uint16_t)intx_line(&d));
		}
	}
}
