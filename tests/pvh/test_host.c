/* SPDX-License-Identifier: MIT */
/* Hosted unit tests of the VM platform's pure parts: command line, start info,
 * memory map, virtqueue bounds checks and the image patcher. Built with ASan and
 * UBSan; inputs are copied to exact-size allocations so an over-read is caught. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmdline.h"
#include "platform/kernel/image.h"
#include "platform/pvh/memmap.h"
#include "platform/pvh/startinfo.h"
#include "platform/virtio/virtq.h"
#include "tools/image/elfpatch.h"

static int failures;

static void check(bool ok, const char *name)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", name);
	failures += !ok;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static bool val_is(const char *line, const char *key, const char *want)
{
	const char *v;
	size_t n;

	return cmdline_get(line, key, &v, &n) && n == strlen(want) && memcmp(v, want, n) == 0;
}

static bool num_is(const char *s, bool ok, uint64_t want)
{
	uint64_t v = 0;
	bool r = cmdline_u64(s, strlen(s), &v);

	return r == ok && (!ok || v == want);
}

static void test_cmdline(void)
{
	const char *line =
	        "  foobar=1 foo=bar dhcp ip=10.0.2.15  virtio_mmio.device=512@0xfeb00e00:12 "
	        "virtio_mmio.device=4K@0x1000:5:1 log=";
	const char *v;
	size_t n, pos = 0;
	struct cmdline_mmio m;

	check(val_is(line, "foo", "bar"), "cmdline: key=value, not confused by a longer key");
	check(val_is(line, "dhcp", "") && val_is(line, "log", ""),
	      "cmdline: bare key and empty value");
	check(!cmdline_get(line, "fo", &v, &n) && !cmdline_get(line, "ip=", &v, &n) &&
	              !cmdline_get("", "foo", &v, &n),
	      "cmdline: absent keys");
	check(cmdline_next(line, "virtio_mmio.device", &pos, &v, &n) && cmdline_mmio(v, n, &m) &&
	              m.size == 512 && m.addr == 0xfeb00e00 && m.irq == 12 &&
	              cmdline_next(line, "virtio_mmio.device", &pos, &v, &n) &&
	              cmdline_mmio(v, n, &m) && m.size == 4096 && m.addr == 0x1000 && m.irq == 5 &&
	              !cmdline_next(line, "virtio_mmio.device", &pos, &v, &n),
	      "cmdline: repeated keys and virtio_mmio.device values");
	check(num_is("0", true, 0) && num_is("2596098", true, 2596098) &&
	              num_is("0xFEB00e00", true, 0xfeb00e00) && num_is("64M", true, 64ull << 20) &&
	              num_is("1G", true, 1ull << 30) &&
	              num_is("18446744073709551615", true, UINT64_MAX),
	      "cmdline: numbers");
	check(num_is("", false, 0) && num_is("0x", false, 0) && num_is("12a", false, 0) &&
	              num_is("18446744073709551616", false, 0) &&
	              num_is("17179869184G", false, 0) && num_is("K", false, 0),
	      "cmdline: bad numbers refused (overflow too)");
	const char *bad[] = {"512",
	                     "512@",
	                     "@0x1000:5",
	                     "512@0x1000",
	                     "512@0x1000:",
	                     "0@0x1000:5",
	                     "512@0x1000:99999999999"};
	bool all = true;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		all &= !cmdline_mmio(bad[i], strlen(bad[i]), &m);
	check(all, "cmdline: bad virtio_mmio.device values refused");
}

/* Fake guest memory for startinfo_parse(): (mem) at physical 0. */
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

static void put_si(uint8_t *m, uint32_t version, uint64_t cmdline, uint64_t memmap, uint32_t n)
{
	put_le(m, STARTINFO_MAGIC, 4);
	put_le(m + 4, version, 4);
	put_le(m + 24, cmdline, 8);
	put_le(m + 32, 0xe0000, 8);
	put_le(m + 40, memmap, 8);
	put_le(m + 48, n, 4);
}

static void put_entry(uint8_t *m, uint64_t addr, uint64_t size, uint32_t type)
{
	put_le(m, addr, 8);
	put_le(m + 8, size, 8);
	put_le(m + 16, type, 4);
}

