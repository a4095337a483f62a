/* SPDX-License-Identifier: MIT */
/* The stub resolver (net/dns.h): queries out, answers checked and parsed. */
#include "net/dns.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/stack.h"
#include "net/udp.h"

#define DNS_PORT      53u
#define CLASS_IN      1u
#define F_QR          0x8000u
#define F_TC          0x0200u
#define F_RD          0x0100u
#define RCODE_NXD     3u
#define EPHEMERAL_LO  49152u
#define PORT_ATTEMPTS 8u

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* ---- pure functions ---- */

bool dns_encode_name(const char *name, size_t len, uint8_t *out, size_t *out_len)
{
	size_t i = 0, n = 0;

	if (len && name[len - 1] == '.')
		len--; /* the root, written */
	if (len == 0 || len > 253)
		return false;
	while (i < len) {
		size_t e = i;
		while (e < len && name[e] != '.') {
			char c = name[e];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '-' || c == '_'))
				return false;
			e++;
		}
		if (e == i || e - i > 63)
			return false; /* an empty or overlong label */
		out[n++] = (uint8_t)(e - i);
		for (; i < e; i++)
			out[n++] = lower((uint8_t)name[i]);
		i = e + 1;
	}
	out[n++] = 0;
	*out_len = n;
	return true;
}

size_t dns_build_query(uint8_t *out, size_t cap, uint16_t id, const uint8_t *qname, size_t qlen,
                       uint16_t qtype)
{
	size_t n = 12 + qlen + 4;

	if (n > cap)
		return 0;
	memset(out, 0, 12);
	put_u16be(out, id);
	put_u16be(out + 2, F_RD); /* a stub asks for recursion */
	put_u16be(out + 4, 1);    /* one question */
	memcpy(out + 12, qname, qlen);
	put_u16be(out + 12 + qlen, qtype);
	put_u16be(out + 14 + qlen, CLASS_IN);
	return n;
}

/* The name at (off) of the message, lowercased in wire form into (out); *next
 * is where the record goes on after it (after the first pointer, if any).
 * RFC 1035 4.1.4: each pointer must point strictly before the place the last
 * one did, so following them always ends; and at most DNS_MAX_PTRS. */
static bool read_name(const uint8_t *p, size_t len, size_t off, uint8_t *out, size_t *out_len,
                      size_t *next)
{
	size_t pos = off, n = 0, limit = off;
	unsigned ptrs = 0;
	bool jumped = false;

	for (;;) {
		uint8_t l;
		size_t i;

		if (pos >= len)
			return false;
		l = p[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;
			if (pos + 1 >= len)
				return false;
			target = (size_t)(l & 0x3f) << 8 | p[pos + 1];
			if (!jumped)
				*next = pos + 2;
			if (target >= limit || ++ptrs > DNS_MAX_PTRS)
				return false;
			limit = target;
			pos = target;
			jumped = true;
			continue;
		}
		if (l & 0xc0)
			return false; /* 0x40 and 0x80: no such label types (RFC 6891 drops them) */
		if (l > len - pos - 1 || n + 1 + l > DNS_MAX_NAME)
			return false;
		out[n++] = l;
		if (l == 0) {
			if (!jumped)
				*next = pos + 1;
			*out_len = n;
			return true;
		}
		for (i = 1; i <= l; i++)
			out[n++] = lower(p[pos + i]);
		pos += 1u + l;
	}
}

static bool same_name(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	return al == bl && memcmp(a, b, al) == 0;
}

