/* SPDX-License-Identifier: MIT */
/* PCI bus scan, BARs, capabilities and MSI-X over the target's configuration
 * access (pci.h). */
#include "platform/virtio/pci.h"

#include "platform/virtio/vplat.h"

/* Configuration header offsets (PCI 3.0 6.1). */
#define PCI_VENDOR   0x00
#define PCI_DEVICE   0x02
#define PCI_COMMAND  0x04
#define PCI_STATUS   0x06
#define PCI_HDR_TYPE 0x0e
#define PCI_BAR0     0x10
#define PCI_SEC_BUS  0x19 /* type 1 (bridge) header */
#define PCI_SUBSYS   0x2e
#define PCI_CAP_PTR  0x34
#define PCI_IRQ_LINE 0x3c

#define CMD_MEMORY    (1u << 1)
#define CMD_MASTER    (1u << 2)
#define CMD_INTX_OFF  (1u << 10)
#define STATUS_CAPS   (1u << 4)
#define MSIX_ENABLE   (1u << 15)
#define MSIX_MASK_ALL (1u << 14)
#define MAX_BUSES     32
#define MAX_CAP_WALK  48

uint16_t pci_read16(const struct pci_dev *d, uint8_t off)
{
	return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t off)
{
	return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

struct scan {
	struct pci_dev *out;
	size_t cap, n;
	uint8_t pending[MAX_BUSES];
	size_t n_pending;
	bool seen[256];
};

static void scan_fn(struct scan *s, uint8_t bus, uint8_t dev, uint8_t fn)
{
	struct pci_dev d = {bus, dev, fn, 0, 0, 0, 0xff};
	uint8_t sec;

	d.vendor = pci_read16(&d, PCI_VENDOR);
	if (d.vendor == 0xffff)
		return;
	d.device = pci_read16(&d, PCI_DEVICE);
	if ((pci_read8(&d, PCI_HDR_TYPE) & 0x7f) == 1) {
		sec = pci_read8(&d, PCI_SEC_BUS);
		if (sec && !s->seen[sec] && s->n_pending < MAX_BUSES) {
			s->seen[sec] = true;
			s->pending[s->n_pending++] = sec;
		}
		return;
	}
	d.subsys = pci_read16(&d, PCI_SUBSYS);
	d.irq_line = pci_read8(&d, PCI_IRQ_LINE);
	if (s->n < s->cap)
		s->out[s->n++] = d;
}

static void scan_bus(struct scan *s, uint8_t bus)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		struct pci_dev f0 = {bus, dev, 0, 0, 0, 0, 0};
		if (pci_read16(&f0, PCI_VENDOR) == 0xffff)
			continue;
		bool multi = pci_read8(&f0, PCI_HDR_TYPE) & 0x80;
		for (uint8_t fn = 0; fn < (multi ? 8 : 1); fn++)
			scan_fn(s, bus, dev, fn);
	}
}

size_t pci_scan(struct pci_dev *out, size_t cap)
{
	static struct scan s; /* 300 bytes of state: keep it off the stack */

	if (!pcicfg_present())
		return 0;

	s.out = out;
	s.cap = cap;
	s.n = 0;
	s.n_pending = 1;
	s.pending[0] = 0;
	for (size_t i = 0; i < 256; i++)
		s.seen[i] = i == 0;
	for (size_t i = 0; i < s.n_pending; i++)
		scan_bus(&s, s.pending[i]);
	return s.n;
}

bool pci_cap_next(const struct pci_dev *d, struct pci_cap_iter *it)
{
	uint8_t next;

	if (it->walked == 0) {
		if (!(pci_read16(d, PCI_STATUS) & STATUS_CAPS))
			return false;
		next = pci_read8(d, PCI_CAP_PTR);
	} else {
		next = pci_read8(d, (uint8_t)(it->pos + 1));
	}
	next &= 0xfc;
	/* Capabilities live after the 64-byte header; a loop is cut off. */
	if (next < 0x40 || ++it->walked > MAX_CAP_WALK)
		return false;
	it->pos = next;
	return true;
}

bool pci_bar(const struct pci_dev *d, unsigned bar, uint64_t *addr, uint64_t *size)
{
	if (bar > 5)
		return false;
	uint8_t off = (uint8_t)(PCI_BAR0 + 4 * bar);
	uint32_t lo = pci_read32(d, off), hi = 0, slo, shi = 0xffffffffu;
	if (lo & 1)
		return false; /* an I/O BAR */
	bool is64 = ((lo >> 1) & 3) == 2;
	if (is64 && bar == 5)
		return false;
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	pci_write16(d, PCI_COMMAND, (uint16_t)(cmd & ~CMD_MEMORY)); /* no decoding while sizing */
	pci_write32(d, off, 0xffffffffu);
	slo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (is64) {
		hi = pci_read32(d, (uint8_t)(off + 4));
		pci_write32(d, (uint8_t)(off + 4), 0xffffffffu);
		shi = pci_read32(d, (uint8_t)(off + 4));
		pci_write32(d, (uint8_t)(off + 4), hi);
	}
	pci_write16(d, PCI_COMMAND, cmd);
	uint64_t mask = ((uint64_t)shi << 32) | (slo & ~0xfu);
	*addr = ((uint64_t)hi << 32) | (lo & ~0xfu);
	*size = ~mask + 1;
	if (!is64)
		*size &= 0xffffffffu;
	return *addr != 0 && *size != 0;
}

void pci_enable(const struct pci_dev *d)
{
	pci_write16(d, PCI_COMMAND,
	            (uint16_t)(pci_read16(d, PCI_COMMAND) | CMD_MEMORY | CMD_MASTER));
}

/* PCI 3.0 6.8.2: control at +2, table offset/BIR at +4; 16-byte table entries. */
bool pci_msix_setup(const struct pci_dev *d, uint16_t entry, uint64_t msg_addr, uint32_t msg_data)
{
	struct pci_cap_iter it = {0, 0};
	uint64_t bar_addr, bar_size, table;
	bool found = false;

	while (!found && pci_cap_next(d, &it))
		found = pci_read8(d, it.pos) == PCI_CAP_MSIX;
	if (!found)
		return false;
	uint8_t pos = it.pos;
	uint16_t ctl = pci_read16(d, (uint8_t)(pos + 2));
	uint32_t tbl = pci_read32(d, (uint8_t)(pos + 4));
	uint32_t n = (ctl & 0x7ffu) + 1u, off = tbl & ~7u;
	if (entry >= n || !pci_bar(d, tbl & 7, &bar_addr, &bar_size) ||
	    (uint64_t)off + 16u * n > bar_size || __builtin_add_overflow(bar_addr, off, &table))
		return false;
	pci_write16(d, (uint8_t)(pos + 2), (uint16_t)(ctl | MSIX_ENABLE | MSIX_MASK_ALL));
	vplat_map_mmio(table, 16u * n, "MSI-X table");
	volatile uint32_t *e = (volatile uint32_t *)(uintptr_t)(table + 16u * entry);
	e[0] = (uint32_t)msg_addr; /* the message the target composed (vplat_msi) */
	e[1] = (uint32_t)(msg_addr >> 32);
	e[2] = msg_data;
	e[3] = 0; /* unmasked */
	pci_write16(d, PCI_COMMAND, (uint16_t)(pci_read16(d, PCI_COMMAND) | CMD_INTX_OFF));
	pci_write16(d, (uint8_t)(pos + 2), (uint16_t)((ctl | MSIX_ENABLE) & ~MSIX_MASK_ALL));
	return true;
}