static void test_startinfo(void)
{
	static struct startinfo si;
	size_t len = 16384;
	struct fakemem f = {calloc(1, len), len};

	put_si(f.mem + 0x100, 1, 0x200, 0x1000, 3);
	strcpy((char *)f.mem + 0x200, "console=ttyS0 dhcp");
	put_entry(f.mem + 0x1000, 0, 0x9fc00, 1);
	put_entry(f.mem + 0x1018, 0x100000, 0x3f00000, 1);
	put_entry(f.mem + 0x1030, 0xffffffffffff0000ull, 0x20000, 2); /* wraps: ignored */
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.version == 1 &&
	              strcmp(si.cmdline, "console=ttyS0 dhcp") == 0 && si.n_mem == 2 &&
	              si.mem[1].addr == 0x100000 && si.rsdp == 0xe0000,
	      "startinfo: version 1 with command line and memory map");
	put_si(f.mem + 0x100, 0, 0x200, 0x1000, 3);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.n_mem == 0,
	      "startinfo: version 0 has no memory map");
	put_si(f.mem + 0x100, 1, 0, len - 100, 10);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.n_mem == 0 &&
	              si.cmdline[0] == 0,
	      "startinfo: a memory map beyond readable memory is dropped");
	put_si(f.mem + 0x100, 1, 0, 0x1000, 100000);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.n_mem == 2 &&
	              si.mem_truncated,
	      "startinfo: an overlong memory map is cut and flagged");
	memset(f.mem + 0x2000, 'a', len - 0x2000); /* no NUL before the end of memory */
	put_si(f.mem + 0x100, 1, 0x2000, 0, 0);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK &&
	              strlen(si.cmdline) == STARTINFO_CMDLINE_MAX - 1 && si.cmdline_truncated,
	      "startinfo: an overlong command line is cut and flagged");
	put_si(f.mem + 0x100, 1, len - 5, 0, 0);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && strlen(si.cmdline) == 5,
	      "startinfo: a command line running off the end of memory stops there");
	/* The module list (hvm_modlist_entry: paddr, size, cmdline, reserved). */
	memset(f.mem, 0, len);
	put_si(f.mem + 0x100, 1, 0, 0, 0);
	put_le(f.mem + 0x100 + 12, 3, 4);      /* nr_modules */
	put_le(f.mem + 0x100 + 16, 0x3000, 8); /* modlist_paddr */
	put_le(f.mem + 0x3000, 0x5fff000, 8);  /* the -initrd QEMU gives */
	put_le(f.mem + 0x3008, 876, 8);
	put_le(f.mem + 0x3020, 0xfffffffffffff000ull, 8); /* wraps: dropped */
	put_le(f.mem + 0x3028, 0x2000, 8);
	put_le(f.mem + 0x3040, 0x7000000, 8);
	put_le(f.mem + 0x3048, 16, 8);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.n_mod == 2 &&
	              si.mod[0].start == 0x5fff000 && si.mod[0].end == 0x5fff000 + 876 &&
	              si.mod[1].start == 0x7000000 && !si.mod_truncated,
	      "startinfo: modules read, one that wraps dropped");
	put_le(f.mem + 0x100 + 12, 1000, 4);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.mod_truncated &&
	              si.n_mod <= STARTINFO_MOD_MAX,
	      "startinfo: an overlong module list is cut and flagged");
	put_le(f.mem + 0x100 + 16, len - 8, 8);
	put_le(f.mem + 0x100 + 12, 2, 4);
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_OK && si.n_mod == 0,
	      "startinfo: a module list beyond readable memory is dropped");
	put_si(f.mem + 0x100, 1, 0, 0, 0);
	f.mem[0x100] ^= 1;
	check(startinfo_parse(0x100, view, &f, &si) == STARTINFO_EMAGIC, "startinfo: bad magic");
	check(startinfo_parse(len - 10, view, &f, &si) == STARTINFO_EREAD,
	      "startinfo: struct outside memory");
	free(f.mem);
}

