/* SPDX-License-Identifier: MIT */
/* The flattened device tree (Devicetree Specification 0.4, chapter 5) as the
 * arm64 kernel reads it: untrusted input, parsed once at boot into fixed tables.
 *
 * fdt_parse() checks the header (magic, version 17, every block inside
 * totalsize, totalsize inside what the caller may read and at most
 * FDT_MAX_SIZE), then walks the structure block token by token: every length is
 * checked against the block, names and strings must end inside it, nesting is
 * at most FDT_MAX_DEPTH and nodes at most FDT_MAX_NODES. What it takes, from the
 * root's children (whose addresses are CPU physical addresses; devices behind a
 * translating bus are not used):
 *   memory (device_type "memory"): up to FDT_MAX_MEM ranges;
 *   /chosen bootargs (longer than FDT_BOOTARGS_MAX: truncated, and said so),
 *     rng-seed (at most 64 bytes taken) and linux,initrd-start/-end (QEMU's
 *     -initrd: one or two cells each; both, with end >= start, or neither);
 *   arm,pl011 (the console), arm,pl031 (the wall clock);
 *   arm,gic-400 / arm,cortex-a15-gic (GICv2: distributor, CPU interface),
 *   arm,gic-v3 (distributor, redistributors);
 *   arm,armv8-timer (the virtual timer's PPI);
 *   virtio,mmio windows with their SPI (up to FDT_MAX_MMIO);
 *   pci-host-ecam-generic: the ECAM window, bus range, the 32- and 64-bit memory
 *     windows from ranges, and interrupt-map entries (up to FDT_MAX_IMAP);
 *   arm,psci*: the conduit (hvc or smc).
 * Anything else is skipped. A malformed blob is refused whole (no partial
 * tables); fields absent from a good one are left 0. Pure C: also built hosted,
 * for fuzz/fdt.c and the unit tests. */
#ifndef UD_ARM64_FDT_H
#define UD_ARM64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_SIZE     (2u << 20)
#define FDT_MAX_DEPTH    16u
#define FDT_MAX_NODES    4096u
#define FDT_MAX_MEM      8u
#define FDT_MAX_MMIO     32u
#define FDT_MAX_IMAP     64u
#define FDT_BOOTARGS_MAX 1024u

struct fdt_window {
	uint64_t addr, size;
	uint32_t intid; /* GIC interrupt ID (SPI n is 32 + n); 0: none */
};

struct fdt_imap {
	uint32_t devfn_hi; /* the child unit address's first cell (bus, device, function) */
	uint32_t pin;      /* 1-4: INTA-INTD */
	uint32_t intid;
};

struct fdt_pci {
	bool present;
	uint64_t ecam, ecam_size;
	uint32_t bus_start, bus_end;
	uint64_t mem32_cpu, mem32_pci, mem32_size; /* 32-bit memory window */
	uint64_t mem64_cpu, mem64_pci, mem64_size;
	uint32_t imap_mask_hi, imap_mask_pin;
	struct fdt_imap imap[FDT_MAX_IMAP];
	uint32_t n_imap;
};

struct fdt_info {
	uint32_t n_mem;
	struct fdt_window mem[FDT_MAX_MEM];
	char bootargs[FDT_BOOTARGS_MAX];
	bool bootargs_truncated;
	struct fdt_window uart, rtc;
	int gic_version; /* 2, 3, or 0: none found */
	uint64_t gicd, gicd_size, gicc, gicc_size, gicr, gicr_size;
	uint32_t timer_intid; /* the virtual timer's PPI as an interrupt ID (16 + n) */
	uint32_t n_mmio;
	struct fdt_window mmio[FDT_MAX_MMIO];
	bool mmio_truncated;
	struct fdt_pci pci;
	bool psci, psci_smc;
	uint8_t rng_seed[64]; /* /chosen rng-seed (QEMU gives 32 bytes), for plat_random */
	uint32_t rng_seed_len;
	uint64_t initrd_start, initrd_end; /* both 0: none */
	uint32_t n_nodes;
};

enum fdt_result {
	FDT_OK = 0,
	FDT_EMAGIC,   /* not a device tree */
	FDT_EVERSION, /* not version 17 compatible */
	FDT_ESIZE,    /* totalsize or a block outside what may be read */
	FDT_ESTRUCT,  /* a bad token, length, name or nesting */
	FDT_ELIMIT,   /* more nodes or depth than we take */
};

const char *fdt_result_str(enum fdt_result r);

/* (blob): (avail) bytes that may be read. */
enum fdt_result fdt_parse(const uint8_t *blob, size_t avail, struct fdt_info *out);

#endif
