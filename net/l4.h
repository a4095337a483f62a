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

#include "net/net.h"

#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_  6
#define IPPROTO_UDP_  17

struct ipv4_meta {
	uint32_t src, dst; /* host byte order */
	uint8_t proto, ttl, tos;
	bool to_broadcast;     /* limited or directed broadcast, or multicast */
	const uint8_t *ip_hdr; /* the IPv4 header, for ICMP errors quoting it */
	size_t ip_hdr_len;
};

/* IPv4 -> transports. */
void tcp_init(struct net_stack *s, uint64_t now);
void tcp_input(struct net_stack *s, const struct ipv4_meta *ip, const uint8_t *seg, size_t len,
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
void icmp_send_unreach(struct net_stack *s, const struct ipv4_meta *ip, const uint8_t *payload,
                       size_t len, uint8_t code, uint64_t now);
/* Log through the stack's ops (may do nothing). */
void net_log(struct net_stack *s, const char *msg);

#endif
