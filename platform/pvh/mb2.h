/* SPDX-License-Identifier: MIT */
/* Reading the multiboot2 boot information (what GRUB hands the kernel when it
 * boots the image from a disk) into the same struct startinfo as PVH.
 *
 * The layout is the Multiboot2 specification's (version 2.0, section 3.6):
 *   0  u32 total_size   4  u32 reserved
 * then tags, each 8-byte aligned:  u32 type, u32 size (header included), data,
 * ending with a tag of type 0 and size 8. The tags read here:
 *   1  command line: a NUL-terminated string
 *   3  module: u32 mod_start, u32 mod_end, a NUL-terminated string
 *   4  basic memory: u32 mem_lower, mem_upper (KiB below 1 MiB, above 1 MiB)
 *   6  memory map: u32 entry_size, u32 entry_version, then entries of
 *      { u64 base_addr, u64 length, u32 type, u32 reserved } (E820 types),
 *      entry_size bytes apart (at least 24, a multiple of 8)
 *  14  ACPI old: a copy of the RSDP (ACPI 1.0, 20 bytes)
 *  15  ACPI new: a copy of the RSDP (ACPI 2.0+, its Length bytes)
 *  17  EFI memory map: u32 descriptor size, u32 version, then UEFI memory
 *      descriptors { u32 type, u32 pad, u64 physical start, u64 virtual start,
 *      u64 pages (4 KiB), u64 attributes } (at least 40 bytes apart); used only
 *      when tag 6 is absent, with loader, boot-services and conventional memory
 *      as RAM (boot services have exited), ACPI reclaim/NVS as E820 3/4
 * Any other tag is skipped by its size.
 *
 * The loader wrote these bytes, so they are input like any other: read through
 * (view) with the cursor getters, with caps: the whole structure at most
 * MB2_INFO_MAX bytes and MB2_TAGS_MAX tags; the command line, memory map and
 * modules copied up to the startinfo limits with the truncated flags set. The
 * RSDP is copied (the tag holds the table itself, not its address), since the
 * memory the loader used becomes heap. Pure C, hosted-tested and fuzzed. */
#ifndef UD_PVH_MB2_H
#define UD_PVH_MB2_H

#include <stdint.h>

#include "platform/pvh/startinfo.h"

#define MB2_BOOT_MAGIC 0x36d76289u /* in %eax at the multiboot2 entry */
#define MB2_INFO_MAX   (1u << 20)  /* the boot information, at most */
#define MB2_TAGS_MAX   1024u

enum mb2_result {
	MB2_OK = 0,
	MB2_EREAD, /* the fixed part is not readable */
	MB2_ESIZE, /* total_size below 16, above MB2_INFO_MAX, or not readable */
	MB2_ETAG,  /* a tag's size is impossible (what came before it is kept) */
	MB2_EEND,  /* no end tag before total_size or MB2_TAGS_MAX (same) */
};

/* Copy what the boot information at (paddr) describes into (*out), which is
 * cleared first. On MB2_ETAG or MB2_EEND the tags read before the fault are
 * kept; the caller says so and goes on. */
enum mb2_result mb2_parse(uint64_t paddr, startinfo_view_fn view, void *ctx, struct startinfo *out);

/* A short name for (r), for the console. */
const char *mb2_strerror(enum mb2_result r);

#endif
