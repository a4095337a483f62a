/* SPDX-License-Identifier: MIT */
/* The DHCP client as clouds drive it, frame by frame: a /32 address whose
 * gateway is reached through a classless static route (option 121, RFC 3442,
 * as Compute Engine leases), the MTU option (26) becoming the stack's MTU and
 * so TCP's MSS, malformed routes and MTUs ignored, a lease renewed and rebound
 * over days of virtual time (RFC 2131 4.4.5), and a server that never answers:
 * retransmissions with backoff, a console message, and a deadline always
 * returned (no hang). The stack under test sends into a capture; the server's
 * frames are built here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"
#include "net/cksum.h"
#include "net/eth.h"
#include "net/ipv4.h"
#include "net/stack.h"
#include "tests/unit/check.h"

#define SEC  1000000000ull
#define DAY  (86400ull * SEC)
#define ADDR 0x0a800005u /* 10.128.0.5 */
#define GW   0x0a800001u /* 10.128.0.1 */
#define SRV  0xa9fea9feu /* 169.254.169.254, GCE's metadata server answers DHCP */

static const uint8_t mac_us[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t mac_srv[6] = {2, 0, 0, 0, 0, 1};

static struct {
	uint8_t f[64][1600];
	size_t len[64];
	size_t n;
} out;
static char logs[64][160];
static size_t n_logs;

static bool cap_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	size_t len = 0;

	(void)ctx;
	if (out.n == 64)
		return true;
	for (size_t i = 0; i < n; i++) {
		memcpy(out.f[out.n] + len, iov[i].p, iov[i].len);
		len += iov[i].len;
	}
	out.len[out.n++] = len;
	return true;
}

static void cap_random(void *ctx, void *buf, size_t len)
{
	static uint32_t x = 777;
	uint8_t *b = buf;

	(void)ctx;
	while (len--) {
		x = x * 1103515245u + 12345u;
		*b++ = (uint8_t)(x >> 16);
	}
}

static void cap_log(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	if (n_logs < 64)
		snprintf(logs[n_logs++], sizeof logs[0], "%.*s", (int)len, msg);
}

static bool logged(const char *needle)
{
	for (size_t i = 0; i < n_logs; i++)
		if (strstr(logs[i], needle))
			return true;
	return false;
}

static struct net_stack *stk;
static uint64_t now;

static void fresh(void)
{
	struct net_config cfg;
	struct net_ops ops = {NULL, cap_send, cap_random, cap_log, NULL};

	memset(&cfg, 0, sizeof cfg);
	memcpy(cfg.mac, mac_us, 6);
	cfg.mtu = 1500;
	cfg.dhcp = true;
	cfg.tcp_flows = 8;
	free(stk);
	size_t sz = (net_stack_size(&cfg) + 63) / 64 * 64;
	stk = aligned_alloc(64, sz);
	memset(stk, 0xa5, sz);
	now = 1000 * SEC;
	n_logs = 0;
	net_init(stk, &cfg, &ops, now);
}

/* The DHCP message type of captured frame (i), or 0 when it is not DHCP. */
static uint8_t sent_type(size_t i, uint32_t *dst)
{
	const uint8_t *f = out.f[i];
	size_t len = out.len[i];

	if (len < 14 + 28 + 240 || get_u16be(f + 12) != ETH_P_IPV4 || f[14 + 9] != 17 ||
	    get_u16be(f + 14 + 22) != 67)
		return 0;
	if (dst)
		*dst = get_u32be(f + 14 + 16);
	const uint8_t *m = f + 14 + 28;
	for (size_t k = 240; k + 2 < len - 42 && m[k] != 255;)
		if (m[k] == 0)
			k++;
		else if (m[k] == 53)
			return m[k + 2];
		else
			k += 2u + m[k + 1];
	return 0;
}

static uint32_t xid_of(size_t i)
{
	return get_u32be(out.f[i] + 14 + 28 + 4);
}

/* The last DHCP message sent, its type (and destination). */
static uint8_t last_dhcp(uint32_t *dst, uint32_t *xid)
{
	for (size_t i = out.n; i-- > 0;) {
		uint8_t t = sent_type(i, dst);
		if (t) {
			if (xid)
				*xid = xid_of(i);
			return t;
		}
	}
	return 0;
}

