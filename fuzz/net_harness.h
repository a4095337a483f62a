/* SPDX-License-Identifier: MIT */
/* What the network fuzz targets share: one stack (10.0.0.2/24, gateway
 * 10.0.0.1, or DHCP; with fz.v6 also IPv6: 2001:db8::2/64 and a link-local
 * address from a fixed RFC 7217 secret) with a deterministic random source, a
 * peer (10.0.0.9, 2001:db8::9) whose frames the target builds, and a checker
 * for every frame the stack sends: whatever it was fed, each must be a
 * well-formed Ethernet frame whose IPv4, ICMP, UDP, TCP and IPv6, ICMPv6
 * checksums and lengths are right. A bad frame aborts,
 * which libFuzzer reports as a crash. Header-only: each target is one file. */
#ifndef UD_FUZZ_NET_HARNESS_H
#define UD_FUZZ_NET_HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"
#include "net/cksum.h"
#include "net/l4.h"
#include "net/net.h"
#include "net/stack.h"
#include "net/tcp.h"

#define FZ_US   0x0a000002u
#define FZ_PEER 0x0a000009u
#define FZ_MS   1000000ull
#define FZ_SEC  1000000000ull

static const uint8_t fz_mac_us[6] = {2, 0, 0, 0, 0, 2};
static const uint8_t fz_mac_peer[6] = {2, 0, 0, 0, 0, 9};
static const uint8_t fz_us6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t fz_peer6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
/* RFC 7217's secret for the stack's link-local address (fuzz/seeds.py
 * computes the same address to readdress captures). */
static const uint8_t fz_secret6[16] = "unideck-fuzz-v6";

/* The last TCP segment the stack sent to each peer port (for the peer model). */
struct fz_seen {
	bool any;
	uint16_t sport, dport;
	uint32_t seq, ack, end; /* end: seq + data + SYN + FIN */
	uint8_t flags;
	uint16_t win;
	uint32_t tsval; /* its timestamp, for the peer's echo */
};

static struct {
	struct net_stack *s;
	size_t size;
	uint64_t now;
	uint32_t rnd;
	uint64_t frames;
	struct fz_seen seen[8]; /* by peer port & 7 */
	bool v6;                /* the next fz_stack has IPv6 too */
} fz;

static inline uint16_t fz_sum(const uint8_t *p, size_t len)
{
	struct cksum c;

	cksum_init(&c);
	cksum_add(&c, p, len);
	return cksum_finish(&c);
}

static inline uint16_t fz_l4_sum(uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *p,
                                 size_t len)
{
	struct cksum c;

	cksum_init(&c);
	cksum_pseudo(&c, src, dst, proto, (uint16_t)len);
	cksum_add(&c, p, len);
	return cksum_finish(&c);
}

/* A TCP segment (t, tl) whose checksum was checked: flags and options. */
static inline void fz_check_segment(const uint8_t *t, size_t tl)
{
	size_t off;
	struct fz_seen *w;
	uint8_t flags;

	off = (size_t)(t[12] >> 4) * 4;
	if (off < 20 || off > tl)
		abort();
	flags = t[13];
	if ((flags & 0x02) && (flags & 0x01))
		abort(); /* SYN and FIN together */
	if ((flags & 0x04) && tl > off)
		abort(); /* data on a reset */
	w = &fz.seen[get_u16be(t + 2) & 7];
	w->any = true;
	w->sport = get_u16be(t);
	w->dport = get_u16be(t + 2);
	w->seq = get_u32be(t + 4);
	w->ack = get_u32be(t + 8);
	w->flags = flags;
	w->win = get_u16be(t + 14);
	if (getenv("FZ_VERBOSE") && getenv("FZ_FRAMES"))
		fprintf(stderr, "tcp %u>%u seq %u ack %u flags %02x len %zu win %u\n", get_u16be(t),
		        get_u16be(t + 2), get_u32be(t + 4), get_u32be(t + 8), flags, tl - off,
		        get_u16be(t + 14));
	w->end = w->seq + (uint32_t)(tl - off) + ((flags & 0x02) ? 1u : 0u) +
	         ((flags & 0x01) ? 1u : 0u);
	for (size_t o = 20; o < off;) { /* options: must be well formed too */
		if (t[o] == 0)
			break;
		if (t[o] == 1) {
			o++;
			continue;
		}
		if (o + 2 > off || t[o + 1] < 2 || o + t[o + 1] > off)
			abort();
		if (t[o] == 8 && t[o + 1] == 10)
			w->tsval = get_u32be(t + o + 2);
		o += t[o + 1];
	}
}

