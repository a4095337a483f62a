/* SPDX-License-Identifier: MIT */
/* The DHCPv4 client, RFC 2131, with the options of RFC 2132 it needs. */
#include "net/dhcp.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/stack.h"

#define SEC          1000000000ull
#define PORT_SERVER  67u
#define PORT_CLIENT  68u
#define MSG_DISCOVER 1u
#define MSG_OFFER    2u
#define MSG_REQUEST  3u
#define MSG_ACK      5u
#define MSG_NAK      6u
#define FIXED_LEN    236u /* op .. file, before the magic cookie */
#define MAGIC        0x63825363u
#define OPT_MTU      26u
#define OPT_DNS      6u
#define OPT_ROUTES   121u
#define MTU_MIN      576u /* RFC 2132 5.1 allows 68; below 576 IPv4 itself breaks */
#define LEASE_INF    0xffffffffu

/* ---- log lines (no formatter in the freestanding layers) ---- */

struct line {
	char b[128];
	size_t n;
};

static void ln_str(struct line *l, const char *s)
{
	while (*s && l->n < sizeof l->b - 1)
		l->b[l->n++] = *s++;
	l->b[l->n] = 0;
}

static void ln_u64(struct line *l, uint64_t v)
{
	char d[24];
	size_t k = 0;

	do
		d[k++] = (char)('0' + v % 10);
	while ((v /= 10) && k < sizeof d);
	while (k && l->n < sizeof l->b - 1)
		l->b[l->n++] = d[--k];
	l->b[l->n] = 0;
}

static void ln_ip(struct line *l, uint32_t a)
{
	for (int i = 3; i >= 0; i--) {
		ln_u64(l, (a >> (8 * i)) & 0xff);
		if (i)
			ln_str(l, ".");
	}
}

/* ---- messages out ---- */

static size_t opt(uint8_t *p, uint8_t code, const void *v, uint8_t len)
{
	p[0] = code;
	p[1] = len;
	memcpy(p + 2, v, len);
	return 2u + len;
}

static size_t opt_u32(uint8_t *p, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	put_u32be(b, v);
	return opt(p, code, b, 4);
}

static void send_msg(struct net_stack *s, uint8_t type, uint32_t dst, bool with_ids, uint64_t now)
{
	struct dhcp_state *d = &s->dhcp;
	static const uint8_t params[] = {1, 3, 6, 26, 51, 54, 58, 59, 121};
	uint8_t m[FIXED_LEN + 4 + 96];
	uint8_t id[7] = {1};
	size_t n = FIXED_LEN, hn = strlen(s->cfg.hostname);
	uint64_t secs = (now - d->started) / SEC;

	memset(m, 0, sizeof m);
	m[0] = 1; /* BOOTREQUEST */
	m[1] = 1; /* Ethernet */
	m[2] = 6;
	put_u32be(m + 4, d->xid);
	put_u16be(m + 8, (uint16_t)(secs > 0xffff ? 0xffff : secs));
	/* Broadcast replies while we cannot take unicast (RFC 2131 4.1). */
	put_u16be(m + 10, s->addr ? 0 : 0x8000);
	put_u32be(m + 12, d->phase >= DHCP_RENEWING ? s->addr : 0); /* ciaddr */
	memcpy(m + 28, s->cfg.mac, 6);
	put_u32be(m + n, MAGIC);
	n += 4;
	n += opt(m + n, 53, &type, 1);
	memcpy(id + 1, s->cfg.mac, 6);
	n += opt(m + n, 61, id, 7);
	if (hn && hn < 32)
		n += opt(m + n, 12, s->cfg.hostname, (uint8_t)hn);
	if (with_ids) {
		n += opt_u32(m + n, 50, d->offered);
		n += opt_u32(m + n, 54, d->server);
	}
	n += opt(m + n, 55, params, sizeof params);
	m[n++] = 255;
	d->stats.sent++;
	udp_send(s, PORT_CLIENT, dst, PORT_SERVER, m, n < 300 ? 300 : n, now);
}

/* A random retransmission interval around (base) (RFC 2131 4.1: +-1 s). */
static uint64_t jitter(struct net_stack *s, uint64_t base)
{
	uint32_t r = 0;

	s->ops.random(s->ops.ctx, &r, sizeof r);
	return base - SEC + (uint64_t)(r % 2000) * 1000000ull;
}

static void discover(struct net_stack *s, uint64_t now)
{
	struct dhcp_state *d = &s->dhcp;

	d->stats.rounds++;
	s->ops.random(s->ops.ctx, &d->xid, sizeof d->xid);
	d->phase = DHCP_SELECTING;
	d->backoff_ns = 4 * SEC;
	d->started = now;
	d->next = now + jitter(s, d->backoff_ns);
	send_msg(s, MSG_DISCOVER, 0xffffffffu, false, now);
}