static void test_memmap(void)
{
	struct startinfo_mem m[] = {
	        {0, 0x9fc00, 1},
	        {0x100000, 0x7f00000, 1},        /* 1 MiB - 128 MiB */
	        {0x4000000, 0x1000, 2},          /* a reserved page inside it */
	        {0x100000000ull, 0x40000000, 1}, /* 4-5 GiB */
	        {0x100000800ull, 0x1000, 1},     /* duplicate RAM inside it: merged */
	        {0x7fff000, 0x2000, 3},          /* ACPI overlapping the end */
	};
	struct memmap_range r[8];
	size_t n = memmap_ram(m, 6, 0x200000, r, 8);

	check(n == 3 && r[0].start == 0x200000 && r[0].end == 0x4000000 &&
	              r[1].start == 0x4001000 && r[1].end == 0x7fff000 &&
	              r[2].start == 0x100000000ull && r[2].end == 0x140000000ull,
	      "memmap: RAM above the floor, reserved parts cut out, duplicates merged");
	check(memmap_largest(r, n) == 2, "memmap: largest range");
	struct startinfo_mem odd[] = {{0x100123, 0x3000, 1}};
	n = memmap_ram(odd, 1, 0, r, 8);
	check(n == 1 && r[0].start == 0x101000 && r[0].end == 0x103000,
	      "memmap: pages rounded inward");
	n = memmap_ram(m, 6, 0x200000, r, 1);
	check(n == 1 && r[0].start == 0x200000, "memmap: output capped, low ranges skipped first");

	/* OVMF's map through GRUB: RAM in touching pieces, a store across two. */
	struct startinfo_mem efi[] = {
	        {0x100000, 0x700000, 1}, /* 1-8 MiB, conventional */
	        {0x800000, 0x800000, 1}, /* 8-16 MiB, loader data: RAM too */
	        {0x1000000, 0x10000, 2}, /* 16 MiB: reserved */
	        {0x1010000, 0x3000000, 1},
	};
	check(memmap_covers(efi, 4, 0x400000, 0xc00000),
	      "memmap: a store across two touching RAM entries is in RAM");
	check(!memmap_covers(efi, 4, 0xc00000, 0x1008000),
	      "memmap: one that reaches into a reserved entry is not");
	check(!memmap_covers(efi, 4, 0x2000000, 0x5000000), "memmap: nor one past the end of RAM");
	check(memmap_covers(efi, 4, 0x1010000, 0x4010000), "memmap: the last range, whole");
}

/* The device side of a virtqueue, written by hand. */
static void dev_use(struct virtq *q, uint16_t slot, uint32_t id, uint32_t len)
{
	uint8_t *u = (uint8_t *)(uintptr_t)q->used;
	put_le(u + 4 + 8u * (slot & (q->size - 1)), id, 4);
	put_le(u + 8 + 8u * (slot & (q->size - 1)), len, 4);
}

static void dev_set_idx(struct virtq *q, uint16_t idx)
{
	put_le((uint8_t *)(uintptr_t)q->used + 2, idx, 2);
}

static void test_virtq(void)
{
	static struct virtq q;
	void *mem = aligned_alloc(4096, virtq_mem_size(8));
	struct virtq_buf b[3] = {{0x1000, 10, false}, {0x2000, 20, false}, {0x3000, 30, true}};
	uint16_t h1, h2, head;
	uint32_t len;

	memset(mem, 0, virtq_mem_size(8));
	virtq_init(&q, 1, 8, mem);
	check(virtq_put(&q, b, 3, &h1) && virtq_put(&q, b, 2, &h2) && q.n_free == 3 &&
	              !virtq_put(&q, b, 4, &head),
	      "virtq: chains take descriptors; too long a chain is refused");
	const uint8_t *d = (const uint8_t *)(uintptr_t)q.desc + 16u * h1;
	check(get_le(d, 8) == 0x1000 && get_le(d + 8, 4) == 10 && (get_le(d + 12, 2) & 1) &&
	              get_le((const uint8_t *)(uintptr_t)q.avail + 2, 2) == 2,
	      "virtq: descriptors and avail index written");
	check(virtq_get(&q, &head, &len) == VIRTQ_EMPTY, "virtq: nothing used yet");
	dev_use(&q, 0, 99, 5);
	dev_use(&q, 1, h2, 7);
	dev_use(&q, 2, h2, 7); /* again: no longer in flight */
	dev_use(&q, 3, h1, 40);
	dev_set_idx(&q, 4);
	check(virtq_get(&q, &head, &len) == VIRTQ_BAD && q.stats.bad_id == 1,
	      "virtq: used id out of range rejected");
	check(virtq_get(&q, &head, &len) == VIRTQ_GOT && head == h2 && len == 7 && q.n_free == 5,
	      "virtq: a valid used element frees its chain");
	check(virtq_get(&q, &head, &len) == VIRTQ_BAD && q.stats.not_in_flight == 1,
	      "virtq: a chain returned twice is rejected");
	check(virtq_get(&q, &head, &len) == VIRTQ_GOT && head == h1 && q.n_free == 8,
	      "virtq: all descriptors back");
	dev_set_idx(&q, 4 + 100);
	check(virtq_get(&q, &head, &len) == VIRTQ_BAD && q.stats.bad_idx == 1 &&
	              virtq_get(&q, &head, &len) == VIRTQ_EMPTY,
	      "virtq: a used index jumping past the queue size is rejected");
	for (int i = 0; i < 1000; i++) {
		uint16_t h;
		if (!virtq_put(&q, b, 1 + i % 3, &h))
			break;
		dev_use(&q, q.last_used, h, 1);
		dev_set_idx(&q, (uint16_t)(q.last_used + 1));
		virtq_get(&q, &head, &len);
	}
	check(q.n_free == 8, "virtq: no descriptor leaks over many cycles and index wraps");
	free(mem);
}

