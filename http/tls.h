/* SPDX-License-Identifier: MIT */
/* TLS as one more byte stream (http/stream.h): a struct tls_conn sits between a
 * transport's stream (a kernel socket, a flow of our TCP) and the HTTP layer,
 * which sees only another struct stream and never learns that it is encrypted.
 *
 * The engine is BearSSL's server (Debian's libbearssl): TLS 1.2 only (BearSSL
 * has no TLS 1.3), ECDHE key exchange only (X25519, P-256, P-384, P-521), AEAD
 * suites only (AES-GCM and ChaCha20-Poly1305), with one certificate chain and an
 * ECDSA or RSA key; client-initiated renegotiation refused; ALPN http/1.1;
 * session resumption by a shared LRU session cache. Freestanding like the rest
 * of http/: it needs memcpy, memmove, memset, memcmp, strlen and randomness
 * (tls_config.random); the clock is passed in.
 *
 * Copies. Store bytes queued by send_ref are copied once, from the store into
 * the engine's record buffer, where they are encrypted in place. Headers
 * (send_copy) go straight into the record buffer when nothing is queued before
 * them, else into a small copy ring first. The finished record is then handed
 * to the transport with send_copy: our TCP keeps it in its send ring for
 * retransmission (the record buffer is reused at once), the kernel-socket
 * transport in its copy ring on the way to writev. tls_stats counts each.
 *
 * Driving it (the transport's whole contract):
 *   t = tls_conn_open(ts, low, now, &victim)  when a connection is accepted;
 *        NULL when the pool is full (the transport resets the connection).
 *        When the cap on handshakes in progress is reached, a handshake is
 *        given up: the oldest one that we have answered and that owes us its
 *        next flight (the slowest peer) for longer than a grace of 250 ms
 *        counted from our last flight (input that is not a whole answer does
 *        not restart it), else the oldest (hs_full); (victim)
 *        is its tls_conn, which the transport must step soon (it then reads
 *        end of stream and closes).
 *   http_conn_init(srv, hc, tls_conn_stream(t), now)
 *   each step:  tls_conn_begin(t, now); http_conn_poll(...); tls_conn_end(t);
 *        and again while tls_conn_more(t) says records wait that the
 *        transport had no room for;
 *   deadline:   min(http_conn_deadline(hc), tls_conn_deadline(t))
 *   when the transport lets the connection go: tls_conn_free(t) (after
 *        http_conn_fini).
 * Output the app queues outside a step (an event push) is encrypted and handed
 * to the transport at once.
 *
 * Limits: handshakes in progress at most tls_config.max_handshakes (at the
 * cap one gives way to a new one by the rule of tls_conn_open, counted in
 * hs_evicted; a transport that asks tls_server_admits first keeps the newcomer
 * waiting instead while none can give way, so hs_full stays 0), each at most
 * handshake_timeout_ns (hs_timeouts); connections at most max_conns (refused);
 * after the HTTP layer closes, the remaining output must drain within
 * drain_timeout_ns (then reset, drain_timeouts). */
#ifndef UD_HTTP_TLS_H
#define UD_HTTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/stream.h"

#define TLS_MAX_CHAIN 8u     /* certificates in the chain */
#define TLS_CHAIN_MAX 32768u /* bytes of DER in the chain */
#define TLS_KEY_MAX   8192u  /* bytes of DER in the private key */

struct tls_server;
struct tls_conn;

struct tls_config {
	uint32_t max_conns;      /* TLS connections at once (the pool) */
	uint32_t max_handshakes; /* handshakes in progress at once */
	uint64_t handshake_timeout_ns;
	uint64_t drain_timeout_ns; /* output still to send after HTTP closed */
	void (*random)(void *ctx, void *buf, size_t len);
	void *random_ctx;
};

