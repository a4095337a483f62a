/* SPDX-License-Identifier: MIT */
/* virtio-net: device discovery, initialisation, and plat_net_*(). */
#include "platform/virtio/vnet.h"

#include <stddef.h>

#include "lib/assert.h"
#include "lib/mem.h"
#include "platform/kernel/balloc.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/virtio/pci.h"
#include "platform/virtio/virtq.h"
#include "platform/virtio/vmmio.h"
#include "platform/virtio/vpci.h"
#include "platform/virtio/vplat.h"

/* virtio 1.2 5.1.3: feature bits of the network device. */
#define VIRTIO_NET_F_CSUM           0 /* the device completes checksums we leave partial */
#define VIRTIO_NET_F_MTU            3
#define VIRTIO_NET_F_MAC            5
#define VIRTIO_NET_F_HOST_TSO4      11 /* the device cuts large TCP frames */
#define VIRTIO_NET_F_HOST_TSO6      12 /* ...over IPv6 too */
/* 5.1.6: the header's flags and gso_type. */
#define VIRTIO_NET_HDR_F_NEEDS_CSUM 1
#define VIRTIO_NET_HDR_GSO_TCPV4    1
#define VIRTIO_NET_HDR_GSO_TCPV6    4
#define VNET_TSO_MAX                65535u
#define VIRTIO_ID_NET               1
#define RX_QUEUE                    0 /* 5.1.2: receiveq1, transmitq1 */
#define TX_QUEUE                    1
#define RX_KICK_BATCH               16u
#define MAX_PCI                     32u

#define BIT(n) (1ull << (n))

union vdev {
	struct vtrans t;
	struct vmmio mmio;
	struct vpci pci;
};

struct vnet {
	struct vtrans *t;
	struct virtq rx, tx;
	uint8_t *rx_owner[VIRTQ_MAX_SIZE]; /* receive buffer of each head in flight */
	uint8_t *tx_copy;                  /* VNET_RX_BUF bytes per transmit head */
	uint32_t hdr_len;                  /* 12 modern, 10 legacy (5.1.6) */
	bool hdr_alone;                    /* legacy without ANY_LAYOUT (5.1.6.6) */
	bool tso6;                         /* VIRTIO_NET_F_HOST_TSO6 negotiated */
	struct plat_net_info info;
	struct vnet_stats stats;
};

static union vdev devs[VNET_MAX_DEVICES];
static size_t n_devs;
static struct vnet net;

/* Probe one virtio-mmio window once; keep it when it is a network device. */
void vnet_probe_mmio(uint64_t addr, uint64_t size, uint32_t irq)
{
	static uint64_t seen[VNET_MAX_WINDOWS];
	static size_t n_seen;
	union vdev *d = &devs[n_devs];

	if (n_devs >= VNET_MAX_DEVICES)
		return;
	for (size_t i = 0; i < n_seen; i++)
		if (seen[i] == addr)
			return;
	if (n_seen < sizeof seen / sizeof seen[0])
		seen[n_seen++] = addr;
	enum vmmio_result r = vmmio_probe(&d->mmio, addr, size, irq);
	if (r == VMMIO_OK && d->mmio.device_id == VIRTIO_ID_NET)
		n_devs++;
	else if (r != VMMIO_OK && r != VMMIO_EMPTY)
		kprintf("%s: virtio-mmio@0x%lx: %s\n", vplat_name, addr,
		        r == VMMIO_EMAGIC     ? "not a virtio device"
		        : r == VMMIO_EVERSION ? "unknown version"
		                              : "window too small or too large");
}

void vnet_probe_pci(void)
{
	static struct pci_dev found[MAX_PCI];
	size_t n = pci_scan(found, MAX_PCI);

	for (size_t i = 0; i < n && n_devs < VNET_MAX_DEVICES; i++) {
		if (vpci_device_type(&found[i]) != VIRTIO_ID_NET)
			continue;
		enum vpci_result r = vpci_probe(&devs[n_devs].pci, &found[i]);
		if (r == VPCI_OK)
			n_devs++;
		else
			kprintf("%s: %s: %s\n", vplat_name, devs[n_devs].pci.t.name,
			        r == VPCI_ELEGACY
			                ? "legacy-only virtio-pci is not supported"
			                : "a configuration structure lies outside its BAR");
	}
}

