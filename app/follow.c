/* SPDX-License-Identifier: MIT */
/* Live follow: the presenter's position in each deck, moved by authenticated
 * updates and pushed to every follower over server-sent events.
 *
 * An update is POST /_unideck/follow/<slug> with the form body
 * "n=N&h=H&v=V&f=F&mac=M", where M is the hex HMAC-SHA256, keyed with the
 * presenter token, of "NONCE/SLUG/N/H/V/F". NONCE is this process's (sent to
 * every subscriber in its hello event), so an update recorded from an earlier
 * run is worthless; N must exceed the last accepted N, so a replayed one is
 * refused (409); a wrong MAC is refused (403) and compared in constant time.
 * The token itself never crosses the wire and is in no page and no store. */
#include "app/app.h"

#include "lib/hex.h"
#include "lib/mem.h"
#include "lib/sha256.h"

#define FOLLOW_PATH "/_unideck/follow/"
#define RELAY_PATH  "/_unideck/relay"
#define MAX_INDEX   100000 /* no deck has more slides or fragments than this */

/* ---- small number formatting and parsing ---- */

static size_t put_u64(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

static size_t put_i32(char *out, int32_t v)
{
	if (v < 0) {
		out[0] = '-';
		return 1 + put_u64(out + 1, (uint64_t)(-(int64_t)v));
	}
	return put_u64(out, (uint64_t)v);
}

static size_t put_s(char *out, const char *s)
{
	size_t n = strlen(s);

	memcpy(out, s, n);
	return n;
}

/* The value of (key) in a form body "k=v&k=v", or false. */
static bool form_value(struct http_view body, const char *key, struct http_view *out)
{
	size_t i = 0, kl = strlen(key);

	while (i < body.len) {
		size_t e = i;
		while (e < body.len && body.p[e] != '&')
			e++;
		if (e - i > kl && body.p[i + kl] == '=' && memcmp(body.p + i, key, kl) == 0) {
			out->p = body.p + i + kl + 1;
			out->len = e - i - kl - 1;
			return true;
		}
		i = e + 1;
	}
	return false;
}

static bool parse_int(struct http_view v, int64_t lo, int64_t hi, int64_t *out)
{
	int64_t r = 0;
	size_t i = 0;
	bool neg = false;

	if (v.len && v.p[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == v.len || v.len - i > 18)
		return false;
	for (; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return false;
		r = r * 10 + (v.p[i] - '0');
	}
	r = neg ? -r : r;
	if (r < lo || r > hi)
		return false;
	*out = r;
	return true;
}

/* ---- decks ---- */

/* The deck named by the rest of the path, or -1: only decks in the store. */
static int find_deck(struct app *a, const char *slug, size_t n)
{
	char key[80];
	struct store_entry e;
	size_t i;

	if (n == 0 || n >= sizeof a->decks[0].slug)
		return -1;
	for (i = 0; i < n; i++)
		if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9') ||
		      slug[i] == '-'))
			return -1;
	for (i = 0; i < a->n_decks; i++)
		if (a->decks[i].slug_len == n && memcmp(a->decks[i].slug, slug, n) == 0)
			return (int)i;
	key[0] = '/';
	memcpy(key + 1, slug, n);
	memcpy(key + 1 + n, "/index.html", 11);
	if (!a->srv->store || !store_lookup(a->srv->store, key, n + 12, &e) ||
	    a->n_decks == APP_MAX_DECKS)
		return -1;
	memset(&a->decks[a->n_decks], 0, sizeof a->decks[0]);
	memcpy(a->decks[a->n_decks].slug, slug, n);
	a->decks[a->n_decks].slug_len = n;
	return (int)a->n_decks++;
}

#define EV_MAX APP_EV_MAX

/* "event: NAME\ndata: {...}\n\n" for a deck's position; with (deck) for the
 * relay stream, which carries every deck. */
