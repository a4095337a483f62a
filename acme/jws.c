/* SPDX-License-Identifier: MIT */
/* P-256 keys, JWK thumbprints and ES256 JWS over BearSSL, for the ACME client. */
#include "acme/jws.h"

#include <bearssl.h>

#include "lib/assert.h"
#include "lib/mem.h"

_Static_assert(sizeof(struct acme_rng) >= sizeof(br_hmac_drbg_context),
               "struct acme_rng holds a br_hmac_drbg_context");

static br_hmac_drbg_context *drbg(struct acme_rng *r)
{
	return (br_hmac_drbg_context *)(void *)r->opaque;
}

bool acme_rng_init(struct acme_rng *rng, const void *seed, size_t len)
{
	if (len < ACME_SEED_MIN)
		return false;
	br_hmac_drbg_init(drbg(rng), &br_sha256_vtable, seed, len);
	return true;
}

void acme_rng_bytes(struct acme_rng *rng, void *out, size_t len)
{
	br_hmac_drbg_generate(drbg(rng), out, len);
}

static bool fill_pub(struct acme_key *k)
{
	br_ec_private_key sk = {BR_EC_secp256r1, k->d, ACME_KEY_LEN};
	br_ec_public_key pk;
	uint8_t buf[BR_EC_KBUF_PUB_MAX_SIZE];

	if (br_ec_compute_pub(&br_ec_p256_m31, &pk, buf, &sk) != ACME_PUB_LEN)
		return false;
	memcpy(k->pub, pk.q, ACME_PUB_LEN);
	return true;
}

bool acme_key_gen(struct acme_key *k, struct acme_rng *rng)
{
	br_ec_private_key sk;
	uint8_t buf[BR_EC_KBUF_PRIV_MAX_SIZE];

	if (br_ec_keygen(&drbg(rng)->vtable, &br_ec_p256_m31, &sk, buf, BR_EC_secp256r1) !=
	    ACME_KEY_LEN)
		return false;
	memcpy(k->d, sk.x, ACME_KEY_LEN);
	memset(buf, 0, sizeof buf);
	return fill_pub(k);
}

/* The order n of P-256 (SEC 2 2.4.2), big-endian. */
static const uint8_t p256_n[ACME_KEY_LEN] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
                                             0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                             0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
                                             0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

bool acme_key_from_scalar(struct acme_key *k, const uint8_t d[ACME_KEY_LEN])
{
	uint8_t z[ACME_KEY_LEN] = {0};

	/* A private key is in [1, n - 1] (SEC 1 3.2.1); BearSSL does not check
	 * it when computing the public point. Big-endian bytes compare as
	 * numbers. Not constant-time: the scalar comes from our own state. */
	if (memcmp(d, z, ACME_KEY_LEN) == 0 || memcmp(d, p256_n, ACME_KEY_LEN) >= 0)
		return false;
	memcpy(k->d, d, ACME_KEY_LEN);
	return fill_pub(k);
}

void acme_key_wipe(struct acme_key *k)
{
	volatile uint8_t *p = (volatile uint8_t *)k;
	size_t i;

	for (i = 0; i < sizeof *k; i++)
		p[i] = 0;
}

bool acme_key_pem(struct abuf *b, const struct acme_key *k)
{
	/* ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING (32),
	 * [0] namedCurve prime256v1, [1] publicKey BIT STRING } */
	static const uint8_t head[] = {0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20};
	static const uint8_t mid[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	                              0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42, 0x00};
	uint8_t der[sizeof head + ACME_KEY_LEN + sizeof mid + ACME_PUB_LEN];
	volatile uint8_t *w = der;
	size_t i;

	memcpy(der, head, sizeof head);
	memcpy(der + sizeof head, k->d, ACME_KEY_LEN);
	memcpy(der + sizeof head + ACME_KEY_LEN, mid, sizeof mid);
	memcpy(der + sizeof head + ACME_KEY_LEN + sizeof mid, k->pub, ACME_PUB_LEN);
	abuf_puts(b, "-----BEGIN EC PRIVATE KEY-----\n");
	abuf_b64(b, der, sizeof der);
	abuf_puts(b, "\n-----END EC PRIVATE KEY-----\n");
	for (i = 0; i < sizeof der; i++)
		w[i] = 0;
	return !b->over;
}

