/* SPDX-License-Identifier: MIT */
/* ICMP (RFC 792): echo replies, and destination-unreachable errors we send. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/stack.h"

#define ICMP_ECHO_REPLY 0u
#define ICMP_UNREACH    3u
#define ICMP_ECHO       8u

void icmp_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
                uint64_t now)
{
	struct ipv4_stats *st = &s->ip.stats;
	uint8_t hdr[8];
	struct plat_iov iov[2];
	struct cksum ck;

	st->icmp_rx++;
	cksum_init(&ck);
	cksum_add(&ck, p, len);
	if (len < 8 || cksum_finish(&ck) != 0) {
		st->icmp_bad++;
		return;
	}
	/* Only echo requests need an answer, and only when sent to us (RFC 1122
	 * 3.2.2.6 allows ignoring broadcast echoes; we do). */
	if (p[0] != ICMP_ECHO || ip->to_broadcast || !s->addr)
		return;
	st->icmp_echo++;
	memcpy(hdr, p, 8);
	hdr[0] = ICMP_ECHO_REPLY;
	hdr[2] = hdr[3] = 0;
	cksum_init(&ck);
	cksum_add(&ck, hdr, 8);
	cksum_add(&ck, p + 8, len - 8);
	put_u16be(hdr + 2, cksum_finish(&ck));
	iov[0].p = hdr;
	iov[0].len = 8;
	iov[0].stable = 0;
	iov[1].p = p + 8; /* the request is borrowed for this call: sent now */
	iov[1].len = len - 8;
	iov[1].stable = 0;
	ipv4_output(s, ip->src, IPPROTO_ICMP_, iov, 2, now);
}

void icmp_send_unreach(struct net_stack *s, const struct ip_meta *ip, const uint8_t *payload,
                       size_t len, uint8_t code, uint64_t now)
{
	struct ipv4_stats *st = &s->ip.stats;
	uint64_t second = now / 1000000000u;
	uint8_t hdr[8] = {ICMP_UNREACH, code};
	struct plat_iov iov[3];
	struct cksum ck;
	size_t quote = len < 8 ? len : 8;

	/* RFC 1122 3.2.2: never about broadcasts or multicast, nor about ICMP
	 * errors (types other than echo and its reply). */
	if (ip->to_broadcast || !s->addr ||
	    (ip->proto == IPPROTO_ICMP_ && len && payload[0] != ICMP_ECHO && payload[0] != 0))
		return;
	if (second != s->ip.icmp_window) {
		s->ip.icmp_window = second;
		s->ip.icmp_errors = 0;
	}
	if (s->ip.icmp_errors >= ICMP_ERRORS_PER_S) {
		st->icmp_rate_limited++;
		return;
	}
	s->ip.icmp_errors++;
	st->icmp_unreach_sent++;
	/* The offending header and the first 8 bytes of its payload (RFC 792). */
	cksum_init(&ck);
	cksum_add(&ck, hdr, 8);
	cksum_add(&ck, ip->ip_hdr, ip->ip_hdr_len);
	cksum_add(&ck, payload, quote);
	put_u16be(hdr + 2, cksum_finish(&ck));
	iov[0].p = hdr;
	iov[0].len = 8;
	iov[1].p = ip->ip_hdr;
	iov[1].len = ip->ip_hdr_len;
	iov[2].p = payload;
	iov[2].len = quote;
	iov[0].stable = iov[1].stable = iov[2].stable = 0;
	ipv4_output(s, ip->src, IPPROTO_ICMP_, iov, 3, now);
}
