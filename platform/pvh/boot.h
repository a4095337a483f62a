/* SPDX-License-Identifier: MIT */
/* Boot: from the long-mode entry to the image's own main.
 *
 * boot_main() (called by entry.S with the start-info address, or the multiboot2
 * information's with its magic when GRUB booted the image) brings the platform
 * up in dependency order: console, CPU and traps, start info and command line,
 * ACPI, memory and paging, interrupt controllers, clocks, the network device;
 * prints the time from entry to ready; then calls kmain() and exits with its
 * result. Whatever is linked on top provides kmain(): the unideck app or a test
 * kernel. Interrupts stay disabled except inside plat_yield_until().
 *
 * The heap (plat_heap) is the largest RAM range above the image, its store and
 * the boot allocator's pages. */
#ifndef UD_PVH_BOOT_H
#define UD_PVH_BOOT_H

#include <stdint.h>

#include "platform/pvh/startinfo.h"

/* Provided by the image's application. */
int kmain(void);

/* The start info as copied at boot (command line, memory map, RSDP). */
const struct startinfo *boot_startinfo(void);

/* The TSC value at the first instruction of entry.S. */
uint64_t boot_entry_tsc(void);

/* (magic) 0: PVH's start info at (info_paddr); MB2_BOOT_MAGIC: multiboot2's. */
_Noreturn void boot_main(uint64_t info_paddr, uint32_t magic);

#endif
