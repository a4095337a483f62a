/* SPDX-License-Identifier: MIT */
/* The boot allocator: zeroed, page-aligned memory for page tables, virtqueues and
 * packet buffers, handed out during boot only.
 *
 * It bumps through one region of RAM just above the image and the store (boot.c
 * picks it; it lies below 4 GiB, so the boot page tables already map it). Memory
 * is never freed. balloc_freeze() ends it: the heap (plat_heap) may then start at
 * the first byte not handed out, and any later balloc_pages() is a platform bug
 * and panics, as is running out. Identity mapping makes every returned pointer
 * its own physical address, which is what device rings need. */
#ifndef UD_PVH_BALLOC_H
#define UD_PVH_BALLOC_H

#include <stddef.h>
#include <stdint.h>

void balloc_init(uint64_t start, uint64_t end);
void *balloc_pages(size_t n);
/* The same without zeroing, for buffers a device fills before anyone reads
 * them (zeroing a megabyte costs milliseconds under TCG). */
void *balloc_pages_raw(size_t n);
/* Stop allocating; (*next) is the first free byte, page-aligned. */
void balloc_freeze(uint64_t *next);

#endif
