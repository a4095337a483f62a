/* SPDX-License-Identifier: MIT */
/* ACME for `unideck serve` on Linux: the acme/ core driven by a worker thread.
 *
 * acme_host_start() loads the state file (acme/state.h's format), refuses a
 * foreign or damaged one with a message on stderr (it is moved aside to
 * FILE.bad, never overwritten in place) and then orders afresh; a good
 * certificate in the state is used at once and nothing is ordered until two
 * thirds of its lifetime. The worker thread talks HTTPS to the ACME server
 * (BearSSL's client with the X.509 minimal engine: the chain is validated
 * against the trust anchors of (ca_file), default
 * ACME_HOST_DEFAULT_CA, and the server's name is checked), so the serving loop
 * never waits for the network. Each request has ACME_HOST_TIMEOUT_S in all.
 *
 * Thread contract: acme_host_challenge() and acme_host_cert() are called from
 * the serving thread and take the lock that the worker holds only while it
 * steps the state machine, never across network I/O. Messages go to stderr as
 * "unideck serve: acme: ..."; none holds a key, a key authorization or a JWS.
 * The state file holds private keys: written mode 0600, atomically (a
 * temporary file renamed over it). */
#ifndef UD_TOOLS_CLI_ACME_HOST_H
#define UD_TOOLS_CLI_ACME_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ACME_HOST_DEFAULT_CA  "/etc/ssl/certs/ca-certificates.crt"
#define ACME_HOST_TIMEOUT_S   30
#define ACME_HOST_RESP_MAX    (65536 + 8192) /* body of one response (the head: HCL_MAX_HEAD) */
#define ACME_HOST_ANCHORS     1024           /* trust anchors from --acme-ca */
#define ACME_HOST_CHAIN_MAX   32768u         /* == acme.h ACME_CHAIN_MAX */
#define ACME_HOST_KEYAUTH_MAX 256            /* >= acme.h ACME_KEYAUTH_MAX */

struct acme_host_opts {
	const char *directory; /* --acme URL */
	const char *domains;   /* --domain NAME[,NAME...] */
	const char *ca_file;   /* --acme-ca, or NULL for ACME_HOST_DEFAULT_CA */
	const char *state;     /* --state DIR|FILE, or NULL: memory only */
};

struct acme_host;

/* Check the options, load the anchors and the state, start the worker. NULL
 * with a message in (err) when the options are unusable. */
struct acme_host *acme_host_start(const struct acme_host_opts *o, char *err, size_t errlen);
/* HTTP-01: copy the key authorization for (token) into (out); its length, or
 * 0 when there is none. */
size_t acme_host_challenge(struct acme_host *h, const char *token, size_t len, char *out,
                           size_t cap);
/* The current certificate, when it changed since (*seen) (a count of the
 * certificates taken; 0: none yet): its PEM chain and its key as PEM (a
 * secret: the caller wipes it), and *seen updated. False when unchanged. */
bool acme_host_cert(struct acme_host *h, uint64_t *seen, char *chain, size_t cap, size_t *chain_len,
                    char *key_pem, size_t key_cap, size_t *key_len);
/* The client's counters, one "name value" a line (--stats). */
void acme_host_dump_stats(struct acme_host *h, FILE *out);
/* Stop the worker (an outstanding request is cut short) and wipe the keys. */
void acme_host_stop(struct acme_host *h);

#endif