static size_t count_dhcp(void)
{
	size_t n = 0;

	for (size_t i = 0; i < out.n; i++)
		n += sent_type(i, NULL) != 0;
	return n;
}

struct opts {
	const uint8_t *extra;
	size_t extra_len;
	uint32_t mask, router, lease;
};

static size_t reply(uint8_t *m, uint8_t type, uint32_t xid, const struct opts *o)
{
	size_t n = 240;

	memset(m, 0, 600);
	m[0] = 2;
	m[1] = 1;
	m[2] = 6;
	put_u32be(m + 4, xid);
	put_u32be(m + 16, ADDR);
	memcpy(m + 28, mac_us, 6);
	put_u32be(m + 236, 0x63825363u);
	m[n++] = 53, m[n++] = 1, m[n++] = type;
	m[n++] = 54, m[n++] = 4, put_u32be(m + n, SRV), n += 4;
	m[n++] = 1, m[n++] = 4, put_u32be(m + n, o->mask), n += 4;
	if (o->router)
		m[n++] = 3, m[n++] = 4, put_u32be(m + n, o->router), n += 4;
	m[n++] = 51, m[n++] = 4, put_u32be(m + n, o->lease), n += 4;
	memcpy(m + n, o->extra, o->extra_len);
	n += o->extra_len;
	m[n++] = 255;
	return n;
}

static uint16_t sum(const void *p, size_t len)
{
	struct cksum c;

	cksum_init(&c);
	cksum_add(&c, p, len);
	return cksum_finish(&c);
}

static void from_server(const uint8_t *m, size_t len)
{
	static uint8_t f[1600];
	uint8_t *ip = f + 14;

	memcpy(f, mac_us, 6);
	memcpy(f + 6, mac_srv, 6);
	put_u16be(f + 12, ETH_P_IPV4);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_u16be(ip + 2, (uint16_t)(28 + len));
	ip[8] = 64;
	ip[9] = 17;
	put_u32be(ip + 12, SRV);
	put_u32be(ip + 16, 0xffffffffu);
	put_u16be(ip + 10, sum(ip, 20));
	put_u16be(ip + 20, 67);
	put_u16be(ip + 22, 68);
	put_u16be(ip + 24, (uint16_t)(8 + len));
	put_u16be(ip + 26, 0);
	memcpy(ip + 28, m, len);
	net_input(stk, f, 14 + 28 + len, now);
	net_poll(stk, now);
}

/* Discover, offer, request, ack with (o): the lease. */
static bool lease(const struct opts *o)
{
	uint8_t m[600];
	uint32_t xid = 0;

	out.n = 0;
	now += 5 * SEC;
	net_poll(stk, now);
	if (last_dhcp(NULL, &xid) != 1)
		return false;
	size_t mlen = reply(m, 2, xid, o);
	from_server(m, mlen);
	if (last_dhcp(NULL, NULL) != 3)
		return false;
	mlen = reply(m, 5, xid, o);
	from_server(m, mlen);
	return stk->dhcp.phase == DHCP_BOUND;
}

/* The gateway asked for by ARP when we answer an off-link ping. */
static uint32_t arp_target_for(uint32_t from)
{
	static uint8_t f[64];
	uint8_t *ip = f + 14;

	memcpy(f, mac_us, 6);
	memcpy(f + 6, mac_srv, 6);
	put_u16be(f + 12, ETH_P_IPV4);
	memset(ip, 0, 36);
	ip[0] = 0x45;
	put_u16be(ip + 2, 28);
	ip[8] = 64;
	ip[9] = 1;
	put_u32be(ip + 12, from);
	put_u32be(ip + 16, ADDR);
	put_u16be(ip + 10, sum(ip, 20));
	ip[20] = 8; /* echo request */
	put_u16be(ip + 26, 1);
	put_u16be(ip + 22, sum(ip + 20, 8));
	out.n = 0;
	net_input(stk, f, 14 + 28, now);
	net_poll(stk, now);
	for (size_t i = 0; i < out.n; i++)
		if (get_u16be(out.f[i] + 12) == ETH_P_ARP && get_u16be(out.f[i] + 20) == 1)
			return get_u32be(out.f[i] + 38);
	return 0;
}