static bool fail(struct vtrans *t, const char *why)
{
	kprintf("%s: net: %s: %s\n", vplat_name, t->name, why);
	t->ops->set_status(t, t->ops->get_status(t) | VIRTIO_FAILED);
	return false;
}

/* virtio 1.2 3.1.1 steps 1-6. */
static bool negotiate(struct vtrans *t, uint64_t *accepted)
{
	const struct vtrans_ops *o = t->ops;

	o->set_status(t, 0);
	for (int i = 0; i < 1000000 && o->get_status(t) != 0; i++)
		;
	o->set_status(t, VIRTIO_ACKNOWLEDGE);
	o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER);
	uint64_t offered = o->get_features(t);
	/* Event indexes: an interrupt per burst of received frames rather than
	 * per frame, and notifications only where the device asked for them
	 * (virtio 1.2 2.7.7.2, 2.7.10.1); under KVM each is host work or an
	 * exit. */
	uint64_t want = BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_MTU) | BIT(VIRTIO_F_EVENT_IDX);
	/* Segmentation offload when the device has it (QEMU's, with a TAP backend
	 * that has virtio-net headers; Firecracker's): fewer frames to notify. */
	if ((offered & BIT(VIRTIO_NET_F_CSUM)) && (offered & BIT(VIRTIO_NET_F_HOST_TSO4)))
		want |= BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_HOST_TSO4) |
		        (offered & BIT(VIRTIO_NET_F_HOST_TSO6));
	if (t->modern) {
		if (!(offered & BIT(VIRTIO_F_VERSION_1)))
			return fail(t, "modern device without VIRTIO_F_VERSION_1");
		want |= BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_F_ACCESS_PLATFORM) |
		        BIT(VIRTIO_F_ORDER_PLATFORM);
	} else {
		want |= BIT(VIRTIO_F_ANY_LAYOUT);
	}
	*accepted = offered & want;
	o->set_features(t, *accepted);
	if (!t->modern)
		return true; /* legacy devices have no FEATURES_OK step */
	o->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER | VIRTIO_FEATURES_OK);
	if (!(o->get_status(t) & VIRTIO_FEATURES_OK))
		return fail(t, "device refused our features");
	return true;
}

/* 5.1.4: mac at 0, mtu (le16) at 10, read by bytes as 4.2.2.2 asks. A modern
 * device may change its configuration meanwhile: read again until the
 * generation is the same before and after (2.5.1, 4.1.4.3.1). A legacy one has
 * no generation and is read once: each access is a VM exit. */
static void read_config(struct vtrans *t, uint64_t features, struct plat_net_info *info)
{
	uint16_t mtu = 0;

	info->mtu = 1500;
	for (int tries = 0; tries < 4; tries++) {
		uint32_t gen = t->ops->config_gen(t);
		if (features & BIT(VIRTIO_NET_F_MAC))
			for (uint32_t i = 0; i < 6; i++)
				info->mac[i] = t->ops->config8(t, i);
		if (features & BIT(VIRTIO_NET_F_MTU))
			mtu = (uint16_t)(t->ops->config8(t, 10) | (t->ops->config8(t, 11) << 8));
		if (t->ops->config_gen(t) == gen)
			break;
	}
	if (!(features & BIT(VIRTIO_NET_F_MAC))) {
		plat_random(info->mac, 6);
		info->mac[0] = (uint8_t)((info->mac[0] & 0xfe) | 0x02); /* local, unicast */
	}
	if (mtu >= 68 && mtu < info->mtu)
		info->mtu = mtu;
}

static uint16_t pick_size(struct vtrans *t, uint16_t idx)
{
	uint16_t max = t->ops->queue_max(t, idx), s = 1;

	if (max > VIRTQ_MAX_SIZE)
		max = VIRTQ_MAX_SIZE;
	if (max == 0)
		return 0;
	while ((uint16_t)(s * 2) <= max && s * 2 <= VIRTQ_MAX_SIZE)
		s = (uint16_t)(s * 2);
	return s;
}

