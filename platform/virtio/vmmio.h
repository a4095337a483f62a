/* SPDX-License-Identifier: MIT */
/* The virtio-mmio transport (virtio 1.2 4.2): version 2 (modern, Firecracker's,
 * QEMU microvm with virtio-mmio.force-legacy=false) and version 1 (legacy, QEMU
 * microvm's default; 4.2.4).
 *
 * Devices are found from the command line's virtio_mmio.device=<size>@<addr>:<irq>
 * words (QEMU microvm's auto-kernel-cmdline adds them). vmmio_probe() maps the
 * register window uncached and reads magic, version and device ID; a window
 * smaller than the registers is refused; configuration reads stay inside the
 * window, and a window larger than VMMIO_MAX_WINDOW is refused too (so a bad
 * command line cannot make us map gigabytes). The interrupt is the given GSI, routed through the I/O APIC
 * level-triggered, active-high (what QEMU's microvm ACPI tables declare). */
#ifndef UD_VIRTIO_VMMIO_H
#define UD_VIRTIO_VMMIO_H

#include <stdint.h>

#include "platform/virtio/vtrans.h"

#define VMMIO_MAX_WINDOW 0x10000u /* 64 KiB; devices use 512 bytes or 4 KiB */

struct vmmio {
	struct vtrans t; /* first: the driver holds a struct vtrans * */
	volatile uint8_t *regs;
	uint64_t addr, size;
	uint32_t irq, version, device_id;
	bool page_size_set; /* legacy GuestPageSize written */
};

enum vmmio_result {
	VMMIO_OK = 0,
	VMMIO_EMPTY,    /* a transport with no device behind it (device ID 0) */
	VMMIO_EMAGIC,   /* not virtio-mmio */
	VMMIO_EVERSION, /* a version we do not speak */
	VMMIO_ESIZE,    /* window too small for the registers, or too large */
};

enum vmmio_result vmmio_probe(struct vmmio *m, uint64_t addr, uint64_t size, uint32_t irq);

#endif
