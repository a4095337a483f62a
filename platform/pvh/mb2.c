/* SPDX-License-Identifier: MIT */
/* Parsing the multiboot2 boot information (layout in mb2.h). */
#include "platform/pvh/mb2.h"

#include "lib/cursor.h"
#include "lib/mem.h"

#define TAG_END       0u
#define TAG_CMDLINE   1u
#define TAG_LOADER    2u
#define TAG_MODULE    3u
#define TAG_BASIC_MEM 4u
#define TAG_MMAP      6u
#define TAG_ACPI_OLD  14u
#define TAG_ACPI_NEW  15u
#define TAG_EFI_MMAP  17u

#define MMAP_ENTRY_MIN 24u
#define EFI_DESC_MIN   40u
#define EFI_PAGE_SHIFT 12u
#define RSDP_V1_LEN    20u
#define RSDP_V2_LEN    36u

struct mb2_state {
	bool have_cmdline, have_mmap, have_efi, have_basic;
	uint32_t mem_lower, mem_upper;
};

/* The string at the start of (p, len): up to its NUL or the tag's end, copied
 * into (dst) of (cap) bytes; true when it did not fit. */
static bool copy_string(char *dst, size_t cap, const uint8_t *p, size_t len)
{
	size_t n = 0;

	while (n < len && p[n] != 0)
		n++;
	size_t take = n < cap - 1 ? n : cap - 1;
	memcpy(dst, p, take);
	dst[take] = '\0';
	return take < n;
}

static void add_mem(struct startinfo *out, uint64_t addr, uint64_t size, uint32_t type)
{
	uint64_t end;

	if (size == 0 || __builtin_add_overflow(addr, size, &end))
		return; /* empty or wrapping: ignored, as for PVH */
	if (out->n_mem == STARTINFO_MEM_MAX) {
		out->mem_truncated = true;
		return;
	}
	out->mem[out->n_mem++] = (struct startinfo_mem){addr, size, type};
}

static void read_mmap(struct cur c, struct startinfo *out)
{
	uint32_t esize, version;

	if (!cur_u32le(&c, &esize) || !cur_u32le(&c, &version) || esize < MMAP_ENTRY_MIN ||
	    esize % 8 != 0)
		return;
	while (c.len >= esize) {
		struct cur e = cur_make(c.p, esize);
		uint64_t addr, size;
		uint32_t type;
		if (!cur_u64le(&e, &addr) || !cur_u64le(&e, &size) || !cur_u32le(&e, &type))
			return;
		add_mem(out, addr, size, type);
		cur_skip(&c, esize);
	}
}

/* UEFI 2.10 7.2 memory types, after ExitBootServices, as E820 types. */
static uint32_t efi_type(uint32_t t)
{
	switch (t) {
	case 1: /* loader code */
	case 2: /* loader data */
	case 3: /* boot services code */
	case 4: /* boot services data */
	case 7: /* conventional */
		return STARTINFO_RAM;
	case 9:
		return 3; /* ACPI reclaimable */
	case 10:
		return 4; /* ACPI NVS */
	case 8:
		return 5; /* unusable */
	default:
		return 2; /* reserved, MMIO, runtime services, ... */
	}
}

static void read_efi_mmap(struct cur c, struct startinfo *out)
{
	uint32_t dsize, version;

	if (!cur_u32le(&c, &dsize) || !cur_u32le(&c, &version) || dsize < EFI_DESC_MIN ||
	    dsize % 8 != 0)
		return;
	while (c.len >= dsize) {
		struct cur e = cur_make(c.p, dsize);
		uint32_t type, pad;
		uint64_t start, virt, pages;
		if (!cur_u32le(&e, &type) || !cur_u32le(&e, &pad) || !cur_u64le(&e, &start) ||
		    !cur_u64le(&e, &virt) || !cur_u64le(&e, &pages))
			return;
		if (pages <= (UINT64_MAX >> EFI_PAGE_SHIFT))
			add_mem(out, start, pages << EFI_PAGE_SHIFT, efi_type(type));
		cur_skip(&c, dsize);
	}
}

static void read_module(struct cur c, struct startinfo *out)
{
	uint32_t start, end;

	if (!cur_u32le(&c, &start) || !cur_u32le(&c, &end) || end < start)
		return;
	if (out->n_mod == STARTINFO_MOD_MAX) {
		out->mod_truncated = true;
		return;
	}
	out->mod[out->n_mod++] = (struct startinfo_mod){start, end};
}