enum dns_parse dns_parse_answer(const uint8_t *p, size_t len, uint16_t id, const uint8_t *qname,
                                size_t qlen, uint16_t qtype, uint8_t out[16], uint32_t *ttl)
{
	uint8_t name[DNS_MAX_NAME], cur[DNS_MAX_NAME];
	size_t nl, cl, off, next = 0;
	uint16_t flags, qd, an, t, cls, rdlen, i;
	unsigned cnames = 0;

	if (len < 12)
		return DNS_P_BAD;
	if (get_u16be(p) != id)
		return DNS_P_WRONG_ID;
	flags = get_u16be(p + 2);
	qd = get_u16be(p + 4);
	an = get_u16be(p + 6);
	if (!(flags & F_QR) || ((flags >> 11) & 15) != 0)
		return DNS_P_NOT_ANSWER;
	if (flags & F_TC)
		return DNS_P_TRUNCATED;
	/* The question, echoed (RFC 5452 9.1). */
	if (qd != 1)
		return DNS_P_QUESTION;
	if (!read_name(p, len, 12, name, &nl, &next))
		return DNS_P_BAD_NAME;
	if (next + 4 > len)
		return DNS_P_BAD;
	if (!same_name(name, nl, qname, qlen) || get_u16be(p + next) != qtype ||
	    get_u16be(p + next + 2) != CLASS_IN)
		return DNS_P_QUESTION;
	off = next + 4;
	if ((flags & 15) == RCODE_NXD)
		return DNS_P_NXDOMAIN;
	if ((flags & 15) != 0)
		return DNS_P_SERVFAIL;
	memcpy(cur, qname, qlen);
	cl = qlen;
	for (i = 0; i < an; i++) {
		uint32_t rttl;
		if (!read_name(p, len, off, name, &nl, &next))
			return DNS_P_BAD_NAME;
		if (next + 10 > len)
			return DNS_P_BAD;
		t = get_u16be(p + next);
		cls = get_u16be(p + next + 2);
		rttl = get_u32be(p + next + 4);
		rdlen = get_u16be(p + next + 8);
		off = next + 10;
		if (rdlen > len - off)
			return DNS_P_BAD;
		if (cls == CLASS_IN && same_name(name, nl, cur, cl)) {
			if (t == DNS_TYPE_CNAME) {
				size_t after = 0;
				if (++cnames > DNS_MAX_CNAMES)
					return DNS_P_BAD_NAME;
				if (!read_name(p, off + rdlen, off, cur, &cl, &after))
					return DNS_P_BAD_NAME;
			} else if (t == qtype && rdlen == (qtype == DNS_TYPE_A ? 4 : 16)) {
				memcpy(out, p + off, rdlen);
				*ttl = rttl & 0x7fffffffu; /* RFC 2181 8: the top bit means 0 */
				return DNS_P_OK;
			}
		}
		off += rdlen;
	}
	return DNS_P_NODATA;
}

/* ---- the resolver ---- */

static void release_port(struct dns *d)
{
	if (d->port) {
		udp_unbind(d->s, d->port);
		d->port = 0;
	}
}

static void fail(struct dns *d, const char *why)
{
	release_port(d);
	d->state = DNS_FAILED;
	d->why = why;
}

static void on_udp(void *ctx, struct net_stack *s, uint32_t src, uint16_t src_port,
                   const uint8_t *p, size_t len, uint64_t now);

/* One try: a new port and ID, the next server. */
static void send_try(struct dns *d, uint64_t now)
{
	uint8_t msg[DNS_MSG_MAX];
	size_t n;
	unsigned k;

	release_port(d);
	for (k = 0; k < PORT_ATTEMPTS && !d->port; k++) {
		uint16_t r;
		d->s->ops.random(d->s->ops.ctx, &r, sizeof r);
		r = (uint16_t)(EPHEMERAL_LO + r % (65536u - EPHEMERAL_LO));
		if (udp_bind(d->s, r, on_udp, d))
			d->port = r;
	}
	d->tries++;
	d->deadline = now + DNS_TRY_NS;
	if (!d->port) {
		d->stats.send_fail++; /* every UDP port taken: try again at the deadline */
		return;
	}
	d->s->ops.random(d->s->ops.ctx, &d->id, sizeof d->id);
	d->asked = d->servers[d->next_server++ % d->n_servers];
	n = dns_build_query(msg, sizeof msg, d->id, d->qname, d->qname_len, d->qtype);
	if (udp_send(d->s, d->port, d->asked, DNS_PORT, msg, n, now) == NET_OK)
		d->stats.sent++;
	else
		d->stats.send_fail++; /* no route or ARP pending: the deadline retries */
}