static size_t position_event(const struct app *a, const struct app_deck *d, const char *name,
                             bool deck, char *out)
{
	size_t n = 0;

	n += put_s(out + n, "event: ");
	n += put_s(out + n, name);
	n += put_s(out + n, "\ndata: {");
	if (deck) {
		n += put_s(out + n, "\"deck\":\"");
		memcpy(out + n, d->slug, d->slug_len);
		n += d->slug_len;
		n += put_s(out + n, "\",");
	}
	n += put_s(out + n, "\"nonce\":\"");
	n += put_s(out + n, a->nonce);
	n += put_s(out + n, d->set ? "\",\"set\":true,\"h\":" : "\",\"set\":false,\"h\":");
	n += put_i32(out + n, d->h);
	n += put_s(out + n, ",\"v\":");
	n += put_i32(out + n, d->v);
	n += put_s(out + n, ",\"f\":");
	n += put_i32(out + n, d->f);
	n += put_s(out + n, ",\"n\":");
	n += put_u64(out + n, d->n);
	n += put_s(out + n, ",\"mac\":\"");
	n += put_s(out + n, d->mac);
	n += put_s(out + n, "\"}\n\n");
	return n;
}

static size_t upstream_event(bool ok, char *out)
{
	return put_s(out, ok ? "event: upstream\ndata: {\"ok\":true}\n\n"
	                     : "event: upstream\ndata: {\"ok\":false}\n\n");
}

/* A deck's new position, to its followers and to every relay downstream. */
static void publish_deck(struct app *a, int k)
{
	char ev[EV_MAX];
	size_t len;

	len = position_event(a, &a->decks[k], "slide", false, ev);
	app_publish(a, k, ev, len);
	len = position_event(a, &a->decks[k], "slide", true, ev);
	app_publish(a, APP_TOPIC_RELAY, ev, len);
}

static void subscribe(struct app *a, struct http_conn *c, const struct http_request *req, int k)
{
	char ev[EV_MAX];
	size_t n;

	if (!app_subscribe(a, c, req, k))
		return;
	/* The hello carries the nonce and the current position, so a follower
	 * that reconnects after a blip or a restart resumes where the talk is. */
	n = position_event(a, &a->decks[k], "hello", false, ev);
	http_event_send(a->srv, c, ev, n);
	if (a->relay && !a->upstream_ok) {
		n = upstream_event(false, ev);
		http_event_send(a->srv, c, ev, n);
	}
}

/* GET /_unideck/relay: a relay downstream subscribes to every deck at once.
 * Its hello says whether this instance's own upstream is there; then every
 * deck with a position, as updates. */
static void subscribe_relay(struct app *a, struct http_conn *c, const struct http_request *req)
{
	char ev[EV_MAX];
	size_t n, k;

	if (!app_subscribe(a, c, req, APP_TOPIC_RELAY))
		return;
	n = put_s(ev, "event: hello\ndata: {\"nonce\":\"");
	n += put_s(ev + n, a->nonce);
	n += put_s(ev + n,
	           !a->relay || a->upstream_ok ? "\",\"ok\":true}\n\n" : "\",\"ok\":false}\n\n");
	http_event_send(a->srv, c, ev, n);
	for (k = 0; k < a->n_decks; k++) {
		if (!a->decks[k].set)
			continue;
		n = position_event(a, &a->decks[k], "slide", true, ev);
		/* Without room the heartbeat brings the rest within APP_HEARTBEAT_NS. */
		if (!http_event_send(a->srv, c, ev, n))
			break;
	}
}

/* ---- updates ---- */

static bool mac_ok(const struct app *a, struct http_view nonce, const struct app_deck *d, int64_t n,
                   int64_t h, int64_t v, int64_t f, struct http_view mac)
{
	uint8_t sum[SHA256_LEN];
	char msg[200];
	size_t m = 0, i;
	uint8_t diff = 0;

	if (nonce.len > 32)
		return false;
	memcpy(msg + m, nonce.p, nonce.len);
	m += nonce.len;
	msg[m++] = '/';
	memcpy(msg + m, d->slug, d->slug_len);
	m += d->slug_len;
	msg[m++] = '/';
	m += put_u64(msg + m, (uint64_t)n);
	msg[m++] = '/';
	m += put_i32(msg + m, (int32_t)h);
	msg[m++] = '/';
	m += put_i32(msg + m, (int32_t)v);
	msg[m++] = '/';
	m += put_i32(msg + m, (int32_t)f);
	hmac_sha256(a->token, a->token_len, msg, m, sum);
	if (mac.len != 2 * SHA256_LEN)
		return false;
	/* Constant time: every byte is compared whatever the first difference. */
	for (i = 0; i < SHA256_LEN; i++) {
		diff |= (uint8_t)(mac.p[2 * i] ^ hex_digits[sum[i] >> 4]);
		diff |= (uint8_t)(mac.p[2 * i + 1] ^ hex_digits[sum[i] & 15]);
	}
	return diff == 0;
}

