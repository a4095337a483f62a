/* SPDX-License-Identifier: MIT */
/* IPv6 for a host (RFC 8200) beside IPv4, sharing TCP: input validation and
 * extension headers, output with neighbour discovery, ICMPv6 (RFC 4443), and
 * the addresses (RFC 4291): a link-local one, and a global one, static or by
 * SLAAC (RFC 4862) from a router's advertised /64 with a stable privacy
 * identifier (RFC 7217), the advertising router as default, lifetimes
 * honoured (the prefix's valid lifetime with the two-hour rule, the router's).
 *
 * Files: ipv6.c (input, extension headers, output, addresses), icmp6.c
 * (echo, errors, rate limit), nd6.c (RFC 4861 neighbour discovery: the
 * neighbour cache, NS/NA, duplicate address detection (RFC 4862 5.4), MLDv2
 * reports for our solicited-node groups (RFC 3810)).
 *
 * Input: hop-by-hop options are skipped (only first, RFC 8200 4.1), as are
 * destination options whose type says skip (RFC 8200 4.2; the others discard,
 * with a parameter problem where the type asks). A routing header of any type
 * we do not route by (type 0 included: RFC 5095 3 says to treat it as an
 * unknown type, never to process it) is stepped over when no segments are
 * left and otherwise dropped with a parameter problem (code 0, pointing at
 * the type; RFC 8200 4.4). An atomic fragment (offset 0, no more fragments)
 * is processed alone, never mixed with other fragments of its ID (RFC 6946,
 * RFC 8021). An unknown next header gets a parameter problem (code 1). All
 * ICMPv6 errors share one token bucket (RFC 4443 2.4 (f)):
 * ICMP6_ERRORS_BURST at once, then ICMP6_ERRORS_PER_S. A Packet Too Big
 * quoting one of our TCP segments in flight shrinks that flow's MSS to the
 * path MTU, never below 1280 (RFC 8201; tcp_path_mtu). Neighbour discovery
 * in a fragment, atomic or not, is dropped (RFC 6980 5). Every drop has a
 * counter.
 *
 * Reassembly (frag6.c, RFC 8200 4.5): IP6_REASM_SLOTS datagrams of up to
 * IP6_REASM_MAX bytes, IP6_REASM_RANGES fragments each, keyed on source,
 * destination and ID. A datagram with any overlap is dropped whole, and its
 * later fragments too until its timeout (RFC 5722 4); an exact duplicate of a
 * fragment is dropped alone. A first fragment without the whole header chain
 * (through the upper-layer header) is dropped with a parameter problem code 3
 * (RFC 7112 5). A datagram not whole within IP6_REASM_TIMEOUT_NS is dropped,
 * with a time exceeded (code 1) when its first fragment came. With every slot
 * taken, an overlap's tombstone goes first, else the oldest datagram of the
 * /64 holding the most slots, so one network cannot lock the others out.
 *
 * Output: from the address the peer used (l3_output's src), never
 * fragmented for TCP (its MSS fits the path MTU), whose large segments go to
 * a device with segmentation offload as one frame (l3_output_gso: the device,
 * or net_gso_cut, cuts it); an ICMPv6 message larger
 * than the link MTU (an echo reply to a large request, whose data RFC 4443
 * 4.2 wants whole) goes in fragments with a random ID (RFC 7739).
 *
 * Neighbour cache: ND6_ENTRIES entries with RFC 4861 7.3.2's states
 * (INCOMPLETE, REACHABLE, STALE, DELAY, PROBE); one packet waits per
 * INCOMPLETE entry and ND6_QUEUE in all. Resistant to a scan of a /64 (RFC
 * 6583 6.3): INCOMPLETE entries are at most ND6_INCOMPLETE_MAX, so a scan
 * that makes us resolve thousands of addresses never pushes out the entries
 * of neighbours that answer (nd6.incomplete_full counts the refusals). */
#ifndef UD_NET_IPV6_H
#define UD_NET_IPV6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/l4.h"

#define IPPROTO_ICMPV6_ 58
#define IP6_HOP_LIMIT   64u
#define IP6_MIN_MTU     1280u
#define IP6_EXT_MAX     8u /* extension headers walked before giving up */

