/* SPDX-License-Identifier: MIT */
/* HTTPS in the VM image: the certificate and key from the boot module, the
 * entropy check, the random generator BearSSL is seeded from, and the TLS
 * server (http/tls.h) in memory carved from the heap. Portable like
 * app/kmain.c: it reaches the platform only through platform/platform.h.
 *
 * The boot module (`unideck run --cert FILE --key FILE` writes it; never part
 * of an image) is, in this order:
 *   8 bytes  "UDTLS01\n"
 *   u32le    length of the certificate chain (PEM, leaf first)
 *   u32le    length of the private key (PEM: PKCS#8, SEC1 EC or PKCS#1 RSA)
 *   the chain, then the key; nothing after.
 * Both lengths are capped (KTLS_CERT_MAX, KTLS_KEY_MAX) and must add up to the
 * module's size exactly. The key is parsed into the TLS server's memory (the
 * only copy left), and the module's bytes are wiped at once, whether the
 * parse worked or not. No message ever holds key bytes.
 *
 * Randomness: every handshake is seeded (tls_config.random) from an
 * HMAC-SHA-256 generator (key ratcheted after each output, so an output never
 * tells an earlier one) keyed from plat_entropy() at set-up and reseeded from
 * it every KTLS_RESEED outputs. Without an entropy source TLS does not start
 * (KTLS_ENOENTROPY): no key exchange on guessable numbers. */
#ifndef UD_APP_KTLS_H
#define UD_APP_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/tls.h"

#define KTLS_MAGIC       "UDTLS01\n"
#define KTLS_CERT_MAX    (64u * 1024u)
#define KTLS_KEY_MAX     (16u * 1024u)
#define KTLS_RESEED      1024u
/* Handshakes in progress at most (tls_handshakes=), and never more than the
 * connections. At the cap the oldest handshake gives way (http/tls.c), which
 * under load is an honest client too: 64 wrk connections against a cap of 32
 * under TCG evicted one another and got nothing through (bench/TLS-IMAGE.md
 * run of 2026-12-04), so the default is well above an honest burst. */
#define KTLS_HS_DEFAULT  128u
#define KTLS_CONNS_MAX   4096u /* TLS connections at most (tls_conns=) */
#define KTLS_CONNS_MIN   4u
#define KTLS_HEAP_SHARE  3u /* default: a third of the heap for TLS connections */
#define KTLS_HSTS_HEADER "Strict-Transport-Security: max-age=63072000\r\n"

enum ktls_result {
	KTLS_OK = 0,
	KTLS_NONE,       /* no boot module: plain HTTP */
	KTLS_EMODULE,    /* the module is not ours, or its lengths do not add up */
	KTLS_ENOENTROPY, /* no entropy source */
	KTLS_ECERT,      /* the chain or key did not load (err says why) */
	KTLS_ENOMEM,     /* the connections asked for do not fit */
};

/* A split module: views into (p, len). Pure, hosted-tested. */
struct ktls_module {
	const uint8_t *cert, *key;
	size_t cert_len, key_len;
};
enum ktls_result ktls_module_parse(const uint8_t *p, size_t len, struct ktls_module *out);

struct ktls {
	struct tls_server *ts;
	uint32_t max_conns, max_handshakes;
	uint8_t drbg_key[32];
	uint64_t drbg_ctr, drbg_since_reseed;
	uint64_t reseeds, reseed_failed;
};

/* The memory one TLS connection costs, for sizing. */
size_t ktls_per_conn(void);

/* Take the boot module and set TLS up in (mem, len): (max_conns) connections
 * (0: what a KTLS_HEAP_SHARE of it holds, within the caps), at most
 * (max_handshakes) in progress, with those timeouts. On KTLS_OK (*used) is
 * the memory taken from the start of (mem). (err) gets a message for every
 * result but KTLS_OK and KTLS_NONE; it never holds key bytes. */
enum ktls_result ktls_setup(struct ktls *k, void *mem, size_t len, uint32_t max_conns,
                            uint32_t max_handshakes, uint64_t handshake_timeout_ns,
                            uint64_t drain_timeout_ns, size_t *used, char *err, size_t errlen);

#endif
