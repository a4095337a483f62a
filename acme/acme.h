/* SPDX-License-Identifier: MIT */
/* An ACME client (RFC 8555) as a state machine: no I/O, no allocation, no clock.
 *
 * The caller owns the transport. acme_poll() says what to do next: send one
 * HTTP request (ACME_STEP_SEND, described by struct acme_request), wait until a
 * time (ACME_STEP_WAIT), or take a new certificate (ACME_STEP_CERT). After a
 * SEND the caller performs the request over HTTPS (validating the server's
 * certificate and name) and hands the response to acme_input(); a transport
 * failure is a response with status 0. Only one request is outstanding.
 * Times are wall-clock seconds since the Unix epoch, passed in by the caller.
 *
 * The flow: directory, a nonce, the account (newAccount with the account key's
 * JWK; an existing key returns the same account), newOrder for every name, each
 * authorization's HTTP-01 challenge (its key authorization, RFC 8555 8.1, is
 * published through acme_challenge() before the challenge is answered; the
 * caller's plain-HTTP server serves it), polling with Retry-After, finalize with
 * a CSR for a fresh certificate key, polling the order, then the PEM chain.
 * The chain is checked before it is taken: its leaf carries the certificate
 * key and has not expired. Renewal starts at two thirds of the leaf's
 * lifetime (ACME_STEP_WAIT until then).
 *
 * Errors: a badNonce problem (RFC 8555 6.5) retries the request at once with
 * the fresh nonce (ACME_NONCE_RETRIES at most). Any other problem, a transport
 * failure, an unexpected answer or a poll that does not settle within
 * ACME_POLL_MAX rounds is logged by name (the problem type and detail) and the
 * whole flow starts again after a backoff that doubles from ACME_BACKOFF_MIN_S
 * to ACME_BACKOFF_MAX_S. Nothing here stops the caller's server.
 *
 * Logging goes through cfg.log; messages never contain a key, a key
 * authorization or a JWS. Caps: ACME_MAX_NAMES names of ACME_NAME_MAX bytes,
 * URLs of ACME_URL_MAX, tokens of ACME_TOKEN_MAX, response JSON of
 * JSON_MAX_LEN (acme/json.h), a chain of ACME_CHAIN_MAX bytes. */
#ifndef UD_ACME_ACME_H
#define UD_ACME_ACME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acme/json.h"
#include "acme/jws.h"

#define ACME_MAX_NAMES         16u
#define ACME_NAME_MAX          253u
#define ACME_URL_MAX           512u
#define ACME_NONCE_MAX         128u
#define ACME_TOKEN_MAX         128u
#define ACME_KEYAUTH_MAX       (ACME_TOKEN_MAX + 1u + ACME_THUMBPRINT_LEN)
#define ACME_BODY_MAX          8192u
#define ACME_CHAIN_MAX         32768u
#define ACME_TOKENS            512u /* JSON tokens per response */
#define ACME_POLL_MAX          60u
#define ACME_POLL_DEFAULT_S    2u /* when the server sends no Retry-After */
#define ACME_RETRY_AFTER_MAX_S 600u
#define ACME_NONCE_RETRIES     5u
#define ACME_BACKOFF_MIN_S     5u
#define ACME_BACKOFF_MAX_S     3600u
#define ACME_LOG_MAX           512u

enum acme_method { ACME_GET, ACME_HEAD, ACME_POST };

struct acme_request {
	enum acme_method method;
	const char *url;
	const char *body; /* POST: application/jose+json */
	size_t body_len;
	bool want_pem; /* Accept: application/pem-certificate-chain */
};

struct acme_response {
	int status;                                  /* 0: the transport failed */
	const char *location, *nonce, *content_type; /* NUL-terminated or NULL */
	uint64_t retry_after_s;                      /* 0: absent */
	const uint8_t *body;
	size_t body_len;
};

enum acme_step { ACME_STEP_SEND, ACME_STEP_WAIT, ACME_STEP_CERT };

