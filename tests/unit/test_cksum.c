/* SPDX-License-Identifier: MIT */
/* Unit tests of net/cksum (RFC 1071 sums over parts split at every offset) and
 * net/hash (SipHash-2-4's test vectors). */
#include <stdint.h>
#include <string.h>

#include "net/cksum.h"
#include "net/hash.h"
#include "tests/unit/check.h"

static uint16_t whole(const uint8_t *p, size_t n)
{
	struct cksum c;

	cksum_init(&c);
	cksum_add(&c, p, n);
	return cksum_finish(&c);
}

/* RFC 1071 the plain way: big-endian 16-bit words, the odd byte last. */
static uint16_t reference(const uint8_t *p, size_t n)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* cksum_add sums 8 bytes a step from 64 bytes up: against the reference at
 * every length to 300 and every alignment, over bytes that make carries
 * (all 0xff, and a pattern), and entered with an odd byte carried over. */
static void test_wide(void)
{
	static uint8_t buf[320];
	bool ok = true, odd_ok = true;

	for (int fill = 0; fill < 3; fill++) {
		for (size_t i = 0; i < sizeof buf; i++)
			buf[i] = fill == 0   ? 0xff
			         : fill == 1 ? (uint8_t)(i * 151 + 7)
			                     : (uint8_t)(i & 1 ? 0xff : 0x01);
		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; off + n <= 300; n++) {
				if (whole(buf + off, n) != reference(buf + off, n))
					ok = false;
				/* One byte first, then the rest: the rest starts as a low byte. */
				struct cksum c;
				cksum_init(&c);
				cksum_add(&c, buf + off, n ? 1 : 0);
				cksum_add(&c, buf + off + (n ? 1 : 0), n ? n - 1 : 0);
				if (cksum_finish(&c) != reference(buf + off, n))
					odd_ok = false;
			}
	}
	CHECK(ok, "the 8-byte sum equals RFC 1071's plain sum at every length and alignment");
	CHECK(odd_ok, "and after an odd byte carried over from the part before");
}

int main(void)
{
	/* An IPv4 header whose checksum field (b8 61) makes the sum come out zero. */
	static const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	                               0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	uint8_t buf[301];
	size_t i, a, b;
	bool split_ok = true;

	CHECK(whole(guard_place(ip, 20), 20) == 0, "a valid IPv4 header sums to zero");
	for (i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	for (a = 0; a <= sizeof buf && split_ok; a += 7)
		for (b = a; b <= sizeof buf; b += 13) {
			struct cksum c;
			cksum_init(&c);
			cksum_add(&c, buf, a);
			cksum_add(&c, buf + a, b - a);
			cksum_add(&c, buf + b, sizeof buf - b);
			if (cksum_finish(&c) != whole(buf, sizeof buf)) {
				split_ok = false;
				break;
			}
		}
	CHECK(split_ok, "a sum over three parts of any lengths equals the sum over one");
	{
		struct cksum c;
		uint8_t one = 0xab;
		cksum_init(&c);
		cksum_add(&c, &one, 1);
		CHECK(cksum_finish(&c) == (uint16_t)~0xab00, "a single odd byte is a high byte");
	}
	test_wide();
	{
		/* SipHash-2-4's published vectors: key 00..0f, messages 00..(n-1). */
		uint8_t key[16], msg[64];
		for (i = 0; i < 16; i++)
			key[i] = (uint8_t)i;
		for (i = 0; i < sizeof msg; i++)
			msg[i] = (uint8_t)i;
		CHECK(net_siphash(key, msg, 0) == 0x726fdb47dd0e0e31ull &&
		              net_siphash(key, msg, 15) == 0xa129ca6149be45e5ull &&
		              net_siphash(key, msg, 8) == 0x93f5f5799a932462ull,
		      "net_siphash matches SipHash-2-4's test vectors (0, 8 and 15 bytes)");
	}
	return check_done();
}
