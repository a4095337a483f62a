/* SPDX-License-Identifier: MIT */
/* The follow relay's state machine (app/relay.h). */
#include "app/relay.h"

#include "lib/ipv4addr.h"
#include "lib/mem.h"
#include "net/dns.h"
#include "net/ip6text.h"

#define RELAY_TARGET   "/_unideck/relay"
#define RESOLVE_POLL   (10ull * 1000000ull) /* the transport may not wake us for DNS */
#define SEND_POLL      (10ull * 1000000ull)
#define READS_PER_POLL 32u

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static size_t put_s(char *out, size_t at, size_t cap, const char *s, size_t n)
{
	if (n > cap - at)
		n = cap - at;
	memcpy(out + at, s, n);
	return at + n;
}

static size_t put_u(char *out, size_t at, size_t cap, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n && at < cap; i++)
		out[at++] = tmp[n - 1 - i];
	return at;
}

/* "relay: upstream HOST:PORT: WHAT[ DETAIL]" on the console. */
static void say(struct relay *r, const char *what, const char *detail, uint64_t ms)
{
	char line[512];
	size_t n = 0, cap = sizeof line;

	if (!r->d.log)
		return;
	n = put_s(line, n, cap, "relay: upstream http://", 23);
	n = put_s(line, n, cap, r->host_hdr, strlen(r->host_hdr));
	n = put_s(line, n, cap, "/: ", 3);
	n = put_s(line, n, cap, what, strlen(what));
	if (detail) {
		n = put_s(line, n, cap, ": ", 2);
		n = put_s(line, n, cap, detail, strlen(detail));
	}
	if (ms) {
		n = put_s(line, n, cap, "; again in ", 11);
		n = put_u(line, n, cap, ms);
		n = put_s(line, n, cap, " ms", 3);
	}
	r->d.log(r->d.ctx, line, n);
}

/* ---- the URL ---- */

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

enum relay_url_result relay_parse_url(struct relay *r, const char *url, size_t len)
{
	size_t i = 7, hs, he, n;
	uint64_t port = 80;
	uint32_t v4;
	char txt[RELAY_HOST_MAX + 1];

	if (len < 7 || (memcmp(url, "http://", 7) != 0 && memcmp(url, "HTTP://", 7) != 0))
		return RELAY_URL_SCHEME;
	r->literal = r->literal6 = false;
	if (i < len && url[i] == '[') {
		hs = ++i;
		while (i < len && url[i] != ']')
			i++;
		if (i == len)
			return RELAY_URL_HOST;
		he = i++;
		if (he - hs == 0 || he - hs > 45 ||
		    !net_ip6_parse(url + hs, he - hs, r->addr, NULL))
			return RELAY_URL_HOST;
		r->literal = r->literal6 = true;
	} else {
		hs = i;
		while (i < len && url[i] != ':' && url[i] != '/') {
			if (!host_char(url[i]))
				return RELAY_URL_HOST;
			i++;
		}
		he = i;
		if (he == hs || he - hs > 253)
			return RELAY_URL_HOST;
		if (ipv4_parse(url + hs, he - hs, IPV4_NO_PREFIX, &v4, NULL)) {
			static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
			                                   0, 0, 0, 0, 0xff, 0xff};
			memcpy(r->addr, mapped, 12);
			r->addr[12] = (uint8_t)(v4 >> 24);
			r->addr[13] = (uint8_t)(v4 >> 16);
			r->addr[14] = (uint8_t)(v4 >> 8);
			r->addr[15] = (uint8_t)v4;
			r->literal = true;
		} else {
			uint8_t wire[DNS_MAX_NAME];
			size_t wl;
			bool digits = true;
			for (n = hs; n < he; n++)
				if (!((url[n] >= '0' && url[n] <= '9') || url[n] == '.'))
					digits = false;
			if (digits || !dns_encode_name(url + hs, he - hs, wire, &wl))
				return RELAY_URL_HOST; /* 1.2.3 or 300.1.1.1: no name */
		}
	}
	if (i < len && url[i] == ':') {
		size_t ps = ++i;
		port = 0;
		while (i < len && url[i] >= '0' && url[i] <= '9') {
			port = port * 10 + (uint64_t)(url[i] - '0');
			if (port > 65535)
				return RELAY_URL_PORT;
			i++;
		}
		if (i == ps || port == 0)
			return RELAY_URL_PORT;
	}
	if (i < len && !(len - i == 1 && url[i] == '/'))
		return i < len && url[i] == '/' ? RELAY_URL_PATH : RELAY_URL_HOST;
	n = he - hs;
	memcpy(r->host, url + hs, n);
	r->host[n] = 0;
	r->host_len = n;
	r->port = (uint16_t)port;
	/* Host: the literal as written (brackets for IPv6), and a port not 80. */
	memcpy(txt, url + hs, n);
	txt[n] = 0;
	n = 0;
	if (r->literal6)
		r->host_hdr[n++] = '[';
	memcpy(r->host_hdr + n, txt, r->host_len);
	n += r->host_len;
	if (r->literal6)
		r->host_hdr[n++] = ']';
	if (port != 80) {
		r->host_hdr[n++] = ':';
		n = put_u(r->host_hdr, n, sizeof r->host_hdr - 1, port);
	}
	r->host_hdr[n] = 0;
	return RELAY_URL_OK;
}