/* virtio 1.2 2.7.7.2 and 2.7.10.1, as a device applies them: act when (event)
 * lies among the indexes that went by, [old, new). */
static bool dev_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* The device uses (n) chains from the available ring and says whether it
 * would interrupt for them, by used_event. */
static bool dev_use_avail(struct virtq *q, uint16_t *used_idx, unsigned n)
{
	const uint8_t *a = (const uint8_t *)(uintptr_t)q->avail;
	uint16_t old = *used_idx;

	for (unsigned i = 0; i < n; i++) {
		uint16_t h = (uint16_t)get_le(a + 4 + 2u * (*used_idx & (q->size - 1)), 2);
		dev_use(q, *used_idx, h, 1);
		(*used_idx)++;
	}
	dev_set_idx(q, *used_idx);
	return dev_need_event((uint16_t)get_le(a + 4 + 2u * q->size, 2), *used_idx, old);
}

static void dev_set_avail_event(struct virtq *q, uint16_t v)
{
	put_le((uint8_t *)(uintptr_t)q->used + 4 + 8u * q->size, v, 2);
}

static void test_virtq_event_idx(void)
{
	static struct virtq q;
	void *mem = aligned_alloc(4096, virtq_mem_size(8));
	struct virtq_buf b = {0x1000, 10, true};
	uint16_t head, used_idx = 0;
	uint32_t len;
	unsigned got = 0;
	bool irq[4], kick[4];

	/* Receive: a queue that interrupts. */
	memset(mem, 0, virtq_mem_size(8));
	virtq_init(&q, 0, 8, mem);
	virtq_use_event_idx(&q);
	for (int i = 0; i < 8; i++)
		virtq_put(&q, &b, 1, &head);
	check(virtq_get(&q, &head, &len) == VIRTQ_EMPTY, "event idx: nothing used yet");
	irq[0] = dev_use_avail(&q, &used_idx, 3);
	irq[1] = dev_use_avail(&q, &used_idx, 2); /* before the driver looked */
	while (virtq_get(&q, &head, &len) == VIRTQ_GOT) {
		got++;
		virtq_put(&q, &b, 1, &head);
	}
	irq[2] = dev_use_avail(&q, &used_idx, 1);
	check(irq[0] && !irq[1] && irq[2] && got == 5,
	      "event idx: one interrupt for a burst, the next once the driver found the "
	      "queue empty");
	unsigned irqs = 0, bursts = 0;
	for (int i = 0; i < 20000; i++, bursts++) { /* used_idx wraps */
		while (virtq_get(&q, &head, &len) == VIRTQ_GOT)
			virtq_put(&q, &b, 1, &head);
		irqs += dev_use_avail(&q, &used_idx, 1 + (unsigned)i % 3);
		irqs += dev_use_avail(&q, &used_idx, 1);
	}
	check(irqs == bursts && q.stats.bad_idx == 0,
	      "event idx: exactly one interrupt per burst across index wraps");

	/* Transmit: a queue that never interrupts, and notifications. */
	memset(mem, 0, virtq_mem_size(8));
	virtq_init(&q, 1, 8, mem);
	virtq_use_event_idx(&q);
	virtq_no_interrupts(&q);
	used_idx = 0;
	dev_set_avail_event(&q, 0); /* the device wants to hear of index 0 */
	virtq_put(&q, &b, 1, &head);
	virtq_put(&q, &b, 1, &head);
	kick[0] = virtq_kick_prepare(&q);
	virtq_put(&q, &b, 1, &head); /* the device is busy: it asked for nothing */
	kick[1] = virtq_kick_prepare(&q);
	dev_set_avail_event(&q, 3); /* done, wants to hear of index 3 */
	virtq_put(&q, &b, 1, &head);
	kick[2] = virtq_kick_prepare(&q);
	kick[3] = virtq_kick_prepare(&q); /* nothing new */
	check(kick[0] && !kick[1] && kick[2] && !kick[3],
	      "event idx: notified only where avail_event asks");
	irqs = 0;
	unsigned kicks = 0, rounds = 0;
	for (int i = 0; i < 30000; i++, rounds++) {
		while (virtq_get(&q, &head, &len) == VIRTQ_GOT)
			;
		uint16_t avail_before = q.avail_idx;
		for (unsigned k = 0; k < 1 + (unsigned)i % 4; k++)
			virtq_put(&q, &b, 1, &head);
		dev_set_avail_event(&q, avail_before);
		kicks += virtq_kick_prepare(&q);
		irqs += dev_use_avail(&q, &used_idx, (uint16_t)(q.avail_idx - used_idx));
	}
	check(irqs == 0, "event idx: a queue without interrupts never asks for one");
	check(kicks == rounds, "event idx: one notification per round across index wraps");
	check(get_le((const uint8_t *)(uintptr_t)q.avail, 2) == VIRTQ_AVAIL_F_NO_INTERRUPT,
	      "event idx: the flag is set too, for a device that ignores event indexes");
	free(mem);
}

