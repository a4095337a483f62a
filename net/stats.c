/* SPDX-License-Identifier: MIT */
/* net_stats_dump: every counter of every layer, by name. */
#include "lib/mem.h"
#include "net/stack.h"

struct counter {
	const char *name;
	size_t off;
};

#define C(type, field)                                                                             \
	{                                                                                          \
#field, offsetof(struct type, field)                                               \
	}

static const struct counter eth[] = {
        C(eth_stats, rx),      C(eth_stats, rx_short),       C(eth_stats, rx_not_for_us),
        C(eth_stats, rx_vlan), C(eth_stats, rx_other_type),  C(eth_stats, rx_too_long),
        C(eth_stats, tx),      C(eth_stats, tx_device_full),
};

static const struct counter arp[] = {
        C(arp_stats, rx),
        C(arp_stats, rx_bad),
        C(arp_stats, rx_not_for_us),
        C(arp_stats, rx_unsolicited),
        C(arp_stats, requests_sent),
        C(arp_stats, replies_sent),
        C(arp_stats, resolved),
        C(arp_stats, failed),
        C(arp_stats, rx_conflict),
        C(arp_stats, queued),
        C(arp_stats, queue_drops),
        C(arp_stats, cache_full),
        C(arp_stats, gratuitous_sent),
};

static const struct counter ip[] = {
        C(ipv4_stats, rx),
        C(ipv4_stats, rx_short),
        C(ipv4_stats, rx_bad_version),
        C(ipv4_stats, rx_bad_hlen),
        C(ipv4_stats, rx_bad_len),
        C(ipv4_stats, rx_bad_cksum),
        C(ipv4_stats, rx_bad_options),
        C(ipv4_stats, rx_martian),
        C(ipv4_stats, rx_not_for_us),
        C(ipv4_stats, rx_unknown_proto),
        C(ipv4_stats, rx_frags),
        C(ipv4_stats, reasm_ok),
        C(ipv4_stats, reasm_timeout),
        C(ipv4_stats, reasm_overlap),
        C(ipv4_stats, reasm_too_big),
        C(ipv4_stats, reasm_evicted),
        C(ipv4_stats, tx),
        C(ipv4_stats, tx_no_route),
        C(ipv4_stats, tx_frags),
        C(ipv4_stats, tx_too_big),
        C(ipv4_stats, tx_queued_arp),
        C(ipv4_stats, tx_dropped),
        C(ipv4_stats, icmp_rx),
        C(ipv4_stats, icmp_bad),
        C(ipv4_stats, icmp_echo),
        C(ipv4_stats, icmp_unreach_sent),
        C(ipv4_stats, icmp_rate_limited),
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
        C(ipv6_stats, rx),
        C(ipv6_stats, rx_short),
        C(ipv6_stats, rx_bad_version),
        C(ipv6_stats, rx_bad_len),
        C(ipv6_stats, rx_not_for_us),
        C(ipv6_stats, rx_bad_src),
        C(ipv6_stats, rx_hbh_not_first),
        C(ipv6_stats, rx_bad_ext),
        C(ipv6_stats, rx_rh0),
        C(ipv6_stats, rx_rh_other),
        C(ipv6_stats, rx_frags),
        C(ipv6_stats, rx_atomic_frags),
        C(ipv6_stats, rx_unknown_next),
        C(ipv6_stats, rx_no_next),
        C(ipv6_stats, rx_opt_discard),
        C(ipv6_stats, rx_tentative),
        C(ipv6_stats, rx_nd_frag),
        C(ipv6_stats, reasm_ok),
        C(ipv6_stats, reasm_bad),
        C(ipv6_stats, reasm_chain),
        C(ipv6_stats, reasm_too_big),
        C(ipv6_stats, reasm_overlap),
        C(ipv6_stats, reasm_dup),
        C(ipv6_stats, reasm_dead),
        C(ipv6_stats, reasm_timeout),
        C(ipv6_stats, reasm_evicted),
        C(ipv6_stats, tx),
        C(ipv6_stats, tx_no_route),
        C(ipv6_stats, tx_too_big),
        C(ipv6_stats, tx_queued_nd),
        C(ipv6_stats, tx_dropped),
        C(ipv6_stats, tx_frags),
        C(ipv6_stats, tx_gso),
        C(ipv6_stats, icmp_rx),
        C(ipv6_stats, icmp_bad),
        C(ipv6_stats, icmp_echo),
        C(ipv6_stats, icmp_errors_sent),
        C(ipv6_stats, icmp_rate_limited),
        C(ipv6_stats, icmp_unknown),
        C(ipv6_stats, icmp_too_big),
};

static const struct counter nd6[] = {
        C(nd6_stats, rx_ns),         C(nd6_stats, rx_na),       C(nd6_stats, rx_rs),
        C(nd6_stats, rx_ra),         C(nd6_stats, rx_redirect), C(nd6_stats, rx_bad_hop),
        C(nd6_stats, rx_bad),        C(nd6_stats, ns_sent),     C(nd6_stats, na_sent),
        C(nd6_stats, resolved),      C(nd6_stats, failed),      C(nd6_stats, queued),
        C(nd6_stats, queue_drops),   C(nd6_stats, cache_full),  C(nd6_stats, incomplete_full),
        C(nd6_stats, recycled),      C(nd6_stats, dad_started), C(nd6_stats, dad_ok),
        C(nd6_stats, dad_conflicts), C(nd6_stats, mld_reports), C(nd6_stats, rs_sent),
        C(nd6_stats, ra_bad),        C(nd6_stats, ra_routers),  C(nd6_stats, ra_prefixes),
        C(nd6_stats, slaac_addrs),   C(nd6_stats, expired),
};

static void dump(const char *layer, const void *base, const struct counter *c, size_t n,
                 void (*out)(void *ctx, const char *line), void *ctx)
{
	char line[96];
	size_t i, k;

	for (i = 0; i < n; i++) {
		uint64_t v;
		char digits[24];
		int d = 0;
		memcpy(&v, (const uint8_t *)base + c[i].off, sizeof v);
		k = strlen(layer);
		memcpy(line, layer, k);
		line[k++] = '.';
		memcpy(line + k, c[i].name, strlen(c[i].name));
		k += strlen(c[i].name);
		line[k++] = ' ';
		do {
			digits[d++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (d)
			line[k++] = digits[--d];
		line[k] = 0;
		out(ctx, line);
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