static void update(struct app *a, struct http_conn *c, const struct http_request *req, int k)
{
	struct app_deck *d = &a->decks[k];
	struct http_view vn, vh, vv, vf, vm, own = {a->nonce, strlen(a->nonce)};
	int64_t n, h, v, f;

	if (a->relay) {
		/* A relay's position comes from upstream only: it could not make
		 * an update every other instance accepts, and forwarding would
		 * hide where the presenter must be (README, "Live follow across
		 * instances"). 421: this server is not the one for this request
		 * (RFC 9110 15.5.20). */
		static const char body[] =
		        "this instance relays live follow: present on the origin\n";
		a->stats.relay_posts_refused++;
		http_respond(a->srv, c, req, 421, "text/plain; charset=utf-8",
		             "Cache-Control: no-store\r\n", body, sizeof body - 1);
		return;
	}
	if (!form_value(req->body, "n", &vn) || !form_value(req->body, "h", &vh) ||
	    !form_value(req->body, "v", &vv) || !form_value(req->body, "f", &vf) ||
	    !form_value(req->body, "mac", &vm) || !parse_int(vn, 1, INT64_MAX / 2, &n) ||
	    !parse_int(vh, 0, MAX_INDEX, &h) || !parse_int(vv, 0, MAX_INDEX, &v) ||
	    !parse_int(vf, -1, MAX_INDEX, &f)) {
		a->stats.follow_bad++;
		http_respond_error(a->srv, c, req, 400);
		return;
	}
	if (a->token_len == 0 || !mac_ok(a, own, d, n, h, v, f, vm)) {
		a->stats.follow_forged++;
		http_respond_error(a->srv, c, req, 403);
		return;
	}
	/* The answer must be able to go out before the position moves: with no
	 * room now (a full queue, no copy ring free) the request is asked again
	 * later, and applying it twice would tell the presenter 409. The 204's
	 * head is well under 1 KiB. */
	if (!c->s->ops->can_send(c->s, 1024, 1, 0)) {
		a->stats.follow_deferred++;
		http_defer(c);
		return;
	}
	if ((uint64_t)n <= d->n) {
		a->stats.follow_replayed++;
		http_respond(a->srv, c, req, 409, "text/plain; charset=utf-8", NULL, "stale\n", 6);
		return;
	}
	d->set = true;
	d->n = (uint64_t)n;
	d->h = (int32_t)h;
	d->v = (int32_t)v;
	d->f = (int32_t)f;
	memcpy(d->mac, vm.p, vm.len); /* checked: 64 hex digits */
	d->mac[vm.len] = 0;
	a->stats.follow_updates++;
	publish_deck(a, k);
	http_respond(a->srv, c, req, 204, NULL, "Cache-Control: no-store\r\n", "", 0);
}

bool follow_route(struct app *a, struct http_conn *c, const struct http_request *req)
{
	size_t plen = sizeof FOLLOW_PATH - 1;
	int k;

	if (req->path.len == sizeof RELAY_PATH - 1 &&
	    memcmp(req->path.p, RELAY_PATH, sizeof RELAY_PATH - 1) == 0) {
		if (req->method == HTTP_M_GET || req->method == HTTP_M_HEAD)
			subscribe_relay(a, c, req);
		else
			http_respond(a->srv, c, req, 405, "text/plain; charset=utf-8",
			             "Allow: GET, HEAD\r\n", "", 0);
		return true;
	}

	if (req->path.len <= plen || memcmp(req->path.p, FOLLOW_PATH, plen) != 0)
		return false;
	k = find_deck(a, req->path.p + plen, req->path.len - plen);
	if (k < 0) {
		http_respond_error(a->srv, c, req, 404);
		return true;
	}
	if (req->method == HTTP_M_GET || req->method == HTTP_M_HEAD)
		subscribe(a, c, req, k);
	else if (req->method == HTTP_M_POST)
		update(a, c, req, k);
	else
		http_respond(a->srv, c, req, 405, "text/plain; charset=utf-8",
		             "Allow: GET, HEAD, POST\r\n", "", 0);
	return true;
}

