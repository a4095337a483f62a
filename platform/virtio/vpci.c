/* SPDX-License-Identifier: MIT */
/* Modern virtio-pci transport. */
#include "platform/virtio/vpci.h"

#include "lib/mem.h"
#include "platform/kernel/kprintf.h"
#include "platform/virtio/vplat.h"

/* virtio 1.2 4.1.4: cfg_type values. */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

/* struct virtio_pci_common_cfg offsets (4.1.4.3). */
#define CC_DFSELECT 0x00
#define CC_DF       0x04
#define CC_GFSELECT 0x08
#define CC_GF       0x0c
#define CC_MSIX     0x10
#define CC_STATUS   0x14
#define CC_CFG_GEN  0x15
#define CC_Q_SELECT 0x16
#define CC_Q_SIZE   0x18
#define CC_Q_MSIX   0x1a
#define CC_Q_ENABLE 0x1c
#define CC_Q_NOFF   0x1e
#define CC_Q_DESC   0x20
#define CC_Q_AVAIL  0x28
#define CC_Q_USED   0x30
#define CC_LEN      0x38
#define NO_VECTOR   0xffff

static struct vpci *of(struct vtrans *t)
{
	return (struct vpci *)t;
}

static uint8_t cr8(struct vpci *v, uint32_t off)
{
	return v->common[off];
}

static uint16_t cr16(struct vpci *v, uint32_t off)
{
	return *(volatile uint16_t *)(volatile void *)(v->common + off);
}

static uint32_t cr32(struct vpci *v, uint32_t off)
{
	return *(volatile uint32_t *)(volatile void *)(v->common + off);
}

static void cw8(struct vpci *v, uint32_t off, uint8_t x)
{
	v->common[off] = x;
}

static void cw16(struct vpci *v, uint32_t off, uint16_t x)
{
	*(volatile uint16_t *)(volatile void *)(v->common + off) = x;
}

static void cw32(struct vpci *v, uint32_t off, uint32_t x)
{
	*(volatile uint32_t *)(volatile void *)(v->common + off) = x;
}

/* 4.1.3.1: 64-bit fields as two 32-bit writes, low half first. */
static void cw64(struct vpci *v, uint32_t off, uint64_t x)
{
	cw32(v, off, (uint32_t)x);
	cw32(v, off + 4, (uint32_t)(x >> 32));
}

static uint8_t get_status(struct vtrans *t)
{
	return cr8(of(t), CC_STATUS);
}

static void set_status(struct vtrans *t, uint8_t s)
{
	cw8(of(t), CC_STATUS, s);
}

static uint64_t get_features(struct vtrans *t)
{
	struct vpci *v = of(t);

	cw32(v, CC_DFSELECT, 0);
	uint64_t f = cr32(v, CC_DF);
	cw32(v, CC_DFSELECT, 1);
	return f | (uint64_t)cr32(v, CC_DF) << 32;
}

static void set_features(struct vtrans *t, uint64_t f)
{
	struct vpci *v = of(t);

	cw32(v, CC_GFSELECT, 0);
	cw32(v, CC_GF, (uint32_t)f);
	cw32(v, CC_GFSELECT, 1);
	cw32(v, CC_GF, (uint32_t)(f >> 32));
}

static uint16_t queue_max(struct vtrans *t, uint16_t idx)
{
	struct vpci *v = of(t);

	cw16(v, CC_Q_SELECT, idx);
	if (cr16(v, CC_Q_ENABLE))
		return 0;
	return cr16(v, CC_Q_SIZE);
}

static bool queue_enable(struct vtrans *t, struct virtq *q)
{
	struct vpci *v = of(t);

	cw16(v, CC_Q_SELECT, q->index); /* 4.1.5.1.3 */
	uint64_t noff = (uint64_t)cr16(v, CC_Q_NOFF) * v->notify_mult;
	if (noff + 2 > v->notify_len) {
		kprintf("%s: %s: queue %u notify offset 0x%lx outside its region\n", vplat_name,
		        t->name, q->index, noff);
		return false;
	}
	cw16(v, CC_Q_SIZE, q->size);
	cw64(v, CC_Q_DESC, virtq_desc_addr(q));
	cw64(v, CC_Q_AVAIL, virtq_avail_addr(q));
	cw64(v, CC_Q_USED, virtq_used_addr(q));
	cw16(v, CC_Q_ENABLE, 1);
	return true;
}

static void notify(struct vtrans *t, uint16_t idx)
{
	struct vpci *v = of(t);

	cw16(v, CC_Q_SELECT, idx);
	uint64_t noff = (uint64_t)cr16(v, CC_Q_NOFF) * v->notify_mult;
	if (noff + 2 <= v->notify_len) /* 4.1.4.4: write the queue index there */
	{
		vplat_wmb_io();
		*(volatile uint16_t *)(volatile void *)(v->notify + noff) = idx;
	}
}

static uint8_t config8(struct vtrans *t, uint32_t off)
{
	struct vpci *v = of(t);

	return off < v->device_len ? v->device[off] : 0;
}

