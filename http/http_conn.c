/* SPDX-License-Identifier: MIT */
/* The HTTP connection state machine, its timeouts, and the input buffer pool. */
#include "http/http_int.h"

#include "lib/assert.h"
#include "lib/httpdate.h"
#include "lib/mem.h"

/* ---- the server and its buffer pool ---- */

void http_server_init(struct http_server *srv, const struct http_config *cfg,
                      const struct store *store, void *bufmem, size_t bufmem_len)
{
	uint8_t *p = bufmem;
	size_t skew = (size_t)((uintptr_t)p % 16u);

	memset(srv, 0, sizeof *srv);
	srv->cfg = *cfg;
	srv->store = store;
	if (skew) {
		p += 16u - skew;
		bufmem_len = bufmem_len > 16u - skew ? bufmem_len - (16u - skew) : 0;
	}
	/* Buffers never used yet are handed out in order from (pool_fresh) and
	 * are not touched here: writing a free-list link into each one would fault
	 * in every page of the pool at boot (an exit per page under a hypervisor).
	 * Returned buffers go on a free list through their first bytes. */
	srv->pool_fresh = p;
	srv->pool_total = bufmem_len / HTTP_BUF_LEN;
	srv->pool_fresh_left = srv->pool_total;
	srv->pool_avail = srv->pool_total;
}

void http_server_set_store(struct http_server *srv, const struct store *store)
{
	srv->store = store;
}

void http_server_tick(struct http_server *srv, uint64_t wall_ns)
{
	uint64_t sec = wall_ns / 1000000000u;
	char *d = srv->date_line;

	if (sec == srv->date_sec && srv->date_line_len)
		return;
	srv->date_sec = sec;
	memcpy(d, "Date: ", 6);
	httpdate_format(sec, d + 6);
	memcpy(d + 6 + HTTPDATE_LEN, "\r\n", 2);
	srv->date_line_len = 6 + HTTPDATE_LEN + 2;
}

static uint8_t *pool_get(struct http_server *srv)
{
	uint8_t *b = srv->pool_free;

	if (b) {
		memcpy(&srv->pool_free, b, sizeof srv->pool_free);
	} else if (srv->pool_fresh_left) {
		b = srv->pool_fresh;
		srv->pool_fresh += HTTP_BUF_LEN;
		srv->pool_fresh_left--;
	} else {
		return NULL;
	}
	srv->pool_avail--;
	return b;
}

static void pool_put(struct http_server *srv, uint8_t *b)
{
	UD_ASSERT(srv->pool_avail < srv->pool_total); /* a buffer put back twice */
	memcpy(b, &srv->pool_free, sizeof srv->pool_free);
	srv->pool_free = b;
	srv->pool_avail++;
}

/* ---- sending, for the response writers ---- */

void http_send_copy(struct http_server *srv, struct http_conn *c, const void *p, size_t n)
{
	c->s->ops->send_copy(c->s, p, n);
	c->queued += n;
	srv->stats.bytes_copied += n;
}

void http_send_ref(struct http_server *srv, struct http_conn *c, const void *p, size_t n)
{
	c->s->ops->send_ref(c->s, p, n);
	c->queued += n;
	srv->stats.bytes_ref += n;
}

bool http_can_send(struct http_conn *c, size_t copy, unsigned copies, unsigned refs)
{
	return c->s->ops->can_send(c->s, copy, copies, refs);
}

void http_mark_close(struct http_conn *c)
{
	c->close_after = true;
}

void http_mark_blocked(struct http_conn *c)
{
	c->waiting = true;
}

void http_defer(struct http_conn *c)
{
	http_mark_blocked(c);
}

/* ---- the connection ---- */

void http_conn_init(struct http_server *srv, struct http_conn *c, struct stream *s, uint64_t now)
{
	memset(c, 0, sizeof *c);
	c->s = s;
	c->t_idle_start = now;
	c->t_last_progress = now;
	srv->stats.conns_opened++;
}

static enum http_conn_state finish(struct http_server *srv, struct http_conn *c, bool graceful);

/* ---- who holds a buffer, and who waits for one ---- */

static void holders_add(struct http_server *srv, struct http_conn *c)
{
	c->pool_prev = NULL;
	c->pool_next = srv->holders;
	if (srv->holders)
		srv->holders->pool_prev = c;
	srv->holders = c;
}

