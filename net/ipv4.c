/* SPDX-License-Identifier: MIT */
/* IPv4 input and output for a host, RFC 791 and RFC 1122 3.2.1. */
#include "net/ipv4.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/eth.h"
#include "net/hash.h"
#include "net/stack.h"

#define IP_DF      0x4000u
#define IP_MF      0x2000u
#define IP_OFFMASK 0x1fffu
#define MAX_IOV    16

/* Addresses no one may send from (RFC 1122 3.2.1.3): this network, loopback,
 * multicast and the reserved class E, limited broadcast. */
static bool martian_source(const struct net_stack *s, uint32_t a)
{
	uint8_t top = (uint8_t)(a >> 24);

	return top == 0 || top == 127 || top >= 224 || (s->addr && a == s->addr) ||
	       (s->netmask && (a | s->netmask) == 0xffffffffu && s->netmask != 0xffffffffu);
}

static bool is_broadcast(const struct net_stack *s, uint32_t a)
{
	return a == 0xffffffffu ||
	       (s->netmask && s->netmask != 0xffffffffu && (a & ~s->netmask) == ~s->netmask &&
	        (a & s->netmask) == (s->addr & s->netmask));
}

/* Hand a whole datagram to its transport. */
static void deliver(struct net_stack *s, const struct ip_meta *m, const uint8_t *p, size_t len,
                    uint64_t now)
{
	switch (m->proto) {
	case IPPROTO_TCP_:
		if (!m->to_broadcast)
			tcp_input(s, m, p, len, now);
		break;
	case IPPROTO_UDP_:
		udp_input(s, m, p, len, now);
		break;
	case IPPROTO_ICMP_:
		icmp_input(s, m, p, len, now);
		break;
	default:
		s->ip.stats.rx_unknown_proto++;
		/* RFC 1122 3.2.2.1: protocol unreachable, for unicast only. */
		if (!m->to_broadcast)
			icmp_send_unreach(s, m, p, len, 2, now);
		break;
	}
}

/* ---- reassembly ---- */

/* With every slot taken, the one to give up: the oldest of the source holding
 * the most slots (ties to the source whose oldest is oldest). Unfinished first
 * fragments from one host cannot then keep everyone else's datagrams out; a
 * newcomer takes the slot and an old incomplete datagram is dropped whole. */
static struct ipv4_reasm *evictee(struct net_stack *s)
{
	struct ipv4_reasm *best = NULL;
	unsigned best_n = 0;
	size_t i, j;

	for (i = 0; i < IP_REASM_SLOTS; i++) {
		struct ipv4_reasm *r = &s->ip.r[i], *oldest = r;
		unsigned n = 0;
		for (j = 0; j < IP_REASM_SLOTS; j++)
			if (s->ip.r[j].src == r->src) {
				n++;
				if (s->ip.r[j].born < oldest->born)
					oldest = &s->ip.r[j];
			}
		if (!best || n > best_n || (n == best_n && oldest->born < best->born)) {
			best = oldest;
			best_n = n;
		}
	}
	return best;
}

static struct ipv4_reasm *slot_for(struct net_stack *s, const struct ip_meta *m, uint16_t id,
                                   uint64_t now)
{
	struct ipv4_reasm *free_slot = NULL;
	size_t i;

	for (i = 0; i < IP_REASM_SLOTS; i++) {
		struct ipv4_reasm *r = &s->ip.r[i];
		if (r->used && r->src == m->src && r->dst == m->dst && r->id == id &&
		    r->proto == m->proto)
			return r;
		if (!r->used && !free_slot)
			free_slot = r;
	}
	if (!free_slot) {
		free_slot = evictee(s);
		s->ip.stats.reasm_evicted++;
	}
	memset(free_slot, 0, offsetof(struct ipv4_reasm, data));
	free_slot->used = true;
	free_slot->src = m->src;
	free_slot->dst = m->dst;
	free_slot->id = id;
	free_slot->proto = m->proto;
	free_slot->deadline = now + IP_REASM_TIMEOUT_NS;
	free_slot->born = ++s->ip.reasm_born;
	return free_slot;
}

static bool complete(const struct ipv4_reasm *r)
{
	uint32_t have = 0;
	size_t i;

	if (!r->total)
		return false;
	for (i = 0; i < r->n_ranges; i++)
		have += (uint32_t)(r->ranges[i].end - r->ranges[i].start);
	return have == r->total; /* ranges never overlap, so this is coverage */
}

