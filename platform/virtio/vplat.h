/* SPDX-License-Identifier: MIT */
/* What the virtio drivers (platform/virtio: virtq, vnet, vmmio, vpci, pci) need
 * from the architecture under them, and all of it: each VM target implements
 * these in its own folder (platform/pvh/vplat.c for x86_64, platform/arm64/
 * vplat.c), so the drivers are the same code on every target.
 *
 * Memory for rings and buffers comes from the shared boot allocator
 * (platform/kernel/balloc.h), messages go through kprintf with VPLAT_NAME's
 * prefix, invariants through lib/assert.h. Boot only, except vplat's handler
 * call, which happens in the interrupt path. */
#ifndef UD_VIRTIO_VPLAT_H
#define UD_VIRTIO_VPLAT_H

#include <stdbool.h>
#include <stdint.h>

/* The target's name for console messages: "pvh", "arm64". */
extern const char vplat_name[];

/* Map device registers at (addr, len) uncached, read-write, never executable. */
void vplat_map_mmio(uint64_t addr, uint64_t len, const char *what);

/* Route the wired interrupt (line) to the network handler, level-triggered and
 * active-high: a GSI through the I/O APIC on x86_64, a GIC interrupt ID on arm64.
 * (how) gets a short description for the console ("GSI 12", "SPI 48"). */
bool vplat_irq_line(uint32_t line, char *how, unsigned cap);

/* The MSI message (address, data) that raises the network interrupt; false when
 * the target has no MSI (arm64's virt without GICv2m or an ITS driver). */
bool vplat_msi(uint64_t *addr, uint32_t *data);

/* The network interrupt's handler, called with (ctx) from the interrupt path. */
void vplat_irq_handler(void (*fn)(void *ctx), void *ctx);

/* Store-then-MMIO ordering: everything written to shared memory before the
 * next device register write (a notify) is visible to the device. */
static inline void vplat_wmb_io(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

#endif
