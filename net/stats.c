/* SPDX-License-Identifier: MIT */
/* net_stats_dump: every counter of every layer, by name; net_stats_brief: the
 * network layer's drops and caps, a line a layer, for a console. */
#include "lib/mem.h"
#include "net/stack.h"

struct counter {
	const char *name;
	size_t off;
	bool brief; /* on net_stats_brief's line too */
};

#define C(type, field)                                                                             \
	{                                                                                          \
#field, offsetof(struct type, field), false                                        \
	}
/* A counter net_stats_brief shows as well: what an operator asks when
 * packets vanish at the network layer (reassembly, neighbour resolution and
 * its cache, the ICMP error buckets). */
#define B(type, field)                                                                             \
	{                                                                                          \
#field, offsetof(struct type, field), true                                         \
	}

static const struct counter eth[] = {
        C(eth_stats, rx),      C(eth_stats, rx_short),       C(eth_stats, rx_not_for_us),
        C(eth_stats, rx_vlan), C(eth_stats, rx_other_type),  C(eth_stats, rx_too_long),
        C(eth_stats, tx),      C(eth_stats, tx_device_full),
};

static const struct counter arp[] = {
        B(arp_stats, rx),
        C(arp_stats, rx_bad),
        C(arp_stats, rx_not_for_us),
        C(arp_stats, rx_unsolicited),
        B(arp_stats, requests_sent),
        B(arp_stats, replies_sent),
        B(arp_stats, resolved),
        B(arp_stats, failed),
        C(arp_stats, rx_conflict),
        C(arp_stats, queued),
        B(arp_stats, queue_drops),
        B(arp_stats, cache_full),
        C(arp_stats, gratuitous_sent),
};

static const struct counter ip[] = {
        B(ipv4_stats, rx),
        C(ipv4_stats, rx_short),
        C(ipv4_stats, rx_bad_version),
        C(ipv4_stats, rx_bad_hlen),
        C(ipv4_stats, rx_bad_len),
        B(ipv4_stats, rx_bad_cksum),
        C(ipv4_stats, rx_bad_options),
        C(ipv4_stats, rx_martian),
        C(ipv4_stats, rx_not_for_us),
        C(ipv4_stats, rx_unknown_proto),
        B(ipv4_stats, rx_frags),
        B(ipv4_stats, reasm_ok),
        B(ipv4_stats, reasm_timeout),
        B(ipv4_stats, reasm_overlap),
        B(ipv4_stats, reasm_too_big),
        B(ipv4_stats, reasm_evicted),
        B(ipv4_stats, tx),
        C(ipv4_stats, tx_no_route),
        C(ipv4_stats, tx_frags),
        C(ipv4_stats, tx_too_big),
        C(ipv4_stats, tx_queued_arp),
        B(ipv4_stats, tx_dropped),
        C(ipv4_stats, icmp_rx),
        C(ipv4_stats, icmp_bad),
        B(ipv4_stats, icmp_echo),
        C(ipv4_stats, icmp_unreach_sent),
        B(ipv4_stats, icmp_rate_limited),
};

static const struct counter udp[] = {
        C(udp_stats, rx),           C(udp_stats, rx_short),   C(udp_stats, rx_bad_len),
        C(udp_stats, rx_bad_cksum), C(udp_stats, rx_no_port), C(udp_stats, tx),
        C(udp_stats, tx_fail),
};

static const struct counter dhcp[] = {
        C(dhcp_stats, sent),         C(dhcp_stats, rx),      C(dhcp_stats, rx_bad),
        C(dhcp_stats, rx_other_xid), C(dhcp_stats, offers),  C(dhcp_stats, acks),
        C(dhcp_stats, naks),         C(dhcp_stats, leases),  C(dhcp_stats, expired),
        C(dhcp_stats, routes_bad),   C(dhcp_stats, mtu_bad), C(dhcp_stats, rounds),
};