void follow_heartbeat(struct app *a)
{
	char ev[EV_MAX];
	size_t k, len;

	for (k = 0; k < a->n_decks; k++) {
		len = position_event(a, &a->decks[k], "slide", false, ev);
		app_publish(a, (int)k, ev, len);
		if (a->decks[k].set) {
			len = position_event(a, &a->decks[k], "slide", true, ev);
			app_publish(a, APP_TOPIC_RELAY, ev, len);
		}
	}
}

size_t follow_position(const struct app *a, int k, char *out)
{
	return position_event(a, &a->decks[k], "slide", false, out);
}

bool follow_resend(struct app *a, struct http_conn *c, int topic)
{
	char ev[EV_MAX];
	size_t k, len;

	if (topic >= 0 && (size_t)topic < a->n_decks) {
		len = position_event(a, &a->decks[topic], "slide", false, ev);
		return http_event_send(a->srv, c, ev, len);
	}
	if (topic != APP_TOPIC_RELAY)
		return true;
	for (k = 0; k < a->n_decks; k++) {
		if (!a->decks[k].set)
			continue;
		len = position_event(a, &a->decks[k], "slide", true, ev);
		if (!http_event_send(a->srv, c, ev, len))
			return false;
	}
	return true;
}

/* ---- relaying (app/relay.c drives these) ---- */

static bool view_is_hex(struct http_view v, size_t n)
{
	size_t i;

	if (v.len != n)
		return false;
	for (i = 0; i < n; i++)
		if (!((v.p[i] >= '0' && v.p[i] <= '9') || (v.p[i] >= 'a' && v.p[i] <= 'f')))
			return false;
	return true;
}

enum follow_apply_result follow_apply(struct app *a, const struct follow_update *u)
{
	struct app_deck *d;
	size_t k;
	int i;

	if (!view_is_hex(u->nonce, 32) || u->n < 0 || u->n > INT64_MAX / 2 || u->h < 0 ||
	    u->h > MAX_INDEX || u->v < 0 || u->v > MAX_INDEX || u->f < -1 || u->f > MAX_INDEX ||
	    (u->set && !view_is_hex(u->mac, 64)))
		return FOLLOW_BAD;
	if (memcmp(a->nonce, u->nonce.p, 32) != 0) {
		/* The origin restarted (or this is the first word from it): its
		 * numbers start again, and so do ours. */
		memcpy(a->nonce, u->nonce.p, 32);
		for (k = 0; k < a->n_decks; k++) {
			a->decks[k].set = false;
			a->decks[k].n = 0;
			a->decks[k].h = a->decks[k].v = a->decks[k].f = 0;
			a->decks[k].mac[0] = 0;
		}
	}
	if (!u->set)
		return FOLLOW_STALE; /* nothing to move to */
	i = find_deck(a, u->deck.p, u->deck.len);
	if (i < 0) {
		a->stats.relay_unknown_deck++;
		return FOLLOW_NO_DECK;
	}
	d = &a->decks[i];
	if ((uint64_t)u->n <= d->n) {
		a->stats.relay_stale++;
		return FOLLOW_STALE; /* a heartbeat, or a repeat */
	}
	/* Checked with this instance's token: a relay re-publishes only what
	 * the presenter signed, whatever the path from the origin. */
	if (a->token_len == 0 || !mac_ok(a, u->nonce, d, u->n, u->h, u->v, u->f, u->mac)) {
		a->stats.relay_forged++;
		return FOLLOW_FORGED;
	}
	d->set = true;
	d->n = (uint64_t)u->n;
	d->h = (int32_t)u->h;
	d->v = (int32_t)u->v;
	d->f = (int32_t)u->f;
	memcpy(d->mac, u->mac.p, 64);
	d->mac[64] = 0;
	a->stats.relay_applied++;
	publish_deck(a, i);
	return FOLLOW_APPLIED;
}

void follow_upstream(struct app *a, bool ok)
{
	char ev[64];
	size_t k, len;

	if (a->upstream_ok == ok)
		return;
	a->upstream_ok = ok;
	len = upstream_event(ok, ev);
	for (k = 0; k < a->n_decks; k++)
		app_publish(a, (int)k, ev, len);
	app_publish(a, APP_TOPIC_RELAY, ev, len);
}