static const uint8_t gce_routes[] = {121, 14, 32,   10,  128, 0,
                                     1,   0,  0,    0,   0, /* 10.128.0.1/32 on-link */
                                     0,   10, 128,  0,   1, /* default via 10.128.0.1 */
                                     26,  2,  0x05, 0xb4};  /* MTU 1460 */

static void test_gce(void)
{
	/* A router option naming another address: RFC 3442 says ignore it. */
	struct opts o = {gce_routes, sizeof gce_routes, 0xffffffffu, 0x0a8000feu, 86400};
	uint32_t a, gw;
	uint8_t pl;

	fresh();
	CHECK(lease(&o), "dhcp: a Compute Engine style lease is taken");
	CHECK(net_address(stk, &a, &pl, &gw) && a == ADDR && pl == 32 && gw == GW,
	      "dhcp: 10.128.0.5/32 with the gateway from option 121, option 3 ignored");
	CHECK(ipv4_mtu(stk) == 1460 && logged("net: MTU 1460"),
	      "dhcp: option 26 sets the MTU to 1460 (TCP's MSS is the MTU less 40)");
	CHECK(arp_target_for(0xcb007107u) == GW,
	      "dhcp: an off-link peer is reached through the gateway, ARPed on-link from a /32");
}

static void test_routes(void)
{
	static const uint8_t r[] = {121, 19, 24,  192, 168, 50, 10, 128, 0, 9, /* 192.168.50/24 */
	                            0,   10, 128, 0,   1,                      /* default */
	                            8,   10, 10,  128, 0,   1}; /* 10/8 via GW: longest wins */
	struct opts o = {r, sizeof r, 0xffffff00u, 0, 3600};

	fresh();
	CHECK(lease(&o) && stk->dhcp.n_routes == 2, "dhcp: two static routes and a default");
	CHECK(dhcp_next_hop(stk, 0xc0a83203u) == 0x0a800009u,
	      "dhcp: 192.168.50.3 goes via the route's router");
	CHECK(dhcp_next_hop(stk, 0xcb007101u) == GW, "dhcp: anything else via the default");
	CHECK(dhcp_next_hop(stk, 0x0a0a0a0au) == GW, "dhcp: 10.10.10.10 via the /8 route");

	static const uint8_t bad[] = {121, 5, 33,   1,   2, 3, 4, /* width 33 */
	                              26,  2, 0x01, 0x00};        /* MTU 256: too small */
	struct opts ob = {bad, sizeof bad, 0xffffff00u, GW, 3600};
	uint32_t gw;
	fresh();
	CHECK(lease(&ob) && net_address(stk, NULL, NULL, &gw) && gw == GW &&
	              stk->dhcp.n_routes == 0 && stk->dhcp.stats.routes_bad == 1,
	      "dhcp: a malformed option 121 is ignored whole and the router option used");
	CHECK(ipv4_mtu(stk) == 1500 && stk->dhcp.stats.mtu_bad == 1,
	      "dhcp: an MTU below 576 is ignored");
	static const uint8_t big[] = {26, 2, 0x23, 0x28}; /* 9000, more than the device */
	struct opts og = {big, sizeof big, 0xffffff00u, GW, 3600};
	fresh();
	CHECK(lease(&og) && ipv4_mtu(stk) == 1500, "dhcp: an MTU above the device's is ignored");
	static const uint8_t trunc[] = {121, 3, 24, 192, 168};
	struct opts ot = {trunc, sizeof trunc, 0xffffff00u, GW, 3600};
	fresh();
	CHECK(lease(&ot) && net_address(stk, NULL, NULL, &gw) && gw == GW &&
	              stk->dhcp.n_routes == 0,
	      "dhcp: a truncated route is ignored whole");
}

/* Poll from now to (until) in steps of (step), counting DHCP messages. */
static void run_until(uint64_t until, uint64_t step)
{
	while (now < until) {
		now = now + step < until ? now + step : until;
		net_poll(stk, now);
	}
}

