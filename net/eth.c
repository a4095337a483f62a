/* SPDX-License-Identifier: MIT */
/* Ethernet II headers. */
#include "net/eth.h"

#include "lib/cursor.h"
#include "lib/mem.h"

bool eth_parse(const uint8_t *p, size_t len, struct eth_hdr *h)
{
	struct cur c = cur_make(p, len);
	const uint8_t *dst, *src;

	if (!cur_bytes(&c, 6, &dst) || !cur_bytes(&c, 6, &src) || !cur_u16be(&c, &h->type))
		return false;
	memcpy(h->dst, dst, 6);
	memcpy(h->src, src, 6);
	return true;
}

void eth_write(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t type)
{
	memcpy(out, dst, 6);
	memcpy(out + 6, src, 6);
	put_u16be(out + 12, type);
}
