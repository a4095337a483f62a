/* SPDX-License-Identifier: MIT */
/* The kernel's C library subset on arm64 (lib/mem.h's functions), the stack
 * protector's guard and failure, and plat_random.
 *
 * Built with -fno-tree-loop-distribute-patterns, so the compiler does not turn
 * these loops back into calls to themselves. They copy 8 bytes a step when both
 * ends are aligned (the MMU is on by the time large copies happen; before it,
 * every access must be aligned, which both paths keep).
 *
 * Random bytes: RNDR when the CPU has FEAT_RNG; otherwise SHA-256 over the
 * device tree's /chosen rng-seed (QEMU fills it from the host's randomness at
 * each boot), a counter and the cycle counter. Without either it is the cycle
 * counter alone, and random_source() says "counter (weak)".
 *
 * plat_entropy (keys, TLS seeds): RNDR mixed with virtio-rng, either alone;
 * never the counter. Debian's libbearssl.a for arm64 also calls the
 * _FORTIFY_SOURCE checks (__*_chk) and reads this guard as a global, as
 * AArch64's glibc has it. */
#include <stddef.h>
#include <stdint.h>

#include "lib/mem.h"
#include "lib/sha256.h"
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/fortify.h"
#include "platform/platform.h"
#include "platform/virtio/vrng.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0)
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n) /* no overlap a forward copy would break */
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t v = 0x0101010101010101ull * (uint8_t)c;

	while (n && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)(void *)d = v;
	while (n--)
		*d++ = (unsigned char)c;
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

static bool have_rndr;
static uint8_t pool[SHA256_LEN];
static uint64_t pool_ctr;

static bool rndr(uint64_t *v)
{
	uint64_t ok;

	/* RNDR (S3_3_C2_C4_0) sets NZCV.Z on failure. */
	__asm__ volatile("mrs %0, S3_3_C2_C4_0; cset %1, ne" : "=r"(*v), "=r"(ok) : : "cc");
	return ok;
}

void random_init(void)
{
	struct sha256 c;
	uint64_t t = read_sysreg(cntvct_el0);

	have_rndr = ((read_sysreg(id_aa64isar0_el1) >> 60) & 15) >= 1;
	sha256_init(&c);
	sha256_update(&c, board.rng_seed, board.rng_seed_len);
	sha256_update(&c, &t, sizeof t);
	sha256_final(&c, pool);
}

const char *random_source(void)
{
	return have_rndr ? "RNDR" : board.rng_seed_len ? "device tree rng-seed" : "counter (weak)";
}

void plat_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint8_t block[SHA256_LEN];
		uint64_t v, t = read_sysreg(cntvct_el0);
		struct sha256 c;
		sha256_init(&c);
		sha256_update(&c, pool, sizeof pool);
		sha256_update(&c, &pool_ctr, sizeof pool_ctr);
		sha256_update(&c, &t, sizeof t);
		if (have_rndr && rndr(&v))
			sha256_update(&c, &v, sizeof v);
		sha256_final(&c, block);
		pool_ctr++;
		/* The first half goes out, the second becomes the next pool: what
		 * was handed out does not tell the next output. */
		size_t k = len < 16 ? len : 16;
		memcpy(p, block, k);
		memcpy(pool, block + 16, 16);
		p += k;
		len -= k;
	}
}

bool plat_entropy(void *buf, size_t len)
{
	uint8_t *p = buf, chunk[VRNG_CHUNK];
	bool cpu_ok = have_rndr, dev_ok = vrng_present();
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = 0;
		size_t n = len - i < 8 ? len - i : 8;
		int tries = 0;
		while (cpu_ok && !rndr(&w))
			if (++tries == 64)
				cpu_ok = false;
		memcpy(p + i, &w, n);
	}
	for (i = 0; dev_ok && i < len; i += VRNG_CHUNK) {
		size_t n = len - i < VRNG_CHUNK ? len - i : VRNG_CHUNK;
		if (!vrng_read(chunk, n)) {
			dev_ok = false;
			break;
		}
		for (size_t k = 0; k < n; k++)
			p[i + k] ^= chunk[k];
	}
	memset(chunk, 0, sizeof chunk);
	return cpu_ok || dev_ok;
}

const char *plat_entropy_source(void)
{
	bool dev = vrng_present();

	if (have_rndr)
		return dev ? "RNDR and virtio-rng" : "RNDR";
	return dev ? "virtio-rng" : "none";
}

/* platform/kernel/fortify.c's stop for an overflow it caught. */
_Noreturn void kernel_overflow(const char *op, size_t n, size_t dst_len)
{
	arm64_panic(EXIT_STACK, "buffer overflow detected: %s of %zu into %zu", op, n, dst_len);
}

/* -fstack-protector-strong -mstack-protector-guard=global: every protected frame
 * compares its copy with this global. */
uintptr_t __stack_chk_guard;

/* Not protected itself: the guard changes under its own frame. The low byte is
 * zero so that string overflows cannot reproduce it. */
__attribute__((no_stack_protector)) void libc_guard_init(void)
{
	uint64_t v;

	plat_random(&v, sizeof v);
	__stack_chk_guard = (uintptr_t)(v & ~0xffull);
}

void __stack_chk_fail(void);
_Noreturn void __stack_chk_fail(void)
{
	arm64_panic(EXIT_STACK, "stack smashing detected: a stack canary was overwritten");
}
