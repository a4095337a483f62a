/* SPDX-License-Identifier: MIT */
/* The Internet checksum, RFC 1071. */
#include "net/cksum.h"

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

uint16_t cksum_finish(const struct cksum *c)
{
	uint64_t s = c->sum;

	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}
