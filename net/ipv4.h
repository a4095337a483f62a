/* SPDX-License-Identifier: MIT */
/* IPv4 (RFC 791, RFC 1122 3.2.1) for a host: input validation and demultiplexing,
 * output with next-hop resolution, fragment reassembly, and ICMP (RFC 792).
 *
 * Every header field is checked on input; each reason to drop has a counter.
 * Fragments are reassembled in IP_REASM_SLOTS slots of IP_REASM_MAX bytes each
 * (IP_REASM_SLOTS * IP_REASM_MAX bytes in all): a datagram longer than a slot,
 * overlapping fragments (RFC 5722's rule, applied to IPv4 as modern stacks do),
 * or one not complete within IP_REASM_TIMEOUT_NS is dropped whole. With every
 * slot taken, a new datagram takes the oldest slot of the source holding the
 * most (reasm_evicted), so no one host's unfinished datagrams lock the others
 * out. Output sets DF for TCP (which sizes segments to the MTU) and fragments
 * UDP and ICMP datagrams that exceed it. ICMP errors are rate-limited
 * (ICMP_ERRORS_PER_S) and never sent about ICMP errors, broadcasts or
 * non-first fragments (RFC 1122 3.2.2). */
#ifndef UD_NET_IPV4_H
#define UD_NET_IPV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/l4.h"

#define IP_REASM_SLOTS      4u
#define IP_REASM_MAX        32768u
#define IP_REASM_RANGES     32u /* fragments held per datagram */
#define IP_REASM_TIMEOUT_NS (30ull * 1000000000ull)
#define IP4_TTL             64u
#define ICMP_ERRORS_PER_S   50u
#define IP_ID_BUCKETS       256u /* per-destination counters for fragmented datagrams */

struct ipv4_reasm {
	bool used;
	uint32_t src, dst;
	uint16_t id;
	uint8_t proto;
	uint64_t deadline;
	uint64_t born;  /* arrival order, for eviction */
	uint32_t total; /* payload length, known once the last fragment came; 0 before */
	uint16_t n_ranges;
	struct {
		uint16_t start, end; /* [start, end) of payload */
	} ranges[IP_REASM_RANGES];
	uint8_t hdr[60]; /* the first fragment's header, for ICMP quotes */
	uint8_t hdr_len;
	uint8_t data[IP_REASM_MAX];
};

struct ipv4_stats {
	uint64_t rx, rx_short, rx_bad_version, rx_bad_hlen, rx_bad_len, rx_bad_cksum;
	uint64_t rx_bad_options, rx_martian, rx_not_for_us, rx_unknown_proto, rx_frags;
	uint64_t reasm_ok, reasm_timeout, reasm_overlap, reasm_too_big, reasm_evicted;
	uint64_t tx, tx_no_route, tx_frags, tx_too_big, tx_queued_arp, tx_dropped;
	uint64_t icmp_rx, icmp_bad, icmp_echo, icmp_unreach_sent, icmp_rate_limited;
};

struct ipv4_state {
	/* Identifications (RFC 6864, RFC 7739): an atomic datagram (DF, whole)
	 * takes a keyed hash of its destination and a sequence number, so no
	 * one can read our traffic to others from the IDs they get (an idle
	 * scan's zombie); a datagram we fragment takes the next value of one of
	 * IP_ID_BUCKETS counters chosen by a keyed hash of its destination, each
	 * starting at random, so IDs to one peer stay unique for reassembly. */
	uint8_t id_key[16];
	uint64_t id_seq;
	uint16_t id_ctr[IP_ID_BUCKETS];
	uint64_t icmp_window; /* the second the error count belongs to */
	uint32_t icmp_errors;
	struct ipv4_reasm r[IP_REASM_SLOTS];
	uint64_t reasm_born;
	uint8_t frag_buf[IP_REASM_MAX]; /* a datagram being cut into fragments */
	struct ipv4_stats stats;
};

/* Keys and counters from ops.random (net_init). */
void ipv4_init(struct net_stack *s);
void ipv4_input(struct net_stack *s, const uint8_t *p, size_t len, bool link_broadcast,
                uint64_t now);
uint64_t ipv4_poll(struct net_stack *s, uint64_t now);
/* ICMP input (net/icmp.c). */
void icmp_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
                uint64_t now);

#endif
