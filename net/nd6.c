/* SPDX-License-Identifier: MIT */
/* Neighbour discovery (RFC 4861) for a host: the neighbour cache, NS and NA,
 * duplicate address detection (RFC 4862 5.4), MLDv2 reports for our
 * solicited-node groups (RFC 3810). Limits and states: net/ipv6.h. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/eth.h"
#include "net/stack.h"

#define ND_NS 135
#define ND_NA 136
#define ND_RS 133
#define ND_RA 134

#define OPT_SLLA 1
#define OPT_TLLA 2

#define NA_ROUTER    0x80u
#define NA_SOLICITED 0x40u
#define NA_OVERRIDE  0x20u

static const uint8_t unspec[16];
static const uint8_t all_nodes[16] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t all_routers[16] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t mld_routers[16] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16};

void nd6_solicited(const uint8_t a[16], uint8_t g[16])
{
	static const uint8_t pre[13] = {0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};

	memcpy(g, pre, 13);
	memcpy(g + 13, a + 13, 3);
}

void nd6_mcast_mac(const uint8_t g[16], uint8_t mac[6])
{
	mac[0] = mac[1] = 0x33;
	memcpy(mac + 2, g + 12, 4);
}

/* ---- sending ---- */

static void send_ns(struct net_stack *s, const uint8_t target[16], const uint8_t *unicast_to,
                    bool dad, uint64_t now)
{
	uint8_t m[32], dst[16], src[16];
	size_t n = 24;

	memset(m, 0, sizeof m);
	m[0] = ND_NS;
	memcpy(m + 8, target, 16);
	if (unicast_to)
		memcpy(dst, unicast_to, 16);
	else
		nd6_solicited(target, dst);
	if (dad) {
		memcpy(src, unspec, 16); /* RFC 4862 5.4.2: from ::, no SLLA */
	} else {
		if (!ipv6_source(s, dst, src))
			return;
		m[24] = OPT_SLLA;
		m[25] = 1;
		memcpy(m + 26, s->cfg.mac, 6);
		n = 32;
	}
	s->ip6.nd.ns_sent++;
	icmp6_send(s, src, dst, 255, m, n, now);
}

static void send_na(struct net_stack *s, const uint8_t target[16], const uint8_t dst[16],
                    bool solicited, uint64_t now)
{
	uint8_t m[32];

	memset(m, 0, sizeof m);
	m[0] = ND_NA;
	m[4] = (uint8_t)((solicited ? NA_SOLICITED : 0) | NA_OVERRIDE);
	memcpy(m + 8, target, 16);
	m[24] = OPT_TLLA;
	m[25] = 1;
	memcpy(m + 26, s->cfg.mac, 6);
	s->ip6.nd.na_sent++;
	icmp6_send(s, target, dst, 255, m, sizeof m, now);
}

/* A router solicitation (RFC 4861 6.3.7) from our link-local address. */
static void send_rs(struct net_stack *s, uint64_t now)
{
	uint8_t m[16];

	memset(m, 0, sizeof m);
	m[0] = ND_RS;
	m[8] = OPT_SLLA;
	m[9] = 1;
	memcpy(m + 10, s->cfg.mac, 6);
	s->ip6.nd.rs_sent++;
	icmp6_send(s, s->ip6.ll.a, all_routers, 255, m, sizeof m, now);
}

/* An MLDv2 report (RFC 3810 5.2) joining our solicited-node groups, with
 * the router alert hop-by-hop option, hop limit 1, to ff02::16. */