static inline void fz_check_tcp(const uint8_t *ip, size_t ihl, size_t tot)
{
	const uint8_t *t = ip + ihl;
	size_t tl = tot - ihl;

	if (tl < 20 || fz_l4_sum(get_u32be(ip + 12), get_u32be(ip + 16), 6, t, tl) != 0)
		abort(); /* a TCP segment with a bad length or checksum */
	fz_check_segment(t, tl);
}

/* An IPv6 packet (ip, n bytes after Ethernet): the payload length fits, the
 * only extension headers are MLD's hop-by-hop and the fragment header of a
 * large echo reply, and the checksum of the ICMPv6 message or TCP segment
 * holds. */
static inline void fz_check_ipv6(const uint8_t *ip, size_t n)
{
	size_t plen, off = 40;
	struct cksum c;
	uint8_t nh;

	if (n < 40 || (ip[0] >> 4) != 6 || ip[7] == 0)
		abort();
	plen = get_u16be(ip + 4);
	if (40 + plen > n || (40 + plen < n && n > 46))
		abort(); /* a payload length that is not the frame's */
	if (ip[8] == 0xff)
		abort(); /* a multicast source */
	nh = ip[6];
	if (nh == 0) {
		if (plen < 8 || ((size_t)ip[41] + 1) * 8 > plen)
			abort();
		nh = ip[40];
		off += ((size_t)ip[41] + 1) * 8;
	}
	if (nh == 44) {
		/* A fragment of a large echo reply: never TCP; all but the last
		 * carry a multiple of 8 bytes, within 64 KiB. */
		uint16_t fo;
		if (plen < 9 || ip[40] != 58)
			abort();
		fo = get_u16be(ip + 42);
		if (((fo & 1) && (plen - 8) % 8) || (size_t)(fo & 0xfff8) + plen - 8 > 65535)
			abort();
		return;
	}
	if (nh != 58 && nh != 6)
		abort(); /* we send only ICMPv6 and TCP over IPv6 */
	cksum_init(&c);
	cksum_pseudo6(&c, ip + 8, ip + 24, nh, (uint32_t)(40 + plen - off));
	cksum_add(&c, ip + off, 40 + plen - off);
	if (40 + plen - off < (nh == 6 ? 20u : 4u) || cksum_finish(&c) != 0)
		abort();
	if (nh == 6)
		fz_check_segment(ip + off, 40 + plen - off);
	else if (40 + plen > 1280 && ip[off] < 128)
		abort(); /* an ICMPv6 error larger than the minimum MTU (RFC 4443 2.4 (c)) */
}

