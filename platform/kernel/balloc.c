/* SPDX-License-Identifier: MIT */
/* The boot-time page allocator. */
#include "platform/kernel/balloc.h"

#include <stdbool.h>

#include "lib/assert.h"
#include "lib/mem.h"
#include "platform/kernel/kprintf.h"

static uint64_t next, end;
static bool frozen;

void balloc_init(uint64_t start, uint64_t limit)
{
	next = (start + 4095) & ~4095ull;
	end = limit & ~4095ull;
}

void *balloc_pages_raw(size_t n)
{
	UD_ASSERT(!frozen); /* boot memory is handed out before the heap */
	if (n == 0 || n > (end - next) / 4096) {
		kprintf("balloc: out of boot memory (%zu pages wanted)\n", n);
		plat_panic(__FILE__, __LINE__, "balloc: out of boot memory");
	}
	void *p = (void *)(uintptr_t)next;
	next += (uint64_t)n * 4096;
	return p;
}

void *balloc_pages(size_t n)
{
	void *p = balloc_pages_raw(n);

	memset(p, 0, n * 4096);
	return p;
}

void balloc_freeze(uint64_t *first_free)
{
	frozen = true;
	*first_free = next;
}
