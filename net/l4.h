/* SPDX-License-Identifier: MIT */
/* The boundary between IPv4 (net/ipv4.c) and the transports (TCP, UDP, ICMP).
 *
 * Input: IPv4 validates a datagram (and reassembles it) and hands the transport
 * its payload with the addresses; the payload is borrowed for the call.
 * Output: a transport gathers its header and payload in (iov, n) and IPv4 adds
 * its header, resolves the next hop through ARP, and sends the frame. Parts
 * marked stable are passed through to the device untouched (zero copy). */
#ifndef UD_NET_L4_H
#define UD_NET_L4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/cksum.h"
#include "net/net.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17

/* A datagram as the network layer hands it up, IPv4 or IPv6. */
struct ip_meta {
	uint32_t src, dst;      /* IPv4, host byte order (0 for IPv6) */
	struct net_ip from, to; /* either family (IPv4 mapped): what TCP keys on */
	bool v6;
	uint8_t proto, ttl, tos;
	bool to_broadcast;     /* limited or directed broadcast, or multicast */
	const uint8_t *ip_hdr; /* the IPv4 header, for ICMP errors quoting it */
	size_t ip_hdr_len;
};

static inline struct net_ip net_ip4(uint32_t a)
{
	struct net_ip r = {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, (uint8_t)(a >> 24),
	                    (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
	return r;
}

static inline bool net_ip_is4(const struct net_ip *a)
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int i;

	for (i = 0; i < 12; i++)
		if (a->b[i] != pre[i])
			return false;
	return true;
}

static inline uint32_t net_ip_get4(const struct net_ip *a)
{
	return (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 | (uint32_t)a->b[14] << 8 |
	       a->b[15];
}

static inline bool net_ip_eq(const struct net_ip *a, const struct net_ip *b)
{
	int i;

	for (i = 0; i < 16; i++)
		if (a->b[i] != b->b[i])
			return false;
	return true;
}

/* The network layer for either family (net/ipv6.c): output from (src) to
 * (dst), the transport pseudo-header, the MTU and our source address toward
 * (dst). (src) is the local address the transport summed its pseudo-header
 * with: the flow's, the one the peer addressed (IPv6 has several per host;
 * IPv4 ignores it). */
enum net_result l3_output(struct net_stack *s, const struct net_ip *src, const struct net_ip *dst,
                          uint8_t proto, const struct plat_iov *iov, size_t n, uint64_t now);
void l3_pseudo(struct cksum *c, const struct net_ip *src, const struct net_ip *dst, uint8_t proto,
               uint32_t len);
uint16_t l3_mtu(const struct net_stack *s, const struct net_ip *dst);
/* One TCP segment larger than the MTU for the device to cut, from (src) to
 * (dst) of either family (ipv4_output_gso's contract); and whether one can
 * go toward (dst) now. */
enum net_result l3_output_gso(struct net_stack *s, const struct net_ip *src,
                              const struct net_ip *dst, const struct plat_iov *iov, size_t n,
                              struct net_gso *g, uint64_t now);
bool l3_gso_ready(struct net_stack *s, const struct net_ip *dst, uint64_t now);
/* Our address toward (dst); false while we have none of its family. */
bool l3_source(const struct net_stack *s, const struct net_ip *dst, struct net_ip *src);
/* IP and extension headers TCP must leave room for toward (dst). */
uint16_t l3_hdr_len(const struct net_ip *dst);
/* Whether (dst) of an arriving datagram is one of our unicast addresses. */
bool l3_is_local(const struct net_stack *s, const struct ip_meta *ip);

/* IPv4 -> transports. */
void tcp_init(struct net_stack *s, uint64_t now);
void tcp_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *seg, size_t len,
               uint64_t now);
uint64_t tcp_poll(struct net_stack *s, uint64_t now);

/* Transports -> IPv4. NET_EUNREACH: no route, or the next hop is not resolved
 * yet (ARP keeps a bounded copy of the packet and sends it when it is). */
enum net_result ipv4_output(struct net_stack *s, uint32_t dst, uint8_t proto,
                            const struct plat_iov *iov, size_t n, uint64_t now);
/* One TCP segment larger than the MTU, cut by the device: NET_EUNREACH when
 * offload is off or the next hop is not resolved (then send MSS-sized ones).
 * (g) gets the Ethernet and IPv4 header lengths added to its offsets. */
enum net_result ipv4_output_gso(struct net_stack *s, uint32_t dst, const struct plat_iov *iov,
                                size_t n, struct net_gso *g, uint64_t now);
/* Whether a segment to (dst) can go out as one large frame now. */
bool ipv4_gso_ready(struct net_stack *s, uint32_t dst, uint64_t now);
/* Our address toward (dst), 0 while unconfigured; and the MTU. */
uint32_t ipv4_source(const struct net_stack *s, uint32_t dst);
uint16_t ipv4_mtu(const struct net_stack *s);
/* ICMP destination unreachable (type 3, code) quoting the datagram (RFC 792,
 * RFC 1122 3.2.2), rate-limited. */
void icmp_send_unreach(struct net_stack *s, const struct ip_meta *ip, const uint8_t *payload,
                       size_t len, uint8_t code, uint64_t now);
/* Log through the stack's ops (may do nothing). */
void net_log(struct net_stack *s, const char *msg);

#endif
