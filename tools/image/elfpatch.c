/* SPDX-License-Identifier: MIT */
/* The image patcher: appends the store to a kernel ELF and fills in its slot. */
#include "tools/image/elfpatch.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"
#include "platform/kernel/image.h"

/* ELF-64 constants (System V gABI, "ELF Header" and "Program Header"). */
#define EHDR_LEN      64u
#define PHDR_LEN      56u
#define PT_LOAD       1u
#define PT_NOTE       4u
#define PF_R          4u
#define EM_X86_64     62u
#define EM_AARCH64    183u
#define ET_EXEC       2u
#define PAGE          4096u
#define NOTE_NAME_LEN 8u /* "unideck\0" */

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct kimage {
	const uint8_t *p;
	size_t len;
	uint64_t phoff;
	uint16_t phnum;
	size_t desc_off; /* file offset of the store descriptor */
	uint64_t store_addr;
	size_t slot; /* index of the slot's program header */
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A range [off, off + n) inside the file. */
static bool in_file(const struct kimage *k, uint64_t off, uint64_t n)
{
	uint64_t end;

	return !__builtin_add_overflow(off, n, &end) && end <= k->len;
}

static bool read_phdr(const struct kimage *k, size_t i, struct phdr *ph)
{
	struct cur c = cur_make(k->p + k->phoff + i * PHDR_LEN, PHDR_LEN);

	return cur_u32le(&c, &ph->type) && cur_u32le(&c, &ph->flags) &&
	       cur_u64le(&c, &ph->offset) && cur_u64le(&c, &ph->vaddr) &&
	       cur_u64le(&c, &ph->paddr) && cur_u64le(&c, &ph->filesz) &&
	       cur_u64le(&c, &ph->memsz) && cur_u64le(&c, &ph->align);
}

static int check_header(struct kimage *k, char *err, size_t errlen)
{
	uint16_t type, machine, phentsize;
	struct cur c = cur_make(k->p, k->len);

	if (k->len < EHDR_LEN || memcmp(k->p, "\177ELF", 4) != 0)
		return fail(err, errlen, "not an ELF file");
	if (k->p[4] != 2 || k->p[5] != 1)
		return fail(err, errlen, "not a little-endian ELF64 file");
	if (!cur_skip(&c, 16) || !cur_u16le(&c, &type) || !cur_u16le(&c, &machine) ||
	    !cur_skip(&c, 4 + 8) || !cur_u64le(&c, &k->phoff) || !cur_skip(&c, 8 + 4 + 2) ||
	    !cur_u16le(&c, &phentsize) || !cur_u16le(&c, &k->phnum))
		return fail(err, errlen, "truncated ELF header");
	if (type != ET_EXEC || (machine != EM_X86_64 && machine != EM_AARCH64))
		return fail(err, errlen, "not an x86-64 or arm64 executable");
	if (phentsize != PHDR_LEN || !in_file(k, k->phoff, (uint64_t)k->phnum * PHDR_LEN))
		return fail(err, errlen, "program headers outside the file");
	return 0;
}

/* The desc of the "unideck" note of (type) and (descsz) in the PT_NOTE segment
 * (ph): its file offset, or 0. */
static size_t note_desc(const struct kimage *k, const struct phdr *ph, uint32_t want,
                        uint32_t want_len)
{
	uint64_t off = ph->offset, end;

	if (__builtin_add_overflow(ph->offset, ph->filesz, &end) || end > k->len)
		return false;
	while (off + 12 <= end) {
		uint32_t namesz, descsz, type;
		struct cur c = cur_make(k->p + off, 12);
		cur_u32le(&c, &namesz);
		cur_u32le(&c, &descsz);
		cur_u32le(&c, &type);
		uint64_t name = off + 12, desc = name + ((namesz + 3ull) & ~3ull);
		uint64_t next = desc + ((descsz + 3ull) & ~3ull);
		if (next > end)
			return 0;
		if (type == want && namesz == NOTE_NAME_LEN &&
		    memcmp(k->p + name, IMAGE_NOTE_NAME, NOTE_NAME_LEN) == 0 && descsz == want_len)
			return (size_t)desc;
		off = next;
	}
	return 0;
}

static bool find_note(struct kimage *k, const struct phdr *ph)
{
	k->desc_off = note_desc(k, ph, IMAGE_NOTE_STORE, IMAGE_STORE_DESC_LEN);
	return k->desc_off != 0;
}

static int check_descriptor(struct kimage *k, char *err, size_t errlen)
{
	uint32_t magic, version;
	uint64_t len;
	struct cur c = cur_make(k->p + k->desc_off, IMAGE_STORE_DESC_LEN);

	cur_u32le(&c, &magic);
	cur_u32le(&c, &version);
	cur_u64le(&c, &k->store_addr);
	cur_u64le(&c, &len);
	if (magic != IMAGE_STORE_MAGIC || version != IMAGE_STORE_VERSION)
		return fail(err, errlen, "store descriptor of an unknown version (%u)", version);
	if (len != 0)
		return fail(err, errlen, "the kernel already has a store");
	if (k->store_addr == 0 || k->store_addr % PAGE)
		return fail(err, errlen, "store descriptor names a bad address");
	return 0;
}

/* Find the descriptor and the slot, and check that the store would not overlap
 * any other loaded segment. */
static int find_slot(struct kimage *k, uint64_t slen, char *err, size_t errlen)
{
	struct phdr ph;
	bool have_note = false, have_slot = false;
	uint64_t store_end;

	for (size_t i = 0; i < k->phnum && !have_note; i++)
		if (read_phdr(k, i, &ph) && ph.type == PT_NOTE)
			have_note = find_note(k, &ph);
	if (!have_note)
		return fail(err, errlen, "no unideck store note: not a unideck kernel");
	if (check_descriptor(k, err, errlen))
		return -1;
	if (__builtin_add_overflow(k->store_addr, slen, &store_end))
		return fail(err, errlen, "store too large");
	for (size_t i = 0; i < k->phnum; i++) {
		if (!read_phdr(k, i, &ph) || ph.type != PT_LOAD)
			continue;
		if (ph.paddr == k->store_addr && ph.filesz == 0 && !have_slot) {
			k->slot = i;
			have_slot = true;
			continue;
		}
		uint64_t end;
		if (!in_file(k, ph.offset, ph.filesz))
			return fail(err, errlen, "segment %zu lies outside the file", i);
		if (__builtin_add_overflow(ph.paddr, ph.memsz, &end) ||
		    (ph.paddr < store_end && end > k->store_addr))
			return fail(err, errlen, "the store would overlap segment %zu", i);
	}
	if (!have_slot)
		return fail(err, errlen, "no store slot (a PT_LOAD at 0x%llx without file bytes)",
		            (unsigned long long)k->store_addr);
	return 0;
}

int elfpatch_add_store(const uint8_t *kernel, size_t klen, const uint8_t *store, size_t slen,
                       uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	struct kimage k = {kernel, klen, 0, 0, 0, 0, 0};
	size_t off, total;

	*out = NULL;
	*outlen = 0;
	if (slen == 0)
		return fail(err, errlen, "empty store");
	if (check_header(&k, err, errlen) || find_slot(&k, slen, err, errlen))
		return -1;
	if (__builtin_add_overflow(klen, (size_t)PAGE - 1, &off) ||
	    __builtin_add_overflow(off & ~(size_t)(PAGE - 1), slen, &total))
		return fail(err, errlen, "image too large");
	off &= ~(size_t)(PAGE - 1);
	uint8_t *img = calloc(1, total);
	if (!img)
		return fail(err, errlen, "out of memory (%zu bytes)", total);
	memcpy(img, kernel, klen);
	memcpy(img + off, store, slen);
	uint8_t *ph = img + k.phoff + k.slot * PHDR_LEN;
	put_le(ph + 0, PT_LOAD, 4);
	put_le(ph + 4, PF_R, 4);
	put_le(ph + 8, off, 8);
	put_le(ph + 16, k.store_addr, 8);
	put_le(ph + 24, k.store_addr, 8);
	put_le(ph + 32, slen, 8);
	put_le(ph + 40, slen, 8);
	put_le(ph + 48, PAGE, 8);
	put_le(img + k.desc_off + 16, slen, 8);
	*out = img;
	*outlen = total;
	return 0;
}

int elfpatch_module_store(const uint8_t *kernel, size_t klen, size_t slen, uint8_t **out,
                          size_t *outlen, char *err, size_t errlen)
{
	struct kimage k = {kernel, klen, 0, 0, 0, 0, 0};

	*out = NULL;
	*outlen = 0;
	if (slen == 0)
		return fail(err, errlen, "empty store");
	/* The same checks as for a store inside: a kernel that could not take
	 * one here cannot take one in a module either. */
	if (check_header(&k, err, errlen) || find_slot(&k, slen, err, errlen))
		return -1;
	uint8_t *img = malloc(klen);
	if (!img)
		return fail(err, errlen, "out of memory (%zu bytes)", klen);
	memcpy(img, kernel, klen);
	put_le(img + k.desc_off + 16, slen, 8);
	put_le(img + k.desc_off + 24, IMAGE_STORE_IN_MODULE, 8);
	*out = img;
	*outlen = klen;
	return 0;
}

int elfpatch_set_args(uint8_t *img, size_t len, const char *args, char *err, size_t errlen)
{
	struct kimage k = {img, len, 0, 0, 0, 0, 0};
	struct phdr ph;
	size_t n = strlen(args), desc = 0;

	if (check_header(&k, err, errlen))
		return -1;
	if (n >= IMAGE_ARGS_LEN)
		return fail(err, errlen, "built-in arguments longer than %u bytes",
		            IMAGE_ARGS_LEN - 1);
	for (size_t i = 0; i < k.phnum && !desc; i++)
		if (read_phdr(&k, i, &ph) && ph.type == PT_NOTE)
			desc = note_desc(&k, &ph, IMAGE_NOTE_ARGS, IMAGE_ARGS_LEN);
	if (!desc)
		return fail(err, errlen, "no built-in arguments note: an older unideck kernel");
	memset(img + desc, 0, IMAGE_ARGS_LEN);
	memcpy(img + desc, args, n);
	return 0;
}