const char *relay_url_error(enum relay_url_result e)
{
	switch (e) {
	case RELAY_URL_OK:
		return "ok";
	case RELAY_URL_SCHEME:
		return "want http://HOST[:PORT]/ (https is not supported yet)";
	case RELAY_URL_HOST:
		return "the host is neither an IPv4 literal, a bracketed IPv6 literal, nor a host "
		       "name";
	case RELAY_URL_PORT:
		return "the port is not 1 to 65535";
	case RELAY_URL_PATH:
		return "the URL names an instance: no path after the host and port";
	}
	return "?";
}

/* ---- the connection ---- */

static void drop_stream(struct relay *r)
{
	if (r->s) {
		r->s->ops->close(r->s, false);
		r->s = NULL;
	}
}

/* The connection is gone or never came: tell the followers, wait, retry. */
static void fail(struct relay *r, const char *what, const char *detail, uint64_t now)
{
	uint64_t delay, jitter = 0;

	drop_stream(r);
	if (r->linked) {
		r->stats.lost++;
		r->linked = false;
	}
	follow_upstream(r->a, false);
	r->backoff =
	        r->backoff ? min64(r->backoff * 2, RELAY_BACKOFF_MAX_NS) : RELAY_BACKOFF_MIN_NS;
	/* Half to all of it, so that relays cut off together do not return
	 * together. */
	if (r->d.random)
		r->d.random(r->d.ctx, &jitter, sizeof jitter);
	delay = r->backoff / 2 + jitter % (r->backoff / 2 + 1);
	r->phase = RELAY_WAIT;
	r->deadline = now + delay;
	say(r, what, detail, delay / 1000000);
}

static void connect_to(struct relay *r, uint64_t now)
{
	r->s = r->d.open(r->d.ctx, r->addr, r->port, now);
	if (!r->s) {
		r->stats.connect_failed++;
		fail(r, "cannot connect", "no route or no free connection", now);
		return;
	}
	r->phase = RELAY_CONNECTING;
	r->deadline = now + RELAY_CONNECT_NS;
}

static void begin(struct relay *r, uint64_t now)
{
	if (r->literal) {
		connect_to(r, now);
		return;
	}
	r->tried_aaaa = false;
	if (!r->d.resolve_start ||
	    !r->d.resolve_start(r->d.ctx, r->host, r->host_len, false, now)) {
		r->stats.resolve_failed++;
		fail(r, "cannot resolve the name", "no resolver (set dns=)", now);
		return;
	}
	r->phase = RELAY_RESOLVING;
	r->deadline = now + RELAY_RESOLVE_NS;
}

static void resolving(struct relay *r, uint64_t now)
{
	const char *why = NULL;
	int st = r->d.resolve_result(r->d.ctx, r->addr, &why);

	if (st > 0) {
		r->stats.resolved++;
		connect_to(r, now);
	} else if (st < 0 && !r->tried_aaaa &&
	           r->d.resolve_start(r->d.ctx, r->host, r->host_len, true, now)) {
		r->tried_aaaa = true; /* no A record: an IPv6-only upstream */
	} else if (st < 0 || now >= r->deadline) {
		r->stats.resolve_failed++;
		fail(r, "cannot resolve the name", why ? why : "timed out", now);
	}
}