static void rx_post(uint8_t *buf)
{
	struct virtq_buf b[2] = {{(uint64_t)(uintptr_t)buf, VNET_RX_BUF, true}, {0, 0, true}};
	uint16_t head;
	size_t n = 1;

	if (net.hdr_alone) { /* 5.1.6.6: the header in a descriptor of its own */
		b[0].len = net.hdr_len;
		b[1] = (struct virtq_buf){(uint64_t)(uintptr_t)(buf + net.hdr_len),
		                          VNET_RX_BUF - net.hdr_len, true};
		n = 2;
	}
	if (virtq_put(&net.rx, b, n, &head))
		net.rx_owner[head] = buf;
}

static bool setup_queues(struct vtrans *t, uint64_t features)
{
	uint16_t rs = pick_size(t, RX_QUEUE), ts = pick_size(t, TX_QUEUE);

	if (rs < 2 || ts < 2)
		return fail(t, "receive or transmit queue missing");
	virtq_init(&net.rx, RX_QUEUE, rs, balloc_pages((virtq_mem_size(rs) + 4095) / 4096));
	virtq_init(&net.tx, TX_QUEUE, ts, balloc_pages((virtq_mem_size(ts) + 4095) / 4096));
	uint8_t *rxbufs = balloc_pages_raw(rs * VNET_RX_BUF / 4096 + 1);
	net.tx_copy = balloc_pages_raw(ts * VNET_RX_BUF / 4096 + 1);
	if (features & BIT(VIRTIO_F_EVENT_IDX)) {
		virtq_use_event_idx(&net.rx);
		virtq_use_event_idx(&net.tx);
	}
	virtq_no_interrupts(&net.tx);
	if (!t->ops->irq_setup(t, RX_QUEUE))
		kprintf("%s: net: %s: no interrupt; receive is noticed at timer wake-ups only\n",
		        vplat_name, t->name);
	if (!t->ops->queue_enable(t, &net.rx) || !t->ops->queue_enable(t, &net.tx))
		return fail(t, "the device did not accept a queue");
	uint16_t per = net.hdr_alone ? 2 : 1;
	for (uint16_t i = 0; i < rs / per; i++)
		rx_post(rxbufs + (size_t)i * VNET_RX_BUF);
	net.stats.rx_queue_size = rs;
	net.stats.tx_queue_size = ts;
	return true;
}

static void net_irq(void *ctx)
{
	struct vtrans *t = ctx;

	t->ops->irq_ack(t);
	net.stats.rx_irqs++;
}

static bool dev_init(struct vtrans *t)
{
	uint64_t features = 0;

	if (!negotiate(t, &features))
		return false;
	net.t = t;
	net.hdr_len = t->modern ? 12 : 10;
	net.hdr_alone = !t->modern && !(features & BIT(VIRTIO_F_ANY_LAYOUT));
	read_config(t, features, &net.info);
	net.info.tso_max = (features & BIT(VIRTIO_NET_F_HOST_TSO4)) ? VNET_TSO_MAX : 0;
	net.tso6 = (features & BIT(VIRTIO_NET_F_HOST_TSO6)) != 0;
	if (!setup_queues(t, features)) {
		net.t = NULL;
		return false;
	}
	vplat_irq_handler(net_irq, t);
	/* The status negotiate() left (not read back: an exit saved). */
	t->ops->set_status(t, VIRTIO_ACKNOWLEDGE | VIRTIO_DRIVER |
	                              (t->modern ? VIRTIO_FEATURES_OK : 0) | VIRTIO_DRIVER_OK);
	if (t->ops->get_status(t) & (VIRTIO_NEEDS_RESET | VIRTIO_FAILED)) {
		net.t = NULL;
		return fail(t, "device failed after DRIVER_OK");
	}
	net.info.present = 1;
	vnet_flush();
	const uint8_t *m = net.info.mac;
	kprintf("%s: net: %s, MAC %02x:%02x:%02x:%02x:%02x:%02x, MTU %u, queues %u/%u, "
	        "interrupt %s, features 0x%lx%s%s\n",
	        vplat_name, t->name, m[0], m[1], m[2], m[3], m[4], m[5], net.info.mtu, net.rx.size,
	        net.tx.size, t->irq[0] ? t->irq : "none", features,
	        net.info.tso_max ? ", segmentation offload" : "",
	        net.rx.event_idx ? ", event indexes" : "");
	return true;
}

