/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/sha256: FIPS 180-4 examples and RFC 4231 HMAC vectors. */
#include <stdio.h>
#include <string.h>

#include "lib/sha256.h"
#include "tests/unit/check.h"

static const char *hex(const uint8_t *d, size_t n)
{
	static char s[129];
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", d[i]);
	return s;
}

static void vec(const char *msg, const char *want)
{
	uint8_t d[SHA256_LEN];
	size_t n = strlen(msg);

	sha256(guard_place(msg, n), n, d);
	CHECK(strcmp(hex(d, 32), want) == 0, "sha256(\"%.20s\") (len %zu)", msg, n);
}

int main(void)
{
	uint8_t d[SHA256_LEN], key[131];
	struct sha256 c;
	static char a[1000000];
	size_t i;

	vec("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	vec("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vec("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(a, 'a', sizeof a);
	sha256_init(&c);
	for (i = 0; i < sizeof a; i += 997)
		sha256_update(&c, a + i, sizeof a - i < 997 ? sizeof a - i : 997);
	sha256_final(&c, d);
	CHECK(strcmp(hex(d, 32),
	             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
	      "one million 'a', fed in uneven pieces");

	/* RFC 4231 test case 2 and 6 (a key longer than the block). */
	hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, d);
	CHECK(strcmp(hex(d, 32),
	             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0,
	      "HMAC RFC 4231 case 2");
	memset(key, 0xaa, sizeof key);
	hmac_sha256(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54, d);
	CHECK(strcmp(hex(d, 32),
	             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54") == 0,
	      "HMAC RFC 4231 case 6");
	return check_done();
}