/* An address a server may lease: not 0, broadcast, loopback or multicast. */
static bool unicast(uint32_t a)
{
	return a && a != 0xffffffffu && (a >> 24) != 127 && (a >> 28) < 14;
}

static void on_reply(void *ctx, struct net_stack *s, uint32_t src, uint16_t sport, const uint8_t *p,
                     size_t len, uint64_t now);

void dhcp_start(struct net_stack *s, uint64_t now)
{
	udp_bind(s, PORT_CLIENT, on_reply, NULL); /* false on a restart: still bound */
	if (!s->dhcp.link_mtu)
		s->dhcp.link_mtu = s->cfg.mtu ? s->cfg.mtu : 1500;
	discover(s, now);
}

/* ---- messages in ---- */

struct reply {
	uint8_t type;
	uint32_t yiaddr, mask, router, server, lease, t1, t2;
	uint16_t mtu;
	uint8_t n_dns;
	uint32_t dns[DHCP_DNS_MAX];
	bool has_routes, routes_bad;
	uint8_t n_routes;
	struct dhcp_route routes[DHCP_ROUTES_MAX];
};

/* RFC 3442: each route is a width (0..32), the significant octets of the
 * destination, and the router. Any fault or too many routes: none at all
 * (the client then falls back to the router option). */
static void parse_routes(struct cur c, struct reply *r)
{
	r->has_routes = true;
	r->n_routes = 0;
	while (c.len) {
		uint8_t width, o[4] = {0};
		uint32_t router;
		const uint8_t *v;
		if (!cur_u8(&c, &width) || width > 32 || !cur_bytes(&c, (width + 7u) / 8u, &v) ||
		    !cur_u32be(&c, &router) || r->n_routes == DHCP_ROUTES_MAX) {
			r->routes_bad = true;
			r->has_routes = false;
			r->n_routes = 0;
			return;
		}
		memcpy(o, v, (width + 7u) / 8u);
		uint32_t mask = width ? 0xffffffffu << (32 - width) : 0;
		uint32_t dst = get_u32be(o);
		if (dst & ~mask) { /* bits past the width: malformed */
			r->routes_bad = true;
			r->has_routes = false;
			r->n_routes = 0;
			return;
		}
		r->routes[r->n_routes++] = (struct dhcp_route){dst, mask, router};
	}
}

static bool parse(const uint8_t *p, size_t len, const struct net_stack *s, struct reply *r)
{
	struct cur c = cur_make(p, len);
	uint32_t xid, magic;
	const uint8_t *chaddr;

	memset(r, 0, sizeof r[0]);
	if (len < FIXED_LEN + 4 || p[0] != 2 || p[1] != 1 || p[2] != 6)
		return false;
	cur_skip(&c, 4);
	cur_u32be(&c, &xid);
	cur_skip(&c, 8);
	cur_u32be(&c, &r->yiaddr);
	cur_skip(&c, 8);
	cur_bytes(&c, 16, &chaddr);
	cur_skip(&c, 192);
	if (!cur_u32be(&c, &magic) || magic != MAGIC || xid != s->dhcp.xid ||
	    memcmp(chaddr, s->cfg.mac, 6) != 0)
		return false;
	while (c.len) {
		uint8_t code, olen;
		const uint8_t *v;
		struct cur oc;
		if (!cur_u8(&c, &code) || code == 255)
			break;
		if (code == 0)
			continue;
		if (!cur_u8(&c, &olen) || !cur_bytes(&c, olen, &v))
			return false;
		oc = cur_make(v, olen);
		switch (code) {
		case 53:
			cur_u8(&oc, &r->type);
			break;
		case 1:
			cur_u32be(&oc, &r->mask);
			break;
		case 3:
			cur_u32be(&oc, &r->router);
			break;
		case 51:
			cur_u32be(&oc, &r->lease);
			break;
		case 54:
			cur_u32be(&oc, &r->server);
			break;
		case 58:
			cur_u32be(&oc, &r->t1);
			break;
		case 59:
			cur_u32be(&oc, &r->t2);
			break;
		case OPT_MTU:
			cur_u16be(&oc, &r->mtu);
			break;
		case OPT_DNS:
			/* RFC 2132 3.8: a list of addresses; the first few kept. */
			while (r->n_dns < DHCP_DNS_MAX && cur_u32be(&oc, &r->dns[r->n_dns]))
				if (r->dns[r->n_dns] != 0 && r->dns[r->n_dns] != 0xffffffffu)
					r->n_dns++;
			break;
		case OPT_ROUTES:
			parse_routes(oc, r);
			break;
		default:
			break;
		}
	}
	return r->type != 0;
}

