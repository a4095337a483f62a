/* SPDX-License-Identifier: MIT */
/* ARP (RFC 826) for IPv4 over Ethernet: a bounded cache, requests with retries,
 * a bounded queue of packets waiting for an answer, gratuitous announcements.
 *
 * The cache only learns what we asked for: a reply (or request) from an address
 * we did not ask about is counted and ignored, so a stranger cannot plant or
 * overwrite entries (RFC 826's merge rule, limited to entries being resolved; a
 * request for our own address may create a missing one, since we are about to
 * answer it and talk to that host). A resolved entry is never overwritten, and
 * a different MAC claimed for it is counted as a conflict; the sender's MAC
 * must be the frame's source. Entries live ARP_REACHABLE_NS,
 * then are asked for again on next use. Unanswered requests are retried
 * ARP_RETRIES times ARP_RETRY_NS apart; then the entry fails for
 * ARP_FAILED_NS and its queued packets are dropped and counted. */
#ifndef UD_NET_ARP_H
#define UD_NET_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h"

#define ARP_ENTRIES      64u
#define ARP_QUEUE        32u   /* packets waiting for resolution, in all */
#define ARP_QUEUE_PER_IP 4u    /* of which for one address */
#define ARP_FRAME_MAX    1514u /* a queued frame, Ethernet header included */
#define ARP_REACHABLE_NS (60ull * 1000000000ull)
#define ARP_RETRY_NS     (1ull * 1000000000ull)
#define ARP_RETRIES      3u
#define ARP_FAILED_NS    (5ull * 1000000000ull)

struct net_stack;

enum arp_entry_state { ARP_FREE = 0, ARP_PENDING, ARP_RESOLVED, ARP_FAILED };

struct arp_entry {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t state, tries;
	uint64_t deadline; /* expiry, next retry, or end of failure */
};

struct arp_queued {
	uint32_t ip; /* 0: free */
	uint16_t len;
	uint8_t frame[ARP_FRAME_MAX];
};

struct arp_stats {
	uint64_t rx, rx_bad, rx_not_for_us, rx_unsolicited, requests_sent, replies_sent;
	uint64_t resolved, failed, queued, queue_drops, cache_full, gratuitous_sent;
	uint64_t rx_conflict; /* a different MAC claimed for a resolved address: ignored */
};

struct arp_state {
	struct arp_entry e[ARP_ENTRIES];
	struct arp_queued q[ARP_QUEUE];
	struct arp_stats stats;
};

/* (eth_src) is the frame's source address, which must be the sender's. */
void arp_input(struct net_stack *s, const uint8_t eth_src[6], const uint8_t *p, size_t len,
               uint64_t now);
/* The MAC for next hop (ip): true when known; else a request is (or was) sent. */
bool arp_resolve(struct net_stack *s, uint32_t ip, uint8_t mac[6], uint64_t now);
/* Keep a copy of the frame gathered from (iov, n) (Ethernet header first, its
 * destination filled in on resolution) until (ip) resolves. False: dropped. */
bool arp_enqueue(struct net_stack *s, uint32_t ip, const struct plat_iov *iov, size_t n,
                 uint64_t now);
/* Announce our address (gratuitous ARP request, RFC 5227 2.3). */
void arp_announce(struct net_stack *s);
uint64_t arp_poll(struct net_stack *s, uint64_t now);

#endif
