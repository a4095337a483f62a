/* SPDX-License-Identifier: MIT */
/* The network boot test: hand-built ARP and ICMP frames to the gateway (slirp's
 * 10.0.2.2, or a TAP peer), replies received by interrupt, contents checked.
 * ICMP payloads are sent as stable parts, so the echo proves the zero-copy
 * gather path end to end. */
#include "tests/pvh/test_kernel.h"

#include <stdint.h>

#include "lib/cmdline.h"
#include "lib/cursor.h"
#include "lib/mem.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/pvh/lapic.h"
#include "platform/pvh/trap.h"
#include "platform/virtio/vnet.h"

#define N_ARP      3
#define N_PING     2
#define WAIT_NS    5000000000ull /* per phase; replies normally take microseconds */
#define PAYLOAD    256
#define WAKE_TRIES 50

static const uint8_t payload[PAYLOAD] = {
#define P16(x)                                                                                     \
	x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, x + 9, x + 10, x + 11, x + 12,  \
	        x + 13, x + 14, x + 15
        P16(0),   P16(16),  P16(32),  P16(48),  P16(64),  P16(80),  P16(96),  P16(112),
        P16(128), P16(144), P16(160), P16(176), P16(192), P16(208), P16(224), P16(240),
};

struct tnet {
	struct plat_net_info info;
	uint32_t ip, gw;
	uint8_t gw_mac[6];
	unsigned arp_replies, echo_replies, echo_good;
};