enum acme_phase {
	ACME_PH_START,
	ACME_PH_DIRECTORY,
	ACME_PH_ACCOUNT,
	ACME_PH_ORDER,
	ACME_PH_AUTHZ,
	ACME_PH_CHALLENGE,
	ACME_PH_FINALIZE,
	ACME_PH_ORDER_POLL,
	ACME_PH_CERT,
	ACME_PH_HAVE_CERT, /* idle until renewal */
	ACME_PH_BACKOFF,
};

struct acme_config {
	const char *directory; /* https URL */
	const char *const *names;
	size_t n_names;
	void (*log)(void *ctx, const char *msg);
	void *ctx;
};

struct acme_challenge {
	char token[ACME_TOKEN_MAX + 1];
	char keyauth[ACME_KEYAUTH_MAX + 1];
	bool live;
};

struct acme_stats {
	uint64_t requests, orders, certs, errors, bad_nonces, polls, challenges_served;
};

struct acme {
	struct acme_config cfg;
	char names[ACME_MAX_NAMES][ACME_NAME_MAX + 1];
	struct acme_rng *rng;
	struct acme_key account, cert_key, new_key;
	bool have_account_key;
	char thumb[ACME_THUMBPRINT_LEN + 1];
	enum acme_phase phase;
	bool waiting;    /* a request is outstanding */
	bool fresh_cert; /* a new chain not yet reported */
	bool nonce_req;  /* the outstanding request is the HEAD for a nonce */
	uint64_t wake_s;
	unsigned backoff_s, nonce_retries, polls;
	/* The directory (RFC 8555 7.1.1) and what the flow learnt. */
	char url_nonce[ACME_URL_MAX], url_account[ACME_URL_MAX], url_order[ACME_URL_MAX];
	char kid[ACME_URL_MAX], order[ACME_URL_MAX], finalize[ACME_URL_MAX], cert_url[ACME_URL_MAX];
	char authz[ACME_MAX_NAMES][ACME_URL_MAX];
	size_t n_authz, cur_authz;
	char chall_url[ACME_URL_MAX];
	struct acme_challenge chall[ACME_MAX_NAMES];
	char nonce[ACME_NONCE_MAX + 1];
	char body[ACME_BODY_MAX];
	size_t body_len;
	struct json_tok tok[ACME_TOKENS];
	/* The current certificate: its chain (PEM) and lifetime. */
	char chain[ACME_CHAIN_MAX];
	size_t chain_len;
	uint64_t not_before, not_after, renew_at;
	struct acme_stats stats;
};

/* (cfg.names) are copied; false when a name or the count is over a cap or a
 * name is not a DNS name (letters, digits, '-', '.', an optional "*." prefix). */
bool acme_init(struct acme *a, const struct acme_config *cfg, struct acme_rng *rng);
/* The account key from state; without one, acme_poll() generates it. */
void acme_set_account_key(struct acme *a, const struct acme_key *k);
/* A certificate from state (the caller checked it: acme_chain_check): no order
 * until two thirds of its lifetime, from (not_before) to (not_after). */
void acme_set_cert(struct acme *a, const struct acme_key *k, const char *chain, size_t len,
                   uint64_t not_before, uint64_t not_after);
enum acme_step acme_poll(struct acme *a, uint64_t now, struct acme_request *req, uint64_t *wake_at);
void acme_input(struct acme *a, uint64_t now, const struct acme_response *resp);
/* HTTP-01 (RFC 8555 8.3): the key authorization for (token), or false. */
bool acme_challenge_lookup(struct acme *a, const char *token, size_t len, const char **keyauth,
                           size_t *keyauth_len);

/* What a PEM chain holds (checked with BearSSL's X.509 decoder). */
struct acme_chain_info {
	size_t n_certs;
	uint64_t not_before, not_after; /* the leaf's, Unix seconds */
	bool key_matches;               /* the leaf's key is (k)'s public point */
};
/* Decode (pem, len); false when it holds no certificate or one does not
 * decode. (k) may be NULL (key_matches then false). */
bool acme_chain_check(const char *pem, size_t len, const struct acme_key *k,
                      struct acme_chain_info *info);

const char *acme_phase_str(enum acme_phase p);

#endif
