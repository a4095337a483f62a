/* SPDX-License-Identifier: MIT */
/* Boot tests that must fault: each provokes one protection failure, which the
 * platform must report (exception, registers, backtrace) and exit non-zero. If
 * the kernel gets past the fault, it says so and exits 0, which the runner
 * counts as a failure. */
#include "tests/pvh/test_kernel.h"

#include <stdint.h>

#include "lib/mem.h"
#include "platform/kernel/image.h"
#include "platform/kernel/kprintf.h"

typedef void (*fn_t)(void);

static const char rodata_string[] = "read-only";
static uint8_t data_code[16] = {0xc3}; /* ret, in writable data */

/* noinline: the backtrace should show these frames. */
__attribute__((noinline)) static void write_text(void)
{
	*(volatile uint8_t *)(uintptr_t)write_text = 0xcc;
}

__attribute__((noinline)) static void write_rodata(void)
{
	*(volatile char *)(uintptr_t)rodata_string = 'X';
}

__attribute__((noinline)) static void write_store(void)
{
	const uint8_t *p;
	size_t len;

	if (!image_store(&p, &len)) {
		kprintf("not ok - fault-store needs a kernel with a store\n");
		return;
	}
	*(volatile uint8_t *)(uintptr_t)p = 0;
}

__attribute__((noinline)) static void exec_data(void)
{
	fn_t f = (fn_t)(uintptr_t)data_code;
	f();
}

__attribute__((noinline)) static void exec_stack(void)
{
	volatile uint8_t code[16] = {0xc3};
	fn_t f = (fn_t)(uintptr_t)code;
	f();
}

__attribute__((noinline)) static void read_null(void)
{
	int *volatile p = NULL; /* volatile: the compiler may not assume it is NULL */
	(void)*(volatile int *)p;
}

__attribute__((noinline)) static unsigned recurse(volatile unsigned n)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)n;
	if (n == 0xffffffffu) /* never: keeps the recursion finite to the compiler */
		return 0;
	return recurse(n + 1) + pad[0];
}

/* A classic overflow into the canary: the compiler cannot see that (n) exceeds
 * the array, so the check stays. */
__attribute__((noinline)) static void smash(size_t n)
{
	char buf[16];
	memset(buf, 'A', n);
	__asm__ volatile("" : : "r"(buf) : "memory");
}

int tk_faults(const char *which)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
	        {"fault-text", write_text},       {"fault-rodata", write_rodata},
	        {"fault-store", write_store},     {"fault-exec-data", exec_data},
	        {"fault-exec-stack", exec_stack}, {"fault-null", read_null},
	};
	size_t n = strlen(which);

	for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++)
		if (strlen(tests[i].name) == n && memcmp(tests[i].name, which, n) == 0) {
			tests[i].fn();
			kprintf("survived %s\n", which);
			return 0;
		}
	if (n == 14 && memcmp(which, "stack-overflow", 14) == 0) {
		kprintf("survived %u\n", recurse(0));
		return 0;
	}
	if (n == 5 && memcmp(which, "smash", 5) == 0) {
		volatile size_t len = 64; /* not a constant the compiler could check */
		smash(len);
		kprintf("survived smash\n");
		return 0;
	}
	kprintf("not ok - unknown test=%s\n", which);
	return TK_EXIT_FAIL;
}
