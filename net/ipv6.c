/* SPDX-License-Identifier: MIT */
/* IPv6 input (with extension headers) and output for a host, RFC 8200. */
#include "net/ipv6.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "lib/sha256.h"
#include "net/eth.h"
#include "net/stack.h"
#include "net/udp.h"

#define NH_HOPOPT   0
#define NH_ROUTING  43
#define NH_FRAGMENT 44
#define NH_NONE     59
#define NH_DSTOPTS  60
#define MAX_IOV     48

static const uint8_t all_nodes[16] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static bool is_mcast(const uint8_t a[16])
{
	return a[0] == 0xff;
}

static bool is_ll(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

static bool is_unspec(const uint8_t a[16])
{
	static const uint8_t z[16];

	return memcmp(a, z, 16) == 0;
}

static bool is_loopback(const uint8_t a[16])
{
	static const uint8_t one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	return memcmp(a, one, 16) == 0;
}

static bool same_prefix(const uint8_t a[16], const uint8_t b[16], uint8_t plen)
{
	uint8_t full = plen / 8, rest = plen % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	return !rest || ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* ---- addresses ---- */

/* RFC 7217 5: IID = F(prefix, interface, network, DAD counter, secret): the
 * first 64 bits of SHA-256 over them keyed with the secret. The same secret
 * and MAC give the same address on every boot; another prefix another one. */
void ipv6_stable_iid(const struct net_stack *s, const uint8_t prefix[8], uint8_t dad_counter,
                     uint8_t out[8])
{
	uint8_t msg[8 + 6 + 1], sum[SHA256_LEN];

	memcpy(msg, prefix, 8);
	memcpy(msg + 8, s->cfg.mac, 6);
	msg[14] = dad_counter;
	hmac_sha256(s->ip6.key, sizeof s->ip6.key, msg, sizeof msg, sum);
	memcpy(out, sum, 8);
}

void ipv6_init(struct net_stack *s, uint64_t now)
{
	static const uint8_t ll_prefix[8] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0};
	static const uint8_t zero[16];

	if (!s->cfg.ipv6)
		return;
	if (memcmp(s->cfg.secret6, zero, 16) != 0)
		memcpy(s->ip6.key, s->cfg.secret6, 16);
	else
		s->ops.random(s->ops.ctx, s->ip6.key, sizeof s->ip6.key);
	memcpy(s->ip6.ll.a, ll_prefix, 8);
	ipv6_stable_iid(s, ll_prefix, 0, s->ip6.ll.a + 8);
	s->ip6.ll.plen = 64;
	s->ip6.ll.used = true;
	nd6_dad_start(s, &s->ip6.ll, now);
	if (s->cfg.prefix6 && s->cfg.prefix6 <= 128) {
		memcpy(s->ip6.global.a, s->cfg.addr6, 16);
		s->ip6.global.plen = s->cfg.prefix6;
		s->ip6.global.used = true;
		nd6_dad_start(s, &s->ip6.global, now);
	}
	if (!s->ip6.global.used && s->cfg.slaac) {
		s->ip6.rs_left = ND6_RS_COUNT; /* once the link-local address is ours */
		s->ip6.rs_deadline = now + ND6_RETRANS_NS + 1;
	}
	if (memcmp(s->cfg.gw6, zero, 16) != 0) {
		memcpy(s->ip6.gw, s->cfg.gw6, 16);
		s->ip6.has_gw = true;
	}
}

static bool addr_is(const struct ip6_addr *x, const uint8_t a[16], bool tentative_ok)
{
	return x->used && (tentative_ok || !x->tentative) && memcmp(x->a, a, 16) == 0;
}

bool ipv6_is_ours(const struct net_stack *s, const uint8_t a[16])
{
	return addr_is(&s->ip6.ll, a, false) || addr_is(&s->ip6.global, a, false);
}

bool ipv6_ours_any(const struct net_stack *s, const uint8_t a[16])
{
	return addr_is(&s->ip6.ll, a, true) || addr_is(&s->ip6.global, a, true);
}

/* Multicast groups we are in: all-nodes and our solicited-node groups. */
static bool in_group(const struct net_stack *s, const uint8_t g[16])
{
	uint8_t sn[16];

	if (memcmp(g, all_nodes, 16) == 0)
		return true;
	if (s->ip6.ll.used) {
		nd6_solicited(s->ip6.ll.a, sn);
		if (memcmp(g, sn, 16) == 0)
			return true;
	}
	if (s->ip6.global.used) {
		nd6_solicited(s->ip6.global.a, sn);
		if (memcmp(g, sn, 16) == 0)
			return true;
	}
	return false;
}

bool ipv6_source(const struct net_stack *s, const uint8_t dst[16], uint8_t src[16])
{
	const struct ip6_addr *a = &s->ip6.global;

	if (is_ll(dst) || is_mcast(dst) || !a->used || a->tentative)
		a = &s->ip6.ll;
	if (!a->used || a->tentative)
		return false;
	memcpy(src, a->a, 16);
	return true;
}

size_t net_address6(const struct net_stack *s, uint8_t (*addrs)[16], size_t cap)
{
	size_t n = 0;

	if (n < cap && s->ip6.ll.used && !s->ip6.ll.tentative)
		memcpy(addrs[n++], s->ip6.ll.a, 16);
	if (n < cap && s->ip6.global.used && !s->ip6.global.tentative)
		memcpy(addrs[n++], s->ip6.global.a, 16);
	return n;
}

/* ---- input ---- */

/* Options of a hop-by-hop or destination options header (RFC 8200 4.2):
 * false when one says discard; *pointer then names it, *icmp whether the
 * type asks for a parameter problem. */
static bool options_ok(const uint8_t *o, size_t n, size_t base, uint32_t *pointer, bool *icmp,
                       bool *mcast_ok)
{
	size_t i = 0;

	while (i < n) {
		uint8_t t = o[i], l;
		if (t == 0) { /* Pad1 */
			i++;
			continue;
		}
		if (i + 1 >= n || (l = o[i + 1]) > n - i - 2)
			return *icmp = false, false;
		if (t != 1 && t != 5) { /* PadN and the router alert are understood */
			switch (t >> 6) {
			case 0:
				break;
			case 1:
				*icmp = false;
				*pointer = (uint32_t)(base + i);
				return false;
			default: /* 2: always a problem; 3: unless multicast */
				*icmp = true;
				*mcast_ok = (t >> 6) == 2;
				*pointer = (uint32_t)(base + i);
				return false;
			}
		}
		i += 2u + l;
	}
	return true;
}

static void deliver(struct net_stack *s, struct ip_meta *m, uint8_t nh, size_t nh_off,
                    const uint8_t *eth_src, const uint8_t *p, size_t len, bool frag, uint64_t now)
{
	switch (nh) {
	case IPPROTO_TCP_:
		if (!m->to_broadcast && !is_unspec(m->from.b))
			tcp_input(s, m, p, len, now);
		else
			s->ip6.stats.rx_bad_src++;
		break;
	case IPPROTO_ICMPV6_:
		if (len >= 1 && p[0] >= 133 && p[0] <= 137) {
			if (frag)
				s->ip6.stats.rx_nd_frag++; /* RFC 6980 5 */
			else
				nd6_input(s, m, eth_src, p, len, now);
		} else {
			icmp6_input(s, m, p, len, now);
		}
		break;
	case NH_NONE:
		s->ip6.stats.rx_no_next++;
		break;
	default:
		/* UDP over IPv6 included: no IPv6 UDP service, so like any
		 * protocol we do not speak (RFC 4443 3.1 would say port
		 * unreachable; a parameter problem is what RFC 8200 4 asks for an
		 * unknown next header, and UDP gets the port one). */
		s->ip6.stats.rx_unknown_next++;
		if (nh == IPPROTO_UDP_)
			icmp6_error(s, m, 1, 4, 0, false, now);
		else
			icmp6_error(s, m, 4, 1, (uint32_t)nh_off, false, now);
		break;
	}
}

void ipv6_input(struct net_stack *s, const uint8_t eth_src[6], const uint8_t *p, size_t len,
                bool link_mcast, uint64_t now)
{
	struct ipv6_stats *st = &s->ip6.stats;
	struct ip_meta m;
	uint16_t plen;
	const uint8_t *src = p + 8, *dst = p + 24;

	st->rx++;
	if (!s->cfg.ipv6) {
		st->rx_not_for_us++;
		return;
	}
	if (len < 40) {
		st->rx_short++;
		return;
	}
	if (p[0] >> 4 != 6) {
		st->rx_bad_version++;
		return;
	}
	plen = get_u16be(p + 4);
	if ((size_t)plen + 40 > len) { /* jumbograms (RFC 2675) are not for Ethernet */
		st->rx_bad_len++;
		return;
	}
	len = 40u + plen; /* Ethernet padding beyond the payload is junk */
	if (is_mcast(src) || is_loopback(src) || ipv6_is_ours(s, src)) {
		st->rx_bad_src++;
		return;
	}
	if (is_mcast(dst) ? !in_group(s, dst) : !ipv6_ours_any(s, dst)) {
		st->rx_not_for_us++;
		return;
	}
	memset(&m, 0, sizeof m);
	m.v6 = true;
	memcpy(m.from.b, src, 16);
	memcpy(m.to.b, dst, 16);
	m.ttl = p[7];
	m.tos = (uint8_t)((p[0] << 4) | (p[1] >> 4));
	m.to_broadcast = is_mcast(dst) || link_mcast;
	m.ip_hdr = p;
	m.ip_hdr_len = len;
	ipv6_chain(s, &m, eth_src, p, len, 40, p[6], 6, false, now);
}

void ipv6_chain(struct net_stack *s, struct ip_meta *m, const uint8_t *eth_src, const uint8_t *p,
                size_t len, size_t off, uint8_t nh, size_t nh_off, bool reassembled, uint64_t now)
{
	struct ipv6_stats *st = &s->ip6.stats;
	const uint8_t *dst = p + 24;
	bool frag = reassembled;
	size_t k;

	for (k = 0; k < IP6_EXT_MAX; k++) {
		uint32_t pointer = 0;
		bool icmp = false, mcast_ok = false;
		size_t elen;
		if (nh != NH_HOPOPT && nh != NH_ROUTING && nh != NH_FRAGMENT && nh != NH_DSTOPTS)
			break;
		if (nh == NH_HOPOPT && off != 40) {
			/* RFC 8200 4.1: only right after the header. */
			st->rx_hbh_not_first++;
			icmp6_error(s, m, 4, 1, (uint32_t)nh_off, false, now);
			return;
		}
		if (off + 8 > len) {
			st->rx_bad_ext++;
			return;
		}
		elen = nh == NH_FRAGMENT ? 8 : ((size_t)p[off + 1] + 1) * 8;
		if (elen > len - off) {
			st->rx_bad_ext++;
			return;
		}
		if (nh == NH_HOPOPT || nh == NH_DSTOPTS) {
			if (!options_ok(p + off + 2, elen - 2, off + 2, &pointer, &icmp,
			                &mcast_ok)) {
				st->rx_opt_discard++;
				if (icmp)
					icmp6_error(s, m, 4, 2, pointer, mcast_ok, now);
				return;
			}
		} else if (nh == NH_ROUTING) {
			/* We route by no type: RFC 8200 4.4's unknown type, which
			 * RFC 5095 3 makes type 0 too (never processed): with
			 * segments left, a parameter problem at the type; without,
			 * the header is stepped over. */
			if (p[off + 2] == 0)
				st->rx_rh0++;
			if (p[off + 3]) {
				st->rx_rh_other += p[off + 2] != 0;
				icmp6_error(s, m, 4, 0, (uint32_t)(off + 2), false, now);
				return;
			}
		} else {
			uint16_t fo = get_u16be(p + off + 2);
			if (fo & 0xfff9) {
				/* A real fragment: reassembled (frag6.c), on an
				 * address that is ours, once (not inside a datagram
				 * just made whole). */
				if (reassembled) {
					st->rx_bad_ext++;
					return;
				}
				if (!ipv6_is_ours(s, dst) && !is_mcast(dst)) {
					st->rx_tentative++;
					return;
				}
				frag6_input(s, m, eth_src, p, len, off, nh_off, now);
				return;
			}
			/* RFC 6946 4 / RFC 8021: an atomic fragment is processed
			 * alone, whatever else carries its ID. */
			st->rx_frags++;
			st->rx_atomic_frags++;
			frag = true;
		}
		nh_off = off;
		nh = p[off];
		off += elen;
	}
	if (k == IP6_EXT_MAX) {
		st->rx_bad_ext++;
		return;
	}
	if (!ipv6_is_ours(s, dst) && !is_mcast(dst) &&
	    !(nh == IPPROTO_ICMPV6_ && off < len && p[off] >= 135 && p[off] <= 136)) {
		st->rx_tentative++; /* RFC 4862 5.4: a tentative address takes ND only */
		return;
	}
	deliver(s, m, nh, nh_off, eth_src, p + off, len - off, frag, now);
}

uint64_t ipv6_poll(struct net_stack *s, uint64_t now)
{
	uint64_t a, b;

	if (!s->cfg.ipv6)
		return UINT64_MAX;
	a = nd6_poll(s, now);
	b = frag6_poll(s, now);
	return a < b ? a : b;
}

/* ---- output ---- */

/* The next hop toward (dst), unicast: (dst) on the link, else the router;
 * false without a route. */
static bool next_hop(struct net_stack *s, const uint8_t dst[16], const uint8_t **hop)
{
	bool onlink = is_ll(dst) ||
	              (s->ip6.global.used && same_prefix(dst, s->ip6.global.a, s->ip6.global.plen));

	*hop = dst;
	if (onlink)
		return true;
	if (!s->ip6.has_gw)
		return false;
	*hop = s->ip6.gw;
	return true;
}

/* Send one packet: header (40 bytes after Ethernet in hdr) and payload. */
static enum net_result emit(struct net_stack *s, const uint8_t dst[16], uint8_t *hdr,
                            const struct plat_iov *iov, size_t n, uint64_t now)
{
	struct plat_iov all[MAX_IOV + 1];
	const uint8_t *hop = dst;
	uint8_t mac[6];
	size_t i;

	if (n > MAX_IOV)
		return NET_EINVAL;
	all[0].p = hdr;
	all[0].len = ETH_HLEN + 40;
	all[0].stable = 0;
	for (i = 0; i < n; i++)
		all[i + 1] = iov[i];
	if (is_mcast(dst)) {
		nd6_mcast_mac(dst, mac);
	} else {
		if (!next_hop(s, dst, &hop)) {
			s->ip6.stats.tx_no_route++;
			return NET_EUNREACH;
		}
		if (!nd6_resolve(s, hop, mac, now)) {
			eth_write(hdr, mac, s->cfg.mac, ETH_P_IPV6);
			if (!nd6_enqueue(s, hop, all, n + 1))
				return NET_EUNREACH;
			s->ip6.stats.tx_queued_nd++;
			return NET_OK;
		}
	}
	eth_write(hdr, mac, s->cfg.mac, ETH_P_IPV6);
	s->ip6.stats.tx++;
	if (!net_send_frame(s, all, n + 1)) {
		s->ip6.stats.tx_dropped++;
		return NET_EAGAIN;
	}
	return NET_OK;
}

static void write_header(uint8_t *h, const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
                         uint8_t hop_limit, size_t payload)
{
	memset(h, 0, 40);
	h[0] = 0x60;
	put_u16be(h + 4, (uint16_t)payload);
	h[6] = nh;
	h[7] = hop_limit;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

/* The bytes [off, off + len) of the gather list (iov, n) as a gather list in
 * (out) (cap entries); their number, 0 when it does not fit. */
static size_t slice(const struct plat_iov *iov, size_t n, size_t off, size_t len,
                    struct plat_iov *out, size_t cap)
{
	size_t i, k = 0;

	for (i = 0; i < n && len; i++) {
		size_t take;
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		if (k == cap)
			return 0;
		take = iov[i].len - off < len ? iov[i].len - off : len;
		out[k].p = (const uint8_t *)iov[i].p + off;
		out[k].len = take;
		out[k].stable = iov[i].stable;
		k++;
		len -= take;
		off = 0;
	}
	return len ? 0 : k;
}

/* A datagram larger than the link's MTU (an echo reply to a large request;
 * never TCP, whose segments fit the path MTU): fragments (RFC 8200 4.5) of
 * the largest multiple of 8 that fits, each with a fragment header whose ID
 * is random (RFC 7739: no one learns our traffic from it). Only the IPv6
 * header is unfragmentable: we send no extension headers with data. */
static enum net_result fragment(struct net_stack *s, const uint8_t src[16], const uint8_t dst[16],
                                uint8_t proto, uint8_t hop_limit, const struct plat_iov *iov,
                                size_t n, size_t total, uint64_t now)
{
	size_t chunk = ((size_t)ipv4_mtu(s) - 48) & ~(size_t)7, off;
	uint8_t id[4];

	s->ops.random(s->ops.ctx, id, sizeof id);
	for (off = 0; off < total; off += chunk) {
		uint8_t hdr[ETH_HLEN + 40], fh[8];
		struct plat_iov part[MAX_IOV];
		size_t len = total - off < chunk ? total - off : chunk, k;
		enum net_result r;
		part[0].p = fh;
		part[0].len = 8;
		part[0].stable = 0;
		k = slice(iov, n, off, len, part + 1, MAX_IOV - 1);
		if (!k)
			return NET_EINVAL;
		fh[0] = proto;
		fh[1] = 0;
		put_u16be(fh + 2, (uint16_t)(off | (off + len < total ? 1u : 0u)));
		memcpy(fh + 4, id, 4);
		write_header(hdr + ETH_HLEN, src, dst, NH_FRAGMENT, hop_limit, 8 + len);
		s->ip6.stats.tx_frags++;
		r = emit(s, dst, hdr, part, k + 1, now);
		if (r != NET_OK)
			return r;
	}
	return NET_OK;
}

/* Output with an explicit source and hop limit (ND uses the unspecified
 * source and 255). */
enum net_result ipv6_output_from(struct net_stack *s, const uint8_t src[16], const uint8_t dst[16],
                                 uint8_t proto, uint8_t hop_limit, const struct plat_iov *iov,
                                 size_t n, uint64_t now)
{
	uint8_t hdr[ETH_HLEN + 40];
	size_t total = 0, i;

	for (i = 0; i < n; i++)
		total += iov[i].len;
	if (total > IP6_REASM_MAX || (total + 40 > ipv4_mtu(s) && proto == IPPROTO_TCP_)) {
		s->ip6.stats.tx_too_big++;
		return NET_EINVAL; /* TCP's MSS fits; ICMP's quotes are cut to 1280 */
	}
	if (total + 40 > ipv4_mtu(s))
		return fragment(s, src, dst, proto, hop_limit, iov, n, total, now);
	write_header(hdr + ETH_HLEN, src, dst, proto, hop_limit, total);
	return emit(s, dst, hdr, iov, n, now);
}

enum net_result ipv6_output(struct net_stack *s, const uint8_t dst[16], uint8_t proto,
                            const struct plat_iov *iov, size_t n, uint64_t now)
{
	uint8_t src[16];

	if (!ipv6_source(s, dst, src)) {
		s->ip6.stats.tx_no_route++;
		return NET_EUNREACH;
	}
	return ipv6_output_from(s, src, dst, proto, IP6_HOP_LIMIT, iov, n, now);
}

/* ---- the network layer for either family (l4.h) ---- */

enum net_result l3_output(struct net_stack *s, const struct net_ip *src, const struct net_ip *dst,
                          uint8_t proto, const struct plat_iov *iov, size_t n, uint64_t now)
{
	if (net_ip_is4(dst))
		return ipv4_output(s, net_ip_get4(dst), proto, iov, n, now);
	/* The address the peer used, not the one we would choose toward it: a
	 * client with only a link-local address reaching our global one (or a
	 * global one our link-local) gets its answers from where it asked, so
	 * the pseudo-header summed with (src) holds. */
	if (!ipv6_is_ours(s, src->b)) {
		s->ip6.stats.tx_no_route++;
		return NET_EUNREACH;
	}
	return ipv6_output_from(s, src->b, dst->b, proto, IP6_HOP_LIMIT, iov, n, now);
}

/* A large TCP segment for the device to cut (segmentation offload, as
 * ipv4_output_gso): one IPv6 header whose payload length is the whole
 * segment's; the device (or net_gso_cut) gives each frame its own. Only when
 * the next hop is resolved: else the caller sends MSS-sized segments, the
 * first of which starts the resolution. */
static enum net_result output_gso6(struct net_stack *s, const uint8_t src[16],
                                   const uint8_t dst[16], const struct plat_iov *iov, size_t n,
                                   struct net_gso *g, uint64_t now)
{
	uint8_t hdr[ETH_HLEN + 40], mac[6];
	struct plat_iov all[MAX_IOV + 1];
	const uint8_t *hop;
	size_t total = 0, i;

	for (i = 0; i < n; i++)
		total += iov[i].len;
	if (n > MAX_IOV || !s->cfg.tso_max || !s->ops.send_gso || total + 40 > s->cfg.tso_max ||
	    total > 0xffff || !g->mss || total <= g->hdr_len || is_mcast(dst) ||
	    !ipv6_is_ours(s, src))
		return NET_EINVAL;
	if (!next_hop(s, dst, &hop) || !nd6_resolve(s, hop, mac, now))
		return NET_EUNREACH;
	write_header(hdr + ETH_HLEN, src, dst, IPPROTO_TCP_, IP6_HOP_LIMIT, total);
	eth_write(hdr, mac, s->cfg.mac, ETH_P_IPV6);
	all[0].p = hdr;
	all[0].len = sizeof hdr;
	all[0].stable = 0;
	for (i = 0; i < n; i++)
		all[i + 1] = iov[i];
	g->hdr_len = (uint16_t)(g->hdr_len + sizeof hdr);
	g->csum_start = (uint16_t)(g->csum_start + sizeof hdr);
	s->ip6.stats.tx++;
	s->ip6.stats.tx_gso++;
	if (!net_send_gso(s, all, n + 1, g)) {
		s->ip6.stats.tx_dropped++;
		return NET_EAGAIN;
	}
	return NET_OK;
}

enum net_result l3_output_gso(struct net_stack *s, const struct net_ip *src,
                              const struct net_ip *dst, const struct plat_iov *iov, size_t n,
                              struct net_gso *g, uint64_t now)
{
	if (net_ip_is4(dst))
		return ipv4_output_gso(s, net_ip_get4(dst), iov, n, g, now);
	return output_gso6(s, src->b, dst->b, iov, n, g, now);
}

bool l3_gso_ready(struct net_stack *s, const struct net_ip *dst, uint64_t now)
{
	const uint8_t *hop;
	uint8_t mac[6];

	if (net_ip_is4(dst))
		return ipv4_gso_ready(s, net_ip_get4(dst), now);
	if (!s->cfg.tso_max || !s->ops.send_gso || is_mcast(dst->b) || !next_hop(s, dst->b, &hop))
		return false;
	return nd6_resolve(s, hop, mac, now);
}

void l3_pseudo(struct cksum *c, const struct net_ip *src, const struct net_ip *dst, uint8_t proto,
               uint32_t len)
{
	if (net_ip_is4(dst))
		cksum_pseudo(c, net_ip_get4(src), net_ip_get4(dst), proto, (uint16_t)len);
	else
		cksum_pseudo6(c, src->b, dst->b, proto, len);
}

uint16_t l3_mtu(const struct net_stack *s, const struct net_ip *dst)
{
	uint16_t m = ipv4_mtu(s);

	return !net_ip_is4(dst) && m < IP6_MIN_MTU ? IP6_MIN_MTU : m;
}

uint16_t l3_hdr_len(const struct net_ip *dst)
{
	return net_ip_is4(dst) ? 20 : 40;
}

bool l3_is_local(const struct net_stack *s, const struct ip_meta *ip)
{
	return ip->v6 ? ipv6_is_ours(s, ip->to.b) : ip->dst == s->addr;
}

bool l3_source(const struct net_stack *s, const struct net_ip *dst, struct net_ip *src)
{
	if (net_ip_is4(dst)) {
		if (!s->addr)
			return false;
		*src = net_ip4(s->addr);
		return true;
	}
	return s->cfg.ipv6 && ipv6_source(s, dst->b, src->b);
}