struct tls_stats {
	uint64_t opened, refused, handshakes;
	uint64_t hs_failed, hs_timeouts, hs_evicted, hs_bad_version;
	uint64_t closed_notify, drain_timeouts;
	uint64_t failed;       /* closed by an error after the handshake */
	uint64_t overruns;     /* HTTP queued more than can_send granted: dropped */
	uint32_t last_error;   /* BearSSL's BR_ERR_* of the last failure */
	uint64_t in_handshake; /* now */
	uint64_t hs_peak;      /* handshakes in progress at once, at most */
	uint64_t hs_full;      /* evictions of an unanswered one: none answered */
	uint64_t conns_peak;   /* connections at once, at most */
	uint64_t conns;        /* now */
	/* copies on the send path (see above) */
	uint64_t plain_ref;    /* store bytes copied into the record buffer */
	uint64_t plain_direct; /* send_copy bytes written straight into it */
	uint64_t plain_ring;   /* send_copy bytes that went through the copy ring */
	uint64_t record_bytes; /* ciphertext handed to the transport (copied there) */
};

/* Memory for a server with (max_conns) connections; 64-aligned. */
size_t tls_server_size(uint32_t max_conns);
/* (mem) holds tls_server_size(cfg->max_conns) bytes. Connection slots are
 * touched only when first used. */
struct tls_server *tls_server_init(void *mem, size_t len, const struct tls_config *cfg);
/* Load the certificate chain (PEM, leaf first) and its private key (PEM:
 * PKCS#8, SEC1 EC or PKCS#1 RSA). Checks that the key belongs to the leaf.
 * 0, or -1 with a message in (err) that never contains key bytes. The caller
 * should wipe its copy of the key afterwards (tls_wipe).
 * Again on a serving server (a renewal): the new pair loads beside the one in
 * use and new handshakes take it once it has loaded; handshakes under way
 * finish with the old one, and a pair that fails to load changes nothing.
 * TLS_CERT_BUSY when handshakes begun two certificates ago are still under
 * way (two loads within a handshake timeout): try again later. */
#define TLS_CERT_BUSY (-2)
int tls_server_set_cert(struct tls_server *ts, const uint8_t *cert_pem, size_t cert_len,
                        const uint8_t *key_pem, size_t key_len, char *err, size_t errlen);
/* "ECDSA P-256" / "RSA 2048" and the leaf's subject names, for the banner. */
const char *tls_server_key_desc(const struct tls_server *ts);
const struct tls_stats *tls_server_stats(const struct tls_server *ts);
/* Zero memory that held a secret, in a way the compiler keeps. */
void tls_wipe(void *p, size_t len);

struct tls_conn *tls_conn_open(struct tls_server *ts, struct stream *low, uint64_t now,
                               struct tls_conn **victim);
struct stream *tls_conn_stream(struct tls_conn *t);
void tls_conn_set_user(struct tls_conn *t, void *user);
void *tls_conn_user(const struct tls_conn *t);
void tls_conn_begin(struct tls_conn *t, uint64_t now);
void tls_conn_end(struct tls_conn *t);
bool tls_conn_more(const struct tls_conn *t);
/* The transport has input from (t)'s peer that it has not handed over yet
 * (it rations handshake steps): in the handshake, the peer may have answered
 * our flight, so (t) is not the slow one a full handshake table gives up
 * until that input is read. If it was not a whole answer (nothing for us to
 * send back), the grace still runs from our last flight. */
void tls_conn_peer_spoke(struct tls_conn *t);
/* Whether a new connection would find a handshake slot free or one to take
 * from a peer that owes us its answer past a grace (tls_conn_open's rule); a
 * transport
 * that can leave connections in its backlog asks this first. */
bool tls_server_admits(const struct tls_server *ts, uint64_t now);
/* When tls_server_admits will next say yes with nothing else happening: (now)
 * if it does already, else when the first answered handshake's grace ends,
 * else UINT64_MAX (only a handshake ending or timing out frees a slot then).
 * A transport that holds newcomers back sleeps until then. */
uint64_t tls_server_admit_at(const struct tls_server *ts, uint64_t now);
/* Whether the handshake is still in progress (its next step may cost a key
 * exchange and a signature: a transport may ration them, see hsock.c). */
bool tls_conn_in_handshake(const struct tls_conn *t);
/* Whether the engine would take records from the transport now, although
 * HTTP reads nothing (it waits for an input buffer): the transport keeps
 * reading for the handshake's sake. */
bool tls_conn_wants_input(const struct tls_conn *t);
uint64_t tls_conn_deadline(const struct tls_conn *t);
/* Whether plaintext queued here points into [p, p + len) (a retired store). */
bool tls_conn_references(const struct tls_conn *t, const void *p, size_t len);
void tls_conn_free(struct tls_conn *t);

#endif
