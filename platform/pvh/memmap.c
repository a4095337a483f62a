/* SPDX-License-Identifier: MIT */
/* Usable RAM ranges from the E820-style memory map. */
#include "platform/pvh/memmap.h"

#define PAGE 4096ull

/* Remove [cs, ce) from range i of (out), which may split it in two. */
static size_t cut(struct memmap_range *out, size_t n, size_t cap, size_t i, uint64_t cs,
                  uint64_t ce)
{
	struct memmap_range r = out[i];

	if (ce <= r.start || cs >= r.end)
		return n;
	if (cs > r.start && ce < r.end) {
		out[i].end = cs;
		if (n < cap)
			out[n++] = (struct memmap_range){ce, r.end};
		return n;
	}
	if (cs <= r.start)
		out[i].start = ce < r.end ? ce : r.end;
	else
		out[i].end = cs;
	return n;
}

static void sort(struct memmap_range *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct memmap_range x = r[i];
		size_t j = i;
		for (; j > 0 && r[j - 1].start > x.start; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
}

/* Join ranges that overlap or touch (duplicate RAM entries); (r) is sorted. */
static size_t merge(struct memmap_range *r, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		if (w > 0 && r[i].start <= r[w - 1].end) {
			if (r[i].end > r[w - 1].end)
				r[w - 1].end = r[i].end;
			continue;
		}
		r[w++] = r[i];
	}
	return w;
}

size_t memmap_ram(const struct startinfo_mem *m, size_t n, uint64_t floor, struct memmap_range *out,
                  size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k < cap; i++) {
		uint64_t s = m[i].addr, e;
		if (m[i].type != STARTINFO_RAM || __builtin_add_overflow(s, m[i].size, &e) ||
		    e <= floor)
			continue;
		out[k++] = (struct memmap_range){s < floor ? floor : s, e};
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t e;
		if (m[i].type == STARTINFO_RAM || __builtin_add_overflow(m[i].addr, m[i].size, &e))
			continue;
		for (size_t j = 0; j < k; j++)
			k = cut(out, k, cap, j, m[i].addr, e);
	}
	size_t w = 0;
	for (size_t i = 0; i < k; i++) {
		uint64_t s = out[i].start;
		uint64_t e = out[i].end & ~(PAGE - 1);
		if (s > UINT64_MAX - (PAGE - 1))
			continue;
		s = (s + PAGE - 1) & ~(PAGE - 1);
		if (s < e)
			out[w++] = (struct memmap_range){s, e};
	}
	sort(out, w);
	return merge(out, w);
}

bool memmap_covers(const struct startinfo_mem *m, size_t n, uint64_t start, uint64_t end)
{
	/* Each non-RAM entry can split one range in two: twice the entries. */
	static struct memmap_range r[2 * STARTINFO_MEM_MAX];
	size_t k = memmap_ram(m, n, 0, r, sizeof r / sizeof r[0]);

	for (size_t i = 0; i < k; i++)
		if (r[i].start <= start && end <= r[i].end)
			return true;
	return false;
}

size_t memmap_largest(const struct memmap_range *r, size_t n)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (r[i].end - r[i].start > r[best].end - r[best].start)
			best = i;
	return best;
}