static void send_request(struct relay *r, uint64_t now)
{
	struct hcl_request rq;
	enum hcl_result res;

	memset(&rq, 0, sizeof rq);
	rq.method = "GET";
	rq.target = RELAY_TARGET;
	rq.host = r->host_hdr;
	rq.headers = "Accept: text/event-stream\r\nCache-Control: no-store\r\n";
	res = hcl_send(r->s, &rq);
	if (res == HCL_AGAIN)
		return; /* polled again shortly */
	if (res != HCL_OK) {
		fail(r, "cannot write the request", NULL, now);
		return;
	}
	r->stats.connects++;
	hcl_resp_init(&r->resp, &r->hstats, false, 0);
	hcl_sse_init(&r->sse, &r->hstats);
	r->phase = RELAY_HEAD;
	r->deadline = now + RELAY_HEAD_NS;
	r->last_rx = now;
}

static bool data_is(struct hcl_view v, const char *s)
{
	return v.len == strlen(s) && memcmp(v.p, s, v.len) == 0;
}

/* One event from upstream. False when it was malformed (the connection is
 * then dropped: the upstream is not speaking our protocol). */
static bool on_event(struct relay *r)
{
	struct follow_update u;
	struct hcl_view t = r->sse.type, d = r->sse.data;

	r->stats.events++;
	if (data_is(t, "hello")) {
		if (!follow_parse(d.p, d.len, &u) || !u.hello)
			return false;
		/* Take the nonce (set false: no position moves). */
		if (follow_apply(r->a, &u) == FOLLOW_BAD)
			return false;
		r->stats.hellos++;
		r->linked = true;
		r->chain_ok = u.ok;
		r->backoff = 0;
		if (!r->ever_linked || r->a->upstream_ok != u.ok)
			say(r, u.ok ? "following" : "following (its own upstream is lost)", NULL,
			    0);
		r->ever_linked = true;
		follow_upstream(r->a, r->chain_ok);
		return true;
	}
	if (!r->linked)
		return false; /* the hello comes first */
	if (data_is(t, "slide")) {
		if (!follow_parse(d.p, d.len, &u) || u.hello || !u.deck.len)
			return false;
		/* Stale (a heartbeat), forged or unknown decks are counted by the
		 * app and dropped; the stream goes on. */
		return follow_apply(r->a, &u) != FOLLOW_BAD;
	}
	if (data_is(t, "upstream")) {
		if (data_is(d, "{\"ok\":true}"))
			r->chain_ok = true;
		else if (data_is(d, "{\"ok\":false}"))
			r->chain_ok = false;
		else
			return false;
		follow_upstream(r->a, r->chain_ok);
		return true;
	}
	return true; /* an event type from a later version: ignored */
}

/* Body bytes: the event stream. */
static bool on_body(struct relay *r, struct hcl_view b)
{
	size_t i = 0;

	while (i < b.len) {
		size_t used = 0;
		if (hcl_sse_feed(&r->sse, (const uint8_t *)b.p + i, b.len - i, &used) ==
		            HCL_SSE_EVENT &&
		    !on_event(r)) {
			r->stats.bad_events++;
			return false;
		}
		i += used;
	}
	return true;
}

static bool head_ok(struct relay *r, uint64_t now)
{
	const struct hcl_header *ct = hcl_header(&r->resp, "content-type");
	char num[8];
	size_t n = put_u(num, 0, sizeof num - 1, (uint64_t)r->resp.status);

	num[n] = 0;
	if (r->resp.status != 200) {
		r->stats.bad_status++;
		fail(r, "answered with status", num, now);
		return false;
	}
	if (!ct || ct->value.len < 17 || memcmp(ct->value.p, "text/event-stream", 17) != 0) {
		r->stats.bad_response++;
		fail(r, "is not an event stream", "is it a unideck instance?", now);
		return false;
	}
	r->phase = RELAY_STREAM;
	return true;
}

