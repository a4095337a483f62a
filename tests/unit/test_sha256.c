/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/sha256: FIPS 180-4 / NIST examples, padding boundaries,
 * incremental feeding, and the RFC 4231 HMAC-SHA-256 vectors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sha256.h"
#include "tests/unit/check.h"

static const char *hex(const uint8_t *d, size_t n)
{
	static char s[129];
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(s + 2 * i, 3, "%02x", d[i]);
	return s;
}

static void vec(const char *msg, size_t n, const char *want, const char *name)
{
	uint8_t d[SHA256_LEN];

	sha256(guard_place(msg, n), n, d);
	CHECK(strcmp(hex(d, 32), want) == 0, "sha256 of %s", name);
}

static void test_nist(void)
{
	static char a[1000000];
	uint8_t d[SHA256_LEN];
	struct sha256 c;
	size_t i;

	/* FIPS 180-4 examples (NIST CSRC "Examples with intermediate values"). */
	vec("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "the empty message");
	vec("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "\"abc\"");
	vec("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "the 448-bit message");
	vec("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmn"
	    "opqrlmnopqrsmnopqrstnopqrstu",
	    112, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
	    "the 896-bit message");
	memset(a, 'a', sizeof a);
	vec(a, sizeof a, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
	    "one million 'a' in one call");
	sha256_init(&c);
	for (i = 0; i < sizeof a; i += 997)
		sha256_update(&c, a + i, sizeof a - i < 997 ? sizeof a - i : 997);
	sha256_final(&c, d);
	CHECK(strcmp(hex(d, 32),
	             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
	      "one million 'a', fed in uneven pieces");
}

/* FIPS 180-4 5.1.1: the padding needs a second block from 56 bytes on. */
static void test_padding(void)
{
	static const struct {
		size_t n;
		const char *want;
	} v[] = {
	        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
	        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
	        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
	};
	char a[128], name[32];
	uint8_t whole[SHA256_LEN], bytes[SHA256_LEN];
	struct sha256 c;
	size_t i, n;
	bool same = true;

	memset(a, 'a', sizeof a);
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		snprintf(name, sizeof name, "%zu 'a's", v[i].n);
		vec(a, v[i].n, v[i].want, name);
	}
	for (n = 0; n <= sizeof a; n++) {
		sha256(a, n, whole);
		sha256_init(&c);
		for (i = 0; i < n; i++)
			sha256_update(&c, a + i, 1);
		sha256_final(&c, bytes);
		same &= memcmp(whole, bytes, SHA256_LEN) == 0;
	}
	CHECK(same, "byte by byte equals all at once, for every length up to 128");
}

static void hmac(const void *key, size_t klen, const void *msg, size_t mlen, const char *want,
                 int tcase)
{
	uint8_t d[SHA256_LEN];

	hmac_sha256(key, klen, msg, mlen, d);
	/* Case 5 compares the first 128 bits only (RFC 4231 4.6). */
	CHECK(strncmp(hex(d, 32), want, strlen(want)) == 0, "HMAC-SHA-256, RFC 4231 case %d",
	      tcase);
}

static void test_hmac(void)
{
	static const char big[] = "This is a test using a larger than block-size key and a larger "
	                          "than block-size data. The key needs to be hashed before being "
	                          "used by the HMAC algorithm.";
	uint8_t key[131], msg[50];
	size_t i;

	memset(key, 0x0b, 20);
	hmac(key, 20, "Hi There", 8,
	     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", 1);
	hmac("Jefe", 4, "what do ya want for nothing?", 28,
	     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 2);
	memset(key, 0xaa, 20);
	memset(msg, 0xdd, 50);
	hmac(key, 20, msg, 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	     3);
	for (i = 0; i < 25; i++)
		key[i] = (uint8_t)(i + 1);
	memset(msg, 0xcd, 50);
	hmac(key, 25, msg, 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	     4);
	memset(key, 0x0c, 20);
	hmac(key, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b", 5);
	memset(key, 0xaa, 131);
	hmac(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
	     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", 6);
	hmac(key, 131, big, strlen(big),
	     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2", 7);
}

int main(void)
{
	test_nist();
	test_padding();
	test_hmac();
	return check_done();
}