static void unlink_conn(struct http_conn **head, struct http_conn **tail, struct http_conn *c)
{
	if (c->pool_prev)
		c->pool_prev->pool_next = c->pool_next;
	else
		*head = c->pool_next;
	if (c->pool_next)
		c->pool_next->pool_prev = c->pool_prev;
	else if (tail)
		*tail = c->pool_prev;
	c->pool_prev = c->pool_next = NULL;
}

static void waiters_add(struct http_server *srv, struct http_conn *c)
{
	c->pool_waiting = true;
	c->pool_next = NULL;
	c->pool_prev = srv->waiters_tail;
	if (srv->waiters_tail)
		srv->waiters_tail->pool_next = c;
	else
		srv->waiters = c;
	srv->waiters_tail = c;
}

static void waiters_del(struct http_server *srv, struct http_conn *c)
{
	if (c->pool_waiting)
		unlink_conn(&srv->waiters, &srv->waiters_tail, c);
	c->pool_waiting = false;
}

static void release_buf(struct http_server *srv, struct http_conn *c)
{
	if (c->buf) {
		unlink_conn(&srv->holders, NULL, c);
		pool_put(srv, c->buf);
		c->buf = NULL;
		c->buf_len = 0;
		/* The first in line gets to try for it (issue 14: on our own
		 * stack nothing else ever polled a waiting connection again). */
		if (srv->waiters) {
			struct http_conn *w = srv->waiters;
			waiters_del(srv, w);
			if (w->s->ops->wake)
				w->s->ops->wake(w->s);
		}
	}
}

/* The holder furthest from completing a request: the oldest head still
 * unfinished, if older than HTTP_EVICT_AGE_NS and than (c)'s own wait. Its
 * buffer is taken for (c); it gets 408 and is closed. NULL when none. */
static uint8_t *evict(struct http_server *srv, struct http_conn *c, uint64_t now)
{
	struct http_conn *v = NULL, *h;
	uint64_t limit = c->t_head_start ? c->t_head_start : now;
	uint8_t *b;

	for (h = srv->holders; h; h = h->pool_next)
		if (h != c && h->state == HTTP_CONN_OPEN && !h->waiting && h->t_head_start &&
		    now - h->t_head_start >= HTTP_EVICT_AGE_NS && h->t_head_start < limit &&
		    (!v || h->t_head_start < v->t_head_start))
			v = h;
	if (!v)
		return NULL;
	b = v->buf;
	unlink_conn(&srv->holders, NULL, v);
	v->buf = NULL;
	v->buf_len = 0;
	v->t_head_start = 0;
	srv->stats.pool_evictions++;
	http_respond_error(srv, v, NULL, 408);
	finish(srv, v, !v->waiting);
	return b;
}

void http_conn_fini(struct http_server *srv, struct http_conn *c)
{
	release_buf(srv, c);
	waiters_del(srv, c);
}

static enum http_conn_state finish(struct http_server *srv, struct http_conn *c, bool graceful)
{
	c->s->ops->close(c->s, graceful);
	c->state = HTTP_CONN_DONE;
	srv->stats.conns_closed++;
	release_buf(srv, c);
	waiters_del(srv, c);
	return HTTP_CONN_DONE;
}

static void consume(struct http_conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->buf_len - n);
	c->buf_len -= n;
}

/* Everything a parsed request asks, in order, given the semantic pass's verdict
 * (st). False when blocked on send room. */
static bool handle(struct http_server *srv, struct http_conn *c, struct http_request *req, int st)
{
	bool close_before = c->close_after, peer_before = c->peer_closes;

	c->waiting = false;
	if (!st && req->method == HTTP_M_UNKNOWN)
		st = 501; /* RFC 9110 9.1 */
	if (!st && req->target.len == 1 && req->target.p[0] == '*')
		st = req->method == HTTP_M_OPTIONS ? 405 : 400;
	if (!st && req->method == HTTP_M_CONNECT)
		st = 405;
	if (!st)
		st = http_path_decode(req, c->path_buf, sizeof c->path_buf);
	if (!req->keep_alive) {
		http_mark_close(c);
		/* Not after an error found before handling (a 413 whose body may
		 * still be on its way): then the close is ours, and must linger. */
		c->peer_closes = !st;
	}
	if (st)
		http_respond_error(srv, c, req, st);
	else if (!(srv->cfg.route && srv->cfg.route(srv->cfg.app, c, req)))
		http_serve_static(srv, c, req);
	if (c->waiting) {
		/* Not answered yet: it is asked again, and says again whether it
		 * closes. Left set, the close stopped the retry for good (a
		 * blocked "Connection: close" request hung, issue 14). */
		c->close_after = close_before;
		c->peer_closes = peer_before;
	}
	return !c->waiting;
}