static void send_mld(struct net_stack *s, uint64_t now)
{
	uint8_t pkt[8 + 8 + 2 * 20], src[16];
	const struct ip6_addr *as[2] = {&s->ip6.ll, &s->ip6.global};
	struct plat_iov iov;
	struct cksum ck;
	size_t n = 16, i, recs = 0;

	memset(pkt, 0, sizeof pkt);
	pkt[0] = IPPROTO_ICMPV6_; /* hop-by-hop: next header, length 0 */
	pkt[2] = 5;               /* router alert (RFC 2711), MLD */
	pkt[3] = 2;
	pkt[6] = 1; /* PadN of 0 bytes */
	pkt[8] = 143;
	for (i = 0; i < 2; i++) {
		if (!as[i]->used)
			continue;
		pkt[n] = 4; /* CHANGE_TO_EXCLUDE: join, no sources */
		nd6_solicited(as[i]->a, pkt + n + 4);
		if (recs && memcmp(pkt + n + 4, pkt + 16 + 4, 16) == 0)
			continue; /* one group for both addresses */
		n += 20;
		recs++;
	}
	put_u16be(pkt + 14, (uint16_t)recs);
	if (!s->ip6.ll.tentative)
		memcpy(src, s->ip6.ll.a, 16);
	else
		memcpy(src, unspec, 16);
	cksum_init(&ck);
	cksum_pseudo6(&ck, src, mld_routers, IPPROTO_ICMPV6_, (uint32_t)(n - 8));
	cksum_add(&ck, pkt + 8, n - 8);
	put_u16be(pkt + 10, cksum_finish(&ck));
	iov.p = pkt;
	iov.len = n;
	iov.stable = 0;
	s->ip6.nd.mld_reports++;
	ipv6_output_from(s, src, mld_routers, 0, 1, &iov, 1, now);
}

void nd6_dad_start(struct net_stack *s, struct ip6_addr *a, uint64_t now)
{
	a->tentative = true;
	a->dad_sent = 1;
	a->dad_deadline = now + ND6_RETRANS_NS;
	s->ip6.nd.dad_started++;
	s->ip6.mld_left = 2; /* RFC 3810 9.1: robustness 2 */
	s->ip6.mld_deadline = now;
	send_mld(s, now);
	s->ip6.mld_left--;
	s->ip6.mld_deadline = now + ND6_RETRANS_NS;
	send_ns(s, a->a, NULL, true, now);
}

/* ---- the cache ---- */

static struct nd6_entry *find(struct net_stack *s, const uint8_t ip[16])
{
	size_t i;

	for (i = 0; i < ND6_ENTRIES; i++)
		if (s->ip6.nc[i].state != ND6_FREE && memcmp(s->ip6.nc[i].ip, ip, 16) == 0)
			return &s->ip6.nc[i];
	return NULL;
}

static void drop_queued(struct net_stack *s, const uint8_t ip[16])
{
	size_t i;

	for (i = 0; i < ND6_QUEUE; i++)
		if (s->ip6.q[i].used && memcmp(s->ip6.q[i].ip, ip, 16) == 0) {
			s->ip6.q[i].used = false;
			s->ip6.nd.queue_drops++;
		}
}

/* A slot for a new entry: a free one, else the least recently used STALE
 * one. Entries being resolved and reachable ones are never pushed out by a
 * newcomer (RFC 6583 7.1: a scan cannot evict live neighbours). */
static struct nd6_entry *slot(struct net_stack *s, bool incomplete)
{
	struct nd6_entry *stale = NULL;
	size_t i, pending = 0;

	for (i = 0; i < ND6_ENTRIES; i++)
		pending += s->ip6.nc[i].state == ND6_INCOMPLETE;
	if (incomplete && pending >= ND6_INCOMPLETE_MAX) {
		s->ip6.nd.incomplete_full++;
		return NULL;
	}
	for (i = 0; i < ND6_ENTRIES; i++) {
		struct nd6_entry *e = &s->ip6.nc[i];
		if (e->state == ND6_FREE)
			return e;
		if (e->state == ND6_STALE && (!stale || e->used < stale->used))
			stale = e;
	}
	if (!stale) {
		s->ip6.nd.cache_full++;
		return NULL;
	}
	s->ip6.nd.recycled++;
	drop_queued(s, stale->ip);
	return stale;
}

static void flush(struct net_stack *s, struct nd6_entry *e)
{
	size_t i;

	for (i = 0; i < ND6_QUEUE; i++) {
		struct nd6_queued *q = &s->ip6.q[i];
		struct plat_iov v;
		if (!q->used || memcmp(q->ip, e->ip, 16) != 0)
			continue;
		memcpy(q->frame, e->mac, 6);
		v.p = q->frame;
		v.len = q->len;
		v.stable = 0;
		q->used = false;
		s->ip6.stats.tx++;
		if (!net_send_frame(s, &v, 1))
			s->ip6.stats.tx_dropped++;
	}
}