/* ---- parsing a position event's data ---- */

struct jcur {
	const char *p;
	size_t len, i;
};

static void j_ws(struct jcur *c)
{
	while (c->i < c->len && (c->p[c->i] == ' ' || c->p[c->i] == '\t' || c->p[c->i] == '\n' ||
	                         c->p[c->i] == '\r'))
		c->i++;
}

static bool j_char(struct jcur *c, char ch)
{
	j_ws(c);
	if (c->i < c->len && c->p[c->i] == ch) {
		c->i++;
		return true;
	}
	return false;
}

/* A string without escapes or control characters (all ours are hex or slugs). */
static bool j_str(struct jcur *c, struct http_view *out)
{
	size_t s;

	if (!j_char(c, '"'))
		return false;
	s = c->i;
	while (c->i < c->len && c->p[c->i] != '"') {
		if (c->p[c->i] == '\\' || (unsigned char)c->p[c->i] < 0x20)
			return false;
		c->i++;
	}
	if (c->i == c->len)
		return false;
	out->p = c->p + s;
	out->len = c->i - s;
	c->i++;
	return true;
}

static bool j_int(struct jcur *c, int64_t *out)
{
	struct http_view v;

	j_ws(c);
	v.p = c->p + c->i;
	v.len = 0;
	while (c->i < c->len && ((c->p[c->i] >= '0' && c->p[c->i] <= '9') || c->p[c->i] == '-')) {
		c->i++;
		v.len++;
	}
	return parse_int(v, INT64_MIN / 2, INT64_MAX / 2, out);
}

static bool j_bool(struct jcur *c, bool *out)
{
	j_ws(c);
	if (c->len - c->i >= 4 && memcmp(c->p + c->i, "true", 4) == 0) {
		c->i += 4;
		*out = true;
		return true;
	}
	if (c->len - c->i >= 5 && memcmp(c->p + c->i, "false", 5) == 0) {
		c->i += 5;
		*out = false;
		return true;
	}
	return false;
}

static bool key_is(struct http_view k, const char *s)
{
	return k.len == strlen(s) && memcmp(k.p, s, k.len) == 0;
}

bool follow_parse(const char *p, size_t len, struct follow_update *u)
{
	struct jcur c = {p, len, 0};
	unsigned seen = 0;

	memset(u, 0, sizeof *u);
	if (!j_char(&c, '{'))
		return false;
	if (j_char(&c, '}'))
		return false;
	do {
		struct http_view k;
		unsigned bit;
		bool ok;
		if (!j_str(&c, &k) || !j_char(&c, ':'))
			return false;
		if (key_is(k, "deck")) {
			bit = 1;
			ok = j_str(&c, &u->deck);
		} else if (key_is(k, "nonce")) {
			bit = 2;
			ok = j_str(&c, &u->nonce);
		} else if (key_is(k, "set")) {
			bit = 4;
			ok = j_bool(&c, &u->set);
		} else if (key_is(k, "h")) {
			bit = 8;
			ok = j_int(&c, &u->h);
		} else if (key_is(k, "v")) {
			bit = 16;
			ok = j_int(&c, &u->v);
		} else if (key_is(k, "f")) {
			bit = 32;
			ok = j_int(&c, &u->f);
		} else if (key_is(k, "n")) {
			bit = 64;
			ok = j_int(&c, &u->n);
		} else if (key_is(k, "mac")) {
			bit = 128;
			ok = j_str(&c, &u->mac);
		} else if (key_is(k, "ok")) {
			bit = 256;
			ok = j_bool(&c, &u->ok);
		} else {
			return false; /* nothing else is ever sent */
		}
		if (!ok || (seen & bit))
			return false;
		seen |= bit;
	} while (j_char(&c, ','));
	if (!j_char(&c, '}'))
		return false;
	j_ws(&c);
	if (c.i != c.len)
		return false;
	/* A relay stream's hello: the nonce and whether its upstream is there. */
	if (seen == (2 | 256)) {
		u->hello = true;
		return true;
	}
	/* A position: everything but deck (only on the relay stream). */
	return (seen | 1) == 255;
}
