/* SPDX-License-Identifier: MIT */
/* Address-to-symbol lookup in the table that the second link pass embeds. */
#include "platform/kernel/ksyms.h"

#include <stddef.h>

#include "lib/mem.h"

/* Generated (scripts/pvh-ksyms): */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[]; /* ascending */
extern const uint32_t ksyms_offs[];  /* into ksyms_names */
extern const char ksyms_names[];
extern const uint32_t ksyms_names_len;
extern const char __text_start[], __text_end[]; /* kernel.ld */

static bool find(uint64_t addr, const char **name, uint64_t *off)
{
	size_t lo = 0, hi = (size_t)ksyms_count;

	if (hi == 0 || addr < ksyms_addrs[0] || addr >= (uint64_t)(uintptr_t)__text_end)
		return false;
	while (hi - lo > 1) { /* invariant: addrs[lo] <= addr < addrs[hi] */
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_offs[lo] >= ksyms_names_len)
		return false;
	*name = ksyms_names + ksyms_offs[lo];
	*off = addr - ksyms_addrs[lo];
	return true;
}

bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *off)
{
	static int valid = -1;

	if (valid < 0) {
		const char *n;
		uint64_t o;
		valid = find((uint64_t)(uintptr_t)ksyms_lookup, &n, &o) && o == 0 &&
		        memcmp(n, "ksyms_lookup", sizeof "ksyms_lookup") == 0;
	}
	return valid && find(addr, name, off);
}
