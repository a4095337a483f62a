/* SPDX-License-Identifier: MIT */
/* The virtio block device (virtio 1.2 5.2, QEMU's virtio-blk-device on
 * virtio-mmio and virtio-blk-pci) as the state disk: the small drive `unideck
 * run --state FILE` attaches, read and written through lib/sdisk.h's format
 * by platform/kernel/pstate.c (plat_state_*).
 *
 * The target probes it beside the network device (vblk_probe_mmio for each
 * virtio-mmio window, vblk_probe_pci), then vblk_start() sets up the first
 * one found: no features but VERSION_1 (and ACCESS_PLATFORM when offered;
 * RO is read, not asked for), one request queue of at most VBLK_QUEUE
 * entries, no interrupts (polled, as vrng.c).
 *
 * A request is three descriptors (5.2.6: the 16-byte header the device reads,
 * the data, the status byte it writes), at most VBLK_CHUNK bytes of data
 * through one bounce page, which is zeroed after each use (the disk holds
 * keys). The device's answers are input: a used id that is not ours, a used
 * length past the buffers or a status other than OK fails the request, and is
 * counted. A request not answered in VBLK_TIMEOUT_NS leaves the device unused
 * from then on. Synchronous: start-up and renewals only. */
#ifndef UD_VIRTIO_VBLK_H
#define UD_VIRTIO_VBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBLK_QUEUE      8u
#define VBLK_CHUNK      4096u               /* data bytes per request (one page) */
#define VBLK_TIMEOUT_NS (10000ul * 1000000) /* per request: TCG is slow */
#define VBLK_MAX_DEVS   2u
#define VBLK_SECTOR     512u

struct vblk_stats {
	uint64_t reads, writes, bad_used, errors, timeouts;
};

void vblk_probe_mmio(uint64_t addr, uint64_t size, uint32_t irq);
void vblk_probe_pci(void);
void vblk_start(void);
/* A device is there and initialised. */
bool vblk_present(void);
/* Its size in 512-byte sectors (5.2.4 capacity), and whether it is read-only. */
uint64_t vblk_sectors(void);
bool vblk_read_only(void);
/* (n) sectors from (sector) into or out of (buf); false (and counted) when the
 * device failed, is absent or the range passes its end. */
bool vblk_read(uint64_t sector, void *buf, size_t n);
bool vblk_write(uint64_t sector, const void *buf, size_t n);
const char *vblk_name(void);
void vblk_get_stats(struct vblk_stats *st);

#endif