/* Every frame the stack sends passes here. */
static inline bool fz_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	static uint8_t f[2048];
	size_t i, len = 0, ihl, tot;
	const uint8_t *ip;

	(void)ctx;
	for (i = 0; i < n; i++) {
		if (len + iov[i].len > sizeof f)
			abort(); /* a frame larger than any MTU */
		memcpy(f + len, iov[i].p, iov[i].len);
		len += iov[i].len;
	}
	fz.frames++;
	if (len < 14 || len > 1514)
		abort();
	if (get_u16be(f + 12) == 0x0806) {
		if (len < 14 + 28 || get_u16be(f + 14) != 1 || get_u16be(f + 16) != 0x0800)
			abort();
		return true;
	}
	if (get_u16be(f + 12) == 0x86dd) {
		fz_check_ipv6(f + 14, len - 14);
		return true;
	}
	if (get_u16be(f + 12) != 0x0800)
		abort(); /* we only ever send IPv4, IPv6 and ARP */
	ip = f + 14;
	if (len < 34 || (ip[0] >> 4) != 4)
		abort();
	ihl = (size_t)(ip[0] & 15) * 4;
	tot = get_u16be(ip + 2);
	if (ihl < 20 || tot < ihl || tot > len - 14 || fz_sum(ip, ihl) != 0 || ip[8] == 0)
		abort(); /* a bad IPv4 header */
	if (get_u16be(ip + 6) & 0x3fff) {
		/* A fragment (ICMP and UDP replies larger than the MTU; never TCP):
		 * all but the last carry a multiple of 8 bytes, within 64 KiB. */
		uint16_t fo = get_u16be(ip + 6);
		if (ip[9] == 6 || (fo & 0x4000) || ((fo & 0x2000) && (tot - ihl) % 8) ||
		    (size_t)(fo & 0x1fff) * 8 + (tot - ihl) > 65535)
			abort();
		return true;
	}
	switch (ip[9]) {
	case 1:
		if (tot - ihl < 8 || fz_sum(ip + ihl, tot - ihl) != 0)
			abort();
		break;
	case 17:
		if (tot - ihl < 8 || get_u16be(ip + ihl + 4) != tot - ihl ||
		    (get_u16be(ip + ihl + 6) != 0 &&
		     fz_l4_sum(get_u32be(ip + 12), get_u32be(ip + 16), 17, ip + ihl, tot - ihl) !=
		             0))
			abort();
		break;
	case 6:
		fz_check_tcp(ip, ihl, tot);
		break;
	default:
		abort(); /* a protocol we never send */
	}
	return true;
}

/* Large frames (segmentation offload) are cut as the image's fallback cuts
 * them, and each frame checked like any other. */
static inline bool fz_send_gso(void *ctx, const struct plat_iov *iov, size_t n,
                               const struct net_gso *g)
{
	return net_gso_cut(iov, n, g, fz_send, ctx);
}

static inline void fz_random(void *ctx, void *buf, size_t len)
{
	uint8_t *b = buf;

	(void)ctx;
	while (len--) {
		fz.rnd = fz.rnd * 1103515245u + 12345u;
		*b++ = (uint8_t)(fz.rnd >> 16);
	}
}

/* A fresh stack: static address or DHCP, (flows) TCP flows with small buffers
 * so that the limits are reached quickly. */
static inline void fz_stack(bool dhcp, uint32_t flows)
{
	struct net_config cfg;
	struct net_ops ops = {NULL, fz_send, fz_random, NULL, fz_send_gso};
	size_t need;

	memset(&cfg, 0, sizeof cfg);
	memcpy(cfg.mac, fz_mac_us, 6);
	cfg.mtu = 1500;
	cfg.dhcp = dhcp;
	if (!dhcp) {
		cfg.addr = FZ_US;
		cfg.prefix_len = 24;
		cfg.gateway = 0x0a000001u;
	}
	cfg.tcp_flows = flows;
	cfg.tcp_rx_buf = 8192;
	cfg.tcp_tx_copy = 16384;
	/* Half as many rings as flows, so that inputs reach the pools' refusals
	 * and evictions (net/tcp_pool.c). */
	cfg.tcp_rx_rings = cfg.tcp_copy_rings = flows / 2 ? flows / 2 : 1;
	cfg.tso_max = 65535;
	if (fz.v6) {
		cfg.ipv6 = true;
		memcpy(cfg.addr6, fz_us6, 16);
		cfg.prefix6 = 64;
		memcpy(cfg.secret6, fz_secret6, 16);
	}
	need = (net_stack_size(&cfg) + 63) / 64 * 64;
	if (need > fz.size) {
		free(fz.s);
		fz.s = aligned_alloc(64, need);
		if (!fz.s)
			abort();
		fz.size = need;
	}
	memset(fz.s, 0xa5, need); /* net_init must not rely on zeroed memory */
	memset(fz.seen, 0, sizeof fz.seen);
	fz.rnd = 1;
	fz.now = 1000 * FZ_SEC;
	net_init(fz.s, &cfg, &ops, fz.now);
}

