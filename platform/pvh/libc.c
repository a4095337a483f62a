/* SPDX-License-Identifier: MIT */
/* The C library subset the kernel needs: lib/mem.h's functions, the stack
 * protector's guard and failure handler, and what Debian's libbearssl.a calls
 * besides (it was built as a Linux library: _FORTIFY_SOURCE's __*_chk checks,
 * and its stack protector reads the canary at %fs:0x28, glibc's TLS layout).
 *
 * memcpy and memset are x86 string instructions: with ERMS (CPUID.07H:EBX[9])
 * the CPU makes them fast for every size (Intel optimization manual 3.7.6), and
 * they are correct on every x86_64. From 64 bytes up they move 8 bytes per
 * iteration ("rep movsq" / "rep stosq", then the tail by bytes): the same to
 * fast-string hardware, but an emulator (QEMU's TCG) runs one loop iteration
 * per element, and the boot's 216 KiB of zeroing took 1.2 ms there by bytes. */
#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"
#include "platform/kernel/fortify.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/libc.h"
#include "platform/pvh/trap.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	void *d = dst;

	if (n >= 64) {
		size_t q = n / 8;
		__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
		n %= 8;
	}
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d - s >= n) /* no overlap that a forward copy would break */
		return memcpy(dst, src, n);
	/* Overlapping with dst above src: copy backwards (SDM vol. 2B MOVS, DF=1). */
	void *dl = (char *)dst + n - 1;
	const void *sl = (const char *)src + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(dl), "+S"(sl), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	if (n >= 64) {
		size_t q = n / 8;
		uint64_t v = 0x0101010101010101ull * (uint8_t)c;
		__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
		n %= 8;
	}
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* platform/kernel/fortify.c's stop for an overflow it caught. */
_Noreturn void kernel_overflow(const char *op, size_t n, size_t dst_len)
{
	trap_panic(TRAP_EXIT_STACK, "buffer overflow detected: %s of %zu into %zu", op, n, dst_len);
}

/* -fstack-protector-strong -mstack-protector-guard=global: the compiler compares
 * each protected frame's copy with this global. */
uintptr_t __stack_chk_guard;

/* Code built for Linux (libbearssl.a) reads the same guard at %fs:0x28, where
 * glibc keeps it in the thread control block (tcbhead_t.stack_guard): FS's base
 * points at this block, whose word 5 holds the guard. Nothing else uses FS. */
#define MSR_FS_BASE 0xc0000100u
static uint64_t fs_block[8] __attribute__((aligned(64)));

/* Not protected itself: the guard changes under its own frame. The low byte is
 * zero so that string overflows (strcpy-like) cannot reproduce it. */
__attribute__((no_stack_protector)) void libc_guard_init(void)
{
	uint64_t v;

	if (!(cpu_features.rdrand && cpu_rdrand(&v))) {
		/* Weak: the TSC at this point differs between boots by scheduling noise
		 * only. Better than a constant. */
		uint64_t t = rdtsc();
		v = (t * 0x9e3779b97f4a7c15ull) ^ (t >> 29) ^ (uint64_t)(uintptr_t)&v;
	}
	__stack_chk_guard = (uintptr_t)(v & ~0xffull);
	fs_block[0] = (uint64_t)(uintptr_t)fs_block; /* tcb->tcb, as glibc has it */
	fs_block[0x28 / 8] = __stack_chk_guard;
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)fs_block);
}

void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	trap_panic(TRAP_EXIT_STACK, "stack smashing detected: a stack canary was overwritten");
}