void jws_jwk(struct abuf *b, const struct acme_key *k)
{
	abuf_puts(b, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"");
	abuf_b64url(b, k->pub + 1, 32);
	abuf_puts(b, "\",\"y\":\"");
	abuf_b64url(b, k->pub + 33, 32);
	abuf_puts(b, "\"}");
}

void jws_thumbprint(const struct acme_key *k, char out[ACME_THUMBPRINT_LEN + 1])
{
	char jwk[160];
	struct abuf b;
	br_sha256_context h;
	uint8_t d[32];

	abuf_init(&b, jwk, sizeof jwk);
	jws_jwk(&b, k);
	UD_ASSERT(!b.over);
	br_sha256_init(&h);
	br_sha256_update(&h, b.p, b.len);
	br_sha256_out(&h, d);
	abuf_init(&b, out, ACME_THUMBPRINT_LEN + 1);
	abuf_b64url(&b, d, sizeof d);
	UD_ASSERT(!b.over && b.len == ACME_THUMBPRINT_LEN);
}

bool jws_sign(struct abuf *out, const struct acme_key *k, const char *kid, const char *nonce,
              const char *url, const void *payload, size_t payload_len)
{
	char hdr[1024];
	struct abuf h;
	br_ec_private_key sk = {BR_EC_secp256r1, (unsigned char *)(uintptr_t)k->d, ACME_KEY_LEN};
	br_sha256_context sh;
	uint8_t digest[32], sig[64];
	size_t start, sig_start;

	/* RFC 8555 6.2: alg, nonce, url, and exactly one of jwk and kid. */
	abuf_init(&h, hdr, sizeof hdr);
	abuf_puts(&h, "{\"alg\":\"ES256\",");
	if (kid) {
		abuf_puts(&h, "\"kid\":");
		abuf_json_str(&h, kid);
	} else {
		abuf_puts(&h, "\"jwk\":");
		jws_jwk(&h, k);
	}
	abuf_puts(&h, ",\"nonce\":");
	abuf_json_str(&h, nonce);
	abuf_puts(&h, ",\"url\":");
	abuf_json_str(&h, url);
	abuf_puts(&h, "}");
	if (h.over)
		return false;

	abuf_puts(out, "{\"protected\":\"");
	start = out->len;
	abuf_b64url(out, h.p, h.len);
	abuf_puts(out, ".");
	abuf_b64url(out, payload, payload_len);
	if (out->over)
		return false;
	/* RFC 7515 5.1: the signing input is B64U(header) '.' B64U(payload). */
	br_sha256_init(&sh);
	br_sha256_update(&sh, out->p + start, out->len - start);
	br_sha256_out(&sh, digest);
	/* RFC 7518 3.4: ES256 is R || S, 32 bytes each, not DER. */
	if (br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, digest, &sk, sig) != 64)
		return false;
	/* Turn "H.P" into "H","payload":"P". */
	sig_start = start;
	while (out->p[sig_start] != '.')
		sig_start++;
	{
		size_t plen = out->len - sig_start - 1;
		const char *mid = "\",\"payload\":\"";
		size_t mlen = strlen(mid);
		if (out->cap - out->len <= mlen) {
			out->over = true;
			return false;
		}
		memmove(out->p + sig_start + mlen, out->p + sig_start + 1, plen);
		memcpy(out->p + sig_start, mid, mlen);
		out->len = sig_start + mlen + plen;
		out->p[out->len] = '\0';
	}
	abuf_puts(out, "\",\"signature\":\"");
	abuf_b64url(out, sig, sizeof sig);
	abuf_puts(out, "\"}");
	return !out->over;
}
