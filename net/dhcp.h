/* SPDX-License-Identifier: MIT */
/* The DHCPv4 client (RFC 2131, options RFC 2132).
 *
 * INIT -> SELECTING (DISCOVER, retransmitted with exponential backoff and
 * jitter, 4 s doubling to 64 s) -> REQUESTING (REQUEST for the first OFFER) ->
 * BOUND (address, mask, router, lease) -> RENEWING at T1 (unicast REQUEST to
 * the server) -> REBINDING at T2 (broadcast) -> back to INIT at expiry; a NAK
 * restarts at INIT. Each change of address is logged and announced (ARP); a
 * server that does not answer is logged too (after 16 s without an offer, then
 * at each new round; a renewal that goes unanswered; an expiry).
 *
 * As clouds configure it: classless static routes (option 121, RFC 3442; when
 * present the router option is ignored, as the RFC says), so that a /32
 * address reaches its gateway through an on-link route as on Compute Engine;
 * up to DHCP_ROUTES_MAX routes, a malformed option ignored whole. The
 * interface MTU (option 26, at least 576 and at most the device's) becomes
 * the stack's MTU, which TCP's MSS follows. Lease times are 32-bit seconds
 * (days are fine; 0xffffffff is infinite: no renewal). */
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
	uint64_t routes_bad, mtu_bad, rounds; /* 121 or 26 ignored; DISCOVER rounds */
};

#define DHCP_ROUTES_MAX 8
#define DHCP_DNS_MAX    3 /* name servers kept from option 6 (net/dns.c asks them) */

struct dhcp_route {
	uint32_t dst, mask, router; /* router 0: on-link */
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
	uint16_t link_mtu; /* the device's MTU, before option 26 */
	uint8_t n_routes;
	struct dhcp_route routes[DHCP_ROUTES_MAX];
	uint8_t n_dns; /* option 6 of the current lease */
	uint32_t dns[DHCP_DNS_MAX];
	struct dhcp_stats stats;
};

struct net_stack;

void dhcp_start(struct net_stack *s, uint64_t now);
uint64_t dhcp_poll(struct net_stack *s, uint64_t now);

/* The next hop for (dst), off the local subnet: the router of the longest
 * classless static route that matches (dst itself for an on-link one), else
 * the default gateway (0: none). */
uint32_t dhcp_next_hop(const struct net_stack *s, uint32_t dst);

#endif