static uint32_t parse_ip(const char *key, uint32_t dflt)
{
	char buf[20];
	uint32_t ip = 0;
	unsigned part = 0, dots = 0;

	if (!tk_arg(key, buf, sizeof buf))
		return dflt;
	for (const char *p = buf;; p++) {
		if (*p >= '0' && *p <= '9' && part < 256) {
			part = part * 10 + (unsigned)(*p - '0');
		} else if ((*p == '.' || *p == '\0') && part < 256) {
			ip = (ip << 8) | part;
			part = 0;
			if (*p == '\0')
				return dots == 3 ? ip : dflt;
			dots++;
		} else {
			return dflt;
		}
	}
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void build_arp(const struct tnet *t, uint8_t f[42])
{
	memset(f, 0xff, 6);
	memcpy(f + 6, t->info.mac, 6);
	put_u16be(f + 12, 0x0806);
	put_u16be(f + 14, 1);      /* Ethernet */
	put_u16be(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put_u16be(f + 20, 1); /* request */
	memcpy(f + 22, t->info.mac, 6);
	put_u32be(f + 28, t->ip);
	memset(f + 32, 0, 6);
	put_u32be(f + 38, t->gw);
}

static void send_arp(const struct tnet *t)
{
	uint8_t f[42];

	build_arp(t, f);
	struct plat_iov iov = {f, sizeof f, 0};
	tk_check(plat_net_send(&iov, 1) == PLAT_OK, "ARP request queued");
}

static void send_ping(const struct tnet *t, uint16_t seq)
{
	uint8_t h[42];
	uint32_t sum = 0;

	memcpy(h, t->gw_mac, 6);
	memcpy(h + 6, t->info.mac, 6);
	put_u16be(h + 12, 0x0800);
	uint8_t *ip = h + 14, *icmp = h + 34;
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put_u16be(ip + 2, 20 + 8 + PAYLOAD);
	put_u16be(ip + 4, seq);
	put_u16be(ip + 6, 0x4000); /* don't fragment */
	ip[8] = 64;
	ip[9] = 1; /* ICMP */
	put_u32be(ip + 12, t->ip);
	put_u32be(ip + 16, t->gw);
	put_u16be(ip + 10, csum(ip, 20, 0));
	icmp[0] = 8; /* echo request */
	icmp[1] = 0;
	put_u16be(icmp + 2, 0);
	put_u16be(icmp + 4, 0x5544);
	put_u16be(icmp + 6, seq);
	for (size_t i = 0; i < PAYLOAD; i += 2)
		sum += (uint32_t)(payload[i] << 8 | payload[i + 1]);
	put_u16be(icmp + 2, csum(icmp, 8, sum));
	struct plat_iov iov[2] = {{h, sizeof h, 0}, {payload, PAYLOAD, 1}};
	tk_check(plat_net_send(iov, 2) == PLAT_OK,
	         "ICMP echo request queued (payload by reference)");
}

static void on_arp(struct tnet *t, struct cur c)
{
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;
	const uint8_t *sha, *tha;
	uint32_t spa, tpa;

	if (!cur_u16be(&c, &htype) || !cur_u16be(&c, &ptype) || !cur_u8(&c, &hlen) ||
	    !cur_u8(&c, &plen) || !cur_u16be(&c, &op) || !cur_bytes(&c, 6, &sha) ||
	    !cur_u32be(&c, &spa) || !cur_bytes(&c, 6, &tha) || !cur_u32be(&c, &tpa))
		return;
	if (op != 2 || spa != t->gw || tpa != t->ip || memcmp(tha, t->info.mac, 6) != 0)
		return;
	memcpy(t->gw_mac, sha, 6);
	t->arp_replies++;
}

static void on_ipv4(struct tnet *t, struct cur c)
{
	const uint8_t *ip, *icmp, *data;
	uint16_t seq;

	if (!cur_bytes(&c, 20, &ip) || ip[0] != 0x45 || ip[9] != 1 || !cur_bytes(&c, 8, &icmp))
		return;
	struct cur s = cur_make(icmp + 6, 2);
	if (icmp[0] != 0 || !cur_u16be(&s, &seq) || seq < 1 || seq > N_PING)
		return;
	t->echo_replies++;
	if (cur_bytes(&c, PAYLOAD, &data) && memcmp(data, payload, PAYLOAD) == 0)
		t->echo_good++;
}

/* Receive until (*count) reaches (want) or the wait ends. */
static void wait_for(struct tnet *t, const unsigned *count, unsigned want)
{
	static uint8_t frame[2048];
	uint64_t deadline = plat_clock_monotonic_ns() + WAIT_NS;
	size_t len;

	while (*count < want && plat_clock_monotonic_ns() < deadline) {
		while (plat_net_recv(frame, sizeof frame, &len) == PLAT_OK) {
			struct cur c = cur_make(frame, len);
			uint16_t type;
			if (!cur_skip(&c, 12) || !cur_u16be(&c, &type))
				continue;
			if (type == 0x0806)
				on_arp(t, c);
			else if (type == 0x0800)
				on_ipv4(t, c);
		}
		if (*count < want)
			plat_yield_until(deadline);
	}
}

/* One ARP request, then a halt with a far deadline that does not look for
 * frames first: the reply's interrupt must end it, whether it arrives during the
 * hlt or became pending just before. A wake-up by something else (a stale
 * timer interrupt) is retried; a halt that runs to its deadline fails. */
static void wake_check(struct tnet *t)
{
	struct vnet_stats st;
	int tries, woke = 0, late = 0;

	for (tries = 0; tries < WAKE_TRIES && !woke && !late; tries++) {
		unsigned want = t->arp_replies + 1;
		uint8_t f[42];
		build_arp(t, f);
		struct plat_iov iov = {f, sizeof f, 0};
		vnet_get_stats(&st);
		uint64_t irqs = st.rx_irqs, deadline = plat_clock_monotonic_ns() + WAIT_NS;
		if (plat_net_send(&iov, 1) != PLAT_OK)
			continue;
		vnet_flush();
		lapic_wait(deadline);
		late = plat_clock_monotonic_ns() >= deadline;
		vnet_get_stats(&st);
		woke = !late && st.rx_irqs > irqs;
		wait_for(t, &t->arp_replies, want);
	}
	kprintf("# wake check: %d tries, woken by the receive interrupt %d, by the timer %d\n",
	        tries, woke, late);
	tk_check(woke && !late, "a received frame woke the CPU from hlt (interrupt)");
}

/* plat_net_send() refuses empty and oversized frames; plat_net_recv() drops a
 * frame longer than the caller's buffer (and counts it) rather than truncate. */
static void contract_checks(struct tnet *t)
{
	static uint8_t big[VNET_FRAME_MAX + 1];
	struct plat_iov iov = {big, sizeof big, 0};
	struct vnet_stats st0, st1;
	uint8_t small[20];
	size_t len;

	tk_check(plat_net_send(&iov, 1) == PLAT_EINVAL, "a frame over 1514 bytes is refused");
	tk_check(plat_net_send(&iov, 0) == PLAT_EINVAL, "an empty frame is refused");
	send_arp(t);
	vnet_get_stats(&st0);
	uint64_t deadline = plat_clock_monotonic_ns() + WAIT_NS;
	while (!vnet_rx_ready() && plat_clock_monotonic_ns() < deadline)
		plat_yield_until(deadline);
	enum plat_result r = plat_net_recv(small, sizeof small, &len);
	vnet_get_stats(&st1);
	tk_check(r == PLAT_AGAIN && st1.rx_too_long == st0.rx_too_long + 1,
	         "a frame longer than the buffer is dropped and counted, not truncated");
}

/* burst=N: N more ARP requests in batches, receiving in between, so the rings
 * wrap many times and the transmit queue fills (PLAT_AGAIN, then reclaim). */
static void burst(struct tnet *t, unsigned n)
{
	unsigned sent = 0, again = 0, want = t->arp_replies + n;

	while (sent < n && again < 1000000) {
		uint8_t f[42];
		build_arp(t, f);
		struct plat_iov iov = {f, sizeof f, 0};
		enum plat_result r = plat_net_send(&iov, 1);
		if (r == PLAT_OK) {
			sent++;
		} else {
			again++;
			plat_yield_until(plat_clock_monotonic_ns() + 100000);
		}
		if (sent % 64 == 0)
			wait_for(t, &t->arp_replies, t->arp_replies + 1);
	}
	wait_for(t, &t->arp_replies, want);
	kprintf("# burst: %u sent (%u times the queue was full), %u replies\n", sent, again,
	        t->arp_replies - (want - n));
	tk_check(sent == n, "burst: every frame queued eventually");
	tk_check(t->arp_replies == want, "burst: a reply for every request");
}

int tk_net(void)
{
	struct tnet t;
	struct vnet_stats st;

	memset(&t, 0, sizeof t);
	plat_net_info(&t.info);
	if (!t.info.present) {
		kprintf("# no network device\n");
		return TK_EXIT_NO_NIC;
	}
	t.ip = parse_ip("ip", 0x0a00020f);
	t.gw = parse_ip("gw", 0x0a000202);
	kprintf("# net: %s\n", vnet_name());
	for (int i = 0; i < N_ARP; i++)
		send_arp(&t);
	vnet_get_stats(&st);
	tk_check(st.tx_notifies == 0, "transmit is batched (no notify before the flush)");
	wait_for(&t, &t.arp_replies, N_ARP);
	kprintf("# %u ARP replies\n", t.arp_replies);
	tk_check(t.arp_replies >= 1, "ARP reply from the gateway received and checked");
	if (t.arp_replies) {
		for (uint16_t seq = 1; seq <= N_PING; seq++)
			send_ping(&t, seq);
		wait_for(&t, &t.echo_replies, N_PING);
		tk_check(t.echo_replies == N_PING, "ICMP echo replies received");
		tk_check(t.echo_good == N_PING,
		         "echo payloads (sent by reference) came back intact");
	}
	if (t.arp_replies) {
		wake_check(&t);
		contract_checks(&t);
	}
	char arg[16];
	uint64_t n;
	if (tk_arg("burst", arg, sizeof arg) && cmdline_u64(arg, strlen(arg), &n) && n)
		burst(&t, (unsigned)n);
	/* An interrupt raised while we were not waiting stays pending with
	 * interrupts off; a short sleep takes it, so the count below does not
	 * depend on whether a reply beat us to the hlt. */
	plat_yield_until(plat_clock_monotonic_ns() + 1000000);
	vnet_get_stats(&st);
	kprintf("# rx %lu frames, %lu irqs; tx %lu frames, %lu notifies, %lu by reference, "
	        "queues %u/%u\n",
	        st.rx_frames, st.rx_irqs, st.tx_frames, st.tx_notifies, st.tx_zero_copy,
	        st.rx_queue_size, st.tx_queue_size);
	tk_check(st.rx_irqs > 0, "receive raised an interrupt that reached the handler");
	tk_check(st.tx_zero_copy >= N_PING, "stable parts went out by reference");
	tk_check(st.rx_bad_len == 0 && st.rx_bad_used == 0 && st.tx_bad_used == 0,
	         "no invalid used elements from the device");
	return tk_failures() ? TK_EXIT_FAIL : 0;
}