static void test_days(void)
{
	struct opts o = {gce_routes, sizeof gce_routes, 0xffffffffu, 0, 3 * 86400};
	uint8_t m[600];
	uint32_t dst = 0, xid = 0;

	fresh();
	CHECK(lease(&o), "dhcp: a three-day lease");
	uint64_t t0 = now;
	out.n = 0;
	run_until(t0 + DAY + DAY / 2 - SEC, 60 * SEC);
	CHECK(count_dhcp() == 0, "dhcp: nothing sent before T1 (1.5 days)");
	run_until(t0 + DAY + DAY / 2 + 5 * SEC, SEC);
	/* The unicast REQUEST may wait for the server's MAC (ARP) first. */
	CHECK(stk->dhcp.phase == DHCP_RENEWING, "dhcp: at T1 the client is renewing");
	uint64_t sent = stk->dhcp.stats.sent;
	run_until(t0 + 2 * DAY + DAY * 5 / 8 - SEC, 60 * SEC);
	uint64_t tries = stk->dhcp.stats.sent - sent;
	CHECK(tries >= 3 && tries < 40 && stk->dhcp.phase == DHCP_RENEWING,
	      "dhcp: unanswered renewals are retried, halving the time left to T2 (%llu)",
	      (unsigned long long)tries);
	out.n = 0;
	run_until(t0 + 2 * DAY + DAY * 5 / 8 + 10 * SEC, SEC);
	CHECK(stk->dhcp.phase == DHCP_REBINDING && last_dhcp(&dst, &xid) == 3 &&
	              dst == 0xffffffffu && logged("did not renew the lease"),
	      "dhcp: at T2 (2.625 days) the REQUEST is broadcast: rebinding, and said so");
	size_t mlen = reply(m, 5, xid, &o);
	from_server(m, mlen);
	CHECK(stk->dhcp.phase == DHCP_BOUND && stk->dhcp.bound_at == now &&
	              stk->dhcp.stats.leases == 2,
	      "dhcp: an ACK while rebinding renews the lease from now");
	uint64_t t1 = now;
	run_until(t1 + 3 * DAY + 60 * SEC, 600 * SEC);
	uint32_t a = 1;
	net_address(stk, &a, NULL, NULL);
	CHECK(stk->dhcp.stats.expired == 1 && a == 0 && logged("lease expired") &&
	              stk->dhcp.phase == DHCP_SELECTING,
	      "dhcp: a lease nobody renews expires after three days: address dropped, asking "
	      "again");
}

static void test_absent(void)
{
	fresh();
	out.n = 0;
	uint64_t t0 = now, prev = now, gaps[8] = {0};
	size_t k = 0, seen = 0;
	bool later = true;
	while (now < t0 + 400 * SEC) {
		uint64_t next = net_poll(stk, now);
		if (next <= now) {
			later = false;
			break;
		}
		now = next;
		net_poll(stk, now);
		if (count_dhcp() > seen) {
			seen = count_dhcp();
			if (k < 8)
				gaps[k] = (now - prev) / SEC;
			k++;
			prev = now;
		}
	}
	CHECK(later, "dhcp: without a server the stack always names a later deadline (no spin)");
	CHECK(k >= 5 && gaps[1] >= 3 && gaps[2] >= 7 && gaps[3] >= 15 && gaps[4] >= 31,
	      "dhcp: DISCOVER retried with backoff (%llu %llu %llu %llu s)",
	      (unsigned long long)gaps[1], (unsigned long long)gaps[2], (unsigned long long)gaps[3],
	      (unsigned long long)gaps[4]);
	CHECK(logged("net: no DHCP offer after") && stk->dhcp.stats.rounds >= 2,
	      "dhcp: a server that never answers is reported on the console, rounds restart");
}

static void test_hostile(void)
{
	static const uint8_t many[] = {121, 45, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3,
	                               4,   0,  1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4,
	                               0,   1,  2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4};
	struct opts o = {many, sizeof many, 0xffffff00u, GW, 3600};
	fresh();
	CHECK(lease(&o) && stk->dhcp.n_routes == 0 && stk->dhcp.stats.routes_bad == 1,
	      "dhcp: more than %u routes: the option is refused whole", DHCP_ROUTES_MAX);
	static const uint8_t host_bits[] = {121, 9, 8, 10, 1, 2, 3, 4, 0, 0, 0}; /* 10/8 ok */
	struct opts oh = {host_bits, sizeof host_bits, 0xffffff00u, GW, 3600};
	fresh();
	CHECK(lease(&oh) && stk->dhcp.n_routes == 0 && stk->dhcp.stats.routes_bad == 1,
	      "dhcp: a route with a longer body than its width says is refused");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_gce();
	test_routes();
	test_days();
	test_absent();
	test_hostile();
	free(stk);
	return check_done();
}
