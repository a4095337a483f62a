/* SPDX-License-Identifier: MIT */
/* Writing responses: status lines, the server's own pages, and event streams. */
#include "http/http_int.h"

#include "lib/mem.h"

static const struct {
	int status;
	const char *reason;
} reasons[] = {
        {200, "OK"},
        {204, "No Content"},
        {206, "Partial Content"},
        {304, "Not Modified"},
        {308, "Permanent Redirect"},
        {400, "Bad Request"},
        {403, "Forbidden"},
        {404, "Not Found"},
        {405, "Method Not Allowed"},
        {406, "Not Acceptable"},
        {408, "Request Timeout"},
        {412, "Precondition Failed"},
        {413, "Content Too Large"},
        {414, "URI Too Long"},
        {416, "Range Not Satisfiable"},
        {417, "Expectation Failed"},
        {429, "Too Many Requests"},
        {431, "Request Header Fields Too Large"},
        {500, "Internal Server Error"},
        {501, "Not Implemented"},
        {503, "Service Unavailable"},
        {505, "HTTP Version Not Supported"},
};

const char *http_reason(int status)
{
	size_t i;

	for (i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].status == status)
			return reasons[i].reason;
	return "Unknown";
}

bool http_status_closes(int status)
{
	/* After these the request stream cannot be trusted to be in sync. */
	return status == 400 || status == 408 || status == 413 || status == 414 || status == 417 ||
	       status == 431 || status == 501 || status == 505;
}

void http_count_status(struct http_server *srv, int status)
{
	struct http_stats *st = &srv->stats;

	if (status == 304)
		st->status_304++;
	else if (status < 300)
		st->status_2xx++;
	else if (status < 400)
		st->status_3xx++;
	else if (status < 500)
		st->status_4xx++;
	else
		st->status_5xx++;
	if (status == 400)
		st->bad_request++;
	else if (status == 414)
		st->uri_too_long++;
	else if (status == 431)
		st->header_too_large++;
	else if (status == 413)
		st->body_too_large++;
}

