/* SPDX-License-Identifier: MIT */
/* virtio-blk: discovery, set-up and polled sector I/O (vblk.h). */
#include "platform/virtio/vblk.h"

#include "lib/mem.h"
#include "platform/kernel/balloc.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/virtio/pci.h"
#include "platform/virtio/virtq.h"
#include "platform/virtio/vmmio.h"
#include "platform/virtio/vpci.h"
#include "platform/virtio/vplat.h"

#define VIRTIO_ID_BLOCK 2 /* virtio 1.2 5: device ID 2, block device */
#define REQ_QUEUE       0 /* 5.2.2: requestq1 */
#define BLK_F_RO        5 /* 5.2.3: the device is read-only */
#define BLK_T_IN        0 /* 5.2.6: read */
#define BLK_T_OUT       1 /* write */
#define BLK_S_OK        0
#define MAX_PCI         32u
#define BIT(n)          (1ull << (n))

union vbdev {
	struct vtrans t;
	struct vmmio mmio;
	struct vpci pci;
};

static union vbdev devs[VBLK_MAX_DEVS];
static size_t n_devs;
static struct {
	struct vtrans *t;
	struct virtq q;
	uint8_t *hdr;  /* the request header (16 bytes) and, at 16, the status byte */
	uint8_t *data; /* VBLK_CHUNK bytes, one page */
	uint64_t sectors;
	bool ro;
	struct vblk_stats stats;
} blk;

void vblk_probe_mmio(uint64_t addr, uint64_t size, uint32_t irq)
{
	struct vmmio m;

	if (n_devs >= VBLK_MAX_DEVS || vmmio_probe(&m, addr, size, irq) != VMMIO_OK ||
	    m.device_id != VIRTIO_ID_BLOCK)
		return;
	for (size_t i = 0; i < n_devs; i++)
		if (devs[i].t.ops == m.t.ops && devs[i].mmio.addr == addr)
			return; /* seen through two sources (command line and ACPI) */
	devs[n_devs++].mmio = m;
}

void vblk_probe_pci(void)
{
	static struct pci_dev found[MAX_PCI];
	size_t n = pci_scan(found, MAX_PCI);

	for (size_t i = 0; i < n && n_devs < VBLK_MAX_DEVS; i++)
		if (vpci_device_type(&found[i]) == VIRTIO_ID_BLOCK &&
		    vpci_probe(&devs[n_devs].pci, &found[i]) == VPCI_OK)
			n_devs++;
}

static bool fail(struct vtrans *t, const char *why)
{
	kprintf("%s: blk: %s: %s\n", vplat_name, t->name, why);
	t->ops->set_status(t, t->ops->get_status(t) | VIRTIO_FAILED);
	return false;
}

/* 5.2.4: capacity, le64 at offset 0, read until the generation holds (2.5.1). */
static uint64_t capacity(struct vtrans *t)
{
	uint64_t c = 0;

	for (int tries = 0; tries < 16; tries++) {
		uint32_t gen = t->ops->config_gen(t);
		c = 0;
		for (uint32_t i = 0; i < 8; i++)
			c |= (uint64_t)t->ops->config8(t, i) << (8 * i);
		if (t->ops->config_gen(t) == gen)
			break;
	}
	return c;
}

/* virtio 1.2 3.1.1, as for the network device (vnet.c). */
static bool dev_init(struct vtrans *t)
{
	const struct vtrans_ops *o = t->ops;
	uint16_t max, size = 1;

	o->set_status(t, 0);
	for (int i = 0; i < 1000000 && o->get_status(t) != 0; i++)
		;
	o->set_status(t, VIRTIO_ACKNOWLEDGE);
	o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER);
	uint64_t offered = o->get_features(t), want = BIT(BLK_F_RO);
	if (t->modern) {
		if (!(offered & BIT(VIRTIO_F_VERSION_1)))
			return fail(t, "modern device without VIRTIO_F_VERSION_1");
		want |= BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM);
	}
	o->set_features(t, offered & want);
	if (t->modern) {
		o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | VIRTIO_FEATURES_OK);
		if (!(o->get_status(t) & VIRTIO_FEATURES_OK))
			return fail(t, "device refused our features");
	}
	max = o->queue_max(t, REQ_QUEUE);
	if (max < 3)
		return fail(t, "no request queue of three descriptors");
	while ((uint16_t)(size * 2) <= max && size * 2 <= VBLK_QUEUE)
		size = (uint16_t)(size * 2);
	virtq_init(&blk.q, REQ_QUEUE, size, balloc_pages((virtq_mem_size(size) + 4095) / 4096));
	virtq_no_interrupts(&blk.q);
	blk.hdr = balloc_pages(1);
	blk.data = balloc_pages(1);
	if (!o->queue_enable(t, &blk.q))
		return fail(t, "the device did not accept its queue");
	o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | (t->modern ? VIRTIO_FEATURES_OK : 0) |
	                         VIRTIO_DRIVER_OK);
	if (o->get_status(t) & (VIRTIO_NEEDS_RESET | VIRTIO_FAILED))
		return fail(t, "device failed after DRIVER_OK");
	blk.sectors = capacity(t);
	blk.ro = (offered & BIT(BLK_F_RO)) != 0;
	blk.t = t;
	kprintf("%s: blk: %s, %lu sectors%s\n", vplat_name, t->name, blk.sectors,
	        blk.ro ? ", read-only" : "");
	return true;
}

