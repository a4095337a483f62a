/* SPDX-License-Identifier: MIT */
/* The virtio-net driver (virtio 1.2 5.1) behind plat_net_*(): one device, over
 * virtio-mmio or virtio-pci, the same code on x86_64 and arm64 (the target's
 * side is vplat.h).
 *
 * The target names the virtio-mmio windows it knows and asks for a PCI scan
 * (vnet_probe_*), and vnet_start() drives the first device that initialises; more than one is
 * reported (only one NIC is supported) and none leaves plat_net_info().present
 * at 0 with a message: the application decides what that means. Every failure
 * (features refused, a queue missing, no interrupt) is printed with the device's
 * name and the device is marked FAILED.
 *
 * Features: VERSION_1 on modern transports (required), MAC, MTU, ANY_LAYOUT on
 * legacy ones, ACCESS_PLATFORM and ORDER_PLATFORM when offered (identity mapping:
 * no IOMMU to program). No offloads; no MRG_RXBUF, so each receive buffer is
 * VNET_RX_BUF bytes, room for a 1514-byte frame and the header.
 *
 * Queue sizes come from the device, capped at VIRTQ_MAX_SIZE and rounded down to
 * a power of 2. Memory comes from the boot allocator: the rings, one receive
 * buffer per receive descriptor and one copy buffer per transmit descriptor.
 *
 * Transmit: each frame is a chain: the net header and the copied parts in the
 * frame's copy buffer, and stable parts of at least VNET_COPY_BELOW bytes
 * referenced directly (no copy of store bytes). Frames are made available at
 * once and the device is notified once per VNET_TX_BATCH frames or at
 * vnet_flush(), which plat_yield_until() calls before sleeping. Completions are
 * reclaimed by polling; the device does not interrupt for them.
 *
 * Receive: the device interrupts when it uses a receive buffer; the handler only
 * acknowledges (the CPU was in hlt). plat_net_recv() polls the used ring; every
 * used id and length is checked (virtq.h) and a bad one is counted and dropped.
 * Counters: vnet_get_stats(). */
#ifndef UD_VIRTIO_VNET_H
#define UD_VIRTIO_VNET_H

#include <stdbool.h>
#include <stdint.h>

#define VNET_RX_BUF       2048u
#define VNET_FRAME_MAX    1514u /* Ethernet header and 1500 bytes, no FCS */
#define VNET_TX_BATCH     32u
#define VNET_TX_MAX_PARTS 16u  /* a frame with more parts is copied whole */
#define VNET_COPY_BELOW   128u /* stable parts shorter than this are copied */
#define VNET_MAX_DEVICES  4u
#define VNET_MAX_WINDOWS  32u /* virtio-mmio windows probed at most */

struct vnet_stats {
	uint64_t rx_frames, rx_bytes, rx_irqs;
	uint64_t rx_bad_len;  /* used length shorter than the header or beyond the buffer */
	uint64_t rx_too_long; /* frame longer than the caller's buffer: dropped */
	uint64_t rx_bad_used; /* the device returned an invalid used element */
	uint64_t tx_frames, tx_bytes, tx_notifies;
	uint64_t tx_full;      /* no room: PLAT_AGAIN */
	uint64_t tx_invalid;   /* empty or longer than VNET_FRAME_MAX: PLAT_EINVAL */
	uint64_t tx_zero_copy; /* parts sent by reference */
	uint64_t tx_tso;       /* large TCP frames the device cut (segmentation offload) */
	uint64_t tx_copied;    /* bytes copied into copy buffers */
	uint64_t tx_bad_used;
	uint16_t rx_queue_size, tx_queue_size;
};

/* Discovery, by the target: each virtio-mmio window it knows of (command line,
 * ACPI, device tree), then PCI; then vnet_start() initialises the first network
 * device found and names the others. */
void vnet_probe_mmio(uint64_t addr, uint64_t size, uint32_t irq);
void vnet_probe_pci(void);
void vnet_start(void);
/* pvh: the command line's and ACPI's windows and PCI, then vnet_start(). */
void vnet_init(const char *cmdline);
/* Notify the device of frames and buffers made available since the last time. */
void vnet_flush(void);
/* A received frame is waiting. */
bool vnet_rx_ready(void);
void vnet_get_stats(struct vnet_stats *st);
/* The device in use ("virtio-mmio@0x... (legacy)", ...) or "none". */
const char *vnet_name(void);

#endif
