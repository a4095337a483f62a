/* SPDX-License-Identifier: MIT */
/* Unit tests of the follow relay (app/relay.h) and the follow state it feeds
 * (app/follow.c): upstream URLs, the event data parser, follow_apply's checks
 * (MAC with the token, stale, unknown deck, a new nonce), and the relay's state
 * machine over a scripted upstream stream with a real follower connection on
 * the relay's side: the update re-published unchanged, "upstream" lost on EOF
 * and back on the next hello, backoff between tries, and a non-200 answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/relay.h"
#include "lib/hex.h"
#include "lib/sha256.h"
#include "tests/unit/check.h"
#include "tests/unit/http_fake.h"

#define SEC 1000000000ull

static const char token[] = "0123456789abcdef0123456789abcdef";
static const char nonce[] = "00112233445566778899aabbccddeeff";

static void mac_of(const char *nc, const char *slug, int n, int h, int v, int f, char out[65])
{
	char msg[256];
	uint8_t sum[SHA256_LEN];
	int len = snprintf(msg, sizeof msg, "%s/%s/%d/%d/%d/%d", nc, slug, n, h, v, f);

	hmac_sha256(token, strlen(token), msg, (size_t)len, sum);
	hex_encode(out, sum, sizeof sum);
}

static void test_urls(void)
{
	static struct relay r;
	static const struct {
		const char *url, *host_hdr;
		unsigned port;
		bool literal;
	} good[] = {
	        {"http://10.0.0.1/", "10.0.0.1", 80, true},
	        {"http://10.0.0.1:8080", "10.0.0.1:8080", 8080, true},
	        {"http://[2001:db8::1]:81/", "[2001:db8::1]:81", 81, true},
	        {"http://origin.example.org", "origin.example.org", 80, false},
	        {"HTTP://x-1:65535/", "x-1:65535", 65535, false},
	};
	static const struct {
		const char *url;
		enum relay_url_result want;
	} bad[] = {
	        {"https://x/", RELAY_URL_SCHEME},      {"ftp://x/", RELAY_URL_SCHEME},
	        {"http://", RELAY_URL_HOST},           {"http://x:/", RELAY_URL_PORT},
	        {"http://x:65536/", RELAY_URL_PORT},   {"http://x:0", RELAY_URL_PORT},
	        {"http://x/path", RELAY_URL_PATH},     {"http://[::1/", RELAY_URL_HOST},
	        {"http://[zz::1]/", RELAY_URL_HOST},   {"http://x y/", RELAY_URL_HOST},
	        {"http://300.1.1.1/", RELAY_URL_HOST}, {"http://1.2.3/", RELAY_URL_HOST},
	        {"http://a..b/", RELAY_URL_HOST},      {"http://user@x/", RELAY_URL_HOST},
	};
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		enum relay_url_result e = relay_parse_url(&r, good[i].url, strlen(good[i].url));
		CHECK(e == RELAY_URL_OK && strcmp(r.host_hdr, good[i].host_hdr) == 0 &&
		              r.port == good[i].port && r.literal == good[i].literal,
		      "URL %s: Host %s, port %u (got %d, %s, %u)", good[i].url, good[i].host_hdr,
		      good[i].port, e, r.host_hdr, r.port);
	}
	CHECK(relay_parse_url(&r, "http://10.1.2.3/", 16) == RELAY_URL_OK && r.addr[10] == 0xff &&
	              r.addr[11] == 0xff && r.addr[12] == 10 && r.addr[15] == 3,
	      "an IPv4 literal becomes ::ffff:a.b.c.d");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(relay_parse_url(&r, bad[i].url, strlen(bad[i].url)) == bad[i].want,
		      "URL %s refused: %s", bad[i].url, relay_url_error(bad[i].want));
}

static void test_parse(void)
{
	struct follow_update u;
	char ok1[400];

	snprintf(ok1, sizeof ok1,
	         "{\"deck\":\"d\",\"nonce\":\"%s\",\"set\":true,\"h\":3,\"v\":1,\"f\":-1,\"n\":9,"
	         "\"mac\":\"%064d\"}",
	         nonce, 0);
	CHECK(follow_parse(ok1, strlen(ok1), &u) && !u.hello && u.set && u.h == 3 && u.v == 1 &&
	              u.f == -1 && u.n == 9 && u.deck.len == 1 && u.mac.len == 64,
	      "a relay stream position parses");
	CHECK(follow_parse("{\"nonce\":\"ab\",\"ok\":false}", 25, &u) && u.hello && !u.ok,
	      "a relay stream hello parses");
	{
		static const char *const no[] = {
		        "",
		        "{}",
		        "{\"nonce\":\"a\"}",
		        "{\"nonce\":\"a\",\"ok\":true,\"ok\":true}",
		        "{\"nonce\":\"a\",\"ok\":true,\"x\":1}",
		        "{\"nonce\":\"a\\\"\",\"ok\":true}",
		        "{\"nonce\":\"a\",\"ok\":true} x",
		        "{\"nonce\":\"a\",\"ok\":tru}",
		        "{\"nonce\":\"a\",\"ok\":true",
		        "[1]",
		        "{\"nonce\":\"a\",\"set\":true,\"h\":1,\"v\":1,\"f\":1,\"n\":"
		        "99999999999999999999,"
		        "\"mac\":\"\"}",
		};
		size_t i;
		bool all = true;
		for (i = 0; i < sizeof no / sizeof no[0]; i++)
			if (follow_parse(no[i], strlen(no[i]), &u)) {
				all = false;
				printf("# accepted: %s\n", no[i]);
			}
		CHECK(all,
		      "malformed, duplicate, unknown, escaped and overlong fields are refused");
	}
}

struct world {
	struct http_server srv;
	void *pool_mem;
	struct app a;
	struct fake fol; /* a follower of deck d on this instance */
	struct http_conn fc;
};

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof *w);
	uint8_t n16[16] = {1};
	static const char req[] = "GET /_unideck/follow/d HTTP/1.1\r\nHost: x\r\n\r\n";

	fake_server(&w->srv, 4);
	w->pool_mem = w->srv.cfg.app;
	app_init(&w->a, &w->srv, n16);
	app_set_token(&w->a, token, strlen(token));
	w->srv.cfg.route = app_route;
	w->srv.cfg.app = &w->a;
	fake_init(&w->fol, req, sizeof req - 1);
	http_conn_init(&w->srv, &w->fc, &w->fol.st, 0);
	fake_run(&w->srv, &w->fc, &w->fol, 0);
	return w;
}

