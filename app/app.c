/* SPDX-License-Identifier: MIT */
/* The deck server's own routes: preview events, the build-error page, and the
 * subscriber table that live follow shares. */
#include "app/app.h"

#include "lib/hex.h"
#include "lib/html.h"
#include "lib/mem.h"

#define EVENTS_PATH "/_unideck/events"

void app_init(struct app *a, struct http_server *srv, const uint8_t nonce16[16])
{
	memset(a, 0, sizeof *a);
	a->srv = srv;
	a->max_subs = APP_MAX_SUBS;
	hex_encode(a->nonce, nonce16, 16);
}

void app_set_token(struct app *a, const char *token, size_t len)
{
	if (len > APP_TOKEN_MAX)
		len = APP_TOKEN_MAX;
	memcpy(a->token, token, len);
	a->token_len = len;
}

void app_set_conns(struct app *a, uint32_t conns)
{
	uint32_t reserve = conns / 4 > APP_PAGE_RESERVE ? conns / 4 : APP_PAGE_RESERVE;

	a->max_subs = conns > reserve ? conns - reserve : 0;
	if (a->max_subs > APP_MAX_SUBS)
		a->max_subs = APP_MAX_SUBS;
}

/* Event streams open from (c)'s client address. */
static uint32_t subs_from(const struct app *a, const struct http_conn *c)
{
	uint32_t k = 0;
	size_t i;

	for (i = 0; i < a->n_subs; i++) {
		const struct http_conn *o = a->subs[i].c;
		if (o->peer_len == c->peer_len && memcmp(o->peer, c->peer, c->peer_len) == 0)
			k++;
	}
	return k;
}

static void refuse_sub(struct app *a, struct http_conn *c, const struct http_request *req)
{
	static const char body[] = "Too many event streams: try again later\n";

	http_respond(a->srv, c, req, 503, "text/plain; charset=utf-8",
	             "Retry-After: 30\r\nCache-Control: no-store\r\n", body, sizeof body - 1);
}

bool app_token_ok(const char *t, size_t n)
{
	size_t i;

	if (n < APP_TOKEN_MIN || n >= APP_TOKEN_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '.' || t[i] == '_' || t[i] == '~' ||
		      t[i] == '-'))
			return false;
	return true;
}

static bool path_is(const struct http_request *req, const char *s)
{
	size_t n = strlen(s);
	return req->path.len == n && memcmp(req->path.p, s, n) == 0;
}

/* A page a browser navigates to: "/", "/deck/", "*.html", or no extension. */
static bool path_is_page(const struct http_request *req)
{
	const char *p = req->path.p;
	size_t n = req->path.len, i;

	if (n == 0 || p[n - 1] == '/')
		return true;
	if (n >= 5 && memcmp(p + n - 5, ".html", 5) == 0)
		return true;
	for (i = n; i > 0 && p[i - 1] != '/'; i--)
		if (p[i - 1] == '.')
			return false;
	return true;
}

static bool dev_store(const struct app *a)
{
	return a->srv->store && (a->srv->store->flags & STORE_F_DEV);
}

bool app_subscribe(struct app *a, struct http_conn *c, const struct http_request *req, int topic)
{
	struct app_sub *s;

	if (req->method == HTTP_M_HEAD) {
		http_event_start(a->srv, c, req); /* the head alone: nothing to follow */
		return false;
	}
	if (a->n_subs >= a->max_subs) {
		a->stats.subs_refused++;
		refuse_sub(a, c, req);
		return false;
	}
	if (c->peer_len && subs_from(a, c) >= APP_SUBS_PER_ADDR) {
		a->stats.subs_per_addr++;
		refuse_sub(a, c, req);
		return false;
	}
	if (!http_event_start(a->srv, c, req))
		return false;
	s = &a->subs[a->n_subs++];
	s->behind = false;
	s->c = c;
	s->topic = topic;
	c->app_data = s;
	a->stats.subs_opened++;
	return true;
}

struct app_slot *app_slot_fill(struct app *a, const char *ev, size_t len)
{
	uint32_t k;

