/* SPDX-License-Identifier: MIT */
/* Turning the memory map into usable RAM ranges.
 *
 * memmap_ram() keeps the E820 RAM entries, cuts out every part that a non-RAM
 * entry also claims (firmware maps may overlap), rounds each range inward to
 * whole pages, drops what lies below (floor) (the image and low memory), and
 * returns them sorted by address, overlapping ones merged. At most (cap) ranges are returned; the rest
 * are dropped (the count of the input is capped by STARTINFO_MEM_MAX anyway).
 * Pure C, hosted-tested. */
#ifndef UD_PVH_MEMMAP_H
#define UD_PVH_MEMMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/pvh/startinfo.h"

struct memmap_range {
	uint64_t start, end;
};

size_t memmap_ram(const struct startinfo_mem *m, size_t n, uint64_t floor, struct memmap_range *out,
                  size_t cap);

/* Whether [start, end) lies wholly in RAM by memmap_ram()'s reading of the map.
 * Adjacent RAM entries count as one: UEFI firmware (OVMF, through GRUB's
 * multiboot2 map) splits RAM by what it was used for, and a store loaded across
 * two touching entries is still in RAM. Not reentrant (a static scratch map). */
bool memmap_covers(const struct startinfo_mem *m, size_t n, uint64_t start, uint64_t end);

/* The index of the largest range, or 0 when n is 0. */
size_t memmap_largest(const struct memmap_range *r, size_t n);

#endif