static void world_free(struct world *w)
{
	app_conn_gone(&w->a, &w->fc);
	http_conn_fini(&w->srv, &w->fc);
	fake_free(&w->fol);
	w->srv.cfg.app = w->pool_mem;
	fake_server_free(&w->srv);
	free(w);
}

static struct follow_update upd(const char *nc, int n, int h, const char *mac)
{
	struct follow_update u;

	memset(&u, 0, sizeof u);
	u.deck.p = "d";
	u.deck.len = 1;
	u.nonce.p = nc;
	u.nonce.len = strlen(nc);
	u.mac.p = mac;
	u.mac.len = strlen(mac);
	u.set = true;
	u.n = n;
	u.h = h;
	u.f = -1;
	return u;
}

static void test_apply(void)
{
	struct world *w = world_new();
	char mac[65], other[65];
	struct follow_update u;
	static const char nonce2[] = "ffeeddccbbaa99887766554433221100";

	CHECK(fake_count(&w->fol, "event: hello") == 1, "the follower subscribed");
	mac_of(nonce, "d", 5, 2, 0, -1, mac);
	u = upd(nonce, 5, 2, mac);
	CHECK(follow_apply(&w->a, &u) == FOLLOW_APPLIED && w->a.decks[0].h == 2 &&
	              strcmp(w->a.decks[0].mac, mac) == 0 && memcmp(w->a.nonce, nonce, 32) == 0,
	      "a signed update is applied, with the origin's nonce and its MAC");
	{
		char want[300];
		snprintf(want, sizeof want,
		         "\"nonce\":\"%s\",\"set\":true,\"h\":2,\"v\":0,\"f\":-1,"
		         "\"n\":5,\"mac\":\"%s\"",
		         nonce, mac);
		CHECK(strstr(fake_text(&w->fol), want) != NULL,
		      "the follower gets it re-published unchanged (nonce, n, MAC)");
	}
	CHECK(follow_apply(&w->a, &u) == FOLLOW_STALE && w->a.stats.relay_stale == 1,
	      "the same update again is stale");
	mac_of(nonce, "d", 6, 3, 0, -1, other);
	other[0] = other[0] == 'a' ? 'b' : 'a';
	u = upd(nonce, 6, 3, other);
	CHECK(follow_apply(&w->a, &u) == FOLLOW_FORGED && w->a.stats.relay_forged == 1 &&
	              w->a.decks[0].h == 2,
	      "a wrong MAC is refused and counted; the position stays");
	mac_of(nonce, "zz", 7, 3, 0, -1, other);
	u = upd(nonce, 7, 3, other);
	u.deck.p = "zz";
	u.deck.len = 2;
	CHECK(follow_apply(&w->a, &u) == FOLLOW_NO_DECK && w->a.stats.relay_unknown_deck == 1,
	      "a deck not in this store is dropped");
	u = upd(nonce, 8, 100001, mac);
	CHECK(follow_apply(&w->a, &u) == FOLLOW_BAD, "a slide index out of range is refused");
	u = upd("xyz", 8, 1, mac);
	CHECK(follow_apply(&w->a, &u) == FOLLOW_BAD,
	      "a nonce that is not 32 hex digits is refused");
	mac_of(nonce2, "d", 1, 4, 0, -1, other);
	u = upd(nonce2, 1, 4, other);
	CHECK(follow_apply(&w->a, &u) == FOLLOW_APPLIED && w->a.decks[0].n == 1 &&
	              w->a.decks[0].h == 4,
	      "a new nonce (the origin restarted): numbers start again");
	world_free(w);
}

