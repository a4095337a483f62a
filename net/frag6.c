/* SPDX-License-Identifier: MIT */
/* IPv6 fragment reassembly (RFC 8200 4.5) with RFC 5722's overlap rule and
 * RFC 7112's whole header chain in the first fragment. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/stack.h"

#define NH_HOPOPT   0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_AH       51
#define NH_NONE     59
#define NH_DSTOPTS  60

/* The bytes of the upper-layer header that must be in the first fragment
 * (RFC 7112 5: "the entire IPv6 header chain", the upper-layer header
 * included): what a filter or we need to read the ports or the type. */
static size_t upper_min(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_TCP_:
		return 20;
	case IPPROTO_UDP_:
		return 8;
	case IPPROTO_ICMPV6_:
		return 4;
	default:
		return 0;
	}
}

/* Whether the first fragment's data (d, n), starting with next header (nh),
 * holds the whole header chain (RFC 7112 5). */
static bool chain_whole(uint8_t nh, const uint8_t *d, size_t n)
{
	size_t k, elen;

	for (k = 0; k < IP6_EXT_MAX; k++) {
		if (nh != NH_HOPOPT && nh != NH_ROUTING && nh != NH_DSTOPTS && nh != NH_FRAGMENT &&
		    nh != NH_AH)
			return n >= upper_min(nh);
		if (n < 8)
			return false;
		if (nh == NH_FRAGMENT)
			elen = 8;
		else if (nh == NH_AH)
			elen = ((size_t)d[1] + 2) * 4; /* RFC 4302 2.2 */
		else
			elen = ((size_t)d[1] + 1) * 8;
		if (elen > n)
			return false;
		nh = d[0];
		d += elen;
		n -= elen;
	}
	return false; /* longer than we walk: ipv6_chain would refuse it too */
}

static bool same_key(const struct ipv6_reasm *r, const struct ip_meta *m, uint32_t id)
{
	return r->id == id && memcmp(r->src, m->from.b, 16) == 0 &&
	       memcmp(r->dst, m->to.b, 16) == 0;
}

/* With every slot taken, the one to give up: a dead one (an overlap's
 * tombstone) first, else the oldest of the /64 holding the most slots: one
 * network's unfinished datagrams (an attacker has a whole /64) cannot keep
 * everyone else's out (RFC 8200 4.5 leaves the policy to us). */
static struct ipv6_reasm *evictee(struct net_stack *s)
{
	struct ipv6_reasm *best = NULL;
	unsigned best_n = 0;
	size_t i, j;

	for (i = 0; i < IP6_REASM_SLOTS; i++)
		if (s->ip6.r[i].dead && (!best || s->ip6.r[i].born < best->born))
			best = &s->ip6.r[i];
	if (best)
		return best;
	for (i = 0; i < IP6_REASM_SLOTS; i++) {
		struct ipv6_reasm *r = &s->ip6.r[i], *oldest = r;
		unsigned n = 0;
		for (j = 0; j < IP6_REASM_SLOTS; j++)
			if (memcmp(s->ip6.r[j].src, r->src, 8) == 0) {
				n++;
				if (s->ip6.r[j].born < oldest->born)
					oldest = &s->ip6.r[j];
			}
		if (!best || n > best_n || (n == best_n && oldest->born < best->born)) {
			best = oldest;
			best_n = n;
		}
	}
	return best;
}

static struct ipv6_reasm *slot_for(struct net_stack *s, const struct ip_meta *m, uint32_t id,
                                   uint64_t now)
{
	struct ipv6_reasm *free_slot = NULL;
	size_t i;

	for (i = 0; i < IP6_REASM_SLOTS; i++) {
		struct ipv6_reasm *r = &s->ip6.r[i];
		if (r->used && same_key(r, m, id))
			return r;
		if (!r->used && !free_slot)
			free_slot = r;
	}
	if (!free_slot) {
		free_slot = evictee(s);
		s->ip6.stats.reasm_evicted++;
	}
	memset(free_slot, 0, offsetof(struct ipv6_reasm, buf));
	free_slot->used = true;
	memcpy(free_slot->src, m->from.b, 16);
	memcpy(free_slot->dst, m->to.b, 16);
	free_slot->id = id;
	free_slot->deadline = now + IP6_REASM_TIMEOUT_NS;
	free_slot->born = ++s->ip6.reasm_born;
	return free_slot;
}

/* Abandon the datagram (RFC 5722 4): its fragments so far and any that
 * still come, until the deadline, are dropped. */
static void kill(struct ipv6_reasm *r)
{
	r->dead = true;
	r->n_ranges = 0;
}

static bool complete(const struct ipv6_reasm *r)
{
	uint32_t have = 0;
	size_t i;

	if (!r->total || !r->hlen)
		return false;
	for (i = 0; i < r->n_ranges; i++)
		have += (uint32_t)(r->ranges[i].end - r->ranges[i].start);
	return have == r->total; /* ranges never overlap, so this is coverage */
}

/* Where (off, end) meets what is held: 0 nothing, 1 an exact duplicate of
 * one fragment (same place, same bytes: RFC 8200 4.5 lets us drop just it),
 * 2 an overlap. */
