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
	static const uint8_t params[] = {1, 3, 51, 54, 58, 59};
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

	s->ops.random(s->ops.ctx, &d->xid, sizeof d->xid);
	d->phase = DHCP_SELECTING;
	d->backoff_ns = 4 * SEC;
	d->started = now;
	d->next = now + jitter(s, d->backoff_ns);
	send_msg(s, MSG_DISCOVER, 0xffffffffu, false, now);
}

static void on_reply(void *ctx, struct net_stack *s, uint32_t src, uint16_t sport, const uint8_t *p,
                     size_t len, uint64_t now);

void dhcp_start(struct net_stack *s, uint64_t now)
{
	udp_bind(s, PORT_CLIENT, on_reply, NULL); /* false on a restart: still bound */
	discover(s, now);
}

/* ---- messages in ---- */

struct reply {
	uint8_t type;
	uint32_t yiaddr, mask, router, server, lease, t1, t2;
};

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

static void bound(struct net_stack *s, const struct reply *r, uint64_t now)
{
	struct dhcp_state *d = &s->dhcp;
	uint32_t lease = r->lease ? r->lease : 3600;

	d->phase = DHCP_BOUND;
	d->lease_s = lease;
	d->t1_s = r->t1 && r->t1 < lease ? r->t1 : lease / 2;
	d->t2_s = r->t2 && r->t2 < lease && r->t2 > d->t1_s ? r->t2 : lease - lease / 8;
	d->bound_at = now;
	d->next = now + (uint64_t)d->t1_s * SEC;
	d->stats.leases++;
	if (r->server)
		d->server = r->server;
	if (s->addr != r->yiaddr || s->gateway != r->router)
		net_set_address(s, r->yiaddr, r->mask ? prefix_of(r->mask) : 24, r->router);
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
			discover(s, now);
			break;
		}
		d->backoff_ns *= 2;
		d->next = now + jitter(s, d->backoff_ns);
		send_msg(s, MSG_DISCOVER, 0xffffffffu, false, now);
		break;
	case DHCP_REQUESTING:
		/* The server went quiet after its offer: a few tries, then over. */
		if (d->backoff_ns >= 16 * SEC) {
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
