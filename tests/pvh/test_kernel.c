/* SPDX-License-Identifier: MIT */
/* The boot-test kernel: kmain() runs the test named by test= and checks the
 * platform from inside the guest (clocks, sleeping, memory map, command line,
 * SSE, randomness, heap, W^X set-up, the store). */
#include "tests/pvh/test_kernel.h"

#include <stdint.h>

#include "lib/cmdline.h"
#include "lib/mem.h"
#include "platform/kernel/image.h"
#include "platform/kernel/kprintf.h"
#include "platform/kernel/ksyms.h"
#include "platform/platform.h"
#include "platform/pvh/boot.h"
#include "platform/pvh/clock.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/lapic.h"
#include "platform/pvh/random.h"
#include "platform/pvh/serial.h"
#include "tests/pvh/test_state.h"

static int failures;

void tk_check(bool cond, const char *name)
{
	kprintf("%s - %s\n", cond ? "ok" : "not ok", name);
	if (!cond)
		failures++;
}

int tk_failures(void)
{
	return failures;
}

bool tk_arg(const char *key, char *out, size_t cap)
{
	const char *v;
	size_t n;

	if (!cmdline_get(plat_cmdline(), key, &v, &n) || n >= cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

static uint64_t arg_u64(const char *key, uint64_t dflt)
{
	char buf[32];
	uint64_t v;

	if (!tk_arg(key, buf, sizeof buf) || !cmdline_u64(buf, strlen(buf), &v))
		return dflt;
	return v;
}

static void test_clock(void)
{
	uint64_t t0 = plat_clock_monotonic_ns();
	for (volatile int i = 0; i < 100000; i++)
		;
	uint64_t t1 = plat_clock_monotonic_ns();
	kprintf("# tsc %lu kHz from %s; monotonic %lu ns; timer %s\n", clock_tsc_khz(),
	        clock_source_name(), t1, lapic_timer_mode());
	tk_check(boot_entry_tsc() != 0, "entry TSC captured");
	tk_check(clock_tsc_khz() >= 10000, "TSC rate measured");
	tk_check(t1 > t0 && t0 > 0, "monotonic clock advances");

	/* The host passes its own time (now=); a day either way is generous enough
	 * never to be about timing, and still catches a wrong epoch or unit. */
	uint64_t host = arg_u64("now", 0), wall = plat_clock_wall_ns() / 1000000000ull;
	kprintf("# wall clock %lu s, host %lu s\n", wall, host);
	if (host)
		tk_check(wall + 86400 > host && wall < host + 86400,
		         "wall clock agrees with the host");
	else
		tk_check(wall > 1500000000ull, "wall clock is after 2017");
}

static void test_yield(void)
{
	uint64_t start = plat_clock_monotonic_ns(), deadline = start + 20000000;
	unsigned wakes = 0;

	while (plat_clock_monotonic_ns() < deadline && wakes < 100000) {
		plat_yield_until(deadline);
		wakes++;
	}
	uint64_t end = plat_clock_monotonic_ns();
	kprintf("# yield_until(+20 ms): %u wake-ups, returned after %lu us\n", wakes,
	        (end - start) / 1000);
	tk_check(end >= deadline, "yield_until returns after the deadline");
	tk_check(wakes < 100000, "yield_until sleeps instead of spinning");
	plat_yield_until(0);
	tk_check(plat_clock_monotonic_ns() >= end, "yield_until of a past deadline returns");
}

static void test_boot_info(void)
{
	const struct startinfo *si = boot_startinfo();
	size_t ram = 0;
	const char *v;
	size_t n;

	for (size_t i = 0; i < si->n_mem; i++) {
		kprintf("# memmap 0x%lx-0x%lx type %u\n", si->mem[i].addr,
		        si->mem[i].addr + si->mem[i].size, si->mem[i].type);
		ram += si->mem[i].type == STARTINFO_RAM;
	}
	kprintf("# start info version %u, cmdline \"%s\"\n", si->version, plat_cmdline());
	tk_check(si->n_mem > 0 && ram > 0, "memory map parsed (RAM entries present)");
	tk_check(cmdline_get(plat_cmdline(), "foo", &v, &n) && n == 3 && memcmp(v, "bar", 3) == 0,
	         "command line key=value parsed");
	tk_check(cmdline_get(plat_cmdline(), "flag", &v, &n) && n == 0,
	         "command line bare key parsed");
}

static void test_cpu(void)
{
	uint8_t a[32], b[32], zero[32] = {0};

	if (!cmdline_get(plat_cmdline(), "nosse", &(const char *){0}, &(size_t){0}))
		tk_check(tk_sse_works(), "SSE arithmetic works");
	plat_random(a, sizeof a);
	plat_random(b, sizeof b);
	kprintf("# random source: %s\n", random_source());
	tk_check(memcmp(a, zero, sizeof a) != 0 && memcmp(a, b, sizeof a) != 0,
	         "plat_random gives varying bytes");
	tk_check((read_cr0() >> 16) & 1, "CR0.WP set (ring 0 honours read-only pages)");
	tk_check(!cpu_features.nx || (rdmsr(MSR_EFER) & EFER_NXE), "EFER.NXE set when NX exists");
	extern uintptr_t __stack_chk_guard;
	tk_check(__stack_chk_guard != 0, "stack protector guard initialised");
	const char *name;
	uint64_t off;
	tk_check(ksyms_lookup((uint64_t)(uintptr_t)kmain + 3, &name, &off) && strlen(name) == 5 &&
	                 memcmp(name, "kmain", 5) == 0 && off == 3,
	         "symbol table resolves kmain");
}

static void test_heap(void)
{
	void *base;
	size_t len;

	plat_heap(&base, &len);
	uint64_t b = (uint64_t)(uintptr_t)base;
	kprintf("# heap 0x%lx + %lu KiB\n", b, (uint64_t)len / 1024);
	tk_check((b & 4095) == 0 && b >= image_end(), "heap is page-aligned above the image");
	tk_check(len >= (1u << 20), "heap is at least 1 MiB");
	volatile uint64_t *first = base, *last = (volatile uint64_t *)((uint8_t *)base + len - 8);
	*first = 0x1122334455667788ull;
	*last = 0x8877665544332211ull;
	tk_check(*first == 0x1122334455667788ull && *last == 0x8877665544332211ull,
	         "heap is writable from first to last byte");
}

static void test_store(void)
{
	const uint8_t *p;
	size_t len;
	uint64_t want = arg_u64("store", 0);

	if (!want) {
		tk_check(!image_store(&p, &len), "no store in a kernel built without one");
		return;
	}
	bool ok = image_store(&p, &len) && len == want;
	for (size_t i = 0; ok && i < len; i++)
		ok = p[i] == (uint8_t)(i * 7 + 3); /* the pattern tests/pvh/image.sh writes */
	tk_check(ok, "store present with the bytes the image builder put there");
}

/* The deferred console (serial.h): 1,000 numbered lines, 70 KB, more than the
 * ring holds, with idle passes after every 100. boot.sh checks that each comes
 * out once, whole and in order; test=console-fault ends in a fault after 50
 * lines, which must all precede the fault report. */
static int test_console(bool then_fault)
{
	unsigned lines = then_fault ? 50 : 1000;

	for (unsigned i = 0; i < lines; i++) {
		kprintf("console %04u ..........................................................\n",
		        i);
		if (i == 0)
			tk_check(serial_pending(),
			         "console output is deferred, not written at once");
		if (i % 100 == 99)
			plat_yield_until(plat_clock_monotonic_ns() + 1000000);
	}
	/* A kernel that is never idle (every yield finds work due) still writes
	 * its deferred output within the console's bound (10 ms a chunk). The
	 * ring is first emptied by idle passes. */
	while (serial_pending())
		plat_yield_until(plat_clock_monotonic_ns() + 1000000);
	kprintf("console busy ......................................................\n");
	uint64_t busy_end = plat_clock_monotonic_ns() + 100000000ull;
	while (serial_pending() && plat_clock_monotonic_ns() < busy_end)
		plat_yield_until(0);
	tk_check(!serial_pending(), "deferred output goes out within 100 ms though the "
	                            "kernel is never idle");
	if (then_fault)
		tk_faults("fault-text"); /* a write to text, which faults */
	kprintf("console done\n");
	return failures ? TK_EXIT_FAIL : 0;
}

/* The kernel's memset, memcpy and memmove (platform/pvh/libc.c) go by 8-byte
 * words from 64 bytes up and by bytes for the rest: every length across that
 * edge, at every alignment, against a byte loop, with the bytes around the
 * destination left alone. */
static void test_libc(void)
{
	static uint8_t a[256], b[256], want[256];
	bool set_ok = true, cpy_ok = true, mov_ok = true;

	for (size_t n = 0; n <= 150; n++) {
		for (size_t off = 0; off < 9; off++) {
			for (size_t i = 0; i < sizeof a; i++) {
				a[i] = (uint8_t)(i * 13 + 1);
				b[i] = (uint8_t)(i * 7 + n);
			}
			for (size_t i = 0; i < sizeof a; i++)
				want[i] = i >= 16 + off && i < 16 + off + n ? (uint8_t)(0xc3 + n)
				                                            : a[i];
			memset(a + 16 + off, 0xc3 + (int)n, n);
			set_ok = set_ok && memcmp(a, want, sizeof a) == 0;

			for (size_t i = 0; i < sizeof a; i++)
				want[i] = i >= 16 + off && i < 16 + off + n ? b[i - off + 3] : a[i];
			memcpy(a + 16 + off, b + 19, n);
			cpy_ok = cpy_ok && memcmp(a, want, sizeof a) == 0;

			/* Overlapping, the destination above and then below the source. */
			for (size_t i = 0; i < sizeof a; i++)
				want[i] = i >= 20 + off && i < 20 + off + n ? a[i - off - 3] : a[i];
			memmove(a + 20 + off, a + 17, n);
			mov_ok = mov_ok && memcmp(a, want, sizeof a) == 0;
			for (size_t i = 0; i < sizeof a; i++)
				want[i] = i >= 10 && i < 10 + n ? a[i + off + 1] : a[i];
			memmove(a + 10, a + 11 + off, n);
			mov_ok = mov_ok && memcmp(a, want, sizeof a) == 0;
		}
	}
	tk_check(set_ok, "memset sets exactly its bytes, 0-150 long at 9 alignments");
	tk_check(cpy_ok, "memcpy copies exactly its bytes, 0-150 long at 9 alignments");
	tk_check(mov_ok, "memmove copies overlapping ranges both ways");
}

static int test_basic(void)
{
	test_boot_info();
	test_cpu();
	test_clock();
	test_yield();
	test_store();
	test_heap();
	test_libc();
	return failures ? TK_EXIT_FAIL : 0;
}

int kmain(void)
{
	char test[32];

	if (!tk_arg("test", test, sizeof test))
		memcpy(test, "basic", 6);
	if (strlen(test) == 5 && memcmp(test, "probe", 5) == 0)
		return tk_probe();
	if (strlen(test) == 5 && memcmp(test, "basic", 5) == 0)
		return test_basic();
	if (strlen(test) == 3 && memcmp(test, "net", 3) == 0)
		return tk_net();
	if (strlen(test) == 5 && memcmp(test, "state", 5) == 0)
		return tk_state(tk_check), failures ? TK_EXIT_FAIL : 0;
	if (strlen(test) == 7 && memcmp(test, "console", 7) == 0)
		return test_console(false);
	if (strlen(test) == 13 && memcmp(test, "console-fault", 13) == 0)
		return test_console(true);
	return tk_faults(test);
}