void vnet_start(void)
{
	if (n_devs == 0) {
		kprintf("%s: net: no network device (no virtio-net on virtio-mmio or PCI)\n",
		        vplat_name);
		return;
	}
	size_t used = n_devs;
	for (size_t i = 0; i < n_devs; i++)
		if (dev_init(&devs[i].t)) {
			used = i;
			break;
		}
	for (size_t i = used + 1; i < n_devs; i++)
		kprintf("%s: net: %s ignored: only one network device is supported\n", vplat_name,
		        devs[i].t.name);
	if (used == n_devs)
		kprintf("%s: net: no network device could be initialised\n", vplat_name);
}

static void kick(struct virtq *q, bool count)
{
	if (virtq_kick_prepare(q)) {
		net.t->ops->notify(net.t, q->index);
		if (count)
			net.stats.tx_notifies++;
	}
}

void vnet_flush(void)
{
	if (!net.t)
		return;
	kick(&net.tx, true);
	kick(&net.rx, false);
}

bool vnet_rx_ready(void)
{
	return net.t && virtq_has_used(&net.rx);
}

void vnet_get_stats(struct vnet_stats *st)
{
	*st = net.stats;
}

const char *vnet_name(void)
{
	return net.t ? net.t->name : "none";
}

void plat_net_stats(struct plat_net_stats *st)
{
	st->rx_frames = net.stats.rx_frames;
	st->rx_irqs = net.stats.rx_irqs;
	st->tx_frames = net.stats.tx_frames;
	st->tx_notifies = net.stats.tx_notifies;
	st->tx_copied = net.stats.tx_copied;
}

void plat_net_info(struct plat_net_info *info)
{
	*info = net.info;
}

static void tx_reclaim(void)
{
	uint16_t head;
	uint32_t len;
	enum virtq_get_result r;

	while ((r = virtq_get(&net.tx, &head, &len)) != VIRTQ_EMPTY)
		if (r == VIRTQ_BAD)
			net.stats.tx_bad_used++;
}

/* The net header's offload fields (5.1.6.2), little-endian. */
struct tso {
	uint16_t mss, hdr_len, csum_start, csum_offset;
	bool v6; /* an IPv6 frame (its Ethernet type): GSO_TCPV6 */
};

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

/* Lay the frame out as descriptors: runs of copied bytes in (cb) after the net
 * header, stable parts by reference. Returns the descriptor count. */
