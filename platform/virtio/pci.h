/* SPDX-License-Identifier: MIT */
/* PCI configuration space, BARs, capabilities and MSI-X, shared by the VM
 * targets. Configuration access is the target's (pcicfg_present, pci_read32,
 * pci_write32, pci_write16): I/O ports 0xcf8/0xcfc on x86_64 (pvh/pcicfg.c),
 * the ECAM window from the device tree on arm64 (arm64/pcie.c).
 *
 * pci_scan() lists the functions on bus 0 and on the buses behind PCI-PCI
 * bridges (following secondary bus numbers, each bus once), up to (cap); on a
 * machine without PCI (QEMU microvm, Firecracker) it finds nothing, as every read
 * returns all ones. Configuration values are input: capability pointers are
 * bounded and walked at most 48 times, BAR sizes come from the standard sizing
 * probe, and an MSI-X table must fit in its BAR. Firmware (SeaBIOS, qboot, or the
 * VMM) has assigned the BARs; an unassigned BAR is reported as absent. Boot
 * only. */
#ifndef UD_VIRTIO_PCI_H
#define UD_VIRTIO_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCI_CAP_MSIX   0x11
#define PCI_CAP_VENDOR 0x09

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device, subsys;
	uint8_t irq_line; /* what firmware wrote at 0x3c; 0xff: none */
};

size_t pci_scan(struct pci_dev *out, size_t cap);

/* Per target: whether configuration space answers at all (no PCI: nothing is
 * scanned), and its 32-bit and 16-bit accesses. */
bool pcicfg_present(void);

uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);

/* Walking the capability list: zero the iterator, then each true return leaves
 * the next capability's offset in (it->pos). */
struct pci_cap_iter {
	uint8_t pos, walked;
};
bool pci_cap_next(const struct pci_dev *d, struct pci_cap_iter *it);

/* Memory BAR (bar): its address and size; false if absent, unassigned or I/O. */
bool pci_bar(const struct pci_dev *d, unsigned bar, uint64_t *addr, uint64_t *size);

/* Enable memory decoding and bus mastering. */
void pci_enable(const struct pci_dev *d);

/* Point MSI-X table entry (entry) at the message (msg_addr, msg_data) the target
 * composed (vplat_msi), unmask it, enable MSI-X and turn INTx off. False when
 * the device has no usable MSI-X. */
bool pci_msix_setup(const struct pci_dev *d, uint16_t entry, uint64_t msg_addr, uint32_t msg_data);

#endif
