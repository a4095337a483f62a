/* SPDX-License-Identifier: MIT */
/* Reading the PVH start info: struct hvm_start_info, the command line and the
 * memory map, copied out of guest memory into our own struct at boot.
 *
 * The layout is Xen's xen/include/public/arch-x86/hvm/start_info.h:
 *   0  u32 magic (0x336ec578)   4  u32 version   8  u32 flags   12 u32 nr_modules
 *   16 u64 modlist_paddr        24 u64 cmdline_paddr            32 u64 rsdp_paddr
 *   version >= 1:  40 u64 memmap_paddr   48 u32 memmap_entries  52 u32 reserved
 * and each hvm_memmap_table_entry is { u64 addr, u64 size, u32 type, u32 reserved }
 * with E820 types (1 RAM, 2 reserved, 3 ACPI, 4 NVS, 5 unusable, 7 PMEM);
 * each hvm_modlist_entry (nr_modules of them at modlist_paddr; QEMU's -initrd
 * is one) is { u64 paddr, u64 size, u64 cmdline_paddr, u64 reserved }.
 *
 * The hypervisor wrote these bytes, so they are input: read through (view),
 * which returns a pointer to (len) bytes at a physical address or NULL when that
 * memory cannot be read, and with cursor getters. The command line is copied up
 * to STARTINFO_CMDLINE_MAX - 1 bytes and the memory map up to STARTINFO_MEM_MAX
 * entries; the truncated flags say when more was there. Pure C, hosted-tested. */
#ifndef UD_PVH_STARTINFO_H
#define UD_PVH_STARTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STARTINFO_MAGIC       0x336ec578u
#define STARTINFO_CMDLINE_MAX 4096u
#define STARTINFO_MEM_MAX     128u
#define STARTINFO_RAM         1u /* E820 type of usable RAM */
#define STARTINFO_MOD_MAX     16u
#define STARTINFO_RSDP_MAX    64u /* an RSDP copy (multiboot2): 36 bytes in ACPI 6.5 */
#define STARTINFO_LOADER_MAX  64u

struct startinfo_mem {
	uint64_t addr, size;
	uint32_t type;
};

struct startinfo_mod {
	uint64_t start, end;
};

struct startinfo {
	uint32_t version;
	uint64_t rsdp; /* 0: none given */
	/* Multiboot2 gives the RSDP itself rather than its address: the copy,
	 * rsdp_len bytes (0: none); the caller points rsdp at it. */
	uint8_t rsdp_copy[STARTINFO_RSDP_MAX];
	uint32_t rsdp_len;
	char loader[STARTINFO_LOADER_MAX]; /* multiboot2's boot loader name, or "" */
	/* Where multiboot2's memory map came from: "memory map", "EFI memory
	 * map", "basic memory" or "" (PVH, or none). */
	const char *mem_from;
	size_t n_mod;
	struct startinfo_mod mod[STARTINFO_MOD_MAX];
	bool mod_truncated;
	char cmdline[STARTINFO_CMDLINE_MAX];
	bool cmdline_truncated;
	size_t n_mem;
	struct startinfo_mem mem[STARTINFO_MEM_MAX];
	bool mem_truncated;
};

enum startinfo_result {
	STARTINFO_OK = 0,
	STARTINFO_EREAD,  /* the struct itself is not readable */
	STARTINFO_EMAGIC, /* not a PVH start info */
};

typedef const uint8_t *(*startinfo_view_fn)(void *ctx, uint64_t paddr, size_t len);

/* Copy what (paddr) describes into (*out). A missing or unreadable command line
 * or memory map leaves it empty (n_mem 0); the caller then falls back. */
enum startinfo_result startinfo_parse(uint64_t paddr, startinfo_view_fn view, void *ctx,
                                      struct startinfo *out);

#endif
