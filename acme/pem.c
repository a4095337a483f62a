/* SPDX-License-Identifier: MIT */
/* What a PEM certificate chain from ACME holds: its leaf's lifetime and key. */
#include <bearssl.h>

#include "acme/acme.h"
#include "lib/mem.h"

/* BearSSL counts days from 0000-01-01 (proleptic Gregorian); 1970-01-01 is
 * day 719528. */
#define BR_DAYS_TO_UNIX 719528u

struct pem_walk {
	br_x509_decoder_context x;
	bool in_cert;
};

static void to_x509(void *ctx, const void *buf, size_t len)
{
	struct pem_walk *w = ctx;

	if (w->in_cert)
		br_x509_decoder_push(&w->x, buf, len);
}

static uint64_t unix_time(uint32_t days, uint32_t secs)
{
	if (days < BR_DAYS_TO_UNIX)
		return 0;
	return (uint64_t)(days - BR_DAYS_TO_UNIX) * 86400u + secs;
}

bool acme_chain_check(const char *pem, size_t len, const struct acme_key *k,
                      struct acme_chain_info *info)
{
	static const char cert_name[] = "CERTIFICATE";
	br_pem_decoder_context pc;
	struct pem_walk w;
	size_t off = 0;

	memset(info, 0, sizeof *info);
	memset(&w, 0, sizeof w);
	br_pem_decoder_init(&pc);
	br_pem_decoder_setdest(&pc, to_x509, &w);
	while (off < len) {
		off += br_pem_decoder_push(&pc, pem + off, len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			w.in_cert =
			        strlen(br_pem_decoder_name(&pc)) == sizeof cert_name - 1 &&
			        memcmp(br_pem_decoder_name(&pc), cert_name, sizeof cert_name) == 0;
			if (!w.in_cert)
				return false; /* a chain holds certificates only */
			br_x509_decoder_init(&w.x, NULL, NULL);
			break;
		case BR_PEM_END_OBJ:
			if (!w.in_cert)
				break;
			w.in_cert = false;
			if (br_x509_decoder_last_error(&w.x) != 0 || !w.x.decoded)
				return false;
			if (info->n_certs++ == 0) {
				const br_x509_pkey *pk = br_x509_decoder_get_pkey(&w.x);
				info->not_before =
				        unix_time(w.x.notbefore_days, w.x.notbefore_seconds);
				info->not_after =
				        unix_time(w.x.notafter_days, w.x.notafter_seconds);
				info->key_matches = k && pk && pk->key_type == BR_KEYTYPE_EC &&
				                    pk->key.ec.curve == BR_EC_secp256r1 &&
				                    pk->key.ec.qlen == ACME_PUB_LEN &&
				                    memcmp(pk->key.ec.q, k->pub, ACME_PUB_LEN) == 0;
			}
			break;
		case BR_PEM_ERROR:
			return false;
		default:
			break;
		}
	}
	return info->n_certs > 0 && !w.in_cert;
}