/* A minimal unideck-like kernel ELF: text PT_LOAD, slot PT_LOAD, PT_NOTE with
 * the store note. */
static size_t make_kernel(uint8_t *k, uint64_t slot_addr, uint64_t desc_len)
{
	memset(k, 0, 0x3000);
	memcpy(k, "\177ELF\2\1\1", 7);
	put_le(k + 16, 2, 2);  /* ET_EXEC */
	put_le(k + 18, 62, 2); /* EM_X86_64 */
	put_le(k + 20, 1, 4);
	put_le(k + 24, 0x100000, 8);
	put_le(k + 32, 64, 8); /* phoff */
	put_le(k + 52, 64, 2);
	put_le(k + 54, 56, 2);
	put_le(k + 56, 3, 2); /* phnum */
	uint8_t *ph = k + 64;
	put_le(ph, 1, 4); /* text */
	put_le(ph + 4, 5, 4);
	put_le(ph + 8, 0x1000, 8);
	put_le(ph + 16, 0x100000, 8);
	put_le(ph + 24, 0x100000, 8);
	put_le(ph + 32, 0x1000, 8);
	put_le(ph + 40, 0x2000, 8);
	ph += 56; /* the slot */
	put_le(ph, 1, 4);
	put_le(ph + 4, 4, 4);
	put_le(ph + 16, slot_addr, 8);
	put_le(ph + 24, slot_addr, 8);
	put_le(ph + 40, 0x1000, 8);
	ph += 56; /* the notes, in the text page */
	put_le(ph, 4, 4);
	put_le(ph + 8, 0x1100, 8);
	put_le(ph + 32, 12 + 8 + 32, 8);
	put_le(ph + 48, 4, 8);
	uint8_t *n = k + 0x1100;
	put_le(n, 8, 4);
	put_le(n + 4, 32, 4);
	put_le(n + 8, IMAGE_NOTE_STORE, 4);
	memcpy(n + 12, "unideck", 8);
	put_le(n + 20, IMAGE_STORE_MAGIC, 4);
	put_le(n + 24, IMAGE_STORE_VERSION, 4);
	put_le(n + 28, slot_addr, 8);
	put_le(n + 36, desc_len, 8);
	return 0x2345; /* not page-aligned: padding must follow */
}

