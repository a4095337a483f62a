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

/* "event: NAME\ndata: {...}\n\n" for a deck's position. */
static size_t position_event(const struct app *a, const struct app_deck *d, const char *name,
                             char *out)
{
	size_t n = 0;

	n += put_s(out + n, "event: ");
	n += put_s(out + n, name);
	n += put_s(out + n, "\ndata: {\"nonce\":\"");
	n += put_s(out + n, a->nonce);
	n += put_s(out + n, d->set ? "\",\"set\":true,\"h\":" : "\",\"set\":false,\"h\":");
	n += put_i32(out + n, d->h);
	n += put_s(out + n, ",\"v\":");
	n += put_i32(out + n, d->v);
	n += put_s(out + n, ",\"f\":");
	n += put_i32(out + n, d->f);
	n += put_s(out + n, ",\"n\":");
	n += put_u64(out + n, d->n);
	n += put_s(out + n, "}\n\n");
	return n;
}

static void subscribe(struct app *a, struct http_conn *c, const struct http_request *req, int k)
{
	char ev[256];
	size_t n;

	if (!app_subscribe(a, c, req, k))
		return;
	/* The hello carries the nonce and the current position, so a follower
	 * that reconnects after a blip or a restart resumes where the talk is. */
	n = position_event(a, &a->decks[k], "hello", ev);
	http_event_send(a->srv, c, ev, n);
}

/* ---- updates ---- */

static bool mac_ok(const struct app *a, const struct app_deck *d, int64_t n, int64_t h, int64_t v,
                   int64_t f, struct http_view mac)
{
	uint8_t sum[SHA256_LEN];
	char msg[200];
	size_t m = 0, i;
	uint8_t diff = 0;

	m += put_s(msg + m, a->nonce);
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
	struct http_view vn, vh, vv, vf, vm;
	int64_t n, h, v, f;
	char ev[256];
	size_t len;

	if (!form_value(req->body, "n", &vn) || !form_value(req->body, "h", &vh) ||
	    !form_value(req->body, "v", &vv) || !form_value(req->body, "f", &vf) ||
	    !form_value(req->body, "mac", &vm) || !parse_int(vn, 1, INT64_MAX / 2, &n) ||
	    !parse_int(vh, 0, MAX_INDEX, &h) || !parse_int(vv, 0, MAX_INDEX, &v) ||
	    !parse_int(vf, -1, MAX_INDEX, &f)) {
		a->stats.follow_bad++;
		http_respond_error(a->srv, c, req, 400);
		return;
	}
	if (a->token_len == 0 || !mac_ok(a, d, n, h, v, f, vm)) {
		a->stats.follow_forged++;
		http_respond_error(a->srv, c, req, 403);
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
	a->stats.follow_updates++;
	len = position_event(a, d, "slide", ev);
	app_publish(a, k, ev, len);
	http_respond(a->srv, c, req, 204, NULL, "Cache-Control: no-store\r\n", "", 0);
}

bool follow_route(struct app *a, struct http_conn *c, const struct http_request *req)
{
	size_t plen = sizeof FOLLOW_PATH - 1;
	int k;

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
	char ev[256];
	size_t k, len;

	for (k = 0; k < a->n_decks; k++) {
		len = position_event(a, &a->decks[k], "slide", ev);
		app_publish(a, (int)k, ev, len);
	}
}