void vblk_start(void)
{
	for (size_t i = 0; i < n_devs; i++)
		if (dev_init(&devs[i].t))
			return;
}

bool vblk_present(void)
{
	return blk.t != NULL;
}

uint64_t vblk_sectors(void)
{
	return blk.t ? blk.sectors : 0;
}

bool vblk_read_only(void)
{
	return blk.ro;
}

const char *vblk_name(void)
{
	return blk.t ? blk.t->name : "none";
}

void vblk_get_stats(struct vblk_stats *st)
{
	*st = blk.stats;
}

/* One request of (n) sectors (n * 512 <= VBLK_CHUNK) through the bounce page,
 * polled until answered (5.2.6). */
static bool request(uint32_t type, uint64_t sector, size_t n)
{
	uint32_t bytes = (uint32_t)(n * VBLK_SECTOR);
	struct virtq_buf b[3] = {
	        {(uint64_t)(uintptr_t)blk.hdr, 16, false},
	        {(uint64_t)(uintptr_t)blk.data, bytes, type == BLK_T_IN},
	        {(uint64_t)(uintptr_t)(blk.hdr + 16), 1, true},
	};
	uint64_t deadline = plat_clock_monotonic_ns() + VBLK_TIMEOUT_NS;
	uint16_t head, got_head;
	uint32_t len;

	memset(blk.hdr, 0, 17);
	for (int i = 0; i < 4; i++)
		blk.hdr[i] = (uint8_t)(type >> (8 * i));
	for (int i = 0; i < 8; i++)
		blk.hdr[8 + i] = (uint8_t)(sector >> (8 * i));
	blk.hdr[16] = 0xff; /* a status the device must overwrite */
	if (!virtq_put(&blk.q, b, 3, &head))
		return false;
	if (virtq_kick_prepare(&blk.q))
		blk.t->ops->notify(blk.t, blk.q.index);
	for (;;) {
		enum virtq_get_result r = virtq_get(&blk.q, &got_head, &len);
		if (r == VIRTQ_GOT && got_head == head) {
			/* The used length counts what the device wrote: the data
			 * and the status byte on a read, the status on a write. */
			if (len > bytes + 1u) {
				blk.stats.bad_used++;
				return false;
			}
			if (blk.hdr[16] != BLK_S_OK) {
				blk.stats.errors++;
				return false;
			}
			return true;
		}
		if (r == VIRTQ_BAD)
			blk.stats.bad_used++;
		if (plat_clock_monotonic_ns() >= deadline) {
			/* The buffers stay posted and the device may still use
			 * them, so nothing uses them again. */
			blk.stats.timeouts++;
			blk.t = NULL;
			kprintf("%s: blk: no answer in %lu ms: the device is not used again\n",
			        vplat_name, VBLK_TIMEOUT_NS / 1000000);
			return false;
		}
	}
}

static bool in_range(uint64_t sector, size_t n)
{
	uint64_t end;
	return blk.t && !__builtin_add_overflow(sector, (uint64_t)n, &end) && end <= blk.sectors;
}

bool vblk_read(uint64_t sector, void *buf, size_t n)
{
	uint8_t *p = buf;
	const size_t per = VBLK_CHUNK / VBLK_SECTOR;
	bool ok = in_range(sector, n);

	while (ok && n > 0) {
		size_t k = n < per ? n : per;
		ok = request(BLK_T_IN, sector, k);
		if (ok)
			memcpy(p, blk.data, k * VBLK_SECTOR);
		memset(blk.data, 0, VBLK_CHUNK);
		p += k * VBLK_SECTOR;
		sector += k;
		n -= k;
		blk.stats.reads++;
	}
	return ok;
}

bool vblk_write(uint64_t sector, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	const size_t per = VBLK_CHUNK / VBLK_SECTOR;
	bool ok = in_range(sector, n) && !blk.ro;

	while (ok && n > 0) {
		size_t k = n < per ? n : per;
		memcpy(blk.data, p, k * VBLK_SECTOR);
		ok = request(BLK_T_OUT, sector, k);
		memset(blk.data, 0, VBLK_CHUNK);
		p += k * VBLK_SECTOR;
		sector += k;
		n -= k;
		blk.stats.writes++;
	}
	return ok;
}