bool nd6_resolve(struct net_stack *s, const uint8_t ip[16], uint8_t mac[6], uint64_t now)
{
	struct nd6_entry *e = find(s, ip);

	if (e && e->state != ND6_INCOMPLETE) {
		memcpy(mac, e->mac, 6);
		e->used = now;
		if (e->state == ND6_STALE) {
			e->state = ND6_DELAY; /* RFC 4861 7.3.3 */
			e->deadline = now + ND6_DELAY_NS;
		}
		return true;
	}
	memset(mac, 0, 6);
	if (e)
		return false;
	if (!(e = slot(s, true)))
		return false;
	memset(e, 0, sizeof *e);
	memcpy(e->ip, ip, 16);
	e->state = ND6_INCOMPLETE;
	e->tries = 1;
	e->used = now;
	e->deadline = now + ND6_RETRANS_NS;
	send_ns(s, ip, NULL, false, now);
	return false;
}

bool nd6_enqueue(struct net_stack *s, const uint8_t ip[16], const struct plat_iov *iov, size_t n)
{
	struct nd6_queued *q = NULL;
	size_t i, len = 0, k = 0;

	for (i = 0; i < n; i++)
		len += iov[i].len;
	if (len > ND6_FRAME_MAX || !find(s, ip)) {
		s->ip6.nd.queue_drops++;
		return false;
	}
	/* One packet waits per neighbour (the newest, RFC 4861 7.2.2 allows
	 * one); ND6_QUEUE in all. */
	for (i = 0; i < ND6_QUEUE && !q; i++)
		if (s->ip6.q[i].used && memcmp(s->ip6.q[i].ip, ip, 16) == 0) {
			q = &s->ip6.q[i];
			s->ip6.nd.queue_drops++;
		}
	for (i = 0; i < ND6_QUEUE && !q; i++)
		if (!s->ip6.q[i].used)
			q = &s->ip6.q[i];
	if (!q) {
		s->ip6.nd.queue_drops++;
		return false;
	}
	for (i = 0; i < n; i++) {
		memcpy(q->frame + k, iov[i].p, iov[i].len);
		k += iov[i].len;
	}
	memcpy(q->ip, ip, 16);
	q->len = (uint16_t)len;
	q->used = true;
	s->ip6.nd.queued++;
	return true;
}

uint64_t nd6_poll(struct net_stack *s, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	struct ip6_addr *as[2] = {&s->ip6.ll, &s->ip6.global};
	size_t i;

	for (i = 0; i < 2; i++) {
		struct ip6_addr *a = as[i];
		if (!a->used || !a->tentative)
			continue;
		if (now >= a->dad_deadline) {
			a->tentative = false;
			s->ip6.nd.dad_ok++;
			net_log(s, i ? "net: ipv6 global address ready"
			             : "net: ipv6 link-local ready");
			/* RFC 4861 7.2.6: announce it. */
			send_na(s, a->a, all_nodes, false, now);
		} else if (a->dad_deadline < next) {
			next = a->dad_deadline;
		}
	}
	if (s->ip6.rs_left && !s->ip6.ll.tentative && s->ip6.ll.used) {
		if (now >= s->ip6.rs_deadline) {
			send_rs(s, now);
			s->ip6.rs_left--;
			s->ip6.rs_deadline = now + ND6_RS_INTERVAL_NS;
		}
		if (s->ip6.rs_left && s->ip6.rs_deadline < next)
			next = s->ip6.rs_deadline;
	}
	/* Lifetimes from router advertisements. */
	if (s->ip6.global.used && s->ip6.global.valid_until) {
		if (now >= s->ip6.global.valid_until) {
			s->ip6.global.used = false;
			s->ip6.nd.expired++;
			net_log(s, "net: ipv6 address expired (its prefix's valid lifetime ended)");
		} else if (s->ip6.global.valid_until < next) {
			next = s->ip6.global.valid_until;
		}
	}
	if (s->ip6.has_gw && s->ip6.gw_until) {
		if (now >= s->ip6.gw_until) {
			s->ip6.has_gw = false;
			s->ip6.nd.expired++;
		} else if (s->ip6.gw_until < next) {
			next = s->ip6.gw_until;
		}
	}
	if (s->ip6.mld_left) {
		if (now >= s->ip6.mld_deadline) {
			send_mld(s, now);
			s->ip6.mld_left--;
			s->ip6.mld_deadline = now + ND6_RETRANS_NS;
		}
		if (s->ip6.mld_left && s->ip6.mld_deadline < next)
			next = s->ip6.mld_deadline;
	}
	for (i = 0; i < ND6_ENTRIES; i++) {
		struct nd6_entry *e = &s->ip6.nc[i];
		if (e->state == ND6_FREE)
			continue;
		if (now >= e->deadline) {
			switch (e->state) {
			case ND6_INCOMPLETE:
			case ND6_PROBE:
				if (e->tries < ND6_SOLICITS) {
					e->tries++;
					e->deadline = now + ND6_RETRANS_NS;
					send_ns(s, e->ip, e->state == ND6_PROBE ? e->ip : NULL,
					        false, now);
				} else {
					s->ip6.nd.failed++;
					drop_queued(s, e->ip);
					e->state = ND6_FREE;
				}
				break;
			case ND6_REACHABLE:
				e->state = ND6_STALE;
				e->deadline = now + ND6_STALE_NS;
				break;
			case ND6_DELAY:
				e->state = ND6_PROBE;
				e->tries = 1;
				e->deadline = now + ND6_RETRANS_NS;
				send_ns(s, e->ip, e->ip, false, now);
				break;
			default: /* STALE and unused for ND6_STALE_NS */
				e->state = ND6_FREE;
				break;
			}
		}
		if (e->state != ND6_FREE && e->deadline < next)
			next = e->deadline;
	}
	return next;
}