/* Whatever the stream has: parse it all. */
static void reading(struct relay *r, uint64_t now)
{
	uint8_t buf[RELAY_RX_CHUNK];
	unsigned k;

	if (r->d.state(r->d.ctx, r->s) == RELAY_CONN_FAILED) {
		fail(r, "connection lost", NULL, now);
		return;
	}
	for (k = 0; k < READS_PER_POLL; k++) {
		bool eof = false;
		size_t n = r->s->ops->recv(r->s, buf, sizeof buf, &eof), i = 0;
		if (n) {
			r->last_rx = now;
			r->stats.bytes += n;
		}
		while (i < n) {
			size_t used = 0;
			struct hcl_view b;
			enum hcl_ev ev = hcl_resp_feed(&r->resp, buf + i, n - i, &used, &b);
			i += used;
			if (ev == HCL_EV_HEAD && !head_ok(r, now))
				return;
			if (ev == HCL_EV_BODY && !on_body(r, b)) {
				fail(r, "sent a malformed event", NULL, now);
				return;
			}
			if (ev == HCL_EV_DONE) {
				fail(r, "ended the stream", NULL, now);
				return;
			}
			if (ev == HCL_EV_ERROR) {
				r->stats.bad_response++;
				fail(r, "sent a malformed response", hcl_error_str(r->resp.error),
				     now);
				return;
			}
		}
		if (eof) {
			hcl_resp_eof(&r->resp);
			fail(r, "closed the connection", NULL, now);
			return;
		}
		if (n == 0)
			break;
	}
	if (r->phase == RELAY_HEAD && now >= r->deadline) {
		fail(r, "did not answer", "no response head in time", now);
		return;
	}
	if (r->phase == RELAY_STREAM && now - r->last_rx >= RELAY_IDLE_NS) {
		r->stats.idle_timeouts++;
		fail(r, "went silent", "no heartbeat", now);
	}
}

void relay_start(struct relay *r, struct app *a, const struct relay_dialer *d, uint64_t now)
{
	r->a = a;
	r->d = *d;
	r->phase = RELAY_WAIT;
	r->deadline = now;
	r->s = NULL;
	r->backoff = 0;
	r->linked = r->chain_ok = r->ever_linked = false;
	memset(&r->stats, 0, sizeof r->stats);
	memset(&r->hstats, 0, sizeof r->hstats);
	a->relay = true;
	a->upstream_ok = false;
}

bool relay_owns(const struct relay *r, const struct stream *s)
{
	return r->s && r->s == s;
}

uint64_t relay_poll(struct relay *r, uint64_t now)
{
	unsigned guard;

	/* A few phases may pass in one call (resolved, then connecting). */
	for (guard = 0; guard < 4; guard++) {
		enum relay_phase p = r->phase;
		switch (r->phase) {
		case RELAY_WAIT:
			if (now < r->deadline)
				return r->deadline;
			begin(r, now);
			break;
		case RELAY_RESOLVING:
			resolving(r, now);
			if (r->phase == RELAY_RESOLVING)
				return min64(r->deadline, now + RESOLVE_POLL);
			break;
		case RELAY_CONNECTING:
			switch (r->d.state(r->d.ctx, r->s)) {
			case RELAY_CONN_UP:
				send_request(r, now);
				if (r->phase == RELAY_CONNECTING)
					return now + SEND_POLL;
				break;
			case RELAY_CONN_FAILED:
				r->stats.connect_failed++;
				fail(r, "cannot connect", "refused or unreachable", now);
				break;
			case RELAY_CONN_PENDING:
				if (now >= r->deadline) {
					r->stats.connect_failed++;
					fail(r, "cannot connect", "timed out", now);
					break;
				}
				return r->deadline;
			}
			break;
		case RELAY_HEAD:
		case RELAY_STREAM:
			reading(r, now);
			if (r->phase == RELAY_HEAD)
				return r->deadline;
			if (r->phase == RELAY_STREAM)
				return r->last_rx + RELAY_IDLE_NS;
			break;
		}
		if (r->phase == p && r->phase != RELAY_WAIT)
			break;
	}
	return r->phase == RELAY_WAIT ? r->deadline : now;
}
