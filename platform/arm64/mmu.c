/* SPDX-License-Identifier: MIT */
/* The MMU: an identity map with 4 KiB granules and 48-bit addresses (four
 * levels; Arm ARM D8), W^X by region:
 *   text RX; rodata (with the notes and symbol table) and the store RO and
 *   never executable; data, bss, stacks and the rest of RAM RW and never
 *   executable; the stacks' guard pages and everything outside RAM and the
 *   devices unmapped (page zero included: RAM starts at 1 GiB on virt).
 * SCTLR_EL1.WXN makes any writable page non-executable in hardware as well.
 * Ranges are mapped in pieces that never overlap, with 2 MiB blocks where a
 * piece covers one whole, so no block is ever split. Tables come from a fixed
 * pool in .bss (MMU_TABLES pages); running out is a panic with the count. */
#include "lib/assert.h"
#include "lib/mem.h"
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"

#define MMU_TABLES 64u
#define PAGE       4096ull
#define BLOCK      (2ull << 20)

#define D_VALID   (1ull << 0)
#define D_TABLE   (1ull << 1) /* also "page" at level 3 */
#define D_ATTR(i) ((uint64_t)(i) << 2)
#define D_RO      (1ull << 7) /* AP[2]: read-only at EL1 */
#define D_ISH     (3ull << 8)
#define D_AF      (1ull << 10)
#define D_PXN     (1ull << 53)
#define D_UXN     (1ull << 54)
#define D_ADDR    0x0000fffffffff000ull

#define ATTR_NORMAL 0 /* MAIR attr0: write-back cacheable */
#define ATTR_DEVICE 1 /* MAIR attr1: Device-nGnRE */

enum kind { K_RX, K_RO, K_RW, K_DEV };

extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[],
        __image_end[], __guard_main[], __guard_exc[];

static uint64_t tables[MMU_TABLES][512] __attribute__((aligned(4096)));
static uint32_t n_tables = 1; /* tables[0] is level 0 */
static bool enabled;

struct region {
	uint64_t start, end;
	const char *name;
};
static struct region regions[48];
static uint32_t n_regions;

static uint64_t attrs(enum kind k)
{
	switch (k) {
	case K_RX:
		return D_ATTR(ATTR_NORMAL) | D_ISH | D_AF | D_RO | D_UXN;
	case K_RO:
		return D_ATTR(ATTR_NORMAL) | D_ISH | D_AF | D_RO | D_UXN | D_PXN;
	case K_RW:
		return D_ATTR(ATTR_NORMAL) | D_ISH | D_AF | D_UXN | D_PXN;
	case K_DEV:
		return D_ATTR(ATTR_DEVICE) | D_AF | D_UXN | D_PXN;
	}
	return 0;
}

static uint64_t *next_table(uint64_t *entry)
{
	if (*entry & D_VALID) {
		if (!(*entry & D_TABLE))
			arm64_panic(EXIT_PANIC, "mmu: a block where a table is needed");
		return (uint64_t *)(uintptr_t)(*entry & D_ADDR);
	}
	if (n_tables >= MMU_TABLES)
		arm64_panic(EXIT_PANIC, "mmu: out of page tables (%u)", MMU_TABLES);
	uint64_t *t = tables[n_tables++];
	*entry = (uint64_t)(uintptr_t)t | D_VALID | D_TABLE;
	return t;
}

/* Map [va, va + len) to itself with (a); both page-aligned. An entry already
 * there with the same descriptor is left; a different one is a panic. */
static void map(uint64_t va, uint64_t len, uint64_t a)
{
	uint64_t end = va + len;

	while (va < end) {
		uint64_t *l1 = next_table(&tables[0][va >> 39 & 511]);
		uint64_t *l2 = next_table(&l1[va >> 30 & 511]);
		uint64_t *e2 = &l2[va >> 21 & 511], want;
		if ((va & (BLOCK - 1)) == 0 && end - va >= BLOCK && !(*e2 & D_VALID)) {
			*e2 = va | a | D_VALID; /* a 2 MiB block */
			va += BLOCK;
			continue;
		}
		if ((*e2 & D_VALID) && !(*e2 & D_TABLE)) {
			if ((*e2 & ~D_ADDR) != (a | D_VALID))
				arm64_panic(EXIT_PANIC, "mmu: conflicting mapping at 0x%lx", va);
			va = (va | (BLOCK - 1)) + 1;
			continue;
		}
		uint64_t *l3 = next_table(e2);
		uint64_t *e3 = &l3[va >> 12 & 511];
		want = va | a | D_VALID | D_TABLE;
		if ((*e3 & D_VALID) && *e3 != want)
			arm64_panic(EXIT_PANIC, "mmu: conflicting mapping at 0x%lx", va);
		*e3 = want;
		va += PAGE;
	}
	if (enabled) {
		__asm__ volatile("dsb ishst; tlbi vmalle1; dsb ish; isb" ::: "memory");
	}
}