	if (len > APP_EV_MAX)
		return NULL;
	for (k = 0; k < APP_EV_SLOTS; k++) {
		struct app_slot *sl = &a->slots[(a->slot_next + k) % APP_EV_SLOTS];
		if (sl->b.refs)
			continue; /* still in some follower's unacknowledged bytes */
		memcpy(sl->text, ev, len);
		sl->b.p = (const uint8_t *)sl->text;
		sl->b.len = (uint32_t)len;
		a->slot_next = (a->slot_next + k + 1) % APP_EV_SLOTS;
		a->stats.event_copies++;
		return sl;
	}
	a->stats.slots_full++;
	return NULL;
}

/* Whether (c) has more unacknowledged than APP_SUB_BACKLOG: it is given no
 * more until it has caught up. */
static bool backlogged(const struct http_conn *c)
{
	return c->s->ops->unsent(c->s) > APP_SUB_BACKLOG;
}

/* (ev) to (c): by reference to (sl) when there is one, else by copy. A
 * preview page's reload is never held back: nothing would resend it. */
static bool send_to(struct app *a, struct http_conn *c, int topic, struct app_slot *sl,
                    const char *ev, size_t len)
{
	if (topic != APP_TOPIC_RELOAD && backlogged(c)) {
		a->stats.events_held++;
		return false;
	}
	if (sl)
		return http_event_share(a->srv, c, &sl->b);
	if (!http_event_send(a->srv, c, ev, len))
		return false;
	a->stats.event_copies++;
	return true;
}

void app_publish(struct app *a, int topic, const char *ev, size_t len)
{
	uint64_t copied = a->srv->stats.events_copied;
	struct app_slot *sl = NULL;
	bool filled = false;
	size_t i;

	for (i = 0; i < a->n_subs; i++) {
		if (a->subs[i].topic != topic)
			continue;
		/* Written once, for the first subscriber of the topic. */
		if (!filled) {
			sl = app_slot_fill(a, ev, len);
			filled = true;
		}
		/* A follower with a full queue misses this one: it is marked
		 * behind, and app_tick sends it the current position as soon as
		 * there is room (a preview page's reload waits for the beat). */
		if (send_to(a, a->subs[i].c, topic, sl, ev, len)) {
			a->stats.events_sent++;
		} else {
			a->stats.events_dropped++;
			if (topic != APP_TOPIC_RELOAD && !a->subs[i].behind) {
				a->subs[i].behind = true;
				a->n_behind++;
			}
		}
	}
	/* Subscribers whose transport copies (TLS) each cost a copy. */
	a->stats.event_copies += a->srv->stats.events_copied - copied;
}

/* Append (s, n) to (out) at *len, HTML-escaped, within (cap). */
static void put_escaped(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char one[2] = {s[i], 0};
		const char *rep = html_entity(s[i]);
		size_t k;

		if (!rep)
			rep = one;
		k = strlen(rep);
		if (*len + k > cap)
			return;
		memcpy(out + *len, rep, k);
		*len += k;
	}
}

static void put_str(char *out, size_t cap, size_t *len, const char *s)
{
	size_t k = strlen(s);

	if (*len + k <= cap) {
		memcpy(out + *len, s, k);
		*len += k;
	}
}

static void error_page(struct app *a, struct http_conn *c, const struct http_request *req)
{
	char page[APP_ERR_MAX * 6 + 1024];
	size_t n = 0;

	put_str(page, sizeof page, &n,
	        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	        "<title>Build failed - unideck</title><style>"
	        "body{font:16px/1.5 system-ui,sans-serif;margin:3em auto;max-width:60em;"
	        "padding:0 1em;color:#222;background:#fff}"
	        "h1{color:#b00020;font-size:1.4em}"
	        "pre{background:#fdecea;border-left:4px solid #b00020;padding:1em;"
	        "white-space:pre-wrap;font-size:15px}"
	        "@media (prefers-color-scheme:dark){body{color:#eee;background:#161616}"
	        "pre{background:#3a1518}}"
	        "</style></head><body><h1>The deck did not build</h1><pre id=\"unideck-error\">");
	put_escaped(page, sizeof page, &n, a->err, a->err_len);
	put_str(page, sizeof page, &n,
	        "</pre><p>Fix the file and save it: this page reloads by itself.</p>"
	        "<script src=\"/_unideck/live.js\"></script></body></html>\n");
	http_respond(a->srv, c, req, 500, "text/html; charset=utf-8", "Cache-Control: no-store\r\n",
	             page, n);
}

