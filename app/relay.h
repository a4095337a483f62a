/* SPDX-License-Identifier: MIT */
/* The follow relay: an instance started with upstream=URL subscribes to
 * another instance's relay stream (GET /_unideck/relay, every deck's updates)
 * with the HTTP client (http/client.h) and re-publishes each update to its own
 * followers and relays unchanged, MAC and nonce included, so fan-out is a tree
 * of any depth and a presenter's update verifies at every hop.
 *
 * - Every update is checked with this instance's presenter token before it is
 *   re-published (follow_apply): a relay must be given the origin's token.
 *   Nobody between the origin and a follower can move the slides.
 * - Connection lost or refused, a bad answer, or RELAY_IDLE_NS without a byte
 *   (the upstream's beat comes every APP_RELAY_BEAT_NS): reconnect after
 *   a backoff from RELAY_BACKOFF_MIN_NS doubling to RELAY_BACKOFF_MAX_NS,
 *   with jitter (half to all of it), reset once a hello arrives.
 * - Followers are told when the upstream is lost and when it is back (an
 *   "upstream" event), once per change; a relay downstream hears it too, and
 *   tells its own followers. A presenter POST to a relay is refused (421).
 * - The URL is http://HOST[:PORT][/]: HOST an IPv4 literal, a bracketed IPv6
 *   literal, or a name resolved through net/dns.h (A, then AAAA) when the
 *   transport offers a resolver. https is refused until a TLS client exists.
 *
 * The transport (our TCP in the image and `serve --net tap`) provides the
 * connection through struct relay_dialer; the relay owns at most one stream at
 * a time and gives it back with its close(). Driving it: relay_poll() when the
 * stream has news and at the deadline it returns. */
#ifndef UD_APP_RELAY_H
#define UD_APP_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "http/client.h"

#define RELAY_BACKOFF_MIN_NS (250ull * 1000000ull)
#define RELAY_BACKOFF_MAX_NS (8ull * 1000000000ull)
#define RELAY_CONNECT_NS     (5ull * 1000000000ull)  /* SYN to established */
#define RELAY_HEAD_NS        (10ull * 1000000000ull) /* request to response head */
#define RELAY_IDLE_NS        (10ull * 1000000000ull) /* 2.5 of APP_RELAY_BEAT_NS */
#define RELAY_RESOLVE_NS     (12ull * 1000000000ull)
#define RELAY_HOST_MAX       255u
#define RELAY_RX_CHUNK       2048u

enum relay_conn {
	RELAY_CONN_PENDING = 0,
	RELAY_CONN_UP,
	RELAY_CONN_FAILED,
};

struct relay_dialer {
	/* Connect to (addr) (16 bytes: IPv4 as ::ffff:a.b.c.d) and (port); the
	 * stream, or NULL when no connection can be made now. */
	struct stream *(*open)(void *ctx, const uint8_t addr[16], uint16_t port, uint64_t now);
	enum relay_conn (*state)(void *ctx, struct stream *s);
	/* Resolve (name) (NULL when the transport has none): start returns
	 * false at once when it cannot; result says pending (0), done (1, with
	 * addr) or failed (-1, with why). */
	bool (*resolve_start)(void *ctx, const char *name, size_t len, bool aaaa, uint64_t now);
	int (*resolve_result)(void *ctx, uint8_t addr[16], const char **why);
	void (*random)(void *ctx, void *buf, size_t len);
	/* A line for the console (without its newline). */
	void (*log)(void *ctx, const char *msg, size_t len);
	void *ctx;
};

struct relay_stats {
	uint64_t connects, connect_failed, resolved, resolve_failed, lost, idle_timeouts;
	uint64_t bad_status, bad_response, hellos, events, bad_events, bytes;
};

enum relay_phase {
	RELAY_WAIT = 0, /* backoff before the next try */
	RELAY_RESOLVING,
	RELAY_CONNECTING,
	RELAY_HEAD,   /* request sent, waiting for the answer's head */
	RELAY_STREAM, /* the event stream flows */
};

struct relay {
	struct app *a;
	struct relay_dialer d;
	/* the upstream */
	char host[RELAY_HOST_MAX + 1];     /* as in the URL, brackets removed */
	char host_hdr[RELAY_HOST_MAX + 8]; /* the Host field: host[:port] */
	size_t host_len;
	uint16_t port;
	bool literal, literal6, tried_aaaa;
	uint8_t addr[16];
	/* the connection */
	enum relay_phase phase;
	struct stream *s;
	uint64_t deadline, last_rx;
	uint64_t backoff;
	bool linked;   /* a hello came on this connection */
	bool chain_ok; /* and it said its own upstream is there */
	bool ever_linked;
	struct hcl_stats hstats;
	struct hcl_resp resp;
	struct hcl_sse sse;
	struct relay_stats stats;
};

enum relay_url_result {
	RELAY_URL_OK = 0,
	RELAY_URL_SCHEME, /* not http:// (https: not yet) */
	RELAY_URL_HOST,   /* empty, too long, or not a host */
	RELAY_URL_PORT,
	RELAY_URL_PATH, /* a path other than "/" */
};

/* Parse (url, len) into (r)'s upstream; r->a and r->d are not touched. */
enum relay_url_result relay_parse_url(struct relay *r, const char *url, size_t len);
const char *relay_url_error(enum relay_url_result e);
/* Start relaying for (a) (which becomes a relay: presenter POSTs refused)
 * to the upstream relay_parse_url() set in (r). */
void relay_start(struct relay *r, struct app *a, const struct relay_dialer *d, uint64_t now);
/* Read, time out, reconnect; returns the next deadline. */
uint64_t relay_poll(struct relay *r, uint64_t now);
/* Whether (s) is the relay's upstream stream (for a transport's readiness). */
bool relay_owns(const struct relay *r, const struct stream *s);

#endif
