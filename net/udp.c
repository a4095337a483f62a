/* SPDX-License-Identifier: MIT */
/* UDP (RFC 768): bound ports, checksums, port unreachable. */
#include "net/udp.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/stack.h"

bool udp_bind(struct net_stack *s, uint16_t port, udp_recv_fn fn, void *ctx)
{
	size_t i, free_i = UDP_PORTS;

	for (i = 0; i < UDP_PORTS; i++) {
		if (s->udp.b[i].fn && s->udp.b[i].port == port)
			return false;
		if (!s->udp.b[i].fn && free_i == UDP_PORTS)
			free_i = i;
	}
	if (free_i == UDP_PORTS || !fn)
		return false;
	s->udp.b[free_i].port = port;
	s->udp.b[free_i].fn = fn;
	s->udp.b[free_i].ctx = ctx;
	return true;
}

void udp_unbind(struct net_stack *s, uint16_t port)
{
	size_t i;

	for (i = 0; i < UDP_PORTS; i++)
		if (s->udp.b[i].fn && s->udp.b[i].port == port)
			s->udp.b[i].fn = NULL;
}

void udp_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
               uint64_t now)
{
	struct udp_stats *st = &s->udp.stats;
	struct cur c = cur_make(p, len);
	uint16_t sport, dport, ulen, sum;
	size_t i;

	st->rx++;
	if (!cur_u16be(&c, &sport) || !cur_u16be(&c, &dport) || !cur_u16be(&c, &ulen) ||
	    !cur_u16be(&c, &sum)) {
		st->rx_short++;
		return;
	}
	if (ulen < 8 || ulen > len) {
		st->rx_bad_len++;
		return;
	}
	if (sum) { /* zero: the sender computed none (RFC 768) */
		struct cksum ck;
		cksum_init(&ck);
		cksum_pseudo(&ck, ip->src, ip->dst, IPPROTO_UDP_, ulen);
		cksum_add(&ck, p, ulen);
		if (cksum_finish(&ck) != 0) {
			st->rx_bad_cksum++;
			return;
		}
	}
	for (i = 0; i < UDP_PORTS; i++)
		if (s->udp.b[i].fn && s->udp.b[i].port == dport) {
			s->udp.b[i].fn(s->udp.b[i].ctx, s, ip->src, sport, p + 8, ulen - 8u, now);
			return;
		}
	st->rx_no_port++;
	icmp_send_unreach(s, ip, p, len, 3, now); /* port unreachable */
}

enum net_result udp_send(struct net_stack *s, uint16_t src_port, uint32_t dst, uint16_t dst_port,
                         const void *p, size_t len, uint64_t now)
{
	uint8_t hdr[8];
	struct plat_iov iov[2];
	struct cksum ck;
	uint16_t sum;
	enum net_result r;

	if (len > 65507) {
		s->udp.stats.tx_fail++;
		return NET_EINVAL;
	}
	put_u16be(hdr, src_port);
	put_u16be(hdr + 2, dst_port);
	put_u16be(hdr + 4, (uint16_t)(len + 8));
	hdr[6] = hdr[7] = 0;
	cksum_init(&ck);
	cksum_pseudo(&ck, s->addr, dst, IPPROTO_UDP_, (uint16_t)(len + 8));
	cksum_add(&ck, hdr, 8);
	cksum_add(&ck, p, len);
	sum = cksum_finish(&ck);
	put_u16be(hdr + 6, sum ? sum : 0xffff); /* RFC 768: zero means "none" */
	iov[0].p = hdr;
	iov[0].len = 8;
	iov[0].stable = 0;
	iov[1].p = p;
	iov[1].len = len;
	iov[1].stable = 0;
	r = ipv4_output(s, dst, IPPROTO_UDP_, iov, 2, now);
	if (r == NET_OK)
		s->udp.stats.tx++;
	else
		s->udp.stats.tx_fail++;
	return r;
}
