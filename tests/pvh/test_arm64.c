/* SPDX-License-Identifier: MIT */
/* The arm64 boot-test kernel: its kmain() checks the platform through
 * platform.h (clocks, sleeping, the heap, the libc subset, randomness), or,
 * with fault=KIND, does one forbidden thing that must end in the fault report
 * and its exit status: W^X and the unmapped pages proven from inside. Result
 * lines as tests/run counts them; tests/pvh/arm64-kernel.sh boots it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/assert.h"
#include "lib/cmdline.h"
#include "lib/mem.h"
#include "platform/platform.h"
#include "tests/pvh/test_state.h"

static int failures;

static void check(bool cond, const char *name)
{
	plat_log("%s - %s\n", cond ? "ok" : "not ok", name);
	failures += !cond;
}

static const char rodata_word[] = "read-only";
static uint32_t data_code[4] = {0xd65f03c0u}; /* ret, in writable data */

static volatile unsigned never = ~0u; /* the recursion's end, never reached */

static unsigned recurse(unsigned n)
{
	volatile char pad[512];

	pad[0] = (char)n;
	if (n == never)
		return 0;
	return recurse(n + 1) + (unsigned)pad[0];
}

static volatile size_t smash_len = 24;

__attribute__((noinline)) static void smash(const char *src, size_t n)
{
	volatile char buf[16];

	for (size_t i = 0; i < n; i++)
		buf[i] = src[i % 4];
	(void)buf[0];
}

static int fault(const char *v, size_t n)
{
#define IS(s) (n == sizeof(s) - 1 && memcmp(v, s, n) == 0)
	plat_log("test: fault=%.*s\n", (int)n, v);
	if (IS("null"))
		return *(volatile int *)(uintptr_t)0;
	if (IS("text-write"))
		*(volatile uint32_t *)(uintptr_t)kmain = 0;
	else if (IS("rodata-write"))
		*(volatile char *)(uintptr_t)rodata_word = 'R';
	else if (IS("exec-data"))
		((void (*)(void))(uintptr_t)data_code)();
	else if (IS("stack"))
		return (int)recurse(0);
	else if (IS("canary"))
		smash("abcd", smash_len); /* past buf into the canary above it */
	else if (IS("assert"))
		UD_ASSERT(n == 0);
	else if (IS("brk"))
		__builtin_trap();
	else
		return 2;
	plat_log("test: fault=%.*s did not fault\n", (int)n, v);
	return 1;
#undef IS
}

static bool bytes_ok(const uint8_t *p, size_t n, uint8_t want)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != want)
			return false;
	return true;
}

int kmain(void)
{
	const char *v;
	size_t n;
	uint8_t *heap;
	size_t len;

	if (cmdline_get(plat_cmdline(), "fault", &v, &n))
		return fault(v, n);
	if (cmdline_get(plat_cmdline(), "test", &v, &n) && n == 5 && memcmp(v, "state", 5) == 0) {
		tk_state(check);
		plat_log("# %d failed\n", failures);
		return failures ? 1 : 0;
	}

	uint64_t t0 = plat_clock_monotonic_ns(), t1 = plat_clock_monotonic_ns();
	check(t1 >= t0, "the monotonic clock does not go back");
	uint64_t w = plat_clock_wall_ns() / 1000000000ull;
	check(w > 1700000000ull && w < 4102444800ull, "the wall clock is a date of this century");
	uint64_t start = plat_clock_monotonic_ns();
	plat_yield_until(start + 20000000ull);
	uint64_t slept = plat_clock_monotonic_ns() - start;
	/* Spurious wake-ups are allowed: loop as a caller would. */
	while (plat_clock_monotonic_ns() < start + 20000000ull)
		plat_yield_until(start + 20000000ull);
	check(plat_clock_monotonic_ns() >= start + 20000000ull,
	      "yield_until returns once the deadline has passed");
	check(slept > 1000000ull, "yield_until sleeps (WFI until the CNTV deadline)");
	start = plat_clock_monotonic_ns();
	plat_yield_until(0);
	check(plat_clock_monotonic_ns() - start < 1000000000ull, "a past deadline returns");

	plat_heap((void **)&heap, &len);
	check(((uintptr_t)heap & 4095) == 0 && len >= (1u << 20),
	      "the heap is page-aligned and at least 1 MiB");
	heap[0] = 1;
	heap[len - 1] = 2;
	check(heap[0] == 1 && heap[len - 1] == 2, "the heap is writable from first to last byte");

	bool set_ok = true, cpy_ok = true, mov_ok = true;
	for (size_t a = 0; a < 9; a++)
		for (size_t l = 0; l <= 150; l++) {
			memset(heap, 0x11, 512);
			memset(heap + 64 + a, 0xee, l);
			set_ok &= bytes_ok(heap + 64, a, 0x11) &&
			          bytes_ok(heap + 64 + a, l, 0xee) &&
			          bytes_ok(heap + 64 + a + l, 32, 0x11);
			for (size_t i = 0; i < 200; i++)
				heap[1024 + i] = (uint8_t)(i * 7 + 1);
			memset(heap + 2048, 0, 256);
			memcpy(heap + 2048 + a, heap + 1024 + (8 - a % 8), l);
			cpy_ok &= memcmp(heap + 2048 + a, heap + 1024 + (8 - a % 8), l) == 0 &&
			          bytes_ok(heap + 2048 + a + l, 16, 0);
		}
	for (size_t i = 0; i < 100; i++)
		heap[i] = (uint8_t)i;
	memmove(heap + 10, heap, 50);
	mov_ok &= heap[10] == 0 && heap[59] == 49;
	memmove(heap, heap + 10, 50);
	mov_ok &= heap[0] == 0 && heap[49] == 49;
	check(set_ok, "memset sets exactly its bytes, 0-150 long at 9 alignments");
	check(cpy_ok, "memcpy copies exactly its bytes, 0-150 long at 9 alignments");
	check(mov_ok, "memmove copies overlapping ranges both ways");

	uint8_t r1[16], r2[16];
	plat_random(r1, sizeof r1);
	plat_random(r2, sizeof r2);
	check(memcmp(r1, r2, sizeof r1) != 0, "plat_random gives different bytes each call");
	const uint8_t *store;
	size_t store_len;
	check(!plat_image_store(&store, &store_len), "no store in a kernel built without one");
	plat_log("# %d failed\n", failures);
	return failures ? 1 : 0;
}
