/* SPDX-License-Identifier: MIT */
/* UDP (RFC 768): a few bound ports with callbacks, and sending.
 *
 * A datagram to a port nobody bound gets ICMP port unreachable (unless it was
 * broadcast). Received payloads are borrowed for the callback's duration. */
#ifndef UD_NET_UDP_H
#define UD_NET_UDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

#define UDP_PORTS 8u

struct ip_meta;

typedef void (*udp_recv_fn)(void *ctx, struct net_stack *s, uint32_t src, uint16_t src_port,
                            const uint8_t *p, size_t len, uint64_t now);

struct udp_stats {
	uint64_t rx, rx_short, rx_bad_len, rx_bad_cksum, rx_no_port, tx, tx_fail;
};

struct udp_state {
	struct {
		uint16_t port;
		udp_recv_fn fn;
		void *ctx;
	} b[UDP_PORTS];
	struct udp_stats stats;
};

/* Bind (port) to (fn); false when taken or full. */
bool udp_bind(struct net_stack *s, uint16_t port, udp_recv_fn fn, void *ctx);
void udp_unbind(struct net_stack *s, uint16_t port);
/* Send (p, len) from our (src_port) to (dst, dst_port); (src) 0 means ours
 * (DHCP sends from 0.0.0.0 by passing src 0 while unconfigured). */
enum net_result udp_send(struct net_stack *s, uint16_t src_port, uint32_t dst, uint16_t dst_port,
                         const void *p, size_t len, uint64_t now);
void udp_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
               uint64_t now);

#endif
