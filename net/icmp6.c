/* SPDX-License-Identifier: MIT */
/* ICMPv6 (RFC 4443): echo, the error messages we send, and their rate limit. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/stack.h"

enum net_result icmp6_send(struct net_stack *s, const uint8_t src[16], const uint8_t dst[16],
                           uint8_t hop_limit, uint8_t *msg, size_t len, uint64_t now)
{
	struct plat_iov iov = {msg, len, 0};
	struct cksum ck;

	msg[2] = msg[3] = 0;
	cksum_init(&ck);
	cksum_pseudo6(&ck, src, dst, IPPROTO_ICMPV6_, (uint32_t)len);
	cksum_add(&ck, msg, len);
	put_u16be(msg + 2, cksum_finish(&ck));
	return ipv6_output_from(s, src, dst, IPPROTO_ICMPV6_, hop_limit, &iov, 1, now);
}

/* RFC 4443 2.4 (f): a token bucket shared by every error we send, parameter
 * problems included. Credit is kept in nanoseconds of refill: an error costs
 * 1e9 / ICMP6_ERRORS_PER_S, the bucket holds ICMP6_ERRORS_BURST of them. */
static bool allowed(struct net_stack *s, uint64_t now)
{
	const uint64_t cost = 1000000000ull / ICMP6_ERRORS_PER_S, cap = cost * ICMP6_ERRORS_BURST;
	struct ipv6_state *v = &s->ip6;

	if (!v->icmp_last || now < v->icmp_last) {
		v->icmp_credit = cap;
	} else {
		uint64_t c = v->icmp_credit + (now - v->icmp_last);
		v->icmp_credit = c > cap || c < v->icmp_credit ? cap : c;
	}
	v->icmp_last = now ? now : 1;
	if (v->icmp_credit < cost) {
		v->stats.icmp_rate_limited++;
		return false;
	}
	v->icmp_credit -= cost;
	return true;
}

void icmp6_error(struct net_stack *s, const struct ip_meta *ip, uint8_t type, uint8_t code,
                 uint32_t pointer, bool mcast_ok, uint64_t now)
{
	/* The quote: as much of the packet as fits a 1280-byte packet. */
	static uint8_t msg[IP6_MIN_MTU - 40];
	const uint8_t *pkt = ip->ip_hdr;
	size_t q = ip->ip_hdr_len, off = 40;
	uint8_t src[16], nh = pkt[6];
	static const uint8_t z[16];

	/* RFC 4443 2.4 (e): not about an error message, a multicast destination
	 * (but for a parameter problem code 2 naming an option that asks), or
	 * an unspecified or multicast source. */
	if ((ip->to.b[0] == 0xff && !mcast_ok) || ip->from.b[0] == 0xff ||
	    memcmp(ip->from.b, z, 16) == 0)
		return;
	if (nh == IPPROTO_ICMPV6_ && q > off && pkt[off] < 128)
		return;
	if (!allowed(s, now))
		return;
	if (!ipv6_source(s, ip->from.b, src))
		return;
	if (q > sizeof msg - 8)
		q = sizeof msg - 8;
	msg[0] = type;
	msg[1] = code;
	put_u32be(msg + 4, pointer);
	memcpy(msg + 8, pkt, q);
	s->ip6.stats.icmp_errors_sent++;
	icmp6_send(s, src, ip->from.b, IP6_HOP_LIMIT, msg, 8 + q, now);
}

/* RFC 4443 4.2: the request's data whole, however large (fragmented past
 * the MTU); its bytes are sent from where they lie, the header copied. */
static void echo_reply(struct net_stack *s, const uint8_t src[16], const uint8_t dst[16],
                       const uint8_t *req, size_t len, uint64_t now)
{
	uint8_t h[8];
	struct plat_iov iov[2] = {{h, 8, 0}, {req + 8, len - 8, 0}};
	struct cksum ck;

	memcpy(h, req, 8);
	h[0] = 129;
	h[2] = h[3] = 0;
	cksum_init(&ck);
	cksum_pseudo6(&ck, src, dst, IPPROTO_ICMPV6_, (uint32_t)len);
	cksum_add(&ck, h, 8);
	cksum_add(&ck, req + 8, len - 8);
	put_u16be(h + 2, cksum_finish(&ck));
	ipv6_output_from(s, src, dst, IPPROTO_ICMPV6_, IP6_HOP_LIMIT, iov, 2, now);
}

void icmp6_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
                 uint64_t now)
{
	struct ipv6_stats *st = &s->ip6.stats;
	struct cksum ck;
	uint8_t src[16];

	st->icmp_rx++;
	cksum_init(&ck);
	cksum_pseudo6(&ck, ip->from.b, ip->to.b, IPPROTO_ICMPV6_, (uint32_t)len);
	cksum_add(&ck, p, len);
	if (len < 8 || cksum_finish(&ck) != 0) {
		st->icmp_bad++;
		return;
	}
	switch (p[0]) {
	case 128: /* echo request (RFC 4443 4.1), to a multicast group too */
		if (!ipv6_source(s, ip->from.b, src)) {
			st->icmp_bad++;
			return;
		}
		if (ip->to.b[0] != 0xff)
			memcpy(src, ip->to.b, 16); /* answer from the address asked */
		st->icmp_echo++;
		echo_reply(s, src, ip->from.b, p, len, now);
		break;
	case 2: /* packet too big (RFC 8201): quoting one of our TCP segments */
		if (len >= 8 + 40 + 8 && p[8 + 6] == IPPROTO_TCP_ && ipv6_is_ours(s, p + 8 + 8)) {
			struct net_ip l, r;
			const uint8_t *t = p + 8 + 40;
			memcpy(l.b, p + 8 + 8, 16);
			memcpy(r.b, p + 8 + 24, 16);
			st->icmp_too_big++;
			tcp_path_mtu(s, &l, get_u16be(t), &r, get_u16be(t + 2), get_u32be(t + 4),
			             get_u32be(p + 4), now);
		} else {
			st->icmp_bad++;
		}
		break;
	case 1:   /* destination unreachable */
	case 3:   /* time exceeded */
	case 4:   /* parameter problem */
	case 129: /* echo reply: we never ask */
		break;
	default:
		st->icmp_unknown++; /* RFC 4443 2.4 (b): informational ones are dropped */
		break;
	}
}
