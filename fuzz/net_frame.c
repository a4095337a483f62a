/* SPDX-License-Identifier: MIT */
/* Fuzz target: arbitrary frames into the whole stack (Ethernet, ARP, IPv4 with
 * fragments, ICMP, UDP, DHCP, TCP; IPv6 with its extension headers and
 * fragments, ICMPv6, neighbour discovery, TCP over IPv6) with a server on
 * port 80 answering.
 *
 * Input: byte 0 picks the set-up (bit 0: DHCP instead of a static address;
 * bits 1-2: 2, 4, 8 or 16 TCP flows; bit 3: no IPv6). Then records of
 * [ctl][len hi][len lo][len bytes]:
 *   ctl bits 0-2  time to let pass first: 0, 1 ms, 10 ms, 100 ms, 1 s, 10 s,
 *                 60 s, 10 min
 *   ctl bit 3     the bytes are an IP packet: wrap them in Ethernet to us
 *                 (IPv6 when its version field says 6, else IPv4)
 *   ctl bit 4     fix the IPv4 header and ICMP/UDP/TCP checksums, or the
 *                 ICMPv6/UDP/TCP checksum after IPv6's extension headers
 *                 (not in a fragment), so that the fuzzer gets past them
 *   ctl bit 5     let the app run after the frame
 *   ctl bits 6-7  the app's choices (see fz_app_step; both set: a response
 *                 of many small parts)
 * Every frame the stack sends is checked (net_harness.h); at the end every
 * flow is given back and after an hour of virtual time nothing may remain. */
#include "fuzz/net_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint64_t steps[8] = {0,      FZ_MS,       10 * FZ_MS,  100 * FZ_MS,
                                  FZ_SEC, 10 * FZ_SEC, 60 * FZ_SEC, 600 * FZ_SEC};

/* Make the checksums of the IPv4 packet at (ip) (len bytes available) right. */
static void fix_sums(uint8_t *ip, size_t len)
{
	size_t ihl, tot;
	uint8_t *l4;

	if (len < 20 || (ip[0] >> 4) != 4)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || ihl > len)
		return;
	ip[10] = ip[11] = 0;
	put_u16be(ip + 10, fz_sum(ip, ihl));
	tot = get_u16be(ip + 2);
	if (tot > len || tot < ihl || (get_u16be(ip + 6) & 0x3fff))
		return; /* fragments are checked once reassembled: leave them */
	l4 = ip + ihl;
	switch (ip[9]) {
	case 1:
		if (tot - ihl >= 4) {
			l4[2] = l4[3] = 0;
			put_u16be(l4 + 2, fz_sum(l4, tot - ihl));
		}
		break;
	case 6:
		if (tot - ihl >= 18) {
			l4[16] = l4[17] = 0;
			put_u16be(l4 + 16, fz_l4_sum(get_u32be(ip + 12), get_u32be(ip + 16), 6, l4,
			                             tot - ihl));
		}
		break;
	case 17:
		if (tot - ihl >= 8) {
			l4[6] = l4[7] = 0;
			put_u16be(l4 + 6, fz_l4_sum(get_u32be(ip + 12), get_u32be(ip + 16), 17, l4,
			                            tot - ihl));
		}
		break;
	default:
		break;
	}
}

/* The upper-layer checksum of the IPv6 packet at (ip) (len bytes
 * available), past hop-by-hop, routing and destination options headers and
 * an atomic fragment header; a real fragment is left as it is. */
static void fix_sums6(uint8_t *ip, size_t len)
{
	size_t off = 40, end, k, at;
	uint8_t nh;
	struct cksum c;

	if (len < 40)
		return;
	end = 40 + (size_t)get_u16be(ip + 4);
	if (end > len)
		return;
	nh = ip[6];
	for (k = 0; k < 8 && (nh == 0 || nh == 43 || nh == 44 || nh == 60); k++) {
		size_t elen;
		if (off + 8 > end)
			return;
		if (nh == 44 && (get_u16be(ip + off + 2) & 0xfff9))
			return;
		elen = nh == 44 ? 8 : ((size_t)ip[off + 1] + 1) * 8;
		if (elen > end - off)
			return;
		nh = ip[off];
		off += elen;
	}
	if (nh == 58 && end - off >= 4)
		at = 2;
	else if (nh == 6 && end - off >= 18)
		at = 16;
	else if (nh == 17 && end - off >= 8)
		at = 6;
	else
		return;
	ip[off + at] = ip[off + at + 1] = 0;
	cksum_init(&c);
	cksum_pseudo6(&c, ip + 8, ip + 24, nh, (uint32_t)(end - off));
	cksum_add(&c, ip + off, end - off);
	put_u16be(ip + off + at, cksum_finish(&c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[2048];
	size_t at = 1;

	if (size < 1)
		return 0;
	fz.v6 = !(data[0] & 8);
	fz_stack(data[0] & 1, 2u << ((data[0] >> 1) & 3));
	fz_app_start();
	while (at + 3 <= size) {
		uint8_t ctl = data[at];
		size_t len = get_u16be(data + at + 1) % 1600, n = 0;

		at += 3;
		if (len > size - at)
			len = size - at;
		fz_advance(fz.now + steps[ctl & 7]);
		if (ctl & 8)
			n = fz_eth(frame, fz_mac_us, len && (data[at] >> 4) == 6 ? 0x86dd : 0x0800);
		memcpy(frame + n, data + at, len);
		at += len;
		if ((ctl & 16) && n + len >= 14 && get_u16be(frame + 12) == 0x86dd)
			fix_sums6(frame + 14, n + len - 14);
		else if ((ctl & 16) && n + len >= 14)
			fix_sums(frame + 14, n + len - 14);
		net_input(fz.s, frame, n + len, fz.now);
		if (ctl & 32)
			fz_app_step((uint8_t)(ctl >> 6 | (ctl & 0xc0) >> 2 |
			                      ((ctl & 0xc0) == 0xc0 ? 8 : 0)));
	}
	fz_app_finish();
	return 0;
}
