/* SPDX-License-Identifier: MIT */
/* Hosted unit tests of the multiboot2 boot information parser (mb2.c): what
 * GRUB gives on BIOS and on UEFI, and hostile variants. Built with ASan and
 * UBSan; the boot information is copied to an exact-size allocation, so an
 * over-read past total_size is caught. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/pvh/mb2.h"

static int failures;

static void check(bool ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	failures += !ok;
}

/* A boot information under construction. */
struct mbi {
	uint8_t b[8192];
	size_t len;
};

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void mbi_start(struct mbi *m)
{
	memset(m, 0, sizeof *m);
	m->len = 8;
}

/* A tag of (type) with (len) bytes of (data); padded to 8. */
static void tag(struct mbi *m, uint32_t type, const void *data, uint32_t len)
{
	put32(m->b + m->len, type);
	put32(m->b + m->len + 4, 8 + len);
	if (len)
		memcpy(m->b + m->len + 8, data, len);
	m->len += (8 + len + 7) / 8 * 8;
}

static void mbi_end(struct mbi *m)
{
	tag(m, 0, NULL, 0);
	put32(m->b, (uint32_t)m->len);
}

struct fakemem {
	uint8_t *mem;
	size_t len;
};

static const uint8_t *view(void *ctx, uint64_t paddr, size_t len)
{
	struct fakemem *f = ctx;

	if (paddr > f->len || len > f->len - paddr)
		return NULL;
	return f->mem + paddr;
}

/* Parse (m) placed at 0x40 of memory that ends exactly where it does. */
static enum mb2_result parse(const struct mbi *m, size_t extra, struct startinfo *si)
{
	struct fakemem f = {malloc(0x40 + m->len + extra), 0x40 + m->len + extra};
	memset(f.mem, 0, f.len);
	memcpy(f.mem + 0x40, m->b, m->len);
	enum mb2_result r = mb2_parse(0x40, view, &f, si);
	free(f.mem);
	return r;
}

static void mmap_tag(struct mbi *m, uint32_t esize, const uint64_t (*e)[3], int n)
{
	uint8_t d[4096] = {0};
	put32(d, esize);
	put32(d + 4, 0);
	for (int i = 0; i < n; i++) {
		put64(d + 8 + i * esize, e[i][0]);
		put64(d + 16 + i * esize, e[i][1]);
		put32(d + 24 + i * esize, (uint32_t)e[i][2]);
	}
	tag(m, 6, d, 8 + esize * (uint32_t)n);
}

static void rsdp(uint8_t *r, int rev, uint32_t len)
{
	memcpy(r, "RSD PTR ", 8);
	r[15] = (uint8_t)rev;
	put32(r + 16, 0x7ffe0000);
	if (rev >= 2)
		put32(r + 20, len);
}

static void test_grub_bios(void)
{
	static struct startinfo si;
	struct mbi m;
	uint8_t basic[8], r1[20] = {0};
	const uint64_t e[3][3] = {{0, 0x9fc00, 1}, {0xf0000, 0x10000, 2}, {0x100000, 0x7ee0000, 1}};

	mbi_start(&m);
	tag(&m, 1, "ip=10.0.2.15/24 port=80", 24);
	tag(&m, 2, "GRUB 2.06-13+deb12u2", 21);
	put32(basic, 639);
	put32(basic + 4, 129920);
	tag(&m, 4, basic, 8);
	mmap_tag(&m, 24, e, 3);
	rsdp(r1, 0, 0);
	tag(&m, 14, r1, 20);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && strcmp(si.cmdline, "ip=10.0.2.15/24 port=80") == 0 &&
	              strcmp(si.loader, "GRUB 2.06-13+deb12u2") == 0 && si.n_mem == 3 &&
	              si.mem[2].addr == 0x100000 && si.mem[2].size == 0x7ee0000 &&
	              si.mem[1].type == 2 && si.rsdp_len == 20 &&
	              memcmp(si.rsdp_copy, "RSD PTR ", 8) == 0 && !si.cmdline_truncated,
	      "mb2: GRUB on BIOS: command line, loader, memory map, old RSDP");
}