static size_t tx_layout(uint8_t *cb, const struct plat_iov *iov, size_t n, struct virtq_buf *segs,
                        const struct tso *tso)
{
	bool copy_all = n > VNET_TX_MAX_PARTS;
	size_t nseg = 0, used = net.hdr_len;

	memset(cb, 0, net.hdr_len); /* 5.1.6.2: no offloads, so every field is 0 */
	if (tso) {
		cb[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		cb[1] = tso->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
		put_le16(cb + 2, tso->hdr_len);
		put_le16(cb + 4, tso->mss);
		put_le16(cb + 6, tso->csum_start);
		put_le16(cb + 8, tso->csum_offset);
	}
	segs[nseg++] = (struct virtq_buf){(uint64_t)(uintptr_t)cb, net.hdr_len, false};
	bool run_open = !net.hdr_alone;
	for (size_t i = 0; i < n; i++) {
		if (!copy_all && iov[i].stable && iov[i].len >= VNET_COPY_BELOW) {
			segs[nseg++] = (struct virtq_buf){(uint64_t)(uintptr_t)iov[i].p,
			                                  (uint32_t)iov[i].len, false};
			net.stats.tx_zero_copy++;
			run_open = false;
			continue;
		}
		if (iov[i].len == 0)
			continue;
		memcpy(cb + used, iov[i].p, iov[i].len);
		net.stats.tx_copied += iov[i].len;
		if (run_open) {
			segs[nseg - 1].len += (uint32_t)iov[i].len;
		} else {
			segs[nseg++] = (struct virtq_buf){(uint64_t)(uintptr_t)(cb + used),
			                                  (uint32_t)iov[i].len, false};
			run_open = true;
		}
		used += iov[i].len;
	}
	return nseg;
}

static enum plat_result send_frame(const struct plat_iov *iov, size_t n, const struct tso *tso)
{
	struct virtq_buf segs[VNET_TX_MAX_PARTS + 1];
	size_t total = 0, copied = 0;
	uint16_t head;

	if (!net.t)
		return PLAT_EUNSPEC;
	for (size_t i = 0; i < n; i++) {
		if (__builtin_add_overflow(total, iov[i].len, &total))
			total = SIZE_MAX;
		if (!iov[i].stable || iov[i].len < VNET_COPY_BELOW)
			copied += iov[i].len;
	}
	if (n == 0 || total == 0 || total > (tso ? 14u + VNET_TSO_MAX : VNET_FRAME_MAX) ||
	    (tso && (n > VNET_TX_MAX_PARTS || copied > VNET_RX_BUF - net.hdr_len))) {
		net.stats.tx_invalid++; /* (a large frame the copy buffer cannot hold) */
		return PLAT_EINVAL;
	}
	tx_reclaim();
	/* Each part adds at most one descriptor to the header's: wait for that
	 * many rather than lay out a frame that cannot go. */
	size_t need = n > VNET_TX_MAX_PARTS ? 2 : n + 1;
	if (net.tx.n_free < need) {
		net.stats.tx_full++;
		return PLAT_AGAIN;
	}
	uint8_t *cb = net.tx_copy + (size_t)virtq_next_head(&net.tx) * VNET_RX_BUF;
	size_t nseg = tx_layout(cb, iov, n, segs, tso);
	bool put = virtq_put(&net.tx, segs, nseg, &head);
	UD_ASSERT(put); /* n_free was checked above */
	net.stats.tx_frames++;
	net.stats.tx_bytes += total;
	if (tso)
		net.stats.tx_tso++;
	if (net.tx.unnotified >= VNET_TX_BATCH)
		kick(&net.tx, true);
	return PLAT_OK;
}

enum plat_result plat_net_send(const struct plat_iov *iov, size_t n)
{
	return send_frame(iov, n, NULL);
}

enum plat_result plat_net_send_tso(const struct plat_iov *iov, size_t n, uint16_t mss,
                                   uint16_t hdr_len, uint16_t csum_start, uint16_t csum_offset)
{
	struct tso t = {mss, hdr_len, csum_start, csum_offset, false};

	/* The family by the Ethernet type; an IPv6 frame without HOST_TSO6 is
	 * refused (not counted: expected), and the caller cuts it
	 * (net_gso_cut). */
	t.v6 = n && iov[0].len >= 14 && ((const uint8_t *)iov[0].p)[12] == 0x86 &&
	       ((const uint8_t *)iov[0].p)[13] == 0xdd;
	if (t.v6 && !net.tso6)
		return PLAT_EINVAL;
	if (!net.info.tso_max || !mss || hdr_len < csum_start + 20u) {
		net.stats.tx_invalid++;
		return PLAT_EINVAL;
	}
	return send_frame(iov, n, &t);
}

enum plat_result plat_net_recv(void *buf, size_t cap, size_t *len)
{
	uint16_t head;
	uint32_t used;
	enum virtq_get_result r;

	if (!net.t)
		return PLAT_AGAIN;
	while ((r = virtq_get(&net.rx, &head, &used)) != VIRTQ_EMPTY) {
		if (r == VIRTQ_BAD) {
			net.stats.rx_bad_used++;
			continue;
		}
		uint8_t *b = net.rx_owner[head];
		net.rx_owner[head] = NULL;
		size_t flen = used > net.hdr_len ? used - net.hdr_len : 0;
		bool ok = b && used > net.hdr_len && used <= VNET_RX_BUF && flen <= cap;
		if (ok)
			memcpy(buf, b + net.hdr_len, flen);
		else if (b && used > net.hdr_len && used <= VNET_RX_BUF)
			net.stats.rx_too_long++;
		else
			net.stats.rx_bad_len++;
		if (b)
			rx_post(b);
		if (net.rx.unnotified >= RX_KICK_BATCH)
			kick(&net.rx, false);
		if (ok) {
			net.stats.rx_frames++;
			net.stats.rx_bytes += flen;
			*len = flen;
			return PLAT_OK;
		}
	}
	return PLAT_AGAIN;
}