/* ---- the state machine over a scripted upstream ---- */

struct script {
	struct fake up;
	bool open_fails;
	enum relay_conn st;
	int opens;
	char log[8][200];
	int n_log;
};

static struct stream *s_open(void *ctx, const uint8_t addr[16], uint16_t port, uint64_t now)
{
	struct script *s = ctx;

	(void)addr;
	(void)port;
	(void)now;
	s->opens++;
	return s->open_fails ? NULL : &s->up.st;
}

static enum relay_conn s_state(void *ctx, struct stream *st)
{
	(void)st;
	return ((struct script *)ctx)->st;
}

static void s_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0, len);
}

static void s_log(void *ctx, const char *msg, size_t len)
{
	struct script *s = ctx;

	/* the last line is log[0]: older ones are not needed */
	snprintf(s->log[0], 200, "%.*s", (int)len, msg);
	s->n_log++;
}

static void test_machine(void)
{
	struct world *w = world_new();
	static struct script sc;
	static struct relay r;
	struct relay_dialer d = {s_open, s_state, NULL, NULL, s_random, s_log, &sc};
	static char in[2048];
	char mac[65];
	uint64_t t = 10 * SEC, next;
	int k;

	mac_of(nonce, "d", 3, 1, 0, -1, mac);
	snprintf(in, sizeof in,
	         "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
	         "chunked\r\n\r\n%zx\r\nevent: hello\ndata: {\"nonce\":\"%s\",\"ok\":true}\n\n\r\n",
	         strlen("event: hello\ndata: {\"nonce\":\"\",\"ok\":true}\n\n") + 32, nonce);
	{
		char ev[400];
		int n = snprintf(
		        ev, sizeof ev,
		        "event: slide\ndata: {\"deck\":\"d\",\"nonce\":\"%s\",\"set\":true,"
		        "\"h\":1,\"v\":0,\"f\":-1,\"n\":3,\"mac\":\"%s\"}\n\n",
		        nonce, mac);
		snprintf(in + strlen(in), sizeof in - strlen(in), "%x\r\n%s\r\n", n, ev);
	}
	memset(&sc, 0, sizeof sc);
	fake_init(&sc.up, in, strlen(in));
	sc.st = RELAY_CONN_UP;
	CHECK(relay_parse_url(&r, "http://10.0.0.9:8080/", 21) == RELAY_URL_OK, "the URL");
	relay_start(&r, &w->a, &d, t);
	CHECK(w->a.relay && !w->a.upstream_ok, "a relay starts with its upstream not yet there");
	next = relay_poll(&r, t);
	CHECK(sc.opens == 1 && strstr(fake_text(&sc.up), "GET /_unideck/relay HTTP/1.1\r\nHost: "
	                                                 "10.0.0.9:8080\r\n") != NULL,
	      "it connects and asks for the relay stream");
	CHECK(r.linked && w->a.upstream_ok && w->a.decks[0].h == 1 && r.stats.hellos == 1,
	      "the hello links it, and the slide moves its deck");
	CHECK(fake_count(&w->fol, "event: upstream\ndata: {\"ok\":true}") == 1 &&
	              strstr(fake_text(&w->fol), mac) != NULL,
	      "its follower hears the upstream is there, and gets the update with its MAC");
	CHECK(next == r.last_rx + RELAY_IDLE_NS, "the deadline is the idle timeout");
	/* Silence: the upstream is given up after RELAY_IDLE_NS. */
	next = relay_poll(&r, t + RELAY_IDLE_NS);
	CHECK(r.phase == RELAY_WAIT && !r.linked && r.stats.idle_timeouts == 1 &&
	              !w->a.upstream_ok &&
	              fake_count(&w->fol, "event: upstream\ndata: {\"ok\":false}") == 1,
	      "silence for RELAY_IDLE_NS: lost, and its follower is told");
	CHECK(next > t + RELAY_IDLE_NS && next <= t + RELAY_IDLE_NS + RELAY_BACKOFF_MIN_NS,
	      "the first retry waits at most RELAY_BACKOFF_MIN_NS");
	/* Now every try fails: the waits double, up to the cap. */
	sc.open_fails = true;
	t = next;
	for (k = 0; k < 8; k++) {
		uint64_t was = r.backoff;
		next = relay_poll(&r, t);
		if (k > 0 &&
		    r.backoff != (was * 2 < RELAY_BACKOFF_MAX_NS ? was * 2 : RELAY_BACKOFF_MAX_NS))
			break;
		t = next;
	}
	CHECK(k == 8 && r.backoff == RELAY_BACKOFF_MAX_NS && r.stats.connect_failed == 8,
	      "failed tries back off, doubling to RELAY_BACKOFF_MAX_NS");
	CHECK(fake_count(&w->fol, "event: upstream\ndata: {\"ok\":false}") == 1,
	      "the follower is told once, not at every try");
	/* It answers 404: not an instance. */
	sc.open_fails = false;
	fake_init(&sc.up, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 45);
	relay_poll(&r, t);
	CHECK(r.phase == RELAY_WAIT && r.stats.bad_status == 1, "a 404 is a failed try");
	CHECK(sc.n_log > 0 && strstr(sc.log[0], "answered with status: 404") != NULL,
	      "and says so on the console: %s", sc.log[0]);
	fake_free(&sc.up);
	world_free(w);
}

