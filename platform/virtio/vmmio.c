/* SPDX-License-Identifier: MIT */
/* virtio-mmio transport, legacy (version 1) and modern (version 2). */
#include "platform/virtio/vmmio.h"

#include "lib/mem.h"
#include "platform/kernel/kprintf.h"
#include "platform/virtio/vplat.h"

/* Register offsets (virtio 1.2 4.2.2, table 4.1; legacy ones from 4.2.4). */
#define MMIO_MAGIC         0x000
#define MMIO_VERSION       0x004
#define MMIO_DEVICE_ID     0x008
#define MMIO_DEV_FEATURES  0x010
#define MMIO_DEV_FEAT_SEL  0x014
#define MMIO_DRV_FEATURES  0x020
#define MMIO_DRV_FEAT_SEL  0x024
#define MMIO_GUEST_PAGE_SZ 0x028 /* legacy */
#define MMIO_QUEUE_SEL     0x030
#define MMIO_QUEUE_NUM_MAX 0x034
#define MMIO_QUEUE_NUM     0x038
#define MMIO_QUEUE_ALIGN   0x03c /* legacy */
#define MMIO_QUEUE_PFN     0x040 /* legacy */
#define MMIO_QUEUE_READY   0x044
#define MMIO_QUEUE_NOTIFY  0x050
#define MMIO_IRQ_ACK       0x064
#define MMIO_IRQ_USED      1u /* 4.2.2: a used buffer; */
#define MMIO_IRQ_CONFIG    2u /* the configuration changed */
#define MMIO_STATUS        0x070
#define MMIO_QUEUE_DESC    0x080
#define MMIO_QUEUE_DRIVER  0x090
#define MMIO_QUEUE_DEVICE  0x0a0
#define MMIO_CONFIG_GEN    0x0fc /* modern */
#define MMIO_CONFIG        0x100

#define MMIO_MAGIC_VALUE 0x74726976u /* "virt" */
#define PAGE             4096u

static uint32_t rd(struct vmmio *m, uint32_t off)
{
	return *(volatile uint32_t *)(volatile void *)(m->regs + off);
}

static void wr(struct vmmio *m, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(volatile void *)(m->regs + off) = v;
}

static struct vmmio *of(struct vtrans *t)
{
	return (struct vmmio *)t;
}

static uint8_t get_status(struct vtrans *t)
{
	return (uint8_t)rd(of(t), MMIO_STATUS);
}

static void set_status(struct vtrans *t, uint8_t s)
{
	wr(of(t), MMIO_STATUS, s);
}

static uint64_t get_features(struct vtrans *t)
{
	struct vmmio *m = of(t);

	wr(m, MMIO_DEV_FEAT_SEL, 0);
	uint64_t f = rd(m, MMIO_DEV_FEATURES);
	if (m->version >= 2) { /* legacy devices have 32 feature bits */
		wr(m, MMIO_DEV_FEAT_SEL, 1);
		f |= (uint64_t)rd(m, MMIO_DEV_FEATURES) << 32;
	}
	return f;
}

static void set_features(struct vtrans *t, uint64_t f)
{
	struct vmmio *m = of(t);

	wr(m, MMIO_DRV_FEAT_SEL, 0);
	wr(m, MMIO_DRV_FEATURES, (uint32_t)f);
	if (m->version >= 2) {
		wr(m, MMIO_DRV_FEAT_SEL, 1);
		wr(m, MMIO_DRV_FEATURES, (uint32_t)(f >> 32));
	}
}

static uint16_t queue_max(struct vtrans *t, uint16_t idx)
{
	struct vmmio *m = of(t);

	wr(m, MMIO_QUEUE_SEL, idx);
	/* A queue already in use is not ours to set up (4.2.3.2, 4.2.4). */
	if (rd(m, m->version >= 2 ? MMIO_QUEUE_READY : MMIO_QUEUE_PFN) != 0)
		return 0;
	uint32_t max = rd(m, MMIO_QUEUE_NUM_MAX);
	return (uint16_t)(max > 0xffff ? 0xffff : max);
}

