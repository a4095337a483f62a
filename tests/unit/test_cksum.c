/* SPDX-License-Identifier: MIT */
/* Unit tests of net/cksum: RFC 1071 sums over parts split at every offset. */
#include <stdint.h>
#include <string.h>

#include "net/cksum.h"
#include "tests/unit/check.h"

static uint16_t whole(const uint8_t *p, size_t n)
{
	struct cksum c;

	cksum_init(&c);
	cksum_add(&c, p, n);
	return cksum_finish(&c);
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
	return check_done();
}