static void on_udp(void *ctx, struct net_stack *s, uint32_t src, uint16_t src_port,
                   const uint8_t *p, size_t len, uint64_t now)
{
	struct dns *d = ctx;
	uint8_t a[16];
	uint32_t ttl = 0;

	(void)s;
	if (d->state != DNS_PENDING || src != d->asked || src_port != DNS_PORT) {
		d->stats.rx_wrong_src++;
		return;
	}
	switch (dns_parse_answer(p, len, d->id, d->qname, d->qname_len, d->qtype, a, &ttl)) {
	case DNS_P_OK:
		d->stats.answers++;
		memset(d->addr, 0, sizeof d->addr);
		memcpy(d->addr, a, d->qtype == DNS_TYPE_A ? 4 : 16);
		d->ttl = ttl;
		release_port(d);
		d->state = DNS_DONE;
		return;
	case DNS_P_WRONG_ID:
		d->stats.rx_wrong_id++; /* a spoofing attempt, or a late answer */
		return;
	case DNS_P_NOT_ANSWER:
		d->stats.rx_not_answer++;
		return;
	case DNS_P_QUESTION:
		d->stats.rx_wrong_question++;
		return;
	case DNS_P_BAD_NAME:
		d->stats.rx_bad_name++;
		return;
	case DNS_P_BAD:
		d->stats.rx_bad_record++;
		return;
	case DNS_P_TRUNCATED:
		d->stats.rx_truncated++;
		fail(d, "the answer was truncated (TC) and there is no TCP fallback");
		return;
	case DNS_P_NXDOMAIN:
		d->stats.nxdomain++;
		fail(d, "no such name (NXDOMAIN)");
		return;
	case DNS_P_NODATA:
		d->stats.nodata++;
		fail(d, "the name has no record of that type");
		return;
	case DNS_P_SERVFAIL:
		d->stats.rx_rcode++;
		if (d->tries < DNS_TRIES)
			send_try(d, now);
		else
			fail(d, "every name server answered with an error (SERVFAIL or REFUSED)");
		return;
	}
}

void dns_init(struct dns *d, struct net_stack *s)
{
	memset(d, 0, sizeof *d);
	d->s = s;
}

void dns_set_servers(struct dns *d, const uint32_t *servers, size_t n)
{
	size_t i;

	d->n_servers = 0;
	for (i = 0; i < n && d->n_servers < DNS_MAX_SERVERS; i++)
		if (servers[i])
			d->servers[d->n_servers++] = servers[i];
}

bool dns_query(struct dns *d, const char *name, size_t len, uint16_t qtype, uint64_t now)
{
	release_port(d);
	d->stats.queries++;
	d->qtype = qtype;
	d->tries = 0;
	if (!dns_encode_name(name, len, d->qname, &d->qname_len)) {
		fail(d, "not a host name");
		return false;
	}
	if (d->n_servers == 0) {
		fail(d, "no name server: DHCP gave none (option 6); set dns=");
		return false;
	}
	d->state = DNS_PENDING;
	send_try(d, now);
	return true;
}

uint64_t dns_poll(struct dns *d, uint64_t now)
{
	if (d->state != DNS_PENDING)
		return UINT64_MAX;
	if (now >= d->deadline) {
		d->stats.timeouts++;
		if (d->tries >= DNS_TRIES) {
			fail(d, "no answer from the name servers");
			return UINT64_MAX;
		}
		send_try(d, now);
	}
	return d->deadline;
}

void dns_cancel(struct dns *d)
{
	release_port(d);
	d->state = DNS_IDLE;
}