static int meets(const struct ipv6_reasm *r, uint32_t off, uint32_t end, const uint8_t *d)
{
	size_t i;

	for (i = 0; i < r->n_ranges; i++) {
		if (off >= r->ranges[i].end || r->ranges[i].start >= end)
			continue;
		if (r->ranges[i].start == off && r->ranges[i].end == end &&
		    memcmp(r->buf + IP6_REASM_HDR + off, d, end - off) == 0)
			return 1;
		return 2;
	}
	return 0;
}

void frag6_input(struct net_stack *s, struct ip_meta *m, const uint8_t *eth_src, const uint8_t *p,
                 size_t len, size_t foff, size_t nh_off, uint64_t now)
{
	struct ipv6_stats *st = &s->ip6.stats;
	uint16_t fo = get_u16be(p + foff + 2);
	uint32_t id = get_u32be(p + foff + 4), off = (uint32_t)(fo & 0xfff8), end;
	bool more = fo & 1;
	const uint8_t *d = p + foff + 8;
	size_t dlen = len - foff - 8, hlen = foff + 8, i;
	struct ipv6_reasm *r;
	uint8_t *pkt;

	st->rx_frags++;
	if (more && (dlen == 0 || dlen % 8)) {
		/* RFC 8200 4.5: pointing at the payload length. */
		st->reasm_bad++;
		icmp6_error(s, m, 4, 0, 4, false, now);
		return;
	}
	if (__builtin_add_overflow(off, (uint32_t)dlen, &end) || end > 65535u) {
		st->reasm_bad++;
		icmp6_error(s, m, 4, 0, (uint32_t)(foff + 2), false, now);
		return;
	}
	if (off == 0 && !chain_whole(p[foff], d, dlen)) {
		st->reasm_chain++; /* RFC 7112 5: code 3, pointer 0 */
		icmp6_error(s, m, 4, 3, 0, false, now);
		return;
	}
	if (end > IP6_REASM_MAX || (off == 0 && hlen > IP6_REASM_HDR)) {
		st->reasm_too_big++;
		return;
	}
	r = slot_for(s, m, id, now);
	if (r->dead) {
		st->reasm_dead++;
		return;
	}
	switch (meets(r, off, end, d)) {
	case 1:
		st->reasm_dup++;
		return;
	case 2:
		st->reasm_overlap++; /* RFC 5722 4: the whole datagram goes */
		kill(r);
		return;
	default:
		break;
	}
	if (r->n_ranges == IP6_REASM_RANGES || (!more && r->total && end != r->total) ||
	    (r->total && end > r->total)) {
		st->reasm_too_big++;
		kill(r);
		return;
	}
	if (!more) {
		for (i = 0; i < r->n_ranges; i++)
			if (r->ranges[i].end > end) {
				st->reasm_too_big++; /* data beyond the last fragment's end */
				kill(r);
				return;
			}
		r->total = end;
	}
	if (off == 0) {
		/* The first fragment's headers, fragment header included, right
		 * before the data: with its data they are the first fragment
		 * again, for a time-exceeded quote. */
		memcpy(r->buf + IP6_REASM_HDR - hlen, p, hlen);
		r->hlen = (uint16_t)hlen;
		r->nh_off = (uint16_t)nh_off;
		r->nh = p[foff];
		r->first_end = (uint16_t)end;
	}
	memcpy(r->buf + IP6_REASM_HDR + off, d, dlen);
	r->ranges[r->n_ranges].start = (uint16_t)off;
	r->ranges[r->n_ranges].end = (uint16_t)end;
	r->n_ranges++;
	if (!complete(r))
		return;
	/* Whole: the unfragmentable part slides over the fragment header, its
	 * last next header becomes the fragment's, the payload length the
	 * datagram's (RFC 8200 4.5). */
	st->reasm_ok++;
	hlen = r->hlen - 8u;
	pkt = r->buf + IP6_REASM_HDR - hlen;
	memmove(pkt, r->buf + IP6_REASM_HDR - r->hlen, hlen);
	pkt[r->nh_off] = r->nh;
	if (hlen - 40 + r->total > 65535u) {
		st->reasm_too_big++;
		r->used = false;
		return;
	}
	put_u16be(pkt + 4, (uint16_t)(hlen - 40 + r->total));
	m->ip_hdr = pkt;
	m->ip_hdr_len = hlen + r->total;
	ipv6_chain(s, m, eth_src, pkt, hlen + r->total, hlen, r->nh, r->nh_off, true, now);
	r->used = false;
}

uint64_t frag6_poll(struct net_stack *s, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < IP6_REASM_SLOTS; i++) {
		struct ipv6_reasm *r = &s->ip6.r[i];
		if (!r->used)
			continue;
		if (now < r->deadline) {
			if (r->deadline < next)
				next = r->deadline;
			continue;
		}
		r->used = false;
		if (r->dead)
			continue;
		s->ip6.stats.reasm_timeout++;
		if (r->hlen) {
			/* RFC 8200 4.5: time exceeded, code 1, quoting the first
			 * fragment, only when it came. */
			struct ip_meta m;
			memset(&m, 0, sizeof m);
			m.v6 = true;
			memcpy(m.from.b, r->src, 16);
			memcpy(m.to.b, r->dst, 16);
			m.ip_hdr = r->buf + IP6_REASM_HDR - r->hlen;
			m.ip_hdr_len = (size_t)r->hlen + r->first_end;
			icmp6_error(s, &m, 3, 1, 0, false, now);
		}
	}
	return next;
}