/* A client that asked with Expect: 100-continue waits for this before it sends
 * the body (RFC 9110 10.1.1: the 100, or the final status, MUST come without
 * waiting for the body; errors found in the head are answered at once). */
static void send_continue(struct http_server *srv, struct http_conn *c,
                          const struct http_request *req)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	if (!req->expect_continue || c->continued || !http_can_send(c, sizeof cont - 1, 1, 0))
		return;
	http_send_copy(srv, c, cont, sizeof cont - 1);
	c->continued = true;
}

/* Answer the requests in the buffer while there is room to. A request with a
 * body is answered once the whole body is in the buffer (bodies are small:
 * HTTP_MAX_BODY); it must arrive within the header timeout, which is still
 * running. */
static void process(struct http_server *srv, struct http_conn *c, uint64_t now)
{
	struct http_request req;
	size_t head = 0, body = 0, raw = 0;
	int status = 0, st;

	while (c->buf_len > 0 && !c->close_after && !c->streaming) {
		enum http_parse_result r =
		        http_parse_head(c->buf, c->buf_len, &req, &head, &status);

		if (r == HTTP_PARSE_INCOMPLETE)
			return;
		if (r == HTTP_PARSE_ERROR) {
			c->waiting = false;
			http_respond_error(srv, c, NULL, status);
			if (!c->waiting)
				c->buf_len = 0; /* nothing after a broken head can be trusted */
			else
				c->close_after = false; /* asked again (see handle) */
			return;
		}
		st = http_semantics(&req);
		body = st ? 0 : (size_t)req.content_length;
		raw = body;
		if (!st && req.chunked) {
			size_t dec = 0;
			int cst = 0;
			enum http_parse_result cr = http_chunked(c->buf + head, c->buf_len - head,
			                                         HTTP_MAX_BODY, &raw, &dec, &cst);
			body = dec;
			if (cr == HTTP_PARSE_ERROR) {
				st = cst;
				body = raw = 0;
			} else if (cr == HTTP_PARSE_INCOMPLETE && c->buf_len == HTTP_BUF_LEN) {
				st = 413; /* its framing alone would not fit the buffer */
				body = raw = 0;
			} else if (cr == HTTP_PARSE_INCOMPLETE) {
				send_continue(srv, c, &req);
				return; /* wait for the rest of the body */
			}
		} else if (body && head + body > HTTP_BUF_LEN) {
			st = 413;
			body = raw = 0;
		} else if (body && c->buf_len < head + body) {
			send_continue(srv, c, &req);
			return; /* wait for the rest of the body */
		}
		req.body.p = (const char *)c->buf + head;
		req.body.len = body;
		if (!handle(srv, c, &req, st)) {
			c->t_head_start = 0;
			return;
		}
		srv->stats.requests++;
		c->requests++;
		c->continued = false;
		consume(c, head + raw);
		c->t_head_start = c->buf_len ? now : 0;
		c->t_idle_start = now;
	}
}

/* Read what the stream has, into a pooled buffer. True when anything changed. */
static bool fill(struct http_server *srv, struct http_conn *c, uint64_t now)
{
	bool eof = false;
	size_t n;

	if (c->streaming) {
		uint8_t junk[256]; /* an event-stream client has nothing to say: drop it */
		while (c->s->ops->recv(c->s, junk, sizeof junk, &eof) > 0)
			;
		c->peer_eof = eof;
		return false;
	}
	if (!c->buf) {
		c->buf = pool_get(srv);
		if (!c->buf)
			c->buf = evict(srv, c, now);
		if (!c->buf) {
			/* In line, with the header timer running: a slow head is
			 * closed by it whatever it waits for (issue 14). */
			if (!c->pool_waiting) {
				waiters_add(srv, c);
				srv->stats.pool_waits++;
			}
			if (!c->t_head_start)
				c->t_head_start = now;
			return false;
		}
		waiters_del(srv, c);
		holders_add(srv, c);
	}
	if (c->buf_len == HTTP_BUF_LEN)
		return false;
	n = c->s->ops->recv(c->s, c->buf + c->buf_len, HTTP_BUF_LEN - c->buf_len, &eof);
	if (n && c->buf_len == 0 && !c->t_head_start)
		c->t_head_start = now;
	if (!n && c->buf_len == 0)
		c->t_head_start = 0; /* woken, and nothing came: idle after all */
	c->buf_len += n;
	if (eof)
		c->peer_eof = true;
	return n > 0;
}