static void read_rsdp(const uint8_t *p, size_t len, bool v2, struct startinfo *out)
{
	if (!v2) {
		/* The old copy only when no new one came first. */
		if (len < RSDP_V1_LEN || out->rsdp_len >= RSDP_V2_LEN)
			return;
		memcpy(out->rsdp_copy, p, RSDP_V1_LEN);
		out->rsdp_len = RSDP_V1_LEN;
		return;
	}
	if (len < RSDP_V2_LEN)
		return;
	uint32_t n = (uint32_t)p[20] | (uint32_t)p[21] << 8 | (uint32_t)p[22] << 16 |
	             (uint32_t)p[23] << 24;
	/* Its own Length must fit in the tag and in our copy (the checksum covers
	 * Length bytes, and ACPI reads that many). */
	if (n < RSDP_V2_LEN || n > len || n > STARTINFO_RSDP_MAX)
		return;
	memset(out->rsdp_copy, 0, sizeof out->rsdp_copy);
	memcpy(out->rsdp_copy, p, n);
	out->rsdp_len = n;
}

static void read_tag(uint32_t type, const uint8_t *p, size_t len, struct mb2_state *st,
                     struct startinfo *out)
{
	switch (type) {
	case TAG_CMDLINE:
		if (!st->have_cmdline)
			out->cmdline_truncated =
			        copy_string(out->cmdline, sizeof out->cmdline, p, len);
		st->have_cmdline = true;
		break;
	case TAG_LOADER:
		copy_string(out->loader, sizeof out->loader, p, len);
		break;
	case TAG_MODULE:
		read_module(cur_make(p, len), out);
		break;
	case TAG_BASIC_MEM: {
		struct cur c = cur_make(p, len);
		st->have_basic = cur_u32le(&c, &st->mem_lower) && cur_u32le(&c, &st->mem_upper);
		break;
	}
	case TAG_MMAP:
		if (st->have_efi && !st->have_mmap) { /* the proper map wins */
			out->n_mem = 0;
			out->mem_truncated = false;
		}
		st->have_mmap = true;
		read_mmap(cur_make(p, len), out);
		break;
	case TAG_EFI_MMAP:
		if (!st->have_mmap && !st->have_efi) {
			st->have_efi = true;
			read_efi_mmap(cur_make(p, len), out);
		}
		break;
	case TAG_ACPI_OLD:
	case TAG_ACPI_NEW:
		read_rsdp(p, len, type == TAG_ACPI_NEW, out);
		break;
	default:
		break; /* framebuffer, EFI tables, ELF sections, ...: not ours */
	}
}

/* Without a memory map tag, the basic one: RAM below 640 KiB and above 1 MiB. */
static void finish(const struct mb2_state *st, struct startinfo *out)
{
	out->mem_from = st->have_mmap    ? "memory map"
	                : st->have_efi   ? "EFI memory map"
	                : st->have_basic ? "basic memory"
	                                 : "";
	if (st->have_mmap || st->have_efi || !st->have_basic)
		return;
	add_mem(out, 0, (uint64_t)st->mem_lower << 10, STARTINFO_RAM);
	add_mem(out, 1ull << 20, (uint64_t)st->mem_upper << 10, STARTINFO_RAM);
}

enum mb2_result mb2_parse(uint64_t paddr, startinfo_view_fn view, void *ctx, struct startinfo *out)
{
	struct mb2_state st = {0};
	const uint8_t *p;
	uint32_t total, reserved;

	memset(out, 0, sizeof *out);
	if (!(p = view(ctx, paddr, 8)))
		return MB2_EREAD;
	struct cur c = cur_make(p, 8);
	if (!cur_u32le(&c, &total) || !cur_u32le(&c, &reserved))
		return MB2_EREAD;
	if (total < 16 || total > MB2_INFO_MAX || !(p = view(ctx, paddr, total)))
		return MB2_ESIZE;
	c = cur_make(p + 8, total - 8);
	for (uint32_t n = 0; n < MB2_TAGS_MAX; n++) {
		uint32_t type, size;
		if (!cur_u32le(&c, &type) || !cur_u32le(&c, &size))
			break;
		if (size < 8 || size - 8 > c.len) {
			finish(&st, out);
			return MB2_ETAG;
		}
		if (type == TAG_END) {
			finish(&st, out);
			return MB2_OK;
		}
		read_tag(type, c.p, size - 8, &st, out);
		/* To the next tag: this one's data, then padding to 8 bytes. */
		size_t step = ((size_t)size + 7) / 8 * 8 - 8;
		if (!cur_skip(&c, step < c.len ? step : c.len))
			break;
	}
	finish(&st, out);
	return MB2_EEND;
}

const char *mb2_strerror(enum mb2_result r)
{
	switch (r) {
	case MB2_OK:
		return "ok";
	case MB2_EREAD:
		return "not readable";
	case MB2_ESIZE:
		return "impossible total size";
	case MB2_ETAG:
		return "a tag with an impossible size";
	case MB2_EEND:
		return "no end tag";
	}
	return "?";
}
