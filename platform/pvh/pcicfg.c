/* SPDX-License-Identifier: MIT */
/* PCI configuration access on x86_64: I/O ports 0xcf8/0xcfc (PCI Local Bus 3.0
 * 3.2.2.3.2, configuration mechanism #1), behind platform/virtio/pci.h. */
#include "platform/pvh/cpu.h"
#include "platform/virtio/pci.h"

#define CFG_ADDR 0xcf8
#define CFG_DATA 0xcfc

static uint32_t addr_of(const struct pci_dev *d, uint8_t off)
{
	return 0x80000000u | ((uint32_t)d->bus << 16) | ((uint32_t)d->dev << 11) |
	       ((uint32_t)d->fn << 8) | (off & 0xfcu);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off)
{
	outl(CFG_ADDR, addr_of(d, off));
	return inl(CFG_DATA);
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v)
{
	outl(CFG_ADDR, addr_of(d, off));
	outl(CFG_DATA, v);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v)
{
	outl(CFG_ADDR, addr_of(d, off));
	outw((uint16_t)(CFG_DATA + (off & 2)), v);
}

/* Configuration mechanism #1 is there when the address register keeps what is
 * written to it (PCI 3.0 3.2.2.3.2; how Linux's pci_check_type1 decides). QEMU
 * microvm and Firecracker have no PCI: without this, the scan read all 32 slots
 * of bus 0 through ports nothing decodes, 64 VM exits for nothing. */
bool pcicfg_present(void)
{
	outl(CFG_ADDR, 0x80000000u);
	return inl(CFG_ADDR) == 0x80000000u;
}