bool app_route(void *app, struct http_conn *c, const struct http_request *req)
{
	struct app *a = app;
	bool get = req->method == HTTP_M_GET || req->method == HTTP_M_HEAD;

	if (path_is(req, EVENTS_PATH) && dev_store(a)) {
		if (req->method != HTTP_M_GET && req->method != HTTP_M_HEAD)
			return false; /* the static path answers 405 */
		app_subscribe(a, c, req, APP_TOPIC_RELOAD);
		return true;
	}
	if (follow_route(a, c, req))
		return true;
	if (a->has_error && get && path_is_page(req)) {
		error_page(a, c, req);
		return true;
	}
	return false;
}

static const char keepalive[] = ":\n\n"; /* an SSE comment (HTML 9.2.6) */

/* Followers that missed a position: the current one, where there is room,
 * written once per deck for all of them. */
static void catch_up(struct app *a)
{
	struct app_slot *pos[APP_MAX_DECKS];
	bool made[APP_MAX_DECKS];
	uint64_t copied = a->srv->stats.events_copied;
	size_t i;

	memset(made, 0, sizeof made);
	for (i = 0; i < a->n_subs && a->n_behind; i++) {
		struct app_sub *s = &a->subs[i];
		int t = s->topic;
		bool ok;
		if (!s->behind || backlogged(s->c))
			continue;
		if (t >= 0 && (size_t)t < a->n_decks) {
			if (!made[t]) {
				char ev[APP_EV_MAX];
				pos[t] = app_slot_fill(a, ev, follow_position(a, t, ev));
				made[t] = true;
			}
			if (pos[t])
				ok = http_event_share(a->srv, s->c, &pos[t]->b);
			else if ((ok = follow_resend(a, s->c, t)))
				a->stats.event_copies++;
		} else {
			ok = follow_resend(a, s->c, t); /* a relay: every deck's position */
		}
		if (!ok)
			continue;
		s->behind = false;
		a->n_behind--;
		a->stats.events_resent++;
	}
	a->stats.event_copies += a->srv->stats.events_copied - copied;
}

uint64_t app_tick(struct app *a, uint64_t now)
{
	uint64_t next;

	if (a->n_behind)
		catch_up(a);
	if (now >= a->next_heartbeat) {
		follow_heartbeat(a);
		app_publish(a, APP_TOPIC_RELOAD, keepalive, sizeof keepalive - 1);
		a->next_heartbeat = now + APP_HEARTBEAT_NS;
	}
	if (now >= a->next_relay_beat) {
		app_publish(a, APP_TOPIC_RELAY, keepalive, sizeof keepalive - 1);
		a->next_relay_beat = now + APP_RELAY_BEAT_NS;
	}
	next = a->next_heartbeat < a->next_relay_beat ? a->next_heartbeat : a->next_relay_beat;
	if (a->n_behind && now + APP_RESEND_NS < next)
		next = now + APP_RESEND_NS;
	return next;
}

static const char reload_event[] = "event: reload\ndata: \n\n";

void app_set_error(struct app *a, const char *msg, size_t len)
{
	if (len > APP_ERR_MAX)
		len = APP_ERR_MAX;
	memcpy(a->err, msg, len);
	a->err_len = len;
	a->has_error = true;
	a->generation++;
	/* Open pages reload, and so show the error page. */
	app_publish(a, APP_TOPIC_RELOAD, reload_event, sizeof reload_event - 1);
}

void app_reloaded(struct app *a)
{
	a->has_error = false;
	a->generation++;
	app_publish(a, APP_TOPIC_RELOAD, reload_event, sizeof reload_event - 1);
}

void app_conn_gone(struct app *a, struct http_conn *c)
{
	struct app_sub *s = c->app_data;
	size_t i;

	if (!s)
		return;
	i = (size_t)(s - a->subs);
	if (i < a->n_subs && a->subs[i].c == c) {
		if (a->subs[i].behind)
			a->n_behind--;
		a->subs[i] = a->subs[--a->n_subs];
		a->subs[i].c->app_data = &a->subs[i];
	}
	c->app_data = NULL;
}
