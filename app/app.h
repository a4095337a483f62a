/* SPDX-License-Identifier: MIT */
/* The deck server: the routes that are not plain store lookups.
 *
 * - GET /_unideck/events: the preview event stream (HTML5 server-sent events).
 *   A preview server sends "reload" on it after each rebuild; pages listen
 *   through /_unideck/live.js. Only preview stores (STORE_F_DEV) offer it.
 * - While a preview build is broken, every HTML page answers 500 with the build
 *   error (file, line, message) and the live-reload script, so the browser shows
 *   the error instead of a stale deck and recovers by itself once it is fixed.
 * - Live follow (app/follow.c): GET /_unideck/follow/<slug> is an event stream
 *   of the presenter's position in that deck; POST /_unideck/follow/<slug>
 *   moves it, authenticated by an HMAC keyed with the presenter token.
 *
 * Freestanding. The app borrows the HTTP server; subscribers are connections the
 * transport owns, and the transport must call app_conn_gone() before it frees a
 * connection whose app_data is set, and app_tick() every second or so.
 *
 * Subscribers (followers and preview pages) are capped three ways, each
 * answered 503 with Retry-After and counted: APP_MAX_SUBS in all; as a class,
 * never more than the transport's connections less a reserve for page loads
 * (app_set_conns: a quarter, at least APP_PAGE_RESERVE), so thousands of
 * followers cannot take the last connections from the pages they follow
 * (subs_refused); and APP_SUBS_PER_ADDR per client address (subs_per_addr).
 * Every APP_HEARTBEAT_NS each stream gets a position or a comment, so a dead
 * or stalled reader shows up in the send timeout of http/ and is reset.
 *
 * An event goes to all its subscribers as one copy: app_publish writes it
 * once into one of APP_EV_SLOTS shared buffers (lib/sharedbuf.h) and each
 * subscriber's transport queues a reference to it (http_event_share), held
 * until the follower has acknowledged the bytes; so a copy ring of the TCP
 * stack is never needed for an event, and 1,000 followers are served in one
 * pass. A slot is written again only once no transport holds it. When every
 * slot is still held (slow followers that have not acknowledged
 * APP_EV_SLOTS events), the event is copied to each subscriber as before
 * (counted in slots_full): slower, never lost. So that a follower whose
 * network vanished pins a few slots and not all, one with APP_SUB_BACKLOG
 * bytes unacknowledged gets no more events until it has caught up. A follower
 * whose queue had no room for an event (or was over its backlog) is marked
 * behind and gets the current position later
 * (app_tick, every APP_RESEND_NS), itself one shared copy per deck. TLS
 * connections encrypt per connection, so they copy (http_event_share falls
 * back). */
#ifndef UD_APP_H
#define UD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define APP_MAX_SUBS  8192u
#define APP_ERR_MAX   1536u /* bytes of build error text on the error page */
#define APP_MAX_DECKS 128u  /* decks whose presenter position is kept */
#define APP_TOKEN_MAX 64u   /* bytes of presenter token */
/* A presenter token is at least 128 bits: 32 characters, the length of 16
 * random bytes in hex. An update's MAC can be tested offline against guesses,
 * so a short or chosen token is refused outright (issue 14). */
#define APP_TOKEN_MIN 32u
#define APP_TOKEN_RULE                                                                             \
	"32 to 63 characters of A-Z a-z 0-9 . _ ~ - (128 bits or more: make one with "             \
	"'openssl rand -hex 16')"
#define APP_HEARTBEAT_NS  (15ull * 1000000000ull) /* position resent to followers */
#define APP_SUBS_PER_ADDR 256u                    /* event streams from one client address */
/* A comment to relays downstream this often, so a relay notices an upstream
 * that vanished without a FIN (a crash, a cut link) within RELAY_IDLE_NS. */
#define APP_RELAY_BEAT_NS (4ull * 1000000000ull)
/* A follower that had no room for a position is tried again this often (its
 * transport's send queue or copy ring comes back), not left until the beat. */
#define APP_RESEND_NS     (20ull * 1000000ull)
#define APP_PAGE_RESERVE  16u /* connections never given to event streams */

/* Events written once and referenced by every subscriber's send queue. */
#define APP_EV_SLOTS    64u
#define APP_EV_MAX      512u /* one event: a position has a slug (63), nonce (32), MAC (64) */
/* A subscriber with more unacknowledged bytes than this is given no further
 * event and marked behind (it gets the current position once it has caught
 * up): a follower whose network vanished holds a few slots, not every event
 * published until its send timeout (events_held). */
#define APP_SUB_BACKLOG 2048u

#define APP_TOPIC_RELOAD (-1)
#define APP_TOPIC_RELAY  (-2) /* GET /_unideck/relay: every deck's updates, for relays */

struct app_stats {
	uint64_t subs_opened, subs_refused, subs_per_addr, events_sent, events_dropped;
	uint64_t follow_updates, follow_forged, follow_replayed, follow_bad;
	/* an update waited for room to answer (follow_deferred); a follower that
	 * missed an event for want of room got the position later (events_resent) */
	uint64_t follow_deferred, events_resent;
	/* event text written: once per event into a slot, or once per follower
	 * when it went by copy (no slot free, or a transport that copies) */
	uint64_t event_copies, slots_full;
	/* an event not queued to a subscriber past APP_SUB_BACKLOG (it is behind) */
	uint64_t events_held;
	/* relay (app/relay.c): presenter POSTs refused with 421, updates from
	 * upstream applied, and dropped: MAC wrong, stale, deck not in the store */
	uint64_t relay_posts_refused, relay_applied, relay_forged, relay_stale, relay_unknown_deck;
};