static void test_grub_efi(void)
{
	static struct startinfo si;
	struct mbi m;
	uint8_t r1[20] = {0}, r2[36] = {0}, mod[16] = {0};
	/* UEFI's memory map entries can be larger than 24 bytes. */
	const uint64_t e[2][3] = {{0x100000, 0x700000, 1}, {0x800000, 0x100000, 4}};

	mbi_start(&m);
	tag(&m, 1, "", 1);
	mmap_tag(&m, 32, e, 2);
	rsdp(r2, 2, 36);
	tag(&m, 15, r2, 36);
	rsdp(r1, 0, 0);
	tag(&m, 14, r1, 20); /* the old copy after the new must not replace it */
	put32(mod, 0x2000000);
	put32(mod + 4, 0x2001000);
	memcpy(mod + 8, "initrd", 7);
	tag(&m, 3, mod, 15);
	tag(&m, 12, "\x00\x10\x00\x00\x00\x00\x00\x00", 8); /* EFI 64-bit system table */
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.cmdline[0] == 0 && si.n_mem == 2 &&
	              si.mem[1].type == 4 && si.mem[1].addr == 0x800000 && si.rsdp_len == 36 &&
	              si.rsdp_copy[15] == 2 && si.n_mod == 1 && si.mod[0].start == 0x2000000 &&
	              si.mod[0].end == 0x2001000,
	      "mb2: GRUB on UEFI: 32-byte map entries, new RSDP kept over old, a module");
}

static void test_hostile(void)
{
	static struct startinfo si;
	struct mbi m;
	char longline[5000];
	uint8_t r2[36] = {0}, basic[8];

	mbi_start(&m);
	memset(longline, 'a', sizeof longline - 1);
	longline[sizeof longline - 1] = 0;
	tag(&m, 1, longline, sizeof longline);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && strlen(si.cmdline) == STARTINFO_CMDLINE_MAX - 1 &&
	              si.cmdline_truncated,
	      "mb2: an overlong command line is cut and flagged");

	mbi_start(&m);
	tag(&m, 1, "abc", 3); /* no NUL inside the tag */
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && strcmp(si.cmdline, "abc") == 0,
	      "mb2: a command line without its NUL stops at the tag's end");

	mbi_start(&m);
	{
		static uint64_t e[160][3];
		for (int i = 0; i < 160; i++) {
			e[i][0] = (uint64_t)i << 20;
			e[i][1] = 4096;
			e[i][2] = 1;
		}
		mmap_tag(&m, 24, (const uint64_t(*)[3])e, 160);
	}
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.n_mem == STARTINFO_MEM_MAX && si.mem_truncated,
	      "mb2: an overlong memory map is cut and flagged");

	mbi_start(&m);
	{
		const uint64_t e[2][3] = {{0xfffffffffffff000ull, 0x2000, 1}, {0x100000, 0, 1}};
		mmap_tag(&m, 24, e, 2);
	}
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.n_mem == 0,
	      "mb2: wrapping and empty memory ranges are ignored");

	mbi_start(&m);
	{
		const uint64_t e[1][3] = {{0x100000, 0x100000, 1}};
		mmap_tag(&m, 20, e, 1); /* entry size below 24 */
	}
	put32(basic, 640);
	put32(basic + 4, 31744);
	tag(&m, 4, basic, 8);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.n_mem == 0,
	      "mb2: a memory map with impossible entries is dropped, not replaced by basic");

	mbi_start(&m);
	tag(&m, 4, basic, 8);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.n_mem == 2 && si.mem[1].addr == 0x100000 &&
	              si.mem[1].size == 31744ull << 10,
	      "mb2: without a memory map, the basic memory tag");

	mbi_start(&m);
	rsdp(r2, 2, 4096); /* Length beyond the tag and our copy */
	tag(&m, 15, r2, 36);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.rsdp_len == 0,
	      "mb2: an RSDP whose Length exceeds its tag is ignored");

	mbi_start(&m);
	tag(&m, 1, "ok=1", 5);
	put32(m.b + m.len, 99);
	put32(m.b + m.len + 4, 4); /* size below the tag header */
	m.len += 8;
	put32(m.b, (uint32_t)m.len);
	check(parse(&m, 0, &si) == MB2_ETAG && strcmp(si.cmdline, "ok=1") == 0,
	      "mb2: a tag smaller than its header stops the walk, keeping what came before");

	mbi_start(&m);
	tag(&m, 1, "ok=1", 5);
	put32(m.b + m.len, 99);
	put32(m.b + m.len + 4, 4000); /* runs past total_size */
	m.len += 8;
	put32(m.b, (uint32_t)m.len);
	check(parse(&m, 4096, &si) == MB2_ETAG, "mb2: a tag running past total_size");

	mbi_start(&m);
	tag(&m, 1, "x=1", 4);
	put32(m.b, (uint32_t)m.len); /* no end tag */
	check(parse(&m, 0, &si) == MB2_EEND && strcmp(si.cmdline, "x=1") == 0,
	      "mb2: a missing end tag is reported");

	mbi_start(&m);
	mbi_end(&m);
	put32(m.b, (uint32_t)m.len + 64); /* total_size beyond readable memory */
	check(parse(&m, 0, &si) == MB2_ESIZE, "mb2: total_size beyond memory");
	put32(m.b, 8);
	check(parse(&m, 0, &si) == MB2_ESIZE, "mb2: total_size too small");
	put32(m.b, MB2_INFO_MAX + 8);
	check(parse(&m, MB2_INFO_MAX, &si) == MB2_ESIZE, "mb2: total_size above the cap");

	{
		struct fakemem f = {calloc(1, 4), 4};
		check(mb2_parse(0, view, &f, &si) == MB2_EREAD, "mb2: header not readable");
		free(f.mem);
	}

	/* Many tags: the walk stops at the cap. */
	{
		size_t n = (MB2_TAGS_MAX + 10) * 8 + 16;
		struct fakemem f = {calloc(1, n), n};
		put32(f.mem, (uint32_t)n);
		for (size_t i = 0; i < MB2_TAGS_MAX + 10; i++) {
			put32(f.mem + 8 + i * 8, 99);
			put32(f.mem + 12 + i * 8, 8);
		}
		check(mb2_parse(0, view, &f, &si) == MB2_EEND,
		      "mb2: more than MB2_TAGS_MAX tags stop at the cap");
		free(f.mem);
	}
}

