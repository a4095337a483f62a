/* SPDX-License-Identifier: MIT */
/* A PKCS #10 certificate request in DER (RFC 2986), written by hand, for ACME's
 * finalize (RFC 8555 7.4). */
#include <bearssl.h>

#include "acme/jws.h"
#include "lib/mem.h"

#define DER_DEPTH 12u

/* A forward DER writer: open() reserves a 4-byte header, close() writes the
 * real (minimal, X.690 8.1.3) length and slides the content back over the
 * unused header bytes. Contents are capped at 65535 bytes. */
struct der {
	uint8_t *p;
	size_t cap, len;
	size_t open[DER_DEPTH];
	unsigned depth;
	bool over;
};

static void der_put(struct der *d, const void *p, size_t n)
{
	if (d->over || n > d->cap - d->len) {
		d->over = true;
		return;
	}
	memcpy(d->p + d->len, p, n);
	d->len += n;
}

static void der_open(struct der *d, uint8_t tag)
{
	static const uint8_t hold[3];

	if (d->depth == DER_DEPTH) {
		d->over = true;
		return;
	}
	d->open[d->depth++] = d->len;
	der_put(d, &tag, 1);
	der_put(d, hold, 3);
}

static void der_close(struct der *d)
{
	size_t start, clen, hl;

	if (d->over || d->depth == 0) {
		d->over = true;
		return;
	}
	start = d->open[--d->depth];
	clen = d->len - start - 4;
	if (clen > 0xffff) {
		d->over = true;
		return;
	}
	hl = clen < 0x80 ? 2 : clen < 0x100 ? 3 : 4;
	if (hl == 2) {
		d->p[start + 1] = (uint8_t)clen;
	} else if (hl == 3) {
		d->p[start + 1] = 0x81;
		d->p[start + 2] = (uint8_t)clen;
	} else {
		d->p[start + 1] = 0x82;
		d->p[start + 2] = (uint8_t)(clen >> 8);
		d->p[start + 3] = (uint8_t)clen;
	}
	memmove(d->p + start + hl, d->p + start + 4, clen);
	d->len = start + hl + clen;
}

static void der_prim(struct der *d, uint8_t tag, const void *p, size_t n)
{
	der_open(d, tag);
	der_put(d, p, n);
	der_close(d);
}

/* Object identifiers, content octets only (X.690 8.19). */
static const uint8_t oid_cn[] = {0x55, 0x04, 0x03}; /* 2.5.4.3 */
static const uint8_t oid_ecpub[] = {0x2a, 0x86, 0x48, 0xce,
                                    0x3d, 0x02, 0x01}; /* 1.2.840.10045.2.1 */
static const uint8_t oid_p256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t oid_ext_req[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x0e};
static const uint8_t oid_san[] = {0x55, 0x1d, 0x11}; /* 2.5.29.17 */
static const uint8_t oid_ecdsa_sha256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};

size_t acme_csr(uint8_t *out, size_t cap, const struct acme_key *k, const char *const *names,
                size_t n_names)
{
	struct der d = {.p = out, .cap = cap};
	br_ec_private_key sk = {BR_EC_secp256r1, (unsigned char *)(uintptr_t)k->d, ACME_KEY_LEN};
	br_sha256_context h;
	uint8_t digest[32], sig[BR_EC_KBUF_PUB_MAX_SIZE + 8], zero = 0;
	size_t i, cri, cri_end, slen;

	if (n_names == 0)
		return 0;
	for (i = 0; i < n_names; i++) {
		size_t n = strlen(names[i]);
		if (n == 0 || n > 253)
			return 0;
	}
	der_open(&d, 0x30); /* CertificationRequest */
	cri = d.len;
	der_open(&d, 0x30);           /* CertificationRequestInfo */
	der_prim(&d, 0x02, &zero, 1); /* version 0 */
	der_open(&d, 0x30);           /* subject: Name */
	/* CN is at most 64 characters (RFC 5280 A.1, ub-common-name); a longer
	 * first name is carried by the SAN alone, with an empty subject. */
	if (strlen(names[0]) <= 64) {
		der_open(&d, 0x31);
		der_open(&d, 0x30);
		der_prim(&d, 0x06, oid_cn, sizeof oid_cn);
		der_prim(&d, 0x0c, names[0], strlen(names[0]));
		der_close(&d);
		der_close(&d);
	}
	der_close(&d);
	der_open(&d, 0x30); /* SubjectPublicKeyInfo (RFC 5480 2) */
	der_open(&d, 0x30);
	der_prim(&d, 0x06, oid_ecpub, sizeof oid_ecpub);
	der_prim(&d, 0x06, oid_p256, sizeof oid_p256);
	der_close(&d);
	der_open(&d, 0x03);
	der_put(&d, &zero, 1); /* no unused bits */
	der_put(&d, k->pub, ACME_PUB_LEN);
	der_close(&d);
	der_close(&d);
	der_open(&d, 0xa0); /* attributes [0] */
	der_open(&d, 0x30);
	der_prim(&d, 0x06, oid_ext_req, sizeof oid_ext_req);
	der_open(&d, 0x31);
	der_open(&d, 0x30); /* Extensions */
	der_open(&d, 0x30);
	der_prim(&d, 0x06, oid_san, sizeof oid_san);
	der_open(&d, 0x04);
	der_open(&d, 0x30); /* GeneralNames */
	for (i = 0; i < n_names; i++)
		der_prim(&d, 0x82, names[i], strlen(names[i])); /* dNSName [2] IA5String */
	der_close(&d);
	der_close(&d);
	der_close(&d);
	der_close(&d);
	der_close(&d);
	der_close(&d);
	der_close(&d);
	der_close(&d); /* CertificationRequestInfo */
	if (d.over)
		return 0;
	cri_end = d.len;
	/* The length of the outer SEQUENCE's header is only known at its close,
	 * so the CRI's bytes are hashed where they lie now: close() moves them
	 * without changing them. */
	br_sha256_init(&h);
	br_sha256_update(&h, out + cri, cri_end - cri);
	br_sha256_out(&h, digest);
	slen = br_ecdsa_i31_sign_asn1(&br_ec_p256_m31, &br_sha256_vtable, digest, &sk, sig);
	if (slen == 0)
		return 0;
	der_open(&d, 0x30); /* signatureAlgorithm: no parameters (RFC 5758 3.2) */
	der_prim(&d, 0x06, oid_ecdsa_sha256, sizeof oid_ecdsa_sha256);
	der_close(&d);
	der_open(&d, 0x03);
	der_put(&d, &zero, 1);
	der_put(&d, sig, slen);
	der_close(&d);
	der_close(&d);
	return d.over ? 0 : d.len;
}