void hbuf_put(struct hbuf *b, const char *s, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

void hbuf_str(struct hbuf *b, const char *s)
{
	hbuf_put(b, s, strlen(s));
}

void hbuf_u64(struct hbuf *b, uint64_t v)
{
	char tmp[24];
	size_t n = sizeof tmp;

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	hbuf_put(b, tmp + n, sizeof tmp - n);
}

void hbuf_status(struct hbuf *b, const struct http_server *srv, int status)
{
	char code[4] = {(char)('0' + status / 100), (char)('0' + status / 10 % 10),
	                (char)('0' + status % 10), ' '};

	hbuf_str(b, "HTTP/1.1 ");
	hbuf_put(b, code, 4);
	hbuf_str(b, http_reason(status));
	hbuf_str(b, "\r\n");
	hbuf_put(b, srv->date_line, srv->date_line_len);
	if (srv->cfg.headers)
		hbuf_str(b, srv->cfg.headers);
}

void hbuf_end_head(struct hbuf *b, const struct http_conn *c, const struct http_request *req)
{
	if (c->close_after)
		hbuf_str(b, "Connection: close\r\n");
	else if (req && req->version_minor == 0)
		hbuf_str(b, "Connection: keep-alive\r\n"); /* RFC 9112 9.3 (1.0 persistence) */
	hbuf_str(b, "\r\n");
}

void http_respond(struct http_server *srv, struct http_conn *c, const struct http_request *req,
                  int status, const char *type, const char *extra_headers, const void *body,
                  size_t body_len)
{
	char head[1024];
	struct hbuf b = {head, 0, sizeof head, false};
	bool send_body = !req || req->method != HTTP_M_HEAD;

	if (http_status_closes(status)) {
		http_mark_close(c);
		c->peer_closes = false; /* our close: the client may still be sending */
	}
	hbuf_status(&b, srv, status);
	if (type) {
		hbuf_str(&b, "Content-Type: ");
		hbuf_str(&b, type);
		hbuf_str(&b, "\r\n");
	}
	if (status != 204) { /* RFC 9110 8.6: never in a 204 */
		hbuf_str(&b, "Content-Length: ");
		hbuf_u64(&b, body_len);
		hbuf_str(&b, "\r\n");
	}
	hbuf_str(&b, "X-Content-Type-Options: nosniff\r\n" HTTP_REFERRER_POLICY);
	if (extra_headers)
		hbuf_str(&b, extra_headers);
	hbuf_end_head(&b, c, req);
	if (b.overflow || !http_can_send(c, b.len + (send_body ? body_len : 0),
	                                 send_body && body_len ? 2u : 1u, 0)) {
		if (b.overflow || b.len + body_len > STREAM_MIN_COPY) {
			http_mark_close(c); /* cannot ever fit: our bug, but never a hang */
			return;
		}
		http_mark_blocked(c);
		return;
	}
	http_count_status(srv, status);
	http_send_copy(srv, c, head, b.len);
	if (send_body && body_len)
		http_send_copy(srv, c, body, body_len);
}

void http_respond_error(struct http_server *srv, struct http_conn *c,
                        const struct http_request *req, int status)
{
	char body[512];
	struct hbuf b = {body, 0, sizeof body, false};
	const char *reason = http_reason(status);
	const char *extra = NULL;

	hbuf_str(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
	hbuf_u64(&b, (uint64_t)status);
	hbuf_str(&b, " ");
	hbuf_str(&b, reason);
	hbuf_str(&b, "</title></head><body><h1>");
	hbuf_u64(&b, (uint64_t)status);
	hbuf_str(&b, " ");
	hbuf_str(&b, reason);
	hbuf_str(&b, "</h1>");
	if (status == 404)
		hbuf_str(&b, "<p><a href=\"/\">All decks</a></p>");
	hbuf_str(&b, "</body></html>\n");
	if (status == 405)
		extra = "Allow: GET, HEAD\r\n";
	http_respond(srv, c, req, status, "text/html; charset=utf-8", extra, body, b.len);
}

bool http_event_start(struct http_server *srv, struct http_conn *c, const struct http_request *req)
{
	char head[512];
	struct hbuf b = {head, 0, sizeof head, false};

	hbuf_status(&b, srv, 200);
	/* No Content-Length: the body runs until the connection closes, so the
	 * connection is not reused afterwards (RFC 9112 6.3 rule 8). */
	hbuf_str(&b, "Content-Type: text/event-stream\r\n"
	             "Cache-Control: no-cache\r\n"
	             "X-Content-Type-Options: nosniff\r\n" HTTP_REFERRER_POLICY "\r\n");
	/* HEAD gets the same head and no stream (RFC 9110 9.3.2). */
	if (req->method != HTTP_M_HEAD)
		hbuf_str(&b, ": unideck events\n\n");
	if (!http_can_send(c, b.len, 1, 0)) {
		http_mark_blocked(c);
		return false;
	}
	http_count_status(srv, 200);
	http_send_copy(srv, c, head, b.len);
	c->streaming = req->method != HTTP_M_HEAD;
	return true;
}

bool http_event_share(struct http_server *srv, struct http_conn *c, struct shared_buf *b)
{
	if (!c->s->ops->send_shared) {
		if (!http_event_send(srv, c, b->p, b->len))
			return false;
		srv->stats.events_copied++;
		return true;
	}
	if (c->state != HTTP_CONN_OPEN || !c->streaming || !http_can_send(c, 0, 0, 1))
		return false;
	c->s->ops->send_shared(c->s, b);
	c->queued += b->len;
	srv->stats.events_shared++;
	if (c->s->ops->wake)
		c->s->ops->wake(c->s); /* as http_event_send: its send timer starts */
	return true;
}

bool http_event_send(struct http_server *srv, struct http_conn *c, const void *p, size_t len)
{
	if (c->state != HTTP_CONN_OPEN || !c->streaming || !http_can_send(c, len, 1, 0))
		return false;
	http_send_copy(srv, c, p, len);
	/* Queued outside a poll: the transport polls it soon, which starts its
	 * send timer (a follower that stopped reading is reset by it). */
	if (c->s->ops->wake)
		c->s->ops->wake(c->s);
	return true;
}
