/* SPDX-License-Identifier: MIT */
/* The hosted side of HTTPS: reading the certificate and key files into a TLS
 * server (http/tls.h), the ACME challenge files of --acme-webroot, counters. */
#ifndef UD_TOOLS_TLS_FILES_H
#define UD_TOOLS_TLS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "http/tls.h"

#define TLS_HOSTED_CONNS      1024u /* TLS connections at once (--tls-conns) */
#define TLS_HOSTED_HANDSHAKES 64u   /* handshakes in progress at once */
#define TLS_FILE_MAX          (256u * 1024u)

/* A TLS server for (cfg) holding the chain in (cert) and the key in (key);
 * NULL with a message naming the file on failure. The key's bytes are wiped
 * from memory once loaded and never printed. */
struct tls_server *tls_files_load(const char *cert, const char *key, const struct tls_config *cfg,
                                  char *err, size_t errlen);
/* The randomness every TLS server here uses (getrandom). */
void tls_files_random(void *ctx, void *buf, size_t len);
/* tls_challenge_fn over a webroot folder: DIR/.well-known/acme-challenge/TOKEN,
 * where certbot --webroot and other ACME clients write them. (ctx) is DIR. */
bool tls_files_challenge(void *ctx, const char *token, size_t len, const uint8_t **body,
                         size_t *body_len);
void tls_files_dump_stats(const struct tls_server *ts, FILE *f);

#endif
