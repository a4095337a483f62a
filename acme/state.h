/* SPDX-License-Identifier: MIT */
/* The ACME state: account key and current certificate, in a checksummed format.
 *
 * Layout (all integers little-endian), at most ACME_STATE_MAX bytes:
 *
 *   0   8  magic "UDACME\r\n" (a text-mode copy or a foreign file fails here)
 *   8   4  format version, ACME_STATE_VERSION
 *   12  4  length N of the records
 *   16  N  records: type (1 byte), length L (4 bytes), L bytes
 *   16+N 32 SHA-256 of bytes 0 .. 16+N
 *
 * Records: 1 the ACME directory URL, 2 the names (joined by ','), 3 the
 * account key's P-256 scalar (32 bytes), 4 the certificate key's scalar, 5 the
 * certificate chain (PEM), 6 the leaf's notBefore and 7 its notAfter (8 bytes,
 * Unix seconds). 1, 2 and 3 are required; 4, 5, 6 and 7 come together or not
 * at all. An unknown type, a repeated one, a record past the end or over its
 * cap, or bytes after the checksum make the state invalid.
 *
 * The state holds private keys: the hosted code writes it mode 0600 and
 * never prints it. Freestanding: the caller reads and writes the bytes. */
#ifndef UD_ACME_STATE_H
#define UD_ACME_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acme/acme.h"

#define ACME_STATE_VERSION 1u
#define ACME_STATE_MAX     (ACME_CHAIN_MAX + 4096u)
#define ACME_STATE_NAMES   (ACME_MAX_NAMES * (ACME_NAME_MAX + 1u))

struct acme_state {
	char directory[ACME_URL_MAX];
	char names[ACME_STATE_NAMES]; /* joined by ',' */
	uint8_t account_d[ACME_KEY_LEN];
	bool have_cert;
	uint8_t cert_d[ACME_KEY_LEN];
	char chain[ACME_CHAIN_MAX];
	size_t chain_len;
	uint64_t not_before, not_after;
};

enum acme_state_result {
	ACME_STATE_OK = 0,
	ACME_STATE_FOREIGN, /* not our magic: another file */
	ACME_STATE_VERSION_UNKNOWN,
	ACME_STATE_TRUNCATED,
	ACME_STATE_CHECKSUM, /* damaged */
	ACME_STATE_BAD_RECORD,
	ACME_STATE_TOO_BIG,
};

/* The bytes of (s) into (out, cap); their length, or 0 when (cap) is short. */
size_t acme_state_encode(const struct acme_state *s, uint8_t *out, size_t cap);
enum acme_state_result acme_state_decode(const uint8_t *p, size_t len, struct acme_state *s);
const char *acme_state_result_str(enum acme_state_result r);

#endif