/* Room runs out: a follower that could not take an update gets the position
 * once room is back (app_tick), and a presenter's update waits for room to
 * answer instead of moving the slide and then answering 409. */
static void test_room(void)
{
	struct world *w = world_new();
	char mac[65], own[33], req[512];
	struct fake pre;
	struct http_conn pc;
	struct follow_update u;
	uint64_t next;

	mac_of(nonce, "d", 5, 2, 0, -1, mac);
	u = upd(nonce, 5, 2, mac);
	w->fol.room_copy = 0; /* the follower's queue is full */
	CHECK(follow_apply(&w->a, &u) == FOLLOW_APPLIED && w->a.n_behind == 1 &&
	              w->a.stats.events_dropped == 1,
	      "a follower without room misses the update, and is marked behind");
	next = app_tick(&w->a, 100 * SEC);
	CHECK(w->a.n_behind == 1 && next <= 100 * SEC + APP_RESEND_NS,
	      "still no room: tried again within APP_RESEND_NS");
	w->fol.room_copy = 1u << 30;
	app_tick(&w->a, 100 * SEC + APP_RESEND_NS);
	CHECK(w->a.n_behind == 0 && w->a.stats.events_resent == 1 &&
	              strstr(fake_text(&w->fol), "\"h\":2,\"v\":0,\"f\":-1,\"n\":5") != NULL,
	      "room again: it gets the current position at once");

	/* The presenter on this instance (not a relay), with no room to answer. */
	memcpy(own, w->a.nonce, 33);
	mac_of(own, "d", 9, 3, 0, -1, mac);
	snprintf(req, sizeof req,
	         "POST /_unideck/follow/d HTTP/1.1\r\nHost: x\r\nContent-Type: "
	         "application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n"
	         "n=9&h=3&v=0&f=-1&mac=%s",
	         strlen("n=9&h=3&v=0&f=-1&mac=") + 64, mac);
	memset(&pre, 0, sizeof pre);
	fake_init(&pre, req, strlen(req));
	pre.room_copy = 100;
	http_conn_init(&w->srv, &pc, &pre.st, 0);
	fake_run(&w->srv, &pc, &pre, 0);
	CHECK(w->a.decks[0].n == 5 && w->a.stats.follow_deferred >= 1 && pre.out_len == 0,
	      "no room to answer: the update waits and moves nothing");
	pre.room_copy = 1u << 30;
	fake_run(&w->srv, &pc, &pre, 0);
	CHECK(w->a.decks[0].n == 9 && w->a.decks[0].h == 3 &&
	              strstr(fake_text(&pre), "HTTP/1.1 204") != NULL &&
	              fake_count(&pre, "409") == 0 && w->a.stats.follow_replayed == 0,
	      "room again: applied once, answered 204 (not 409)");
	http_conn_fini(&w->srv, &pc);
	fake_free(&pre);
	world_free(w);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_urls();
	test_parse();
	test_apply();
	test_machine();
	test_room();
	return check_done();
}
