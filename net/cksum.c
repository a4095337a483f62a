/* SPDX-License-Identifier: MIT */
/* The Internet checksum, RFC 1071. */
#include "net/cksum.h"

/* The 16-bit one's complement sum of (n) bytes (n a multiple of 8) read as
 * little-endian words, 8 bytes at a time with end-around carry (RFC 1071 2(C)).
 * By RFC 1071 2(B) this is the big-endian sum with its two bytes swapped. */
static uint16_t sum_le64(const uint8_t *b, size_t n)
{
	uint64_t acc = 0;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w;
		__builtin_memcpy(&w, b + i, 8); /* one unaligned load, inlined */
		acc += w;
		acc += acc < w; /* the carry out of bit 63 comes back in at bit 0 */
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffu) + (acc >> 16);
	acc = (acc & 0xffffu) + (acc >> 16);
	return (uint16_t)acc;
}

void cksum_add(struct cksum *c, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t sum = c->sum;
	size_t i = 0;

	if (len == 0)
		return;
	if (c->odd) {
		sum += b[0];
		i = 1;
	}
	/* The bulk 8 bytes a step: without checksum offload (QEMU's user
	 * network) every payload byte sent is summed here, and two bytes a
	 * step cost 5 ns a byte under TCG. */
	if (len - i >= 64) {
		size_t n = (len - i) & ~(size_t)7;
		uint16_t le = sum_le64(b + i, n);
		sum += (uint16_t)(le << 8 | le >> 8);
		i += n;
	}
	/* Big-endian 16-bit words; a 64-bit accumulator cannot overflow for any
	 * length below 2^48 bytes. */
	for (; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (i < len) {
		sum += (uint32_t)b[i] << 8;
		c->odd = 1;
	} else {
		c->odd = 0;
	}
	c->sum = sum;
}

void cksum_pseudo(struct cksum *c, uint32_t src, uint32_t dst, uint8_t proto, uint16_t len)
{
	/* Pseudo-header words are added whole; they never split an odd byte because
	 * the pseudo-header comes first. */
	c->sum += (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

void cksum_pseudo6(struct cksum *c, const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                   uint32_t len)
{
	int i;

	for (i = 0; i < 16; i += 2)
		c->sum +=
		        (uint32_t)(src[i] << 8 | src[i + 1]) + (uint32_t)(dst[i] << 8 | dst[i + 1]);
	c->sum += (len >> 16) + (len & 0xffff) + proto;
}

uint16_t cksum_finish(const struct cksum *c)
{
	uint64_t s = c->sum;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
