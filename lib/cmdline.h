/* SPDX-License-Identifier: MIT */
/* Reading the kernel command line: space-separated words, each "key=value" or a
 * bare "key" (like Linux's, without quoting).
 *
 * The functions take the NUL-terminated line and return views into it; nothing
 * is copied or allocated. The platform reads its own keys here (log=, tsc_khz=,
 * clocksrc=, virtio_mmio.device=); the application reads the rest (ip=, gw=,
 * dhcp, ...) from plat_cmdline() with the same functions or its own. Numbers are
 * decimal or 0x-hex with an optional K, M or G suffix (binary multiples); a
 * number that overflows 64 bits is invalid. Pure C, also built hosted for tests. */
#ifndef UD_LIB_CMDLINE_H
#define UD_LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of the (*pos)-th and later occurrences of (key): start with *pos = 0
 * and call again to see repeats. A bare key has an empty value. False when there
 * are no more. */
bool cmdline_next(const char *line, const char *key, size_t *pos, const char **val, size_t *len);

/* The first occurrence of (key); false when absent. */
bool cmdline_get(const char *line, const char *key, const char **val, size_t *len);

/* Parse (val, len) entirely as a number. */
bool cmdline_u64(const char *val, size_t len, uint64_t *out);

/* A virtio_mmio.device value, "<size>@<addr>:<irq>[:<id>]" (Linux's
 * drivers/virtio/virtio_mmio.c format, as QEMU microvm writes it). */
struct cmdline_mmio {
	uint64_t size, addr;
	uint32_t irq;
};
bool cmdline_mmio(const char *val, size_t len, struct cmdline_mmio *out);

#endif
