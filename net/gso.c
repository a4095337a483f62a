/* SPDX-License-Identifier: MIT */
/* Segmentation in software: a large TCP frame (struct net_gso) cut into
 * frames of at most g->mss payload bytes, the way a device with TSO (or
 * Linux's GSO) cuts it: the headers repeated, the IPv4 total length, ID and
 * checksum per frame (for IPv6, by the Ethernet type, the payload length), the
 * sequence number advanced, PSH and FIN on the last
 * frame only, and each TCP checksum completed. The payload is not copied: each
 * frame gathers its header copy and references into the caller's parts, so
 * store bytes keep going out by reference. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/stack.h"

#define GSO_HDR_MAX (14u + 60u + 60u)
#define GSO_PARTS   16u

/* Copy (len) bytes at (off) of the parts into (out). */
static bool copy_out(const struct plat_iov *iov, size_t n, size_t off, uint8_t *out, size_t len)
{
	size_t i;

	for (i = 0; i < n && len; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		size_t k = iov[i].len - off < len ? iov[i].len - off : len;
		memcpy(out, (const uint8_t *)iov[i].p + off, k);
		out += k;
		len -= k;
		off = 0;
	}
	return len == 0;
}

/* The parts covering [off, off + len) into (out); their count, or 0 when more
 * than (cap) are needed. */
static size_t slice(const struct plat_iov *iov, size_t n, size_t off, size_t len,
                    struct plat_iov *out, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < n && len; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		if (k == cap)
			return 0;
		out[k] = iov[i];
		out[k].p = (const uint8_t *)iov[i].p + off;
		out[k].len = iov[i].len - off < len ? iov[i].len - off : len;
		len -= out[k].len;
		k++;
		off = 0;
	}
	return len ? 0 : k;
}

bool net_gso_cut(const struct plat_iov *iov, size_t n, const struct net_gso *g,
                 bool (*send)(void *ctx, const struct plat_iov *iov, size_t n), void *ctx)
{
	uint8_t h[GSO_HDR_MAX];
	struct plat_iov part[GSO_PARTS + 1];
	size_t total = 0, i, off, ip_off = g->csum_start >= 20 ? g->csum_start - 20u : 0;
	uint32_t seq;
	uint16_t id;
	bool v6;

	for (i = 0; i < n; i++)
		total += iov[i].len;
	if (!g->mss || g->hdr_len > GSO_HDR_MAX || g->hdr_len >= total || g->csum_start < 34 ||
	    g->csum_start + 20u > g->hdr_len || !copy_out(iov, n, 0, h, g->hdr_len))
		return false;
	v6 = get_u16be(h + 12) == 0x86dd;
	if (v6) {
		if (g->csum_start != 14 + 40)
			return false; /* we send no extension headers with TCP */
		ip_off = 14;
	}
	id = get_u16be(h + ip_off + 4);
	seq = get_u32be(h + g->csum_start + 4);
	for (off = g->hdr_len; off < total; off += g->mss) {
		size_t k = total - off < g->mss ? total - off : g->mss;
		size_t tcp_len = g->hdr_len - g->csum_start + k, np;
		uint8_t fh[GSO_HDR_MAX], *t = fh + g->csum_start;
		struct cksum c;

		memcpy(fh, h, g->hdr_len);
		if (v6) {
			put_u16be(fh + ip_off + 4, (uint16_t)tcp_len);
		} else {
			put_u16be(fh + ip_off + 2, (uint16_t)(g->csum_start - ip_off + tcp_len));
			put_u16be(fh + ip_off + 4, id++);
			put_u16be(fh + ip_off + 10, 0);
			cksum_init(&c);
			cksum_add(&c, fh + ip_off, g->csum_start - ip_off);
			put_u16be(fh + ip_off + 10, cksum_finish(&c));
		}
		put_u32be(t + 4, seq);
		seq += (uint32_t)k;
		if (off + k < total)
			t[13] &= (uint8_t)~0x09; /* PSH and FIN go on the last frame */
		part[0].p = fh;
		part[0].len = g->hdr_len;
		part[0].stable = 0;
		np = slice(iov, n, off, k, part + 1, GSO_PARTS);
		if (!np)
			return off > g->hdr_len;
		put_u16be(t + g->csum_offset, 0);
		cksum_init(&c);
		if (v6)
			cksum_pseudo6(&c, fh + ip_off + 8, fh + ip_off + 24, 6, (uint32_t)tcp_len);
		else
			cksum_pseudo(&c, get_u32be(fh + ip_off + 12), get_u32be(fh + ip_off + 16),
			             6, (uint16_t)tcp_len);
		cksum_add(&c, t, (size_t)g->hdr_len - g->csum_start);
		for (i = 1; i <= np; i++)
			cksum_add(&c, part[i].p, part[i].len);
		put_u16be(t + g->csum_offset, cksum_finish(&c));
		if (!send(ctx, part, np + 1))
			return off > g->hdr_len; /* a full device took a prefix, or none */
	}
	return true;
}