static const struct counter tcp[] = {
        C(tcp_stats, rx),
        C(tcp_stats, rx_short),
        C(tcp_stats, rx_bad_cksum),
        C(tcp_stats, rx_bad_offset),
        C(tcp_stats, rx_bad_options),
        C(tcp_stats, rx_no_flow),
        C(tcp_stats, rx_out_of_window),
        C(tcp_stats, rx_paws),
        C(tcp_stats, rx_ooo),
        C(tcp_stats, rx_ooo_dropped),
        C(tcp_stats, rx_dup),
        C(tcp_stats, rx_after_close),
        C(tcp_stats, rst_sent),
        C(tcp_stats, rst_rcvd),
        C(tcp_stats, rst_ignored),
        C(tcp_stats, challenge_acks),
        C(tcp_stats, challenge_limited),
        C(tcp_stats, challenge_flow_limited),
        C(tcp_stats, pmtu_updates),
        C(tcp_stats, pmtu_ignored),
        C(tcp_stats, syn_rcvd),
        C(tcp_stats, syn_dropped),
        C(tcp_stats, backlog_full),
        C(tcp_stats, cookies_sent),
        C(tcp_stats, cookies_ok),
        C(tcp_stats, cookies_bad),
        C(tcp_stats, accepted),
        C(tcp_stats, connects),
        C(tcp_stats, conn_failed),
        C(tcp_stats, flows_full),
        C(tcp_stats, timewait_recycled),
        C(tcp_stats, tx_segs),
        C(tcp_stats, tso_sends),
        C(tcp_stats, tx_fail),
        C(tcp_stats, tx_cut),
        C(tcp_stats, rexmits),
        C(tcp_stats, rexmit_timeouts),
        C(tcp_stats, fast_rexmits),
        C(tcp_stats, sack_rexmits),
        C(tcp_stats, persist_probes),
        C(tcp_stats, keepalive_probes),
        C(tcp_stats, keepalive_dead),
        C(tcp_stats, persist_dead),
        C(tcp_stats, delayed_acks),
        C(tcp_stats, bytes_ref),
        C(tcp_stats, bytes_copied),
        C(tcp_stats, bytes_rcvd),
        C(tcp_stats, shared_refs),
        C(tcp_stats, bytes_shared),
        C(tcp_stats, flows_cap),
        C(tcp_stats, flows_open),
        C(tcp_stats, flows_peak),
        C(tcp_stats, rx_rings_cap),
        C(tcp_stats, rx_rings_used),
        C(tcp_stats, rx_rings_peak),
        C(tcp_stats, rx_rings_lent),
        C(tcp_stats, rx_rings_full),
        C(tcp_stats, rx_rings_evicted),
        C(tcp_stats, copy_rings_cap),
        C(tcp_stats, copy_rings_used),
        C(tcp_stats, copy_rings_peak),
        C(tcp_stats, copy_rings_lent),
        C(tcp_stats, copy_rings_full),
        C(tcp_stats, copy_rings_evicted),
        C(tcp_stats, copy_waits),
};

static const struct counter ip6[] = {
        B(ipv6_stats, rx),
        C(ipv6_stats, rx_short),
        C(ipv6_stats, rx_bad_version),
        C(ipv6_stats, rx_bad_len),
        C(ipv6_stats, rx_not_for_us),
        C(ipv6_stats, rx_bad_src),
        C(ipv6_stats, rx_hbh_not_first),
        C(ipv6_stats, rx_bad_ext),
        B(ipv6_stats, rx_rh0),
        C(ipv6_stats, rx_rh_other),
        B(ipv6_stats, rx_frags),
        B(ipv6_stats, rx_atomic_frags),
        B(ipv6_stats, rx_unknown_next),
        C(ipv6_stats, rx_no_next),
        C(ipv6_stats, rx_opt_discard),
        C(ipv6_stats, rx_tentative),
        C(ipv6_stats, rx_nd_frag),
        B(ipv6_stats, reasm_ok),
        B(ipv6_stats, reasm_bad),
        C(ipv6_stats, reasm_chain),
        B(ipv6_stats, reasm_too_big),
        B(ipv6_stats, reasm_overlap),
        C(ipv6_stats, reasm_dup),
        C(ipv6_stats, reasm_dead),
        B(ipv6_stats, reasm_timeout),
        B(ipv6_stats, reasm_evicted),
        B(ipv6_stats, tx),
        C(ipv6_stats, tx_no_route),
        C(ipv6_stats, tx_too_big),
        B(ipv6_stats, tx_queued_nd),
        B(ipv6_stats, tx_dropped),
        C(ipv6_stats, tx_frags),
        C(ipv6_stats, tx_gso),
        C(ipv6_stats, icmp_rx),
        C(ipv6_stats, icmp_bad),
        B(ipv6_stats, icmp_echo),
        B(ipv6_stats, icmp_errors_sent),
        B(ipv6_stats, icmp_rate_limited),
        C(ipv6_stats, icmp_unknown),
        B(ipv6_stats, icmp_too_big),
};

