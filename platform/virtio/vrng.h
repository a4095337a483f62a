/* SPDX-License-Identifier: MIT */
/* The virtio entropy device (virtio 1.2 5.4, QEMU's virtio-rng-device on
 * virtio-mmio and virtio-rng-pci): the portable source of randomness for the
 * VM targets, behind plat_entropy() where the CPU has no RDSEED/RDRAND (and
 * mixed in beside them where it has).
 *
 * The target probes it beside the network device (vrng_probe_mmio for each
 * virtio-mmio window, vrng_probe_pci), then vrng_start() sets up the first one
 * found: no features but VERSION_1 (and ACCESS_PLATFORM when offered), one
 * request queue of VRNG_QUEUE entries, no interrupts (polled).
 *
 * vrng_read() posts device-writable buffers and polls the used ring until the
 * request is filled or VRNG_TIMEOUT_NS passes (a rate-limited backend fills
 * slowly: QEMU's rng has max-bytes/period). The device's lengths are input:
 * a used length beyond the buffer is counted (bad_used) and the bytes are not
 * taken. Boot and start-up only: it spins. */
#ifndef UD_VIRTIO_VRNG_H
#define UD_VIRTIO_VRNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VRNG_QUEUE      8u
#define VRNG_CHUNK      64u                /* bytes per request */
#define VRNG_TIMEOUT_NS (2000ul * 1000000) /* per vrng_read() */
#define VRNG_MAX_DEVS   2u

struct vrng_stats {
	uint64_t requests, bytes, bad_used, timeouts;
};

void vrng_probe_mmio(uint64_t addr, uint64_t size, uint32_t irq);
void vrng_probe_pci(void);
void vrng_start(void);
/* A device is there and initialised. */
bool vrng_present(void);
/* (len) bytes from the device; false (and counted) when it did not give them
 * all in time, or there is no device. */
bool vrng_read(void *buf, size_t len);
/* "virtio-mmio@0x... (modern)" or "none". */
const char *vrng_name(void);
void vrng_get_stats(struct vrng_stats *st);

#endif