static inline size_t fz_eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, fz_mac_peer, 6);
	put_u16be(f + 12, type);
	return 14;
}

/* An IPv4 header at (ip) for (l4len) bytes of (proto), checksummed. */
static inline void fz_ipv4(uint8_t *ip, uint32_t src, uint32_t dst, uint8_t proto, size_t l4len)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_u16be(ip + 2, (uint16_t)(20 + l4len));
	ip[8] = 64;
	ip[9] = proto;
	put_u32be(ip + 12, src);
	put_u32be(ip + 16, dst);
	put_u16be(ip + 10, fz_sum(ip, 20));
}

/* The peer asks for us, so that the stack knows it and answers at once. */
static inline void fz_peer_arp(void)
{
	static const uint8_t bcast[6] = {255, 255, 255, 255, 255, 255};
	uint8_t f[60] = {0};
	size_t n = fz_eth(f, bcast, 0x0806);

	/* A request for our address: the stack answers and learns the asker. */
	put_u16be(f + n, 1);
	put_u16be(f + n + 2, 0x0800);
	f[n + 4] = 6;
	f[n + 5] = 4;
	put_u16be(f + n + 6, 1);
	memcpy(f + n + 8, fz_mac_peer, 6);
	put_u32be(f + n + 14, FZ_PEER);
	put_u32be(f + n + 24, FZ_US);
	net_input(fz.s, f, sizeof f, fz.now);
}

/* Advance virtual time to (t), running every timer due on the way. */
static inline void fz_advance(uint64_t t)
{
	int guard = 0;

	while (fz.now < t && guard++ < 10000) {
		uint64_t next = net_poll(fz.s, fz.now);
		fz.now = next > fz.now && next < t ? next : t;
	}
	net_poll(fz.s, fz.now);
}

/* ---- a small app on the stack: a server on port 80 and outgoing flows ---- */

#define FZ_APP_FLOWS 16

static inline const uint8_t *fz_content(void)
{
	static uint8_t c[65536];
	static bool made;
	size_t i;

	if (!made) {
		for (i = 0; i < sizeof c; i++)
			c[i] = (uint8_t)(i * 7 + (i >> 8));
		made = true;
	}
	return c;
}

static struct {
	struct tcp_listener *l;
	struct tcp_flow *f[FZ_APP_FLOWS];
	uint64_t got;
	struct shared_buf ev; /* one event every flow's answer references (live follow) */
} fz_app;

static inline void fz_app_start(void)
{
	memset(&fz_app, 0, sizeof fz_app);
	fz_app.l = tcp_listen(fz.s, 80, 4);
	if (!fz_app.l)
		abort();
	fz_app.ev.p = fz_content() + 1000;
	fz_app.ev.len = 300;
}

static inline void fz_app_keep(struct tcp_flow *f)
{
	int i;

	for (i = 0; i < FZ_APP_FLOWS; i++)
		if (!fz_app.f[i]) {
			fz_app.f[i] = f;
			return;
		}
	tcp_abort(f); /* no room in the app: give it straight back */
}

/* Answer what the stack reports ready, the way a server would: accept, read,
 * answer each read with a copied header and (how) selects the size of a
 * referenced body and a shared event after it (with bit 3, forty small parts
 * instead), close at EOF or on failure. */
