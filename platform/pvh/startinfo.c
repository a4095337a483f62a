/* SPDX-License-Identifier: MIT */
/* Parsing struct hvm_start_info and what it points to. */
#include "platform/pvh/startinfo.h"

#include "lib/cursor.h"
#include "lib/mem.h"

#define SI_LEN_V0     40u /* through rsdp_paddr */
#define SI_LEN_V1     56u
#define MEMMAP_ENTRY  24u
#define MODLIST_ENTRY 32u /* hvm_modlist_entry: u64 paddr, size, cmdline_paddr, reserved */

static void read_cmdline(uint64_t paddr, startinfo_view_fn view, void *ctx, struct startinfo *out)
{
	size_t i;

	out->cmdline[0] = '\0';
	if (paddr == 0)
		return;
	for (i = 0; i < STARTINFO_CMDLINE_MAX - 1; i++) {
		uint64_t a;
		const uint8_t *b;
		if (__builtin_add_overflow(paddr, i, &a) || !(b = view(ctx, a, 1)))
			break;
		if (*b == 0)
			break;
		out->cmdline[i] = (char)*b;
	}
	out->cmdline[i] = '\0';
	uint64_t a;
	if (i == STARTINFO_CMDLINE_MAX - 1 && !__builtin_add_overflow(paddr, i, &a)) {
		const uint8_t *b = view(ctx, a, 1);
		out->cmdline_truncated = b && *b != 0;
	}
}

static void read_memmap(uint64_t paddr, uint32_t n, startinfo_view_fn view, void *ctx,
                        struct startinfo *out)
{
	uint32_t take = n < STARTINFO_MEM_MAX ? n : STARTINFO_MEM_MAX;
	const uint8_t *p;

	out->mem_truncated = n > STARTINFO_MEM_MAX;
	if (paddr == 0 || take == 0 || !(p = view(ctx, paddr, (size_t)take * MEMMAP_ENTRY)))
		return;
	struct cur c = cur_make(p, (size_t)take * MEMMAP_ENTRY);
	for (uint32_t i = 0; i < take; i++) {
		struct startinfo_mem *m = &out->mem[out->n_mem];
		uint32_t reserved;
		if (!cur_u64le(&c, &m->addr) || !cur_u64le(&c, &m->size) ||
		    !cur_u32le(&c, &m->type) || !cur_u32le(&c, &reserved))
			return;
		uint64_t end;
		if (m->size == 0 || __builtin_add_overflow(m->addr, m->size, &end))
			continue; /* empty or wrapping: ignore the entry */
		out->n_mem++;
	}
}

/* The modules (QEMU's -initrd is one): [paddr, paddr + size), each checked for
 * wrap-around; the caller checks that the range is memory it may read. */
static void read_modlist(uint64_t paddr, uint32_t n, startinfo_view_fn view, void *ctx,
                         struct startinfo *out)
{
	uint32_t take = n < STARTINFO_MOD_MAX ? n : STARTINFO_MOD_MAX;
	const uint8_t *p;

	out->mod_truncated = n > STARTINFO_MOD_MAX;
	if (paddr == 0 || take == 0 || !(p = view(ctx, paddr, (size_t)take * MODLIST_ENTRY)))
		return;
	struct cur c = cur_make(p, (size_t)take * MODLIST_ENTRY);
	for (uint32_t i = 0; i < take; i++) {
		uint64_t start, size, cmdline, reserved, end;
		if (!cur_u64le(&c, &start) || !cur_u64le(&c, &size) || !cur_u64le(&c, &cmdline) ||
		    !cur_u64le(&c, &reserved))
			return;
		if (__builtin_add_overflow(start, size, &end))
			continue;
		out->mod[out->n_mod++] = (struct startinfo_mod){start, end};
	}
}

enum startinfo_result startinfo_parse(uint64_t paddr, startinfo_view_fn view, void *ctx,
                                      struct startinfo *out)
{
	uint32_t magic, flags, nr_modules, n_mem = 0;
	uint64_t modlist, cmdline, memmap = 0;
	const uint8_t *p;

	memset(out, 0, sizeof *out);
	if (!(p = view(ctx, paddr, SI_LEN_V0)))
		return STARTINFO_EREAD;
	struct cur c = cur_make(p, SI_LEN_V0);
	if (!cur_u32le(&c, &magic) || !cur_u32le(&c, &out->version) || !cur_u32le(&c, &flags) ||
	    !cur_u32le(&c, &nr_modules) || !cur_u64le(&c, &modlist) || !cur_u64le(&c, &cmdline) ||
	    !cur_u64le(&c, &out->rsdp))
		return STARTINFO_EREAD;
	if (magic != STARTINFO_MAGIC)
		return STARTINFO_EMAGIC;
	if (out->version >= 1 && (p = view(ctx, paddr + SI_LEN_V0, SI_LEN_V1 - SI_LEN_V0))) {
		struct cur c1 = cur_make(p, SI_LEN_V1 - SI_LEN_V0);
		if (!cur_u64le(&c1, &memmap) || !cur_u32le(&c1, &n_mem))
			n_mem = 0;
	}
	read_cmdline(cmdline, view, ctx, out);
	read_memmap(memmap, n_mem, view, ctx, out);
	read_modlist(modlist, nr_modules, view, ctx, out);
	return STARTINFO_OK;
}