/* ---- input ---- */

/* The link-layer address option of (type) among the options, or NULL;
 * false when the options are malformed (RFC 4861 4.6: length 0 is invalid). */
static bool lla_option(const uint8_t *o, size_t n, uint8_t type, const uint8_t **mac)
{
	*mac = NULL;
	while (n) {
		size_t l;
		if (n < 2 || !o[1] || (l = (size_t)o[1] * 8) > n)
			return false;
		if (o[0] == type && l == 8)
			*mac = o + 2;
		o += l;
		n -= l;
	}
	return true;
}

static void dad_conflict(struct net_stack *s, struct ip6_addr *a, uint64_t now)
{
	s->ip6.nd.dad_conflicts++;
	if (a->slaac && a->dad_counter < ND6_IDGEN_RETRIES) {
		/* RFC 7217 6: the next identifier for the same prefix. */
		a->dad_counter++;
		ipv6_stable_iid(s, a->a, a->dad_counter, a->a + 8);
		net_log(s, "net: ipv6 duplicate address detected: trying the next stable one");
		nd6_dad_start(s, a, now);
		return;
	}
	net_log(s, "net: ipv6 duplicate address detected: address not used (RFC 4862 5.4.5)");
	a->used = false;
}

/* A router advertisement (RFC 4861 6.3.4): the default router with its
 * lifetime, and with SLAAC on, an address for an autonomous /64 prefix
 * (RFC 4862 5.5.3) with a stable identifier (RFC 7217), lifetimes honoured. */
