/* SPDX-License-Identifier: MIT */
/* The modern virtio-pci transport (virtio 1.2 4.1): QEMU q35 and pc with
 * virtio-net-pci, Cloud Hypervisor.
 *
 * vpci_probe() reads the vendor capabilities (4.1.4) for the common, notify, ISR
 * and device configuration structures, checks that each lies inside its BAR
 * (offset + length, overflow-checked, against the BAR's probed size), and maps
 * them uncached. A transitional device without these capabilities (legacy only)
 * is refused. The interrupt is MSI-X entry 0 for the receive queue when the
 * device has MSI-X (no vector for the other queues and configuration changes),
 * else INTx through the I/O APIC at the firmware-assigned interrupt line,
 * level-triggered, acknowledged by reading the ISR. */
#ifndef UD_VIRTIO_VPCI_H
#define UD_VIRTIO_VPCI_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/virtio/pci.h"
#include "platform/virtio/vtrans.h"

#define VPCI_VENDOR 0x1af4

struct vpci {
	struct vtrans t; /* first: the driver holds a struct vtrans * */
	struct pci_dev dev;
	volatile uint8_t *common, *notify, *isr, *device;
	uint64_t notify_len, device_len;
	uint32_t notify_mult;
	bool msix;
};

enum vpci_result {
	VPCI_OK = 0,
	VPCI_ELEGACY, /* no modern capabilities */
	VPCI_EBAR,    /* a structure outside its BAR, or an unassigned BAR */
};

/* The virtio device type of (d) (1 = network), or 0 when it is not virtio. */
uint16_t vpci_device_type(const struct pci_dev *d);

enum vpci_result vpci_probe(struct vpci *v, const struct pci_dev *d);

#endif
