/* SPDX-License-Identifier: MIT */
/* Unit tests of the arm64 device tree parser (platform/arm64/fdt.c, compiled in
 * here: it is a platform file) against QEMU virt's own trees (fuzz/corpus/fdt,
 * dumped by -M virt,dumpdtb=), and against damage: every truncation, each
 * header field out of range, a bad token, a name running off the block,
 * nesting past the cap, and a command line past its cap. Each input sits at
 * the end of a guard page, so a read past it faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/arm64/fdt.c"
#include "tests/unit/check.h"

static uint8_t *load(const char *name, size_t *len)
{
	char path[256];
	static uint8_t buf[64 * 1024];
	FILE *f;

	snprintf(path, sizeof path, "fuzz/corpus/fdt/%s", name);
	f = fopen(path, "rb");
	*len = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static enum fdt_result parse(const uint8_t *p, size_t n, struct fdt_info *i)
{
	return fdt_parse(guard_place(p, n), n, i);
}

/* A tree of (depth) nested nodes, then a /chosen with (args_len) bytes of
 * bootargs, built by hand. */
static size_t build(uint8_t *b, unsigned depth, size_t args_len)
{
	size_t s = 40, n = s;
	const char strings[] = "bootargs";

	put32(b + n, 1), n += 4, put32(b + n, 0), n += 4; /* the root, name "" */
	for (unsigned i = 0; i < depth; i++)
		put32(b + n, 1), n += 4, memcpy(b + n, "n\0\0", 4), n += 4;
	for (unsigned i = 0; i < depth; i++)
		put32(b + n, 2), n += 4;
	put32(b + n, 1), n += 4, memcpy(b + n, "chosen\0", 8), n += 8;
	put32(b + n, 3), n += 4, put32(b + n, (uint32_t)args_len + 1), n += 4, put32(b + n, 0),
	        n += 4;
	memset(b + n, 'a', args_len), b[n + args_len] = 0, n += (args_len + 1 + 3) & ~(size_t)3;
	put32(b + n, 2), n += 4; /* chosen */
	put32(b + n, 2), n += 4; /* root */
	put32(b + n, 9), n += 4;
	size_t str = n;
	memcpy(b + n, strings, sizeof strings), n += sizeof strings;
	put32(b, 0xd00dfeed), put32(b + 4, (uint32_t)n), put32(b + 8, (uint32_t)s),
	        put32(b + 12, (uint32_t)str), put32(b + 16, 40), put32(b + 20, 17),
	        put32(b + 24, 16), put32(b + 28, 0), put32(b + 32, sizeof strings),
	        put32(b + 36, (uint32_t)(str - s));
	return n;
}

/* A /chosen with linux,initrd-start of (a) bytes (0x4440_0000, as one or two
 * cells, or junk when not 4 or 8) and linux,initrd-end of 4 bytes. */
static size_t build_initrd(uint8_t *b, uint32_t a, uint32_t end)
{
	size_t s = 40, n = s;
	const char strings[] = "linux,initrd-start\0linux,initrd-end";

	put32(b + n, 1), n += 4, put32(b + n, 0), n += 4;
	put32(b + n, 1), n += 4, memcpy(b + n, "chosen\0", 8), n += 8;
	put32(b + n, 3), n += 4, put32(b + n, a), n += 4, put32(b + n, 0), n += 4;
	memset(b + n, 0, 8);
	if (a == 8)
		put32(b + n + 4, 0x44400000);
	else
		put32(b + n, 0x44400000);
	n += (a + 3) & ~3u;
	put32(b + n, 3), n += 4, put32(b + n, 4), n += 4, put32(b + n, 19), n += 4;
	put32(b + n, end), n += 4;
	put32(b + n, 2), n += 4; /* chosen */
	put32(b + n, 2), n += 4; /* root */
	put32(b + n, 9), n += 4;
	size_t str = n;
	memcpy(b + n, strings, sizeof strings), n += sizeof strings;
	put32(b, 0xd00dfeed), put32(b + 4, (uint32_t)n), put32(b + 8, (uint32_t)s),
	        put32(b + 12, (uint32_t)str), put32(b + 16, 40), put32(b + 20, 17),
	        put32(b + 24, 16), put32(b + 28, 0), put32(b + 32, sizeof strings),
	        put32(b + 36, (uint32_t)(str - s));
	return n;
}

static void test_initrd(void)
{
	static uint8_t b[1024];
	struct fdt_info i;
	size_t n;

	n = build_initrd(b, 8, 0x44400400);
	CHECK(parse(b, n, &i) == FDT_OK && i.initrd_start == 0x44400000 &&
	              i.initrd_end == 0x44400400,
	      "/chosen linux,initrd-start (two cells) and -end (one)");
	n = build_initrd(b, 4, 0x44400400);
	CHECK(parse(b, n, &i) == FDT_OK && i.initrd_start == 0x44400000,
	      "linux,initrd-start as one cell");
	n = build_initrd(b, 4, 0x44300000);
	CHECK(parse(b, n, &i) == FDT_OK && i.initrd_start == 0 && i.initrd_end == 0,
	      "an initrd that ends before it starts is not taken");
	n = build_initrd(b, 3, 0x44400400);
	CHECK(parse(b, n, &i) == FDT_OK && i.initrd_start == 0 && i.initrd_end == 0,
	      "an initrd-start of 3 bytes is not taken");
}

