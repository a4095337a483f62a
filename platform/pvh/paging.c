/* SPDX-License-Identifier: MIT */
/* 4-level identity page tables with W^X, and the named regions for fault reports. */
#include "platform/pvh/paging.h"

#include <stdbool.h>

#include "platform/kernel/balloc.h"
#include "platform/kernel/kprintf.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/trap.h"

/* Page-table entry bits (SDM vol. 3A 5.5.4, tables 5-15 to 5-20). */
#define PTE_P    (1ull << 0)
#define PTE_RW   (1ull << 1)
#define PTE_PWT  (1ull << 3)
#define PTE_PCD  (1ull << 4)
#define PTE_A    (1ull << 5) /* accessed: the CPU sets it */
#define PTE_D    (1ull << 6) /* dirty: the CPU sets it */
#define PTE_PS   (1ull << 7) /* in a PD entry: a 2 MiB page */
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

#define PAGE      4096ull
#define LARGE     (2ull << 20)
#define MAX_NAMED 48

struct named {
	uint64_t start, end;
	const char *name;
};

/* kernel.ld */
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __data_start[], __bss_start[], __bss_end[], __data_end[];
extern const char __guard_main[], __stack_main_top[], __guard_df[], __stack_df_top[];
extern const char __guard_nmi[], __stack_nmi_top[], __guard_mc[], __stack_mc_top[];

static uint64_t *pml4;
static bool live; /* the tables are loaded: changes need invlpg */
static struct named named[MAX_NAMED];
static size_t n_named;

static uint64_t sym(const char *s)
{
	return (uint64_t)(uintptr_t)s;
}

static uint64_t kind_bits(enum paging_kind k)
{
	uint64_t nx = cpu_features.nx ? PTE_NX : 0;

	switch (k) {
	case PAGING_RX:
		return PTE_P;
	case PAGING_RO:
		return PTE_P | nx;
	case PAGING_RW:
		return PTE_P | PTE_RW | nx;
	case PAGING_MMIO:
		return PTE_P | PTE_RW | PTE_PCD | PTE_PWT | nx;
	}
	return 0;
}

static void add_name(uint64_t start, uint64_t end, const char *name)
{
	if (n_named < MAX_NAMED)
		named[n_named++] = (struct named){start, end, name};
}

/* The table that entry (idx) of (table) points to, created if absent. Upper
 * levels are permissive (present, writable, executable): the leaf decides. */
static uint64_t *next_table(uint64_t *table, unsigned idx, uint64_t va)
{
	uint64_t e = table[idx];

	if (e & PTE_P) {
		if (e & PTE_PS)
			trap_panic(TRAP_EXIT_PANIC, "paging: 0x%lx is inside a large page", va);
		return (uint64_t *)(uintptr_t)(e & PTE_ADDR);
	}
	uint64_t *t = balloc_pages(1);
	table[idx] = (uint64_t)(uintptr_t)t | PTE_P | PTE_RW;
	return t;
}

static void set_entry(uint64_t *slot, uint64_t want, uint64_t va)
{
	if ((*slot & PTE_P) && (*slot & ~(PTE_A | PTE_D)) != want)
		trap_panic(TRAP_EXIT_PANIC, "paging: conflicting mapping at 0x%lx", va);
	*slot = want;
	if (live)
		invlpg(va);
}

static void map_range(uint64_t start, uint64_t end, uint64_t bits, bool large_ok)
{
	uint64_t va = start;

	while (va < end) {
		uint64_t *pdpt = next_table(pml4, (va >> 39) & 511, va);
		uint64_t *pd = next_table(pdpt, (va >> 30) & 511, va);
		unsigned pdi = (va >> 21) & 511;
		if (large_ok && (va & (LARGE - 1)) == 0 && end - va >= LARGE) {
			set_entry(&pd[pdi], va | bits | PTE_PS, va);
			va += LARGE;
			continue;
		}
		uint64_t *pt = next_table(pd, pdi, va);
		set_entry(&pt[(va >> 12) & 511], va | bits, va);
		va += PAGE;
	}
}

void paging_map(uint64_t phys, uint64_t len, enum paging_kind kind, const char *name)
{
	uint64_t start = phys & ~(PAGE - 1);
	uint64_t end;

	if (len == 0)
		return;
	if (__builtin_add_overflow(phys, len + PAGE - 1, &end) || start == 0)
		trap_panic(TRAP_EXIT_PANIC, "paging: bad range 0x%lx+0x%lx for %s", phys, len,
		           name);
	end &= ~(PAGE - 1);
	map_range(start, end, kind_bits(kind), kind == PAGING_RW);
	add_name(start, end, name);
}

/* Stacks: each guard page stays unmapped. */
static void map_stacks(void)
{
	static const struct {
		const char *guard, *top, *name;
	} st[] = {
	        {__guard_main, __stack_main_top, "main stack"},
	        {__guard_df, __stack_df_top, "double-fault stack"},
	        {__guard_nmi, __stack_nmi_top, "NMI stack"},
	        {__guard_mc, __stack_mc_top, "machine-check stack"},
	};

	for (size_t i = 0; i < sizeof st / sizeof st[0]; i++) {
		add_name(sym(st[i].guard), sym(st[i].guard) + PAGE, "stack guard page");
		paging_map(sym(st[i].guard) + PAGE, sym(st[i].top) - sym(st[i].guard) - PAGE,
		           PAGING_RW, st[i].name);
	}
}

void paging_init(uint64_t store_addr, uint64_t store_len, const struct memmap_range *ram,
                 size_t n_ram)
{
	pml4 = balloc_pages(1);
	add_name(0, PAGE, "page zero");
	paging_map(sym(__text_start), sym(__text_end) - sym(__text_start), PAGING_RX, "text");
	paging_map(sym(__rodata_start), sym(__rodata_end) - sym(__rodata_start), PAGING_RO,
	           "rodata");
	paging_map(sym(__data_start), sym(__bss_start) - sym(__data_start), PAGING_RW, "data");
	paging_map(sym(__bss_start), sym(__guard_main) - sym(__bss_start), PAGING_RW, "bss");
	map_stacks();
	if (store_len)
		paging_map(store_addr, store_len, PAGING_RO, "store");
	for (size_t i = 0; i < n_ram; i++)
		paging_map(ram[i].start, ram[i].end - ram[i].start, PAGING_RW, "heap");
	write_cr3((uint64_t)(uintptr_t)pml4);
	live = true;
	if (!cpu_features.nx)
		kprintf("pvh: warning: the CPU has no NX bit; data and stacks stay executable\n");
}

const char *paging_region_name(uint64_t addr)
{
	for (size_t i = 0; i < n_named; i++)
		if (addr >= named[i].start && addr < named[i].end)
			return named[i].name;
	return "unmapped memory";
}
