/* SPDX-License-Identifier: MIT */
/* The bootable image and the content store inside it: the design, and the
 * kernel's side of it.
 *
 * The image is one ELF64 x86-64 executable (ET_EXEC), identity-mapped, linked at
 * 1 MiB by platform/pvh/kernel.ld. Its program headers, in order:
 *
 *   PT_LOAD  R+X  text     0x100000 ...   entry code, all code
 *   PT_LOAD  R    rodata   page-aligned   constants, the two notes, the symbols
 *   PT_LOAD  R+W  data     page-aligned   data; bss and stacks (memsz > filesz)
 *   PT_LOAD  R    store    __store_slot   filesz 0, memsz 4096 as linked
 *   PT_NOTE       notes    inside rodata  "Xen" PHYS32_ENTRY and "unideck" store
 *
 * QEMU (hw/i386/x86.c load_elfboot, via load_elf: loads each PT_LOAD at p_paddr,
 * skips memsz 0) and linux-loader (Firecracker, Cloud Hypervisor: ELF64 only,
 * e_entry >= 1 MiB, copies p_filesz bytes to p_paddr, skips filesz 0) both
 * accept this (QEMU zero-fills the unpatched slot's page, which is harmless), and both find the PVH entry through PT_NOTE.
 *
 * Adding a store needs no linker (elfpatch.h does it; `unideck build` uses it):
 *
 *   1. Find the "unideck" note of type IMAGE_NOTE_STORE through PT_NOTE. Its
 *      32-byte desc is the store descriptor (little-endian):
 *          0  u32 magic    IMAGE_STORE_MAGIC ("UDDS")
 *          4  u32 version  IMAGE_STORE_VERSION
 *          8  u64 addr     physical address for the store: __store_slot, the
 *                          first page after the kernel's last byte
 *          16 u64 len      0 in a kernel without a store
 *          24 u64 flags    0, or IMAGE_STORE_IN_MODULE: the store (len
 *                          bytes) is not in the file but the boot module
 *                          that begins with its magic (a disk: GRUB loads it
 *                          by module2 wherever firmware left RAM; UEFI
 *                          reserves pages 8 MiB up, so a large store loaded
 *                          at the slot would land on them)
 *   2. Find the PT_LOAD with p_filesz 0 whose p_paddr is addr (the slot; ld
 *      gives a segment no address unless it has memory, hence one page).
 *   3. Append the store to the file at the next 4 KiB-aligned offset, point the
 *      slot at it (p_offset, p_filesz = p_memsz = len, R, align 4096) and write
 *      len into the descriptor. Nothing else moves, so the output is a pure
 *      function of the two inputs (reproducible), and a kernel with a store is
 *      refused a second one.
 *
 * At boot, image_init() reads the descriptor (it lies in rodata, so the kernel
 * sees the patched bytes), checks magic, version and that addr is the slot, and
 * records the store; paging.c maps it read-only and no-execute; the heap starts
 * above it. A corrupt descriptor is reported and treated as "no store".
 *
 * Physical = virtual, so the store's bytes are their own DMA addresses: the
 * network driver puts them in virtio descriptors directly (no copy). */
#ifndef UD_PVH_IMAGE_H
#define UD_PVH_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IMAGE_NOTE_NAME       "unideck"
#define IMAGE_NOTE_STORE      0x55440001u
#define IMAGE_STORE_MAGIC     0x53445544u /* "UDDS" as little-endian bytes */
#define IMAGE_STORE_VERSION   1u
#define IMAGE_STORE_DESC_LEN  32u
#define IMAGE_STORE_IN_MODULE 1u        /* descriptor flags */
#define IMAGE_LOAD_ADDR       0x100000u /* where kernel.ld links the image */
/* Built-in arguments: a second "unideck" note whose 256-byte desc holds a
 * NUL-padded kernel command line written at build time (`unideck build -o
 * IMAGE.elf --token T`). The loader's command line is read first, so what a
 * hypervisor passes overrides what the image was built with. */
#define IMAGE_NOTE_ARGS       0x55440002u
#define IMAGE_ARGS_LEN        256u

/* Read and check the store descriptor. Boot only, before paging_init(). */
void image_init(void);

/* The store: (*p, *len) point at its bytes, read-only; false when the image has
 * none. */
bool image_store(const uint8_t **p, size_t *len);

/* A store that comes as a boot module: its length, or 0 when the image carries
 * its own (or none). */
size_t image_store_module_len(void);

/* The boot's module scan found it: (p) holds image_store_module_len() bytes,
 * which stay where the loader put them (the caller keeps them out of the heap). */
void image_store_at(const uint8_t *p);

/* The built-in arguments, NUL-terminated ("" when none). */
const char *image_args(void);

/* The first page-aligned physical address above the kernel and its store. */
uint64_t image_end(void);

#endif