/* Take one fragment; deliver the datagram when it is whole. */
static void reassemble(struct net_stack *s, struct ip_meta *m, uint16_t id, uint16_t frag,
                       const uint8_t *p, size_t len, uint64_t now)
{
	uint32_t off = (uint32_t)(frag & IP_OFFMASK) * 8u, end;
	struct ipv4_reasm *r;
	size_t i;

	s->ip.stats.rx_frags++;
	if (__builtin_add_overflow(off, (uint32_t)len, &end) || end > IP_REASM_MAX ||
	    ((frag & IP_MF) && (len == 0 || len % 8))) {
		s->ip.stats.reasm_too_big++;
		return;
	}
	r = slot_for(s, m, id, now);
	if (!r)
		return;
	for (i = 0; i < r->n_ranges; i++)
		if (off < r->ranges[i].end && r->ranges[i].start < end) {
			s->ip.stats.reasm_overlap++; /* RFC 5722's rule: drop it all */
			r->used = false;
			return;
		}
	if (r->n_ranges == IP_REASM_RANGES || (!(frag & IP_MF) && r->total) ||
	    (r->total && end > r->total)) {
		s->ip.stats.reasm_too_big++;
		r->used = false;
		return;
	}
	if (!(frag & IP_MF))
		r->total = end;
	if (off == 0) {
		memcpy(r->hdr, m->ip_hdr, m->ip_hdr_len);
		r->hdr_len = (uint8_t)m->ip_hdr_len;
	}
	memcpy(r->data + off, p, len);
	r->ranges[r->n_ranges].start = (uint16_t)off;
	r->ranges[r->n_ranges].end = (uint16_t)end;
	r->n_ranges++;
	if (!complete(r))
		return;
	s->ip.stats.reasm_ok++;
	r->used = false;
	m->ip_hdr = r->hdr;
	m->ip_hdr_len = r->hdr_len;
	deliver(s, m, r->data, r->total, now);
}

uint64_t ipv4_poll(struct net_stack *s, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < IP_REASM_SLOTS; i++) {
		struct ipv4_reasm *r = &s->ip.r[i];
		if (!r->used)
			continue;
		if (now >= r->deadline) {
			s->ip.stats.reasm_timeout++;
			r->used = false;
		} else if (r->deadline < next) {
			next = r->deadline;
		}
	}
	return next;
}

/* ---- input ---- */

/* Options (RFC 791 3.1) are skipped, but must be well formed. */
static bool options_ok(const uint8_t *o, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (o[i] == 0)
			return true; /* end of list */
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || o[i + 1] > n - i)
			return false;
		i += o[i + 1];
	}
	return true;
}

void ipv4_input(struct net_stack *s, const uint8_t *p, size_t len, bool link_broadcast,
                uint64_t now)
{
	struct ipv4_stats *st = &s->ip.stats;
	struct cur c = cur_make(p, len);
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, sum;
	uint32_t src, dst;
	struct ip_meta m;
	struct cksum ck;
	size_t hlen;

	st->rx++;
	if (!cur_u8(&c, &vihl) || !cur_u8(&c, &tos) || !cur_u16be(&c, &total) ||
	    !cur_u16be(&c, &id) || !cur_u16be(&c, &frag) || !cur_u8(&c, &ttl) ||
	    !cur_u8(&c, &proto) || !cur_u16be(&c, &sum) || !cur_u32be(&c, &src) ||
	    !cur_u32be(&c, &dst)) {
		st->rx_short++;
		return;
	}
	hlen = (size_t)(vihl & 15) * 4;
	if (vihl >> 4 != 4) {
		st->rx_bad_version++;
		return;
	}
	if (hlen < 20 || hlen > len) {
		st->rx_bad_hlen++;
		return;
	}
	/* Ethernet pads short frames: the datagram is total bytes, the rest junk. */
	if (total < hlen || total > len) {
		st->rx_bad_len++;
		return;
	}
	cksum_init(&ck);
	cksum_add(&ck, p, hlen);
	if (cksum_finish(&ck) != 0) {
		st->rx_bad_cksum++;
		return;
	}
	if (!options_ok(p + 20, hlen - 20)) {
		st->rx_bad_options++;
		return;
	}
	if (martian_source(s, src)) {
		st->rx_martian++;
		return;
	}
	m.src = src;
	m.dst = dst;
	m.from = net_ip4(src);
	m.to = net_ip4(dst);
	m.v6 = false;
	m.proto = proto;
	m.ttl = ttl;
	m.tos = tos;
	m.to_broadcast = link_broadcast || is_broadcast(s, dst) || (dst >> 28) == 14;
	m.ip_hdr = p;
	m.ip_hdr_len = hlen;
	/* A host takes what is addressed to it, or broadcast; while it has no
	 * address yet, DHCP's replies come to the offered one (RFC 2131 4.1). */
	if (dst != s->addr && !m.to_broadcast && s->addr) {
		st->rx_not_for_us++;
		return;
	}
	if (frag & (IP_MF | IP_OFFMASK)) {
		reassemble(s, &m, id, frag, p + hlen, total - hlen, now);
		return;
	}
	deliver(s, &m, p + hlen, total - hlen, now);
}