static int patch(const uint8_t *k, size_t klen, const uint8_t *s, size_t slen, uint8_t **out,
                 size_t *olen, char *err)
{
	uint8_t *copy = malloc(klen ? klen : 1); /* exact size: ASan sees over-reads */
	memcpy(copy, k, klen);
	int r = elfpatch_add_store(copy, klen, s, slen, out, olen, err, 200);
	free(copy);
	return r;
}

static void test_elfpatch(void)
{
	static uint8_t k[0x3000];
	uint8_t store[5000], *out = NULL, *out2 = NULL, *out3 = NULL;
	size_t klen = make_kernel(k, 0x102000, 0), olen, olen2, olen3;
	char err[200];

	for (size_t i = 0; i < sizeof store; i++)
		store[i] = (uint8_t)(i * 7 + 3);
	int r = patch(k, klen, store, sizeof store, &out, &olen, err);
	check(r == 0 && olen == 0x3000 + sizeof store &&
	              memcmp(out + 0x3000, store, sizeof store) == 0,
	      "elfpatch: store appended at the next page");
	const uint8_t *ph = out + 64 + 56;
	check(r == 0 && get_le(ph + 8, 8) == 0x3000 && get_le(ph + 16, 8) == 0x102000 &&
	              get_le(ph + 32, 8) == sizeof store && get_le(ph + 40, 8) == sizeof store &&
	              get_le(out + 0x1100 + 36, 8) == sizeof store,
	      "elfpatch: slot and descriptor filled in");
	check(r == 0 && memcmp(out, k, 64 + 56) == 0 &&
	              memcmp(out + 64 + 112, k + 64 + 112, 0x1100 - 176) == 0,
	      "elfpatch: nothing else changed");
	r = patch(k, klen, store, sizeof store, &out2, &olen2, err);
	check(r == 0 && olen2 == olen && memcmp(out, out2, olen) == 0, "elfpatch: reproducible");
	check(patch(out, olen, store, 10, &out3, &olen3, err) != 0 && strstr(err, "already") &&
	              !out3,
	      "elfpatch: a second store is refused");
	check(patch(k, klen, store, 0, &out3, &olen3, err) != 0, "elfpatch: empty store refused");
	make_kernel(k, 0x101000, 0); /* the slot would overlap the text segment */
	check(patch(k, klen, store, sizeof store, &out3, &olen3, err) != 0 &&
	              strstr(err, "overlap"),
	      "elfpatch: overlap with a segment refused");
	make_kernel(k, 0x102000, 0);
	put_le(k + 64 + 56 + 16, 0x200000, 8); /* no slot at the descriptor's address */
	put_le(k + 64 + 56 + 24, 0x200000, 8);
	check(patch(k, klen, store, sizeof store, &out3, &olen3, err) != 0 && strstr(err, "slot"),
	      "elfpatch: missing slot refused");
	make_kernel(k, 0x102000, 0);
	k[0x1100 + 12] = 'U';
	check(patch(k, klen, store, sizeof store, &out3, &olen3, err) != 0 && strstr(err, "note"),
	      "elfpatch: a kernel without the note refused");
	make_kernel(k, 0x102000, 0);
	put_le(k + 32, 0x10000, 8);
	check(patch(k, klen, store, sizeof store, &out3, &olen3, err) != 0,
	      "elfpatch: program headers outside the file refused");
	make_kernel(k, 0x102000, 0);
	size_t wrong = 0;
	for (size_t cut = 0; cut < klen; cut += 7) { /* each: no over-read, and an error */
		int rc = patch(k, cut, store, 16, &out3, &olen3, err); /* while a segment is cut */
		wrong += (rc != 0) != (cut < 0x2000);
		free(out3);
	}
	check(wrong == 0, "elfpatch: truncated kernels refused without over-reading");
	free(out);
	free(out2);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* a sanitizer exit must not lose results */
	test_cmdline();
	test_startinfo();
	test_memmap();
	test_virtq();
	test_virtq_event_idx();
	test_elfpatch();
	return failures != 0;
}
