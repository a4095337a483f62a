/* SPDX-License-Identifier: MIT */
/* struct net_stack: all of one stack instance's state, for net/'s own files.
 *
 * Everything a stack needs lives here or in memory handed to net_init(); there
 * are no globals, so two stacks share a process (the simulation runs two). The
 * TCP flow table and its buffers follow the struct in the caller's memory
 * (net_stack_size() says how much). */
#ifndef UD_NET_STACK_H
#define UD_NET_STACK_H

#include "net/arp.h"
#include "net/dhcp.h"
#include "net/ipv4.h"
#include "net/ipv6.h"
#include "net/net.h"
#include "net/tcp_impl.h"
#include "net/udp.h"

struct eth_stats {
	uint64_t rx, rx_short, rx_not_for_us, rx_vlan, rx_other_type, rx_too_long;
	uint64_t tx, tx_device_full;
};

struct net_stack {
	struct net_config cfg;
	struct net_ops ops;
	uint32_t addr, netmask, gateway; /* host byte order; addr 0 while unconfigured */
	uint8_t prefix_len;
	struct eth_stats eth;
	struct arp_state arp;
	struct ipv4_state ip;
	struct ipv6_state ip6;
	struct udp_state udp;
	struct dhcp_state dhcp;
	struct tcp_state tcp;
};

/* Send one frame: (iov, n) with the Ethernet header first; counts and pads. */
bool net_send_frame(struct net_stack *s, const struct plat_iov *iov, size_t n);
/* Send one large TCP frame for the device to cut (ops.send_gso). */
bool net_send_gso(struct net_stack *s, const struct plat_iov *iov, size_t n,
                  const struct net_gso *g);
/* A new address (DHCP): set it, announce it, log it. */
void net_set_address(struct net_stack *s, uint32_t addr, uint8_t prefix_len, uint32_t gateway);

#endif
