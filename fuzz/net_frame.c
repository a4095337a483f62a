/* SPDX-License-Identifier: MIT */
/* Fuzz target: arbitrary frames into the whole stack (Ethernet, ARP, IPv4 with
 * fragments, ICMP, UDP, DHCP, TCP) with a server on port 80 answering.
 *
 * Input: byte 0 picks the set-up (bit 0: DHCP instead of a static address;
 * bits 1-2: 2, 4, 8 or 16 TCP flows). Then records of [ctl][len hi][len lo]
 * [len bytes]:
 *   ctl bits 0-2  time to let pass first: 0, 1 ms, 10 ms, 100 ms, 1 s, 10 s,
 *                 60 s, 10 min
 *   ctl bit 3     the bytes are an IPv4 packet: wrap them in Ethernet to us
 *   ctl bit 4     fix the IPv4 header and ICMP/UDP/TCP checksums, so that the
 *                 fuzzer gets past them
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[2048];
	size_t at = 1;

	if (size < 1)
		return 0;
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
			n = fz_eth(frame, fz_mac_us, 0x0800);
		memcpy(frame + n, data + at, len);
		at += len;
		if ((ctl & 16) && n + len >= 14)
			fix_sums(frame + 14, n + len - 14);
		net_input(fz.s, frame, n + len, fz.now);
		if (ctl & 32)
			fz_app_step((uint8_t)(ctl >> 6 | (ctl & 0xc0) >> 2 |
			                      ((ctl & 0xc0) == 0xc0 ? 8 : 0)));
	}
	fz_app_finish();
	return 0;
}