static void wr64(struct vmmio *m, uint32_t off, uint64_t v)
{
	wr(m, off, (uint32_t)v);
	wr(m, off + 4, (uint32_t)(v >> 32));
}

static bool queue_enable(struct vtrans *t, struct virtq *q)
{
	struct vmmio *m = of(t);

	wr(m, MMIO_QUEUE_SEL, q->index);
	wr(m, MMIO_QUEUE_NUM, q->size);
	if (m->version >= 2) { /* 4.2.3.2 */
		wr64(m, MMIO_QUEUE_DESC, virtq_desc_addr(q));
		wr64(m, MMIO_QUEUE_DRIVER, virtq_avail_addr(q));
		wr64(m, MMIO_QUEUE_DEVICE, virtq_used_addr(q));
		wr(m, MMIO_QUEUE_READY, 1);
		return rd(m, MMIO_QUEUE_READY) == 1;
	}
	/* 4.2.4: one page-aligned area, named by its page frame number. */
	uint64_t pfn = virtq_desc_addr(q) / PAGE;
	if (pfn > 0xffffffffu)
		return false;
	if (!m->page_size_set) { /* one value for the device, not per queue */
		wr(m, MMIO_GUEST_PAGE_SZ, PAGE);
		m->page_size_set = true;
	}
	wr(m, MMIO_QUEUE_ALIGN, PAGE);
	wr(m, MMIO_QUEUE_PFN, (uint32_t)pfn);
	return true;
}

static void notify(struct vtrans *t, uint16_t idx)
{
	vplat_wmb_io();
	wr(of(t), MMIO_QUEUE_NOTIFY, idx);
}

static uint8_t config8(struct vtrans *t, uint32_t off)
{
	struct vmmio *m = of(t);

	if (off >= m->size - MMIO_CONFIG)
		return 0; /* outside the window: never read there */
	return *(volatile uint8_t *)(m->regs + MMIO_CONFIG + off);
}

static bool irq_setup(struct vtrans *t, uint16_t rx_idx)
{
	(void)rx_idx; /* one line for the whole device */
	return vplat_irq_line(of(t)->irq, t->irq, sizeof t->irq);
}

static uint32_t config_gen(struct vtrans *t)
{
	struct vmmio *m = of(t);

	return m->version >= 2 ? rd(m, MMIO_CONFIG_GEN) : 0;
}

static void irq_ack(struct vtrans *t)
{
	struct vmmio *m = of(t);

	/* Both causes acknowledged without reading which it was: the driver
	 * polls its queues after every wake-up and reads no configuration after
	 * set-up, so the status would change nothing, and each register access
	 * is a VM exit to the device model. */
	wr(m, MMIO_IRQ_ACK, MMIO_IRQ_USED | MMIO_IRQ_CONFIG);
}

static const struct vtrans_ops vmmio_ops = {
        get_status, set_status, get_features, set_features, queue_max, queue_enable,
        notify,     config8,    config_gen,   irq_setup,    irq_ack,
};

enum vmmio_result vmmio_probe(struct vmmio *m, uint64_t addr, uint64_t size, uint32_t irq)
{
	memset(m, 0, sizeof *m);
	if (size < MMIO_CONFIG + 8 || size > VMMIO_MAX_WINDOW)
		return VMMIO_ESIZE;
	vplat_map_mmio(addr, size, "virtio-mmio");
	m->regs = (volatile uint8_t *)(uintptr_t)addr;
	m->addr = addr;
	m->size = size;
	m->irq = irq;
	if (rd(m, MMIO_MAGIC) != MMIO_MAGIC_VALUE)
		return VMMIO_EMAGIC;
	m->version = rd(m, MMIO_VERSION);
	if (m->version != 1 && m->version != 2)
		return VMMIO_EVERSION;
	m->device_id = rd(m, MMIO_DEVICE_ID);
	if (m->device_id == 0)
		return VMMIO_EMPTY;
	m->t.ops = &vmmio_ops;
	m->t.modern = m->version >= 2;
	ksnprintf(m->t.name, sizeof m->t.name, "virtio-mmio@0x%lx (%s)", addr,
	          m->t.modern ? "modern" : "legacy");
	return VMMIO_OK;
}