#define ND6_ENTRIES          64u
#define ND6_INCOMPLETE_MAX   16u
#define ND6_QUEUE            16u
#define ND6_FRAME_MAX        1514u
#define ND6_REACHABLE_NS     (30ull * 1000000000ull)  /* RFC 4861 10: REACHABLE_TIME */
#define ND6_RETRANS_NS       (1ull * 1000000000ull)   /* RETRANS_TIMER */
#define ND6_DELAY_NS         (5ull * 1000000000ull)   /* DELAY_FIRST_PROBE_TIME */
#define ND6_SOLICITS         3u                       /* MAX_MULTICAST_SOLICIT */
#define ND6_STALE_NS         (600ull * 1000000000ull) /* a STALE entry unused this long goes */
#define ICMP6_ERRORS_PER_S   50u /* the token bucket's rate (RFC 4443 2.4 (f)) */
#define ICMP6_ERRORS_BURST   50u /* ...and its size */
#define IP6_REASM_SLOTS      4u
#define IP6_REASM_MAX        32768u /* payload after the fragment header */
#define IP6_REASM_HDR        512u   /* the unfragmentable part and fragment header */
#define IP6_REASM_RANGES     64u
#define IP6_REASM_TIMEOUT_NS (60ull * 1000000000ull) /* RFC 8200 4.5 */
#define ND6_RS_COUNT         3u                      /* MAX_RTR_SOLICITATIONS */
#define ND6_RS_INTERVAL_NS   (4ull * 1000000000ull)  /* RTR_SOLICITATION_INTERVAL */
#define ND6_IDGEN_RETRIES    3u                      /* RFC 7217 6 */

enum nd6_state { ND6_FREE = 0, ND6_INCOMPLETE, ND6_REACHABLE, ND6_STALE, ND6_DELAY, ND6_PROBE };

struct nd6_entry {
	uint8_t ip[16];
	uint8_t mac[6];
	uint8_t state, tries;
	bool router;
	uint64_t deadline; /* next retry, end of REACHABLE or DELAY, or expiry */
	uint64_t used;     /* last use, for recycling the least recent */
};

struct nd6_queued {
	uint8_t ip[16]; /* the next hop it waits for */
	bool used;
	uint16_t len;
	uint8_t frame[ND6_FRAME_MAX];
};

/* One of our addresses. */
struct ip6_addr {
	uint8_t a[16];
	uint8_t plen;
	bool used, tentative; /* tentative: duplicate address detection runs */
	bool slaac;           /* formed from a router's prefix (RFC 4862 5.5.3) */
	uint8_t dad_sent, dad_counter;
	uint64_t dad_deadline;
	uint64_t valid_until; /* 0: forever */
};

/* A datagram being reassembled (frag6.c). buf holds the first fragment's
 * headers, right-aligned before IP6_REASM_HDR, then the data. */
struct ipv6_reasm {
	bool used;
	bool dead; /* overlapped: its fragments are dropped until the deadline */
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t nh;      /* the next header after the first fragment's fragment header */
	uint16_t nh_off; /* where the next header field naming the fragment header is */
	uint16_t hlen;   /* the first fragment's headers, 0 until it came */
	uint16_t first_end;
	uint64_t deadline;
	uint64_t born;  /* arrival order, for eviction */
	uint32_t total; /* payload length, known once the last fragment came; 0 before */
	uint16_t n_ranges;
	struct {
		uint16_t start, end; /* [start, end) of the payload */
	} ranges[IP6_REASM_RANGES];
	uint8_t buf[IP6_REASM_HDR + IP6_REASM_MAX];
};

struct ipv6_stats {
	uint64_t rx, rx_short, rx_bad_version, rx_bad_len, rx_not_for_us, rx_bad_src;
	uint64_t rx_hbh_not_first, rx_bad_ext, rx_rh0, rx_rh_other, rx_frags, rx_atomic_frags;
	uint64_t rx_unknown_next, rx_no_next, rx_opt_discard, rx_tentative, rx_nd_frag;
	uint64_t reasm_ok, reasm_bad, reasm_chain, reasm_too_big, reasm_overlap, reasm_dup;
	uint64_t reasm_dead, reasm_timeout, reasm_evicted;
	uint64_t tx, tx_no_route, tx_too_big, tx_queued_nd, tx_dropped, tx_frags, tx_gso;
	uint64_t icmp_rx, icmp_bad, icmp_echo, icmp_errors_sent, icmp_rate_limited;
	uint64_t icmp_unknown, icmp_too_big;
};

struct nd6_stats {
	uint64_t rx_ns, rx_na, rx_rs, rx_ra, rx_redirect, rx_bad_hop, rx_bad, ns_sent, na_sent;
	uint64_t resolved, failed, queued, queue_drops, cache_full, incomplete_full, recycled;
	uint64_t dad_started, dad_ok, dad_conflicts, mld_reports, rs_sent, ra_bad;
	uint64_t ra_routers, ra_prefixes, slaac_addrs, expired;
};

