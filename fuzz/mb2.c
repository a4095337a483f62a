/* SPDX-License-Identifier: MIT */
/* Fuzz target: the multiboot2 boot information parser. The input is the boot
 * information as a loader wrote it, placed at a physical address in memory that
 * ends where the input does, so any read past it is an ASan report. After a
 * parse the copied results must respect their caps and hold terminated strings.
 *
 * mb2.c is a platform file, not in the hosted library: it is compiled into
 * this target directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/pvh/mb2.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct mem {
	const uint8_t *p;
	size_t len;
};

#define BASE 0x1000u

static const uint8_t *view(void *ctx, uint64_t paddr, size_t len)
{
	const struct mem *m = ctx;

	if (paddr < BASE || paddr - BASE > m->len || len > m->len - (paddr - BASE))
		return NULL;
	return m->p + (paddr - BASE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct startinfo si;
	uint8_t *copy = malloc(size ? size : 1);
	struct mem m = {copy, size};

	memcpy(copy, data, size);
	enum mb2_result r = mb2_parse(BASE, view, &m, &si);
	if ((unsigned)r > MB2_EEND || si.n_mem > STARTINFO_MEM_MAX ||
	    si.n_mod > STARTINFO_MOD_MAX || si.rsdp_len > STARTINFO_RSDP_MAX ||
	    strlen(si.cmdline) >= STARTINFO_CMDLINE_MAX ||
	    strlen(si.loader) >= STARTINFO_LOADER_MAX)
		abort();
	for (size_t i = 0; i < si.n_mem; i++)
		if (si.mem[i].size == 0 || si.mem[i].addr + si.mem[i].size < si.mem[i].addr)
			abort();
	free(copy);
	return 0;
}