/* Header, idle and send timeouts. Returns true when the connection ended. */
static bool timeouts(struct http_server *srv, struct http_conn *c, uint64_t now)
{
	const struct http_config *cfg = &srv->cfg;
	uint64_t unsent = c->s->ops->unsent(c->s);

	/* Progress: fewer bytes waiting than the last poll left plus what was
	 * queued since (an event pushed to a follower is not a stall). */
	if (unsent < c->last_unsent + c->queued || unsent == 0)
		c->t_last_progress = now;
	c->last_unsent = unsent;
	c->queued = 0;
	if (unsent)
		c->t_idle_start = now; /* still sending: not idle */
	if (unsent && cfg->send_timeout_ns && now - c->t_last_progress >= cfg->send_timeout_ns) {
		srv->stats.timeout_send++; /* a reader that stopped reading: RST */
		finish(srv, c, false);
		return true;
	}
	if (c->t_head_start && cfg->header_timeout_ns &&
	    now - c->t_head_start >= cfg->header_timeout_ns) {
		srv->stats.timeout_header++;
		c->buf_len = 0;
		c->t_head_start = 0;
		http_respond_error(srv, c, NULL, 408);
		finish(srv, c, !c->waiting);
		return true;
	}
	if (!c->streaming && c->buf_len == 0 && !unsent && cfg->idle_timeout_ns &&
	    now - c->t_idle_start >= cfg->idle_timeout_ns) {
		srv->stats.timeout_idle++;
		finish(srv, c, true);
		return true;
	}
	return false;
}

static uint64_t deadline_of(const struct http_server *srv, const struct http_conn *c)
{
	const struct http_config *cfg = &srv->cfg;
	uint64_t d = UINT64_MAX;

	if (c->t_head_start && cfg->header_timeout_ns)
		d = c->t_head_start + cfg->header_timeout_ns;
	if (c->last_unsent && cfg->send_timeout_ns && c->t_last_progress + cfg->send_timeout_ns < d)
		d = c->t_last_progress + cfg->send_timeout_ns;
	if (!c->streaming && cfg->idle_timeout_ns && c->t_idle_start + cfg->idle_timeout_ns < d)
		d = c->t_idle_start + cfg->idle_timeout_ns;
	return d;
}

enum http_conn_state http_conn_poll(struct http_server *srv, struct http_conn *c, uint64_t now)
{
	int rounds;

	if (c->state == HTTP_CONN_DONE)
		return HTTP_CONN_DONE;
	if (timeouts(srv, c, now))
		return HTTP_CONN_DONE;
	/* Bounded, so one busy client cannot keep the loop here forever. */
	for (rounds = 0; rounds < 16; rounds++) {
		process(srv, c, now);
		if (c->waiting)
			break;
		if (c->close_after)
			return finish(srv, c, true);
		if (!fill(srv, c, now)) {
			if (c->peer_eof && (c->streaming || c->buf_len == 0))
				return finish(srv, c, true);
			if (c->peer_eof) {
				/* A partial request and no more to come. */
				process(srv, c, now);
				return finish(srv, c, true);
			}
			break;
		}
	}
	if (c->buf_len == 0)
		release_buf(srv, c);
	c->deadline = deadline_of(srv, c);
	return HTTP_CONN_OPEN;
}

void http_conn_set_peer(struct http_conn *c, const void *addr, size_t len)
{
	if (len > sizeof c->peer)
		len = sizeof c->peer;
	memcpy(c->peer, addr, len);
	c->peer_len = (uint8_t)len;
}

uint64_t http_conn_deadline(const struct http_conn *c)
{
	return c->deadline;
}
