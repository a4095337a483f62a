/* SPDX-License-Identifier: MIT */
/* The page tables: identity mapping with W^X.
 *
 * paging_init() replaces the boot tables (entry.S: 4 GiB read-write-execute)
 * with 4-level tables (Intel SDM vol. 3A 5.5) that map only what is used:
 *   - kernel text read + execute; rodata (with notes and symbols) read-only,
 *     no-execute; data, bss and stacks read-write, no-execute, with an unmapped
 *     guard page below each stack; the store read-only, no-execute;
 *   - the RAM ranges given (the heap and the boot allocator's memory)
 *     read-write, no-execute, in 2 MiB pages where alignment allows;
 *   - nothing else: page zero and the rest of low memory fault on access.
 * CR0.WP (set in entry.S) makes ring 0 honour read-only pages too. No-execute
 * needs EFER.NXE; without it (cpu_features.nx false) bit 63 is not used and only
 * the write protection holds, which paging_init() reports on the console.
 *
 * paging_map() adds device registers later (uncached: PCD|PWT selects UC with
 * the reset PAT, SDM vol. 3A 12.12.3), tables come from the boot allocator.
 * Mapping the same page twice with the same kind is allowed (virtio-mmio
 * devices share pages); a conflicting mapping panics. Boot only. */
#ifndef UD_PVH_PAGING_H
#define UD_PVH_PAGING_H

#include <stddef.h>
#include <stdint.h>

#include "platform/pvh/memmap.h"

enum paging_kind {
	PAGING_RX,   /* code */
	PAGING_RO,   /* read-only data */
	PAGING_RW,   /* data */
	PAGING_MMIO, /* device registers: read-write, uncached, no-execute */
};

/* Build and load the final tables: the image, the store (store_len 0: none) and
 * the RAM ranges (ram, n_ram). */
void paging_init(uint64_t store_addr, uint64_t store_len, const struct memmap_range *ram,
                 size_t n_ram);

/* Identity-map [phys, phys + len), rounded out to pages, as (kind); (name) is
 * kept for fault reports. A zero length maps nothing. */
void paging_map(uint64_t phys, uint64_t len, enum paging_kind kind, const char *name);

/* What an address is, for fault reports: "text", "rodata", "stack guard page",
 * "page zero", a device's name, "unmapped", ... */
const char *paging_region_name(uint64_t addr);

#endif
