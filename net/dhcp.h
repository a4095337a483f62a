/* SPDX-License-Identifier: MIT */
/* The DHCPv4 client (RFC 2131, options RFC 2132).
 *
 * INIT -> SELECTING (DISCOVER, retransmitted with exponential backoff and
 * jitter, 4 s doubling to 64 s) -> REQUESTING (REQUEST for the first OFFER) ->
 * BOUND (address, mask, router, lease) -> RENEWING at T1 (unicast REQUEST to
 * the server) -> REBINDING at T2 (broadcast) -> back to INIT at expiry; a NAK
 * restarts at INIT. Each change of address is logged and announced (ARP). */
#ifndef UD_NET_DHCP_H
#define UD_NET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dhcp_phase {
	DHCP_OFF = 0,
	DHCP_INIT,
	DHCP_SELECTING,
	DHCP_REQUESTING,
	DHCP_BOUND,
	DHCP_RENEWING,
	DHCP_REBINDING,
};

struct dhcp_stats {
	uint64_t sent, rx, rx_bad, rx_other_xid, offers, acks, naks, leases, expired;
};

struct dhcp_state {
	enum dhcp_phase phase;
	uint32_t xid;
	uint32_t offered, server, mask, router;
	uint32_t lease_s, t1_s, t2_s;
	uint64_t bound_at;   /* when the current lease began */
	uint64_t next;       /* next transmission or phase change */
	uint64_t backoff_ns; /* the current retransmission interval */
	uint32_t secs_start; /* for the secs field */
	uint64_t started;
	struct dhcp_stats stats;
};

struct net_stack;

void dhcp_start(struct net_stack *s, uint64_t now);
uint64_t dhcp_poll(struct net_stack *s, uint64_t now);

#endif