static bool irq_setup(struct vtrans *t, uint16_t rx_idx)
{
	struct vpci *v = of(t);
	uint64_t msi_addr;
	uint32_t msi_data;
	char how[16];

	if (vplat_msi(&msi_addr, &msi_data) && pci_msix_setup(&v->dev, 0, msi_addr, msi_data)) {
		/* 4.1.5.1.2: a vector the device cannot use reads back as NO_VECTOR. */
		cw16(v, CC_MSIX, NO_VECTOR);
		cw16(v, CC_Q_SELECT, (uint16_t)(rx_idx + 1));
		cw16(v, CC_Q_MSIX, NO_VECTOR);
		cw16(v, CC_Q_SELECT, rx_idx);
		cw16(v, CC_Q_MSIX, 0);
		if (cr16(v, CC_Q_MSIX) == 0) {
			v->msix = true;
			ksnprintf(t->irq, sizeof t->irq, "MSI-X");
			return true;
		}
		kprintf("%s: %s: MSI-X vector refused; trying INTx\n", vplat_name, t->name);
	}
	uint8_t line = v->dev.irq_line;
	if (line == 0 || line == 0xff) {
		kprintf("%s: %s: no MSI-X and no interrupt line\n", vplat_name, t->name);
		return false;
	}
	bool ok = vplat_irq_line(line, how, sizeof how);
	ksnprintf(t->irq, sizeof t->irq, "INTx %s", how);
	return ok;
}

static uint32_t config_gen(struct vtrans *t)
{
	return cr8(of(t), CC_CFG_GEN);
}

static void irq_ack(struct vtrans *t)
{
	struct vpci *v = of(t);

	if (!v->msix)
		(void)*v->isr; /* 4.1.4.5: reading the ISR clears it and the line */
}

static const struct vtrans_ops vpci_ops = {
        get_status, set_status, get_features, set_features, queue_max, queue_enable,
        notify,     config8,    config_gen,   irq_setup,    irq_ack,
};

uint16_t vpci_device_type(const struct pci_dev *d)
{
	if (d->vendor != VPCI_VENDOR)
		return 0;
	if (d->device >= 0x1040 && d->device <= 0x107f) /* 4.1.2.1: modern IDs */
		return (uint16_t)(d->device - 0x1040);
	if (d->device >= 0x1000 && d->device <= 0x103f) /* transitional */
		return d->subsys;
	return 0;
}

/* Map one structure found by its capability at (pos); false if it lies outside
 * its BAR. */
static bool map_cap(struct vpci *v, uint8_t pos, volatile uint8_t **p, uint64_t *len)
{
	uint64_t bar_addr, bar_size, end, addr;
	uint8_t bar = pci_read8(&v->dev, (uint8_t)(pos + 4));
	uint32_t off = pci_read32(&v->dev, (uint8_t)(pos + 8));
	uint32_t n = pci_read32(&v->dev, (uint8_t)(pos + 12));

	if (!pci_bar(&v->dev, bar, &bar_addr, &bar_size) ||
	    __builtin_add_overflow((uint64_t)off, (uint64_t)n, &end) || end > bar_size ||
	    __builtin_add_overflow(bar_addr, off, &addr) || n == 0)
		return false;
	vplat_map_mmio(addr, n, "virtio-pci");
	*p = (volatile uint8_t *)(uintptr_t)addr;
	*len = n;
	return true;
}

static bool find_caps(struct vpci *v)
{
	struct pci_cap_iter it = {0, 0};
	uint64_t common_len = 0, isr_len = 0;

	while (pci_cap_next(&v->dev, &it)) {
		if (pci_read8(&v->dev, it.pos) != PCI_CAP_VENDOR)
			continue;
		/* struct virtio_pci_cap is 16 bytes, the notify one 20: it must fit in
		 * the 256 bytes of configuration space. */
		uint8_t cap_len = pci_read8(&v->dev, (uint8_t)(it.pos + 2));
		uint8_t type = pci_read8(&v->dev, (uint8_t)(it.pos + 3));
		if (cap_len < (type == CAP_NOTIFY ? 20 : 16) || it.pos + cap_len > 256)
			continue;
		bool ok = true;
		/* 4.1.4: use the first structure of each type. */
		if (type == CAP_COMMON && !v->common)
			ok = map_cap(v, it.pos, &v->common, &common_len);
		else if (type == CAP_NOTIFY && !v->notify) {
			ok = map_cap(v, it.pos, &v->notify, &v->notify_len);
			v->notify_mult = pci_read32(&v->dev, (uint8_t)(it.pos + 16));
		} else if (type == CAP_ISR && !v->isr)
			ok = map_cap(v, it.pos, &v->isr, &isr_len);
		else if (type == CAP_DEVICE && !v->device)
			ok = map_cap(v, it.pos, &v->device, &v->device_len);
		if (!ok)
			return false;
	}
	return v->common && common_len >= CC_LEN && v->notify && v->isr;
}

enum vpci_result vpci_probe(struct vpci *v, const struct pci_dev *d)
{
	memset(v, 0, sizeof *v);
	v->dev = *d;
	v->t.ops = &vpci_ops;
	v->t.modern = true;
	ksnprintf(v->t.name, sizeof v->t.name, "virtio-pci %02x:%02x.%x", d->bus, d->dev, d->fn);
	pci_enable(d);
	struct pci_cap_iter it = {0, 0};
	bool any_vendor = false;
	while (pci_cap_next(d, &it))
		any_vendor |= pci_read8(d, it.pos) == PCI_CAP_VENDOR;
	if (!any_vendor)
		return VPCI_ELEGACY;
	return find_caps(v) ? VPCI_OK : VPCI_EBAR;
}