/* UEFI memory descriptors (type, start, pages), 48 bytes apart as OVMF has them. */
static void efi_tag(struct mbi *m, const uint64_t (*e)[3], int n)
{
	uint8_t d[2048] = {0};
	put32(d, 48);
	put32(d + 4, 1);
	for (int i = 0; i < n; i++) {
		put32(d + 8 + i * 48, (uint32_t)e[i][0]);
		put64(d + 16 + i * 48, e[i][1]);
		put64(d + 32 + i * 48, e[i][2]);
	}
	tag(m, 17, d, 8 + 48 * (uint32_t)n);
}

static void test_efi_map(void)
{
	static struct startinfo si;
	struct mbi m;
	const uint64_t efi[4][3] = {{7, 0x100000, 0x700},     /* conventional */
	                            {10, 0x800000, 0x10},     /* ACPI NVS */
	                            {4, 0x900000, 0x7000},    /* boot services data */
	                            {7, 0x1000, 1ull << 60}}; /* pages that overflow */
	uint8_t basic[8];

	mbi_start(&m);
	put32(basic, 0);
	put32(basic + 4, 7168);
	tag(&m, 4, basic, 8);
	efi_tag(&m, efi, 4);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.n_mem == 3 && si.mem[0].type == 1 &&
	              si.mem[0].size == 0x700000 && si.mem[1].type == 4 && si.mem[2].type == 1 &&
	              strcmp(si.mem_from, "EFI memory map") == 0,
	      "mb2: without tag 6, the EFI memory map (types mapped, overflowing pages dropped)");
	mbi_start(&m);
	efi_tag(&m, efi, 4);
	{
		const uint64_t e[1][3] = {{0x100000, 0x3f00000, 1}};
		mmap_tag(&m, 24, e, 1);
	}
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && si.n_mem == 1 && si.mem[0].size == 0x3f00000 &&
	              strcmp(si.mem_from, "memory map") == 0,
	      "mb2: the memory map tag replaces an EFI map that came before it");
	mbi_start(&m);
	tag(&m, 4, basic, 8);
	mbi_end(&m);
	check(parse(&m, 0, &si) == MB2_OK && strcmp(si.mem_from, "basic memory") == 0 &&
	              si.n_mem == 1,
	      "mb2: the source of the map is named (basic memory; mem_lower 0 gives no range)");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_grub_bios();
	test_grub_efi();
	test_hostile();
	test_efi_map();
	return failures != 0;
}