int main(void)
{
	struct fdt_info i;
	size_t n2, n3;
	uint8_t *p = load("virt-gicv2-mmio", &n2);
	static uint8_t v2[64 * 1024], v3[64 * 1024], b[64 * 1024], m[64 * 1024];
	test_initrd();

	memcpy(v2, p, n2);
	p = load("virt-gicv3-pci", &n3);
	memcpy(v3, p, n3);
	if (!CHECK(n2 > 1000 && n3 > 1000, "the QEMU trees are there (run from the repository)"))
		return check_done();

	CHECK(parse(v2, n2, &i) == FDT_OK, "QEMU virt's tree (GICv2) parses");
	CHECK(i.n_mem == 1 && i.mem[0].addr == 0x40000000 && i.mem[0].size == 64u << 20,
	      "its memory: 64 MiB at 1 GiB");
	CHECK(i.uart.addr == 0x09000000 && i.uart.intid == 33, "the PL011 at 0x09000000, SPI 1");
	CHECK(i.rtc.addr == 0x09010000, "the PL031 at 0x09010000");
	CHECK(i.gic_version == 2 && i.gicd == 0x08000000 && i.gicc == 0x08010000,
	      "GICv2: distributor and CPU interface");
	CHECK(i.timer_intid == 27, "the virtual timer is PPI 11 (ID 27)");
	CHECK(i.n_mmio == 32 && i.mmio[0].size == 0x200 && i.mmio[0].intid >= 32,
	      "32 virtio-mmio windows with their SPIs");
	CHECK(i.pci.present && i.pci.ecam == 0x4010000000ull && i.pci.mem32_size > 0 &&
	              i.pci.n_imap == 16,
	      "the ECAM host bridge, its 32-bit window and 16 interrupt-map entries");
	CHECK(i.psci && !i.psci_smc, "PSCI through hvc");
	CHECK(parse(v3, n3, &i) == FDT_OK && i.gic_version == 3 && i.gicr == 0x080a0000,
	      "QEMU virt's tree with GICv3: the redistributors");

	unsigned bad = 0;
	for (size_t cut = 0; cut < n2; cut++)
		bad += parse(v2, cut, &i) == FDT_OK;
	CHECK(bad == 0, "every truncation of the tree is refused (%u accepted)", bad);
	CHECK(i.n_mem == 0 && i.n_mmio == 0 && i.gic_version == 0, "and leaves no partial tables");

	memcpy(m, v2, n2);
	put32(m, 0xd00dfeee);
	CHECK(parse(m, n2, &i) == FDT_EMAGIC, "a bad magic is refused");
	memcpy(m, v2, n2);
	put32(m + 20, 16), put32(m + 24, 16);
	CHECK(parse(m, n2, &i) == FDT_EVERSION, "version 16 is refused");
	memcpy(m, v2, n2);
	put32(m + 4, (uint32_t)n2 + 1);
	CHECK(parse(m, n2, &i) == FDT_ESIZE, "a totalsize past the bytes is refused");
	memcpy(m, v2, n2);
	put32(m + 36, 0xfffffff0u);
	CHECK(parse(m, n2, &i) == FDT_ESIZE, "a structure block past the blob is refused");
	memcpy(m, v2, n2);
	put32(m + 32, 0);
	CHECK(parse(m, n2, &i) == FDT_ESTRUCT, "property names outside the strings are refused");
	memcpy(m, v2, n2);
	put32(m + (size_t)(m[8] << 24 | m[9] << 16 | m[10] << 8 | m[11]), 7);
	CHECK(parse(m, n2, &i) == FDT_ESTRUCT, "an unknown token is refused");

	size_t n = build(b, 3, 10);
	CHECK(parse(b, n, &i) == FDT_OK && strcmp(i.bootargs, "aaaaaaaaaa") == 0,
	      "a hand-built tree: /chosen bootargs");
	n = build(b, FDT_MAX_DEPTH, 10);
	CHECK(parse(b, n, &i) == FDT_ELIMIT, "nesting past %u is refused", FDT_MAX_DEPTH);
	n = build(b, 1, FDT_BOOTARGS_MAX + 100);
	CHECK(parse(b, n, &i) == FDT_OK && i.bootargs_truncated &&
	              strlen(i.bootargs) == FDT_BOOTARGS_MAX - 1,
	      "a command line past %u bytes is cut and said so", FDT_BOOTARGS_MAX);
	return check_done();
}