static inline void fz_app_step(uint8_t how)
{
	struct tcp_flow *f;
	struct tcp_listener *l;
	uint8_t buf[4096];
	int guard = 0;

	while (tcp_ready_next(fz.s, &f, &l) && guard++ < 256) {
		if (l) {
			while ((f = tcp_accept(l)) != NULL)
				fz_app_keep(f);
			continue;
		}
		bool eof = false;
		size_t n = tcp_read(f, buf, (how & 1) ? 100 : sizeof buf, &eof);
		int i;
		for (i = 0; i < FZ_APP_FLOWS && fz_app.f[i] != f; i++)
			;
		if (i == FZ_APP_FLOWS)
			continue; /* a flow already given back is never touched */
		fz_app.got += n;
		if (n && (how & 8) && tcp_can_write(f, 20 * 8, 20 + 19)) {
			/* A multipart response's shape: 20 boundaries copied and 20
			 * ranges referenced, more parts than one frame gathers
			 * (issue 14, bug 2: fz_send checks every frame is whole).
			 * tcp_can_write counts one chunk for all copied bytes, and
			 * each of these 20 copies is a chunk of its own: 19 more. */
			for (int k = 0; k < 20; k++) {
				tcp_write_copy(f, "\r\n--b\r\n", 8);
				tcp_write_ref(f, fz_content() + k * 97,
				              (size_t)1 + ((how >> 4) * 7 + k) % 61);
			}
		} else if (n && tcp_can_write(f, 64, 2)) {
			tcp_write_copy(f, "HTTP/1.1 200 OK\r\n\r\n", 19);
			tcp_write_ref(f, fz_content(), (size_t)1 << (how >> 4));
			tcp_write_shared(f, &fz_app.ev); /* held until acknowledged */
		}
		if (tcp_failed(f) || (eof && (how & 2))) {
			if (how & 4)
				tcp_abort(f);
			else
				tcp_close(f);
			fz_app.f[i] = NULL;
		} else if (eof) {
			tcp_shutdown(f);
		}
	}
}

/* Give every flow back, let virtual time run for an hour with a silent peer,
 * and check that the stack is left with nothing: no flow, no reference into
 * the content, no TCP timer. */
static inline void fz_app_finish(void)
{
	uint32_t i;

	for (i = 0; i < FZ_APP_FLOWS; i++)
		if (fz_app.f[i]) {
			tcp_close(fz_app.f[i]);
			fz_app.f[i] = NULL;
		}
	fz_app_step(2);
	if (getenv("FZ_VERBOSE")) { /* to see what a seed reaches */
		const struct tcp_stats *t = &fz.s->tcp.stats;
		fprintf(stderr,
		        "frames %llu accepted %llu connects %llu got %llu ref %llu rexmits %llu "
		        "fast %llu sack %llu persist %llu keepalive %llu challenge %llu rst_rcvd "
		        "%llu recycled %llu ip_reasm %llu dhcp_bound %d\n",
		        (unsigned long long)fz.frames, (unsigned long long)t->accepted,
		        (unsigned long long)t->connects, (unsigned long long)fz_app.got,
		        (unsigned long long)t->bytes_ref, (unsigned long long)t->rexmits,
		        (unsigned long long)t->fast_rexmits, (unsigned long long)t->sack_rexmits,
		        (unsigned long long)t->persist_probes,
		        (unsigned long long)t->keepalive_probes,
		        (unsigned long long)t->challenge_acks, (unsigned long long)t->rst_rcvd,
		        (unsigned long long)t->timewait_recycled,
		        (unsigned long long)fz.s->ip.stats.reasm_ok, fz.s->addr != 0);
	}
	fz_advance(fz.now + 3600 * FZ_SEC);
	fz_app_step(2);
	for (i = 0; i < FZ_APP_FLOWS; i++)
		if (fz_app.f[i])
			tcp_abort(fz_app.f[i]);
	fz_advance(fz.now + 3600 * FZ_SEC);
	for (i = 0; i < fz.s->tcp.fresh; i++)
		if (fz.s->tcp.flows[i].used)
			abort(); /* a flow outlived every timer */
	if (tcp_references(fz.s, fz_content(), 65536))
		abort(); /* a reference outlived its flow */
	if (fz_app.ev.refs)
		abort(); /* a shared buffer still held with every flow gone */
	if (tcp_poll(fz.s, fz.now) != UINT64_MAX)
		abort(); /* a timer left hanging */
}

#endif
