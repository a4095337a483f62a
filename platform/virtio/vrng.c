/* SPDX-License-Identifier: MIT */
/* virtio-rng: discovery, set-up and polled reads (vrng.h). */
#include "platform/virtio/vrng.h"

#include "lib/mem.h"
#include "platform/kernel/balloc.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/virtio/pci.h"
#include "platform/virtio/virtq.h"
#include "platform/virtio/vmmio.h"
#include "platform/virtio/vpci.h"
#include "platform/virtio/vplat.h"

#define VIRTIO_ID_RNG 4 /* virtio 1.2 5: device ID 4, entropy source */
#define REQ_QUEUE     0 /* 5.4.2: requestq */
#define MAX_PCI       32u
#define BIT(n)        (1ull << (n))

union vrdev {
	struct vtrans t;
	struct vmmio mmio;
	struct vpci pci;
};

static union vrdev devs[VRNG_MAX_DEVS];
static size_t n_devs;
static struct {
	struct vtrans *t;
	struct virtq q;
	uint8_t *buf; /* VRNG_CHUNK bytes the device writes (one page) */
	struct vrng_stats stats;
} rng;

void vrng_probe_mmio(uint64_t addr, uint64_t size, uint32_t irq)
{
	struct vmmio m;

	if (n_devs >= VRNG_MAX_DEVS || vmmio_probe(&m, addr, size, irq) != VMMIO_OK ||
	    m.device_id != VIRTIO_ID_RNG)
		return;
	for (size_t i = 0; i < n_devs; i++)
		if (devs[i].t.ops == m.t.ops && devs[i].mmio.addr == addr)
			return; /* seen through two sources (command line and ACPI) */
	devs[n_devs++].mmio = m;
}

void vrng_probe_pci(void)
{
	static struct pci_dev found[MAX_PCI];
	size_t n = pci_scan(found, MAX_PCI);

	for (size_t i = 0; i < n && n_devs < VRNG_MAX_DEVS; i++)
		if (vpci_device_type(&found[i]) == VIRTIO_ID_RNG &&
		    vpci_probe(&devs[n_devs].pci, &found[i]) == VPCI_OK)
			n_devs++;
}

static bool fail(struct vtrans *t, const char *why)
{
	kprintf("%s: rng: %s: %s\n", vplat_name, t->name, why);
	t->ops->set_status(t, t->ops->get_status(t) | VIRTIO_FAILED);
	return false;
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
	uint64_t offered = o->get_features(t), want = 0;
	if (t->modern) {
		if (!(offered & BIT(VIRTIO_F_VERSION_1)))
			return fail(t, "modern device without VIRTIO_F_VERSION_1");
		want = BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM);
	}
	o->set_features(t, offered & want);
	if (t->modern) {
		o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | VIRTIO_FEATURES_OK);
		if (!(o->get_status(t) & VIRTIO_FEATURES_OK))
			return fail(t, "device refused our features");
	}
	max = o->queue_max(t, REQ_QUEUE);
	if (max == 0)
		return fail(t, "no request queue");
	while ((uint16_t)(size * 2) <= max && size * 2 <= VRNG_QUEUE)
		size = (uint16_t)(size * 2);
	virtq_init(&rng.q, REQ_QUEUE, size, balloc_pages((virtq_mem_size(size) + 4095) / 4096));
	virtq_no_interrupts(&rng.q);
	rng.buf = balloc_pages(1);
	if (!o->queue_enable(t, &rng.q))
		return fail(t, "the device did not accept its queue");
	o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | (t->modern ? VIRTIO_FEATURES_OK : 0) |
	                         VIRTIO_DRIVER_OK);
	if (o->get_status(t) & (VIRTIO_NEEDS_RESET | VIRTIO_FAILED))
		return fail(t, "device failed after DRIVER_OK");
	rng.t = t;
	kprintf("%s: rng: %s, queue %u\n", vplat_name, t->name, size);
	return true;
}

void vrng_start(void)
{
	for (size_t i = 0; i < n_devs; i++)
		if (dev_init(&devs[i].t))
			return;
}

bool vrng_present(void)
{
	return rng.t != NULL;
}

const char *vrng_name(void)
{
	return rng.t ? rng.t->name : "none";
}

void vrng_get_stats(struct vrng_stats *st)
{
	*st = rng.stats;
}

/* One request of (want) bytes into chunk 0, polled; the bytes it gave. */
static size_t request(size_t want, uint64_t deadline)
{
	struct virtq_buf b = {(uint64_t)(uintptr_t)rng.buf, (uint32_t)want, true};
	uint16_t head, got_head;
	uint32_t len;

	if (!virtq_put(&rng.q, &b, 1, &head))
		return 0;
	rng.stats.requests++;
	if (virtq_kick_prepare(&rng.q))
		rng.t->ops->notify(rng.t, rng.q.index);
	for (;;) {
		enum virtq_get_result r = virtq_get(&rng.q, &got_head, &len);
		if (r == VIRTQ_GOT && got_head == head) {
			if (len > want) {
				rng.stats.bad_used++;
				return 0;
			}
			return len;
		}
		if (r == VIRTQ_BAD)
			rng.stats.bad_used++;
		if (plat_clock_monotonic_ns() >= deadline) {
			/* The buffer stays posted: the device may still write it,
			 * so nothing else uses chunk 0 (rng.q keeps its head). */
			rng.stats.timeouts++;
			rng.t = NULL;
			kprintf("%s: rng: no answer in %lu ms: the device is not used again\n",
			        vplat_name, VRNG_TIMEOUT_NS / 1000000);
			return 0;
		}
	}
}

bool vrng_read(void *out, size_t len)
{
	uint8_t *p = out;
	uint64_t deadline = plat_clock_monotonic_ns() + VRNG_TIMEOUT_NS;

	while (len > 0 && rng.t) {
		size_t want = len < VRNG_CHUNK ? len : VRNG_CHUNK;
		size_t got = request(want, deadline);
		memcpy(p, rng.buf, got);
		memset(rng.buf, 0, got);
		p += got;
		len -= got;
		if (got == 0 && rng.t && plat_clock_monotonic_ns() >= deadline) {
			rng.stats.timeouts++;
			return false;
		}
	}
	rng.stats.bytes += (uint64_t)(p - (uint8_t *)out);
	return len == 0;
}