static void input_ra(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
                     uint64_t now)
{
	struct nd6_stats *st = &s->ip6.nd;
	uint16_t router_life = get_u16be(p + 6);
	const uint8_t *o = p + 16, *slla = NULL;
	size_t n = len - 16;
	struct ip6_addr *g = &s->ip6.global;

	st->rx_ra++;
	if (len < 16 || ip->from.b[0] != 0xfe || (ip->from.b[1] & 0xc0) != 0x80) {
		st->ra_bad++; /* RFC 4861 6.1.2: from a link-local source */
		return;
	}
	while (n) {
		size_t l;
		if (n < 2 || !o[1] || (l = (size_t)o[1] * 8) > n) {
			st->ra_bad++;
			return;
		}
		if (o[0] == OPT_SLLA && l == 8)
			slla = o + 2;
		if (o[0] == 3 && l == 32 && s->cfg.slaac && !s->cfg.prefix6) {
			uint8_t plen = o[2], flags = o[3];
			uint32_t valid = get_u32be(o + 4), pref = get_u32be(o + 8);
			const uint8_t *pfx = o + 16;
			st->ra_prefixes++;
			if ((flags & 0x40) && plen == 64 && pref <= valid &&
			    !(pfx[0] == 0xfe && (pfx[1] & 0xc0) == 0x80)) {
				uint64_t until = valid == 0xffffffffu
				                         ? 0
				                         : now + (uint64_t)valid * 1000000000ull;
				if (g->used && g->slaac && memcmp(g->a, pfx, 8) == 0) {
					/* RFC 4862 5.5.3 (e): the two-hour rule. */
					uint64_t two_h = 7200ull * 1000000000ull;
					if (!until || until > now + two_h ||
					    (g->valid_until && until > g->valid_until))
						g->valid_until = until;
					else if (!g->valid_until || g->valid_until > now + two_h)
						g->valid_until = now + two_h;
				} else if (!g->used && valid) {
					memset(g, 0, sizeof *g);
					memcpy(g->a, pfx, 8);
					ipv6_stable_iid(s, pfx, 0, g->a + 8);
					g->plen = 64;
					g->used = true;
					g->slaac = true;
					g->valid_until = until;
					st->slaac_addrs++;
					net_log(s, "net: ipv6 stateless address from a router's "
					           "prefix");
					nd6_dad_start(s, g, now);
				}
			}
		}
		o += l;
		n -= l;
	}
	if (!s->cfg.slaac && !s->ip6.has_gw)
		return;
	if (router_life && (s->cfg.slaac || !s->ip6.gw_until)) {
		if (!s->ip6.has_gw || s->ip6.gw_until || memcmp(s->ip6.gw, ip->from.b, 16) == 0) {
			if (!s->ip6.has_gw)
				st->ra_routers++;
			memcpy(s->ip6.gw, ip->from.b, 16);
			s->ip6.has_gw = true;
			s->ip6.gw_until = now + (uint64_t)router_life * 1000000000ull;
		}
	} else if (!router_life && s->ip6.has_gw && s->ip6.gw_until &&
	           memcmp(s->ip6.gw, ip->from.b, 16) == 0) {
		s->ip6.has_gw = false; /* RFC 4861 6.3.4: lifetime 0, no longer a router */
	}
	s->ip6.rs_left = 0;
	if (slla && s->ip6.has_gw && memcmp(s->ip6.gw, ip->from.b, 16) == 0) {
		struct nd6_entry *e = find(s, ip->from.b);
		if (!e && (e = slot(s, false)) != NULL) {
			memset(e, 0, sizeof *e);
			memcpy(e->ip, ip->from.b, 16);
			e->state = ND6_STALE;
			e->used = now;
			e->deadline = now + ND6_STALE_NS;
			memcpy(e->mac, slla, 6);
			e->router = true;
		} else if (e && e->state == ND6_INCOMPLETE) {
			memcpy(e->mac, slla, 6);
			e->state = ND6_STALE;
			e->deadline = now + ND6_STALE_NS;
			flush(s, e);
		}
	}
}

static void input_ns(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
                     const uint8_t *slla, uint64_t now)
{
	const uint8_t *target = p + 8;
	bool from_unspec = memcmp(ip->from.b, unspec, 16) == 0;
	struct ip6_addr *as[2] = {&s->ip6.ll, &s->ip6.global};
	struct nd6_entry *e;
	size_t i;

	(void)len;
	s->ip6.nd.rx_ns++;
	for (i = 0; i < 2; i++)
		if (as[i]->used && as[i]->tentative && memcmp(as[i]->a, target, 16) == 0) {
			if (from_unspec)
				dad_conflict(s, as[i], now); /* another host's DAD for it */
			return;
		}
	if (!ipv6_is_ours(s, target))
		return;
	if (from_unspec) {
		if (ip->to.b[0] != 0xff) {
			s->ip6.nd.rx_bad++; /* RFC 4861 7.1.1: DAD goes to solicited-node */
			return;
		}
		send_na(s, target, all_nodes, false, now);
		return;
	}
	if (slla) {
		/* RFC 4861 7.2.3: the sender is a neighbour; its entry goes
		 * STALE (a new one only where a free or stale slot is). */
		e = find(s, ip->from.b);
		if (!e && (e = slot(s, false)) != NULL) {
			memset(e, 0, sizeof *e);
			memcpy(e->ip, ip->from.b, 16);
			e->state = ND6_STALE;
			e->used = now;
			e->deadline = now + ND6_STALE_NS;
			memcpy(e->mac, slla, 6);
		} else if (e && (e->state == ND6_INCOMPLETE || memcmp(e->mac, slla, 6) != 0)) {
			bool was_incomplete = e->state == ND6_INCOMPLETE;
			memcpy(e->mac, slla, 6);
			e->state = ND6_STALE;
			e->deadline = now + ND6_STALE_NS;
			if (was_incomplete)
				flush(s, e);
		}
	}
	send_na(s, target, ip->from.b, true, now);
}