struct ipv6_state {
	struct ip6_addr ll, global;
	uint8_t gw[16];
	bool has_gw;
	uint64_t gw_until; /* the router's lifetime from its RA; 0: forever (static) */
	uint8_t rs_left;   /* router solicitations still to send (RFC 4861 6.3.7) */
	uint64_t rs_deadline;
	uint8_t key[16];      /* RFC 7217's secret: link-local interface identifier */
	uint64_t icmp_last;   /* the token bucket's last refill, 0 before any */
	uint64_t icmp_credit; /* in ns of the refill: 1e9 / ICMP6_ERRORS_PER_S an error */
	struct ipv6_reasm r[IP6_REASM_SLOTS];
	uint64_t reasm_born;
	struct nd6_entry nc[ND6_ENTRIES];
	struct nd6_queued q[ND6_QUEUE];
	uint64_t mld_deadline;
	uint8_t mld_left; /* unsolicited reports still to send (RFC 3810 7.2.1) */
	struct ipv6_stats stats;
	struct nd6_stats nd;
};

/* Set up from net_config: the link-local address, the static one if any. */
void ipv6_init(struct net_stack *s, uint64_t now);
void ipv6_input(struct net_stack *s, const uint8_t eth_src[6], const uint8_t *p, size_t len,
                bool link_mcast, uint64_t now);
uint64_t ipv6_poll(struct net_stack *s, uint64_t now);
enum net_result ipv6_output(struct net_stack *s, const uint8_t dst[16], uint8_t proto,
                            const struct plat_iov *iov, size_t n, uint64_t now);
enum net_result ipv6_output_from(struct net_stack *s, const uint8_t src[16], const uint8_t dst[16],
                                 uint8_t proto, uint8_t hop_limit, const struct plat_iov *iov,
                                 size_t n, uint64_t now);
/* The header chain from (off) of the packet (p, len), whose next header is
 * (nh), named by the field at (nh_off); (reassembled): p is a datagram made
 * whole by frag6_input. Delivers to the upper layer. */
void ipv6_chain(struct net_stack *s, struct ip_meta *m, const uint8_t *eth_src, const uint8_t *p,
                size_t len, size_t off, uint8_t nh, size_t nh_off, bool reassembled, uint64_t now);
/* frag6.c: a fragment (its fragment header at foff, named by the field at
 * nh_off) of packet (p, len); the datagram goes to ipv6_chain once whole. */
void frag6_input(struct net_stack *s, struct ip_meta *m, const uint8_t *eth_src, const uint8_t *p,
                 size_t len, size_t foff, size_t nh_off, uint64_t now);
uint64_t frag6_poll(struct net_stack *s, uint64_t now);
/* Our source toward (dst): link-local for link-local and multicast
 * destinations, else the global one; false when there is none usable. */
bool ipv6_source(const struct net_stack *s, const uint8_t dst[16], uint8_t src[16]);
/* Whether (a) is one of our addresses (not tentative). */
bool ipv6_is_ours(const struct net_stack *s, const uint8_t a[16]);
bool ipv6_ours_any(const struct net_stack *s, const uint8_t a[16]); /* tentative too */

/* icmp6.c */
void icmp6_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
                 uint64_t now);
/* An ICMPv6 error (type, code, pointer) quoting the packet (pkt, len) that
 * caused it (RFC 4443 2.4), rate-limited; never about an error, a multicast
 * destination (except where RFC 4443 2.4 (e) allows) or an unspecified or
 * multicast source. */
void icmp6_error(struct net_stack *s, const struct ip_meta *ip, uint8_t type, uint8_t code,
                 uint32_t pointer, bool mcast_ok, uint64_t now);
/* Send an ICMPv6 message (its checksum is filled in here). */
enum net_result icmp6_send(struct net_stack *s, const uint8_t src[16], const uint8_t dst[16],
                           uint8_t hop_limit, uint8_t *msg, size_t len, uint64_t now);

/* nd6.c */
void nd6_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t eth_src[6],
               const uint8_t *p, size_t len, uint64_t now);
/* The MAC of next hop (ip): true when usable now (a request may go out). */
bool nd6_resolve(struct net_stack *s, const uint8_t ip[16], uint8_t mac[6], uint64_t now);
bool nd6_enqueue(struct net_stack *s, const uint8_t ip[16], const struct plat_iov *iov, size_t n);
/* A SLAAC address's interface identifier (RFC 7217) for (prefix). */
void ipv6_stable_iid(const struct net_stack *s, const uint8_t prefix[8], uint8_t dad_counter,
                     uint8_t out[8]);
/* Start duplicate address detection for (a) (RFC 4862 5.4). */
void nd6_dad_start(struct net_stack *s, struct ip6_addr *a, uint64_t now);
uint64_t nd6_poll(struct net_stack *s, uint64_t now);
/* A frame's destination MAC for multicast group (g): 33:33 and its last 32 bits. */
void nd6_mcast_mac(const uint8_t g[16], uint8_t mac[6]);
/* The solicited-node group of (a) (RFC 4291 2.7.1). */
void nd6_solicited(const uint8_t a[16], uint8_t g[16]);

#endif