/* ---- output ---- */

void ipv4_init(struct net_stack *s)
{
	s->ops.random(s->ops.ctx, s->ip.id_key, sizeof s->ip.id_key);
	s->ops.random(s->ops.ctx, s->ip.id_ctr, sizeof s->ip.id_ctr);
}

/* The ID of an atomic datagram to (dst); (n) frames take consecutive IDs from
 * it (a large frame the device cuts, as Linux's GSO numbers them). */
static uint16_t id_atomic(struct net_stack *s, uint32_t dst, uint8_t proto, uint32_t n)
{
	uint8_t m[13];

	put_u32be(m, dst);
	m[4] = proto;
	memcpy(m + 5, &s->ip.id_seq, 8);
	s->ip.id_seq += n;
	return (uint16_t)net_siphash(s->ip.id_key, m, sizeof m);
}

/* The ID of a datagram we fragment: its destination's counter. */
static uint16_t id_counted(struct net_stack *s, uint32_t dst, uint8_t proto)
{
	uint8_t m[5];

	put_u32be(m, dst);
	m[4] = proto;
	return s->ip.id_ctr[net_siphash(s->ip.id_key, m, sizeof m) % IP_ID_BUCKETS]++;
}

uint32_t ipv4_source(const struct net_stack *s, uint32_t dst)
{
	(void)dst; /* one interface, one address */
	return s->addr;
}

uint16_t ipv4_mtu(const struct net_stack *s)
{
	return s->cfg.mtu ? s->cfg.mtu : 1500;
}

static void write_header(struct net_stack *s, uint8_t *h, uint32_t dst, uint8_t proto,
                         size_t payload, uint16_t id, uint16_t frag)
{
	struct cksum ck;

	h[0] = 0x45;
	h[1] = 0;
	put_u16be(h + 2, (uint16_t)(20 + payload));
	put_u16be(h + 4, id);
	put_u16be(h + 6, frag);
	h[8] = IP4_TTL;
	h[9] = proto;
	h[10] = h[11] = 0;
	put_u32be(h + 12, s->addr);
	put_u32be(h + 16, dst);
	cksum_init(&ck);
	cksum_add(&ck, h, 20);
	put_u16be(h + 10, cksum_finish(&ck));
}

/* The next hop's MAC, or false (the packet should wait for ARP). */
static bool next_hop(struct net_stack *s, uint32_t dst, uint32_t *hop, uint8_t mac[6], uint64_t now)
{
	if (dst == 0xffffffffu || is_broadcast(s, dst)) {
		memset(mac, 0xff, 6);
		*hop = dst;
		return true;
	}
	*hop = s->netmask && (dst & s->netmask) == (s->addr & s->netmask) ? dst
	                                                                  : dhcp_next_hop(s, dst);
	return *hop && arp_resolve(s, *hop, mac, now);
}

/* Send one IPv4 packet whose header is (hdr) and payload (iov, n); queue it
 * for ARP when the next hop is not known yet. */
static enum net_result emit(struct net_stack *s, uint32_t dst, uint8_t *frame_hdr,
                            const struct plat_iov *iov, size_t n, uint64_t now)
{
	struct plat_iov all[MAX_IOV + 1];
	uint8_t mac[6];
	uint32_t hop = 0;
	size_t i;

	if (n > MAX_IOV)
		return NET_EINVAL;
	all[0].p = frame_hdr;
	all[0].len = ETH_HLEN + 20;
	all[0].stable = 0;
	for (i = 0; i < n; i++)
		all[i + 1] = iov[i];
	if (next_hop(s, dst, &hop, mac, now)) {
		eth_write(frame_hdr, mac, s->cfg.mac, ETH_P_IPV4);
		s->ip.stats.tx++;
		if (!net_send_frame(s, all, n + 1)) {
			s->ip.stats.tx_dropped++;
			return NET_EAGAIN;
		}
		return NET_OK;
	}
	if (!hop) {
		s->ip.stats.tx_no_route++;
		return NET_EUNREACH;
	}
	eth_write(frame_hdr, mac, s->cfg.mac, ETH_P_IPV4); /* dst filled in on resolution */
	if (!arp_enqueue(s, hop, all, n + 1, now))
		return NET_EUNREACH;
	s->ip.stats.tx_queued_arp++;
	return NET_OK;
}

