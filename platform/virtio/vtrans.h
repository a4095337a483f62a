/* SPDX-License-Identifier: MIT */
/* A virtio transport as the network driver sees it: status, features, queues,
 * notifications, device configuration and the interrupt.
 *
 * Implemented by vmmio.c (virtio-mmio, legacy version 1 and modern version 2,
 * virtio 1.2 4.2) and vpci.c (modern virtio-pci, 4.1). (modern) says whether
 * the device follows virtio 1.x (VERSION_1 must be negotiated, the net header is
 * 12 bytes) or the legacy interface. Every operation is boot-time or polled
 * except irq_ack, which the interrupt handler calls. */
#ifndef UD_VIRTIO_VTRANS_H
#define UD_VIRTIO_VTRANS_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/virtio/virtq.h"

/* Device status bits (virtio 1.2 2.1). */
#define VIRTIO_ACKNOWLEDGE 1u
#define VIRTIO_DRIVER      2u
#define VIRTIO_DRIVER_OK   4u
#define VIRTIO_FEATURES_OK 8u
#define VIRTIO_NEEDS_RESET 64u
#define VIRTIO_FAILED      128u

/* Feature bits independent of the device type (virtio 1.2 6). */
#define VIRTIO_F_ANY_LAYOUT      27
#define VIRTIO_F_EVENT_IDX       29
#define VIRTIO_F_VERSION_1       32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_ORDER_PLATFORM  36

struct vtrans;

struct vtrans_ops {
	uint8_t (*get_status)(struct vtrans *t);
	void (*set_status)(struct vtrans *t, uint8_t s);
	uint64_t (*get_features)(struct vtrans *t);
	void (*set_features)(struct vtrans *t, uint64_t f);
	/* The largest size the device allows for queue (idx); 0: no such queue. */
	uint16_t (*queue_max)(struct vtrans *t, uint16_t idx);
	/* Tell the device where (q) lives and enable it. */
	bool (*queue_enable)(struct vtrans *t, struct virtq *q);
	void (*notify)(struct vtrans *t, uint16_t idx);
	/* Device-specific configuration byte at (off), e.g. the MAC. */
	uint8_t (*config8)(struct vtrans *t, uint32_t off);
	/* The configuration generation (2.5.1): equal before and after a read of
	 * several bytes when none changed in between. Legacy devices have none
	 * (0, and no access). */
	uint32_t (*config_gen)(struct vtrans *t);
	/* Route the device's interrupt for queue (rx_idx) to the network handler
	 * (vplat.h); other queues get none where the transport can say so. */
	bool (*irq_setup)(struct vtrans *t, uint16_t rx_idx);
	/* In the interrupt handler: acknowledge, so a level-triggered line drops. */
	void (*irq_ack)(struct vtrans *t);
};

struct vtrans {
	const struct vtrans_ops *ops;
	bool modern;
	char name[48]; /* "virtio-mmio@0xfeb00e00", "virtio-pci 00:03.0" */
	char irq[24];  /* how irq_setup routed it: "MSI-X", "GSI 12" */
};

#endif