static void input_na(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p,
                     const uint8_t *tlla, uint64_t now)
{
	const uint8_t *target = p + 8;
	uint8_t flags = p[4];
	struct ip6_addr *as[2] = {&s->ip6.ll, &s->ip6.global};
	struct nd6_entry *e;
	size_t i;

	s->ip6.nd.rx_na++;
	if ((flags & NA_SOLICITED) && ip->to.b[0] == 0xff) {
		s->ip6.nd.rx_bad++; /* RFC 4861 7.1.2 */
		return;
	}
	for (i = 0; i < 2; i++)
		if (as[i]->used && memcmp(as[i]->a, target, 16) == 0) {
			if (as[i]->tentative)
				dad_conflict(s, as[i], now);
			else
				s->ip6.nd.dad_conflicts++; /* someone claims ours: counted */
			return;
		}
	e = find(s, target);
	if (!e)
		return; /* RFC 4861 7.2.5: unsolicited NAs create nothing */
	if (e->state == ND6_INCOMPLETE) {
		if (!tlla)
			return;
		memcpy(e->mac, tlla, 6);
		e->state = (flags & NA_SOLICITED) ? ND6_REACHABLE : ND6_STALE;
		e->deadline = now + ((flags & NA_SOLICITED) ? ND6_REACHABLE_NS : ND6_STALE_NS);
		e->router = (flags & NA_ROUTER) != 0;
		s->ip6.nd.resolved++;
		flush(s, e);
		return;
	}
	if (tlla && memcmp(tlla, e->mac, 6) != 0 && !(flags & NA_OVERRIDE)) {
		if (e->state == ND6_REACHABLE) {
			e->state = ND6_STALE;
			e->deadline = now + ND6_STALE_NS;
		}
		return;
	}
	if (tlla)
		memcpy(e->mac, tlla, 6);
	if (flags & NA_SOLICITED) {
		e->state = ND6_REACHABLE;
		e->deadline = now + ND6_REACHABLE_NS;
	} else if (tlla && memcmp(tlla, e->mac, 6) != 0) {
		e->state = ND6_STALE;
		e->deadline = now + ND6_STALE_NS;
	}
	e->router = (flags & NA_ROUTER) != 0;
}

void nd6_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t eth_src[6],
               const uint8_t *p, size_t len, uint64_t now)
{
	struct nd6_stats *st = &s->ip6.nd;
	const uint8_t *lla = NULL;
	struct cksum ck;

	(void)eth_src;
	cksum_init(&ck);
	cksum_pseudo6(&ck, ip->from.b, ip->to.b, IPPROTO_ICMPV6_, (uint32_t)len);
	cksum_add(&ck, p, len);
	if (cksum_finish(&ck) != 0 || len < 8 || p[1] != 0) {
		st->rx_bad++;
		return;
	}
	/* RFC 4861 7.1: hop limit 255, so the message came from this link. */
	if (ip->ttl != 255) {
		st->rx_bad_hop++;
		return;
	}
	switch (p[0]) {
	case ND_NS:
		if (len < 24 || p[8] == 0xff || !lla_option(p + 24, len - 24, OPT_SLLA, &lla) ||
		    (lla && memcmp(ip->from.b, unspec, 16) == 0)) {
			st->rx_bad++;
			return;
		}
		input_ns(s, ip, p, len, lla, now);
		break;
	case ND_NA:
		if (len < 24 || p[8] == 0xff || !lla_option(p + 24, len - 24, OPT_TLLA, &lla)) {
			st->rx_bad++;
			return;
		}
		input_na(s, ip, p, lla, now);
		break;
	case ND_RS:
		st->rx_rs++; /* for routers only */
		break;
	case ND_RA:
		input_ra(s, ip, p, len, now);
		break;
	default:
		st->rx_redirect++;
		break;
	}
}