bool ipv4_gso_ready(struct net_stack *s, uint32_t dst, uint64_t now)
{
	uint8_t mac[6];
	uint32_t hop = 0;

	return s->cfg.tso_max && s->ops.send_gso && next_hop(s, dst, &hop, mac, now);
}

enum net_result ipv4_output_gso(struct net_stack *s, uint32_t dst, const struct plat_iov *iov,
                                size_t n, struct net_gso *g, uint64_t now)
{
	uint8_t hdr[ETH_HLEN + 20], mac[6];
	struct plat_iov all[MAX_IOV + 1];
	uint32_t hop = 0;
	size_t total = 0, i, payload;

	for (i = 0; i < n; i++)
		total += iov[i].len;
	if (n > MAX_IOV || !s->cfg.tso_max || !s->ops.send_gso || total + 20 > s->cfg.tso_max ||
	    total + 20 > 0xffff || !g->mss || total <= g->hdr_len)
		return NET_EINVAL;
	if (!next_hop(s, dst, &hop, mac, now))
		return NET_EUNREACH;
	/* The device numbers the frames from this ID on (as Linux's GSO does). */
	payload = total - g->hdr_len;
	write_header(s, hdr + ETH_HLEN, dst, IPPROTO_TCP_, total,
	             id_atomic(s, dst, IPPROTO_TCP_, (uint32_t)((payload + g->mss - 1) / g->mss)),
	             IP_DF);
	eth_write(hdr, mac, s->cfg.mac, ETH_P_IPV4);
	all[0].p = hdr;
	all[0].len = sizeof hdr;
	all[0].stable = 0;
	for (i = 0; i < n; i++)
		all[i + 1] = iov[i];
	g->hdr_len = (uint16_t)(g->hdr_len + sizeof hdr);
	g->csum_start = (uint16_t)(g->csum_start + sizeof hdr);
	s->ip.stats.tx++;
	if (!net_send_gso(s, all, n + 1, g)) {
		s->ip.stats.tx_dropped++;
		return NET_EAGAIN;
	}
	return NET_OK;
}

/* A datagram larger than the MTU, cut into fragments (copied: UDP and ICMP
 * only, never the stable store bytes TCP sends). */
static enum net_result fragment(struct net_stack *s, uint32_t dst, uint8_t proto,
                                const struct plat_iov *iov, size_t n, size_t total, uint64_t now)
{
	uint8_t *data = s->ip.frag_buf, hdr[ETH_HLEN + 20];
	size_t chunk = (size_t)(ipv4_mtu(s) - 20) & ~(size_t)7, off = 0, i, k = 0;
	uint16_t id = id_counted(s, dst, proto);
	enum net_result r = NET_OK;

	if (total > sizeof s->ip.frag_buf) {
		s->ip.stats.tx_too_big++;
		return NET_EINVAL;
	}
	for (i = 0; i < n; i++) {
		memcpy(data + k, iov[i].p, iov[i].len);
		k += iov[i].len;
	}
	while (off < total && r == NET_OK) {
		size_t len = total - off < chunk ? total - off : chunk;
		uint16_t frag = (uint16_t)(off / 8) | (off + len < total ? IP_MF : 0);
		struct plat_iov part = {data + off, len, 0};
		write_header(s, hdr + ETH_HLEN, dst, proto, len, id, frag);
		r = emit(s, dst, hdr, &part, 1, now);
		s->ip.stats.tx_frags++;
		off += len;
	}
	return r;
}

enum net_result ipv4_output(struct net_stack *s, uint32_t dst, uint8_t proto,
                            const struct plat_iov *iov, size_t n, uint64_t now)
{
	uint8_t hdr[ETH_HLEN + 20];
	size_t total = 0, i;

	for (i = 0; i < n; i++)
		total += iov[i].len;
	if (total + 20 > ipv4_mtu(s)) {
		if (proto == IPPROTO_TCP_) {
			s->ip.stats.tx_too_big++;
			return NET_EINVAL; /* TCP sizes its segments to the MSS */
		}
		return fragment(s, dst, proto, iov, n, total, now);
	}
	/* DF on everything we send whole: we do not fragment TCP, and small
	 * datagrams need no help on the way (RFC 1191 applies to TCP's MSS). */
	write_header(s, hdr + ETH_HLEN, dst, proto, total, id_atomic(s, dst, proto, 1), IP_DF);
	return emit(s, dst, hdr, iov, n, now);
}