static const struct counter nd6[] = {
        B(nd6_stats, rx_ns),         B(nd6_stats, rx_na),       B(nd6_stats, rx_rs),
        B(nd6_stats, rx_ra),         C(nd6_stats, rx_redirect), B(nd6_stats, rx_bad_hop),
        B(nd6_stats, rx_bad),        B(nd6_stats, ns_sent),     B(nd6_stats, na_sent),
        B(nd6_stats, resolved),      B(nd6_stats, failed),      C(nd6_stats, queued),
        B(nd6_stats, queue_drops),   B(nd6_stats, cache_full),  B(nd6_stats, incomplete_full),
        B(nd6_stats, recycled),      B(nd6_stats, dad_started), B(nd6_stats, dad_ok),
        B(nd6_stats, dad_conflicts), C(nd6_stats, mld_reports), C(nd6_stats, rs_sent),
        C(nd6_stats, ra_bad),        C(nd6_stats, ra_routers),  C(nd6_stats, ra_prefixes),
        C(nd6_stats, slaac_addrs),   C(nd6_stats, expired),
};

/* (v) in decimal at (dst), which has room for 20 digits; returns the length. */
static size_t put_u64(char *dst, uint64_t v)
{
	char digits[20];
	size_t d = 0, k = 0;

	do {
		digits[d++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (d)
		dst[k++] = digits[--d];
	return k;
}

static uint64_t value(const void *base, const struct counter *c)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)base + c->off, sizeof v);
	return v;
}

static void dump(const char *layer, const void *base, const struct counter *c, size_t n,
                 void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[96];
	size_t i, k;

	for (i = 0; i < n; i++) {
		k = strlen(layer);
		memcpy(line, layer, k);
		line[k++] = '.';
		memcpy(line + k, c[i].name, strlen(c[i].name));
		k += strlen(c[i].name);
		line[k++] = ' ';
		k += put_u64(line + k, value(base, &c[i]));
		line[k] = 0;
		out(ctx, line);
	}
}

/* The longest brief line: the layer, then per counter ", ", its name (at
 * most 24 characters), a space and 20 digits. */
#define BRIEF_MAX  20u
#define BRIEF_LINE (8u + BRIEF_MAX * (2u + 24u + 1u + 20u) + 1u)

/* "LAYER name v, name v, ..." of the counters marked brief, through (out). */
static void brief(const char *layer, const void *base, const struct counter *c, size_t n,
                  void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[BRIEF_LINE];
	size_t i, k = strlen(layer), shown = 0;

	memcpy(line, layer, k);
	for (i = 0; i < n && shown < BRIEF_MAX; i++) {
		size_t name = strlen(c[i].name);
		if (!c[i].brief)
			continue;
		if (name > 24)
			name = 24; /* none is so long: the names are the fields' */
		if (shown++)
			line[k++] = ',';
		line[k++] = ' ';
		memcpy(line + k, c[i].name, name);
		k += name;
		line[k++] = ' ';
		k += put_u64(line + k, value(base, &c[i]));
	}
	line[k] = 0;
	out(ctx, line);
}

void net_stats_brief(const struct net_stack *s, void (*out)(void *ctx, const char *line), void *ctx)
{
	brief("ip", &s->ip.stats, ip, sizeof ip / sizeof ip[0], out, ctx);
	brief("arp", &s->arp.stats, arp, sizeof arp / sizeof arp[0], out, ctx);
	if (s->cfg.ipv6) {
		brief("ip6", &s->ip6.stats, ip6, sizeof ip6 / sizeof ip6[0], out, ctx);
		brief("nd6", &s->ip6.nd, nd6, sizeof nd6 / sizeof nd6[0], out, ctx);
	}
}

void net_stats_dump(const struct net_stack *s, void (*out)(void *ctx, const char *line), void *ctx)
{
	dump("eth", &s->eth, eth, sizeof eth / sizeof eth[0], out, ctx);
	dump("arp", &s->arp.stats, arp, sizeof arp / sizeof arp[0], out, ctx);
	dump("ip", &s->ip.stats, ip, sizeof ip / sizeof ip[0], out, ctx);
	if (s->cfg.ipv6) {
		dump("ip6", &s->ip6.stats, ip6, sizeof ip6 / sizeof ip6[0], out, ctx);
		dump("nd6", &s->ip6.nd, nd6, sizeof nd6 / sizeof nd6[0], out, ctx);
	}
	dump("udp", &s->udp.stats, udp, sizeof udp / sizeof udp[0], out, ctx);
	dump("dhcp", &s->dhcp.stats, dhcp, sizeof dhcp / sizeof dhcp[0], out, ctx);
	dump("tcp", &s->tcp.stats, tcp, sizeof tcp / sizeof tcp[0], out, ctx);
}
