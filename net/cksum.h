/* SPDX-License-Identifier: MIT */
/* The Internet checksum (RFC 1071) over gathered parts, and the IPv4 pseudo-header.
 *
 * A sum is accumulated in a struct cksum so that parts of odd length join
 * correctly (RFC 1071 2(B): byte order independence with a carried odd byte). */
#ifndef UD_NET_CKSUM_H
#define UD_NET_CKSUM_H

#include <stddef.h>
#include <stdint.h>

struct cksum {
	uint64_t sum;
	int odd; /* the bytes so far were of odd count: the next byte is a low byte */
};

static inline void cksum_init(struct cksum *c)
{
	c->sum = 0;
	c->odd = 0;
}

void cksum_add(struct cksum *c, const void *p, size_t len);
/* The pseudo-header of RFC 9293 3.1 / RFC 768 (host byte order addresses). */
void cksum_pseudo(struct cksum *c, uint32_t src, uint32_t dst, uint8_t proto, uint16_t len);
/* The pseudo-header of RFC 8200 8.1: 16-byte addresses, a 32-bit length. */
void cksum_pseudo6(struct cksum *c, const uint8_t src[16], const uint8_t dst[16], uint8_t proto,
                   uint32_t len);
/* The one's complement of the folded sum, ready to store big-endian. */
uint16_t cksum_finish(const struct cksum *c);

#endif