static uint8_t prefix_of(uint32_t mask)
{
	uint8_t n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

/* Option 26 within what the device carries; its absence restores the device's. */
static void set_mtu(struct net_stack *s, const struct reply *r)
{
	struct dhcp_state *d = &s->dhcp;
	uint16_t mtu = d->link_mtu;

	if (r->mtu && (r->mtu < MTU_MIN || r->mtu > d->link_mtu))
		d->stats.mtu_bad++;
	else if (r->mtu)
		mtu = r->mtu;
	if (mtu == s->cfg.mtu)
		return;
	s->cfg.mtu = mtu;
	struct line l = {{0}, 0};
	ln_str(&l, "net: MTU ");
	ln_u64(&l, mtu);
	ln_str(&l, r->mtu == mtu ? " (DHCP option 26); TCP's MSS follows" : " (the device's)");
	net_log(s, l.b);
}

static void bound(struct net_stack *s, const struct reply *r, uint64_t now)
{
	struct dhcp_state *d = &s->dhcp;
	uint32_t lease = r->lease ? r->lease : 3600;
	uint32_t gw = r->router;

	d->phase = DHCP_BOUND;
	d->lease_s = lease;
	d->t1_s = r->t1 && r->t1 < lease ? r->t1 : lease / 2;
	d->t2_s = r->t2 && r->t2 < lease && r->t2 > d->t1_s ? r->t2 : lease - lease / 8;
	d->bound_at = now;
	/* An infinite lease is never renewed. */
	d->next = lease == LEASE_INF ? UINT64_MAX : now + (uint64_t)d->t1_s * SEC;
	d->stats.leases++;
	if (r->server)
		d->server = r->server;
	if (r->routes_bad)
		d->stats.routes_bad++;
	/* RFC 3442: with classless routes, the router option is ignored; the
	 * default route (width 0) gives the gateway. */
	d->n_routes = 0;
	if (r->has_routes) {
		gw = 0;
		for (uint8_t i = 0; i < r->n_routes; i++) {
			if (r->routes[i].mask == 0 && !gw)
				gw = r->routes[i].router;
			else if (r->routes[i].mask != 0)
				d->routes[d->n_routes++] = r->routes[i];
		}
	}
	set_mtu(s, r);
	s->dhcp.n_dns = r->n_dns;
	memcpy(s->dhcp.dns, r->dns, sizeof r->dns);
	if (s->addr != r->yiaddr || s->gateway != gw ||
	    s->netmask != (r->mask ? r->mask : 0xffffff00u)) {
		net_set_address(s, r->yiaddr, r->mask ? prefix_of(r->mask) : 24, gw);
		if (d->n_routes) {
			struct line l = {{0}, 0};
			ln_str(&l, "net: ");
			ln_u64(&l, d->n_routes);
			ln_str(&l, " classless static route");
			ln_str(&l, d->n_routes == 1 ? "" : "s");
			ln_str(&l, " (DHCP option 121), first ");
			ln_ip(&l, d->routes[0].dst);
			ln_str(&l, "/");
			ln_u64(&l, prefix_of(d->routes[0].mask));
			ln_str(&l, d->routes[0].router ? " via " : " on-link");
			if (d->routes[0].router)
				ln_ip(&l, d->routes[0].router);
			net_log(s, l.b);
		}
	}
}

uint32_t dhcp_next_hop(const struct net_stack *s, uint32_t dst)
{
	const struct dhcp_state *d = &s->dhcp;
	int best = -1;

	for (uint8_t i = 0; i < d->n_routes; i++)
		if ((dst & d->routes[i].mask) == d->routes[i].dst &&
		    (best < 0 || d->routes[i].mask > d->routes[best].mask))
			best = i;
	if (best < 0)
		return s->gateway;
	return d->routes[best].router ? d->routes[best].router : dst;
}

static void on_reply(void *ctx, struct net_stack *s, uint32_t src, uint16_t sport, const uint8_t *p,
                     size_t len, uint64_t now)
{
	struct dhcp_state *d = &s->dhcp;
	struct reply r;

	(void)ctx;
	(void)src;
	d->stats.rx++;
	if (len >= 8 && get_u32be(p + 4) != d->xid) {
		d->stats.rx_other_xid++; /* another client's exchange */
		return;
	}
	if (sport != PORT_SERVER || !parse(p, len, s, &r)) {
		d->stats.rx_bad++;
		return;
	}
	if ((r.type == MSG_OFFER || r.type == MSG_ACK) && !unicast(r.yiaddr)) {
		d->stats.rx_bad++;
		return;
	}
	if (r.type == MSG_OFFER && d->phase == DHCP_SELECTING && r.yiaddr && r.server) {
		d->stats.offers++;
		d->offered = r.yiaddr;
		d->server = r.server;
		d->phase = DHCP_REQUESTING;
		d->backoff_ns = 4 * SEC;
		d->next = now + jitter(s, d->backoff_ns);
		send_msg(s, MSG_REQUEST, 0xffffffffu, true, now);
	} else if (r.type == MSG_ACK && r.yiaddr &&
	           (d->phase == DHCP_REQUESTING || d->phase == DHCP_RENEWING ||
	            d->phase == DHCP_REBINDING)) {
		d->stats.acks++;
		bound(s, &r, now);
	} else if (r.type == MSG_NAK && d->phase != DHCP_SELECTING) {
		d->stats.naks++;
		d->n_routes = 0;
		if (s->addr)
			net_set_address(s, 0, 0, 0);
		discover(s, now);
	}
}

/* ---- timers ---- */

/* RFC 2131 4.4.5: retransmit after half the time left, but no sooner than
 * 60 s; we allow 4 s so that short test leases renew too. */
static uint64_t half_left(uint64_t now, uint64_t until)
{
	uint64_t half = until > now ? (until - now) / 2 : 0;

	return now + (half < 4 * SEC ? 4 * SEC : half);
}

/* No offer yet: say so, with how long we have asked (the console is the only
 * place an operator of a cloud VM sees why it serves nothing). */
static void log_waiting(struct net_stack *s, uint64_t now, const char *what)
{
	struct line l = {{0}, 0};

	ln_str(&l, "net: no DHCP offer after ");
	ln_u64(&l, (now - s->dhcp.started) / SEC);
	ln_str(&l, " s (round ");
	ln_u64(&l, s->dhcp.stats.rounds);
	ln_str(&l, "); ");
	ln_str(&l, what);
	net_log(s, l.b);
}

uint64_t dhcp_poll(struct net_stack *s, uint64_t now)
{
	struct dhcp_state *d = &s->dhcp;
	uint64_t t2 = d->bound_at + (uint64_t)d->t2_s * SEC;
	uint64_t end = d->bound_at + (uint64_t)d->lease_s * SEC;

	if (d->phase == DHCP_OFF)
		return UINT64_MAX;
	if (now < d->next)
		return d->next;
	switch (d->phase) {
	case DHCP_INIT:
		discover(s, now);
		break;
	case DHCP_SELECTING:
		/* RFC 2131 4.1: 4 s, doubling to 64 s, then start over. */
		if (d->backoff_ns >= 64 * SEC) {
			log_waiting(s, now, "starting a new round");
			discover(s, now);
			break;
		}
		if (d->backoff_ns == 8 * SEC)
			log_waiting(s, now, "still asking");
		d->backoff_ns *= 2;
		d->next = now + jitter(s, d->backoff_ns);
		send_msg(s, MSG_DISCOVER, 0xffffffffu, false, now);
		break;
	case DHCP_REQUESTING:
		/* The server went quiet after its offer: a few tries, then over. */
		if (d->backoff_ns >= 16 * SEC) {
			struct line l = {{0}, 0};
			ln_str(&l, "net: DHCP server ");
			ln_ip(&l, d->server);
			ln_str(&l, " offered ");
			ln_ip(&l, d->offered);
			ln_str(&l, " but does not answer the REQUEST; starting over");
			net_log(s, l.b);
			discover(s, now);
			break;
		}
		d->backoff_ns *= 2;
		d->next = now + jitter(s, d->backoff_ns);
		send_msg(s, MSG_REQUEST, 0xffffffffu, true, now);
		break;
	case DHCP_BOUND:
		d->phase = DHCP_RENEWING;
		/* fall through */
	case DHCP_RENEWING:
		if (now >= t2) {
			struct line l = {{0}, 0};
			ln_str(&l, "net: DHCP server ");
			ln_ip(&l, d->server);
			ln_str(&l, " did not renew the lease; rebinding with any server");
			net_log(s, l.b);
			d->phase = DHCP_REBINDING;
			d->next = half_left(now, end);
			send_msg(s, MSG_REQUEST, 0xffffffffu, false, now);
		} else {
			d->next = half_left(now, t2);
			send_msg(s, MSG_REQUEST, d->server, false, now);
		}
		break;
	case DHCP_REBINDING:
		if (now >= end) {
			d->stats.expired++;
			net_log(s, "net: DHCP lease expired unrenewed; the address is dropped");
			d->n_routes = 0;
			net_set_address(s, 0, 0, 0);
			discover(s, now);
		} else {
			d->next = half_left(now, end);
			send_msg(s, MSG_REQUEST, 0xffffffffu, false, now);
		}
		break;
	default:
		break;
	}
	return d->next;
}