/* One deck's presenter position. */
struct app_deck {
	char slug[64];
	size_t slug_len;
	bool set;
	int32_t h, v, f;
	uint64_t n;   /* the last accepted update's number */
	char mac[65]; /* its MAC (hex), re-published with it by relays; "" when unset */
};

/* One event's text, shared by every send queue that references it. */
struct app_slot {
	struct shared_buf b;
	char text[APP_EV_MAX];
};

struct app_sub {
	struct http_conn *c;
	int topic;   /* APP_TOPIC_RELOAD, APP_TOPIC_RELAY, or an index into decks */
	bool behind; /* missed a position for want of room: resent by app_tick */
};

struct app {
	struct http_server *srv;
	struct app_stats stats;
	uint64_t generation; /* rebuilds so far */
	bool has_error;
	size_t err_len;
	char err[APP_ERR_MAX];
	/* live follow */
	uint8_t token[APP_TOKEN_MAX];
	size_t token_len; /* 0: nobody may present */
	char nonce[33];   /* per process, hex: updates from a past run fail; a relay
	                     takes its origin's, so the MAC of an update verifies at
	                     every hop */
	bool relay;       /* upstream= given: follow state comes from there only */
	bool upstream_ok; /* relay: what its followers were last told */
	uint64_t next_heartbeat, next_relay_beat;
	uint32_t max_subs; /* the class cap: app_set_conns */
	size_t n_decks;
	struct app_deck decks[APP_MAX_DECKS];
	size_t n_subs, n_behind;
	uint32_t slot_next; /* where the search for a free slot starts */
	struct app_slot slots[APP_EV_SLOTS];
	struct app_sub subs[APP_MAX_SUBS];
};

/* (nonce16) are 16 unpredictable bytes (plat_random, getrandom). */
void app_init(struct app *a, struct http_server *srv, const uint8_t nonce16[16]);
/* Whether (t, n) may be a presenter token: APP_TOKEN_RULE. Its characters need
 * no escaping in a URL fragment, where the presenter's link carries it. */
bool app_token_ok(const char *t, size_t n);
/* The transport holds at most (conns) connections: event streams may take all
 * but a reserve for page loads (a quarter, at least APP_PAGE_RESERVE). */
void app_set_conns(struct app *a, uint32_t conns);
/* The presenter token; an empty one turns presenting off. */
void app_set_token(struct app *a, const char *token, size_t len);
/* The route hook for struct http_config (app is a struct app *). */
bool app_route(void *app, struct http_conn *c, const struct http_request *req);
/* Timers: the followers' heartbeat. Returns when it wants to be called next. */
uint64_t app_tick(struct app *a, uint64_t now);
/* A preview build failed with (msg): HTML pages show it until app_reloaded(). */
void app_set_error(struct app *a, const char *msg, size_t len);
/* A preview build succeeded: clear the error and tell every page to reload. */
void app_reloaded(struct app *a);
void app_conn_gone(struct app *a, struct http_conn *c);

/* Internal to app/: follow.c's routes and app.c's subscriber table. */
bool follow_route(struct app *a, struct http_conn *c, const struct http_request *req);
void follow_heartbeat(struct app *a);
bool app_subscribe(struct app *a, struct http_conn *c, const struct http_request *req, int topic);
void app_publish(struct app *a, int topic, const char *ev, size_t len);
/* The current position of (topic) to (c) alone; false when it has no room. */
bool follow_resend(struct app *a, struct http_conn *c, int topic);
/* The position event of deck (k) into (out, APP_EV_MAX bytes); its length. */
size_t follow_position(const struct app *a, int k, char *out);
/* (ev, len) written into a free slot, or NULL when none is free (slots_full). */
struct app_slot *app_slot_fill(struct app *a, const char *ev, size_t len);

/* For the relay (app/relay.c). An update from upstream, as that instance
 * published it: checked against this instance's token with (nonce), applied
 * and re-published unchanged to followers and to relays downstream. A new
 * nonce (the origin restarted) forgets every position first. */
enum follow_apply_result {
	FOLLOW_APPLIED = 0,
	FOLLOW_STALE,   /* not newer than what this instance has */
	FOLLOW_FORGED,  /* the MAC does not verify with this instance's token */
	FOLLOW_NO_DECK, /* no such deck in this store */
	FOLLOW_BAD,     /* a field out of range */
};
struct follow_update {
	struct http_view deck, nonce, mac;
	bool set;
	int64_t n, h, v, f;
	bool hello, ok; /* {"nonce":S,"ok":B}: a relay stream's hello */
};
enum follow_apply_result follow_apply(struct app *a, const struct follow_update *u);
/* The upstream is lost (false) or back (true): tell every follower and relay
 * downstream, once per change. */
void follow_upstream(struct app *a, bool ok);
/* Parse one event's data, the JSON object position_event() writes:
 * {"deck":S,"nonce":S,"set":B,"h":N,"v":N,"f":N,"n":N,"mac":S} (deck is only
 * on the relay stream), or a relay stream's hello {"nonce":S,"ok":B}; strings
 * without escapes, no other keys, none twice. False when malformed. */
bool follow_parse(const char *p, size_t len, struct follow_update *u);

#endif