static void note(uint64_t start, uint64_t end, const char *name)
{
	if (n_regions < sizeof regions / sizeof regions[0])
		regions[n_regions++] = (struct region){start, end, name};
}

static void map_kind(uint64_t start, uint64_t end, enum kind k, const char *name)
{
	start &= ~(PAGE - 1);
	end = (end + PAGE - 1) & ~(PAGE - 1);
	if (end > start) {
		map(start, end - start, attrs(k));
		note(start, end, name);
	}
}

/* RAM in [lo, hi) outside the image, RW. */
static void map_ram_piece(uint64_t lo, uint64_t hi, uint64_t img_lo, uint64_t img_hi)
{
	if (lo < img_lo)
		map_kind(lo, hi < img_lo ? hi : img_lo, K_RW, "RAM");
	if (hi > img_hi)
		map_kind(lo > img_hi ? lo : img_hi, hi, K_RW, "RAM");
}

void mmu_init(const struct fdt_window *ram, uint32_t n_ram, uint64_t store, uint64_t store_len)
{
	uint64_t text = (uintptr_t)__text_start, rodata = (uintptr_t)__rodata_start,
	         data = (uintptr_t)__data_start, end = (uintptr_t)__image_end;
	uint64_t gm = (uintptr_t)__guard_main, ge = (uintptr_t)__guard_exc;
	uint64_t img_hi = store_len ? (store + store_len + PAGE - 1) & ~(PAGE - 1) : end;

	map_kind(text, rodata, K_RX, "kernel text");
	map_kind(rodata, data, K_RO, "kernel rodata");
	map_kind(data, gm, K_RW, "kernel data");
	map_kind(gm + PAGE, ge, K_RW, "main stack");
	map_kind(ge + PAGE, end, K_RW, "exception stack");
	note(gm, gm + PAGE, "main stack guard (unmapped)");
	note(ge, ge + PAGE, "exception stack guard (unmapped)");
	if (store_len) {
		if (store > end)
			map_kind(end, store, K_RW, "RAM");
		map_kind(store, store + store_len, K_RO, "the store");
	}
	for (uint32_t i = 0; i < n_ram; i++) {
		uint64_t lo = ram[i].addr & ~(PAGE - 1), hi;
		if (__builtin_add_overflow(ram[i].addr, ram[i].size, &hi) || hi > (1ull << 48))
			continue;
		map_ram_piece(lo, hi & ~(PAGE - 1), text, img_hi);
	}

	/* Arm ARM D13.2: MAIR attr0 normal write-back, attr1 Device-nGnRE. */
	write_sysreg(mair_el1, 0x04ffull);
	uint64_t pa = read_sysreg(id_aa64mmfr0_el1) & 7;
	if (pa > 5)
		pa = 5;
	/* T0SZ 16 (48 bits), walks inner/outer write-back, inner shareable, 4 KiB
	 * granule, TTBR1 walks off, IPS from the CPU. */
	write_sysreg(tcr_el1, 16ull | 1ull << 8 | 1ull << 10 | 3ull << 12 | 1ull << 23 | pa << 32);
	write_sysreg(ttbr0_el1, (uintptr_t)tables[0]);
	isb();
	__asm__ volatile("tlbi vmalle1; dsb ish; isb" ::: "memory");
	/* M, C, SA, I, WXN, and the RES1 bits of ARMv8.0. */
	uint64_t sctlr =
	        0x30d00800ull | 1ull << 0 | 1ull << 2 | 1ull << 3 | 1ull << 12 | 1ull << 19;
	write_sysreg(sctlr_el1, sctlr);
	isb();
	enabled = true;
}

uint32_t mmu_tables_used(void)
{
	return n_tables;
}

bool mmu_on(void)
{
	return enabled;
}

void mmu_map_device(uint64_t addr, uint64_t len, const char *what)
{
	uint64_t end;

	if (len == 0 || __builtin_add_overflow(addr, len, &end) || end > (1ull << 48))
		arm64_panic(EXIT_PANIC, "mmu: bad device range 0x%lx+0x%lx for %s", addr, len,
		            what);
	map_kind(addr, end, K_DEV, what);
}

const char *mmu_region_name(uint64_t addr)
{
	for (uint32_t i = 0; i < n_regions; i++)
		if (addr >= regions[i].start && addr < regions[i].end)
			return regions[i].name;
	return "unmapped";
}
