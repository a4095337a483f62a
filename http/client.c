/* SPDX-License-Identifier: MIT */
/* The HTTP/1.1 client core: request writer, response and event-stream parsers
 * (http/client.h). */
#include "http/client.h"

#include "lib/mem.h"

enum {
	S_HEAD = 0,
	S_LEN,
	S_CLOSE,
	S_CHUNK_SIZE,
	S_CHUNK_DATA,
	S_CHUNK_CRLF,
	S_TRAILER,
	S_END, /* the body is complete: DONE next */
	S_DONE,
	S_ERROR,
};

/* ---- small character classes (RFC 9110 5.6.2) ---- */

static bool is_tchar(char ch)
{
	unsigned char c = (unsigned char)ch;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '.':
	case '^':
	case '_':
	case '`':
	case '|':
	case '~':
		return true;
	default:
		return false;
	}
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool ieq(struct hcl_view v, const char *s)
{
	size_t n = strlen(s), i;

	if (v.len != n)
		return false;
	for (i = 0; i < n; i++)
		if (lower(v.p[i]) != lower(s[i]))
			return false;
	return true;
}

/* ---- requests ---- */

/* Append (s, n) at *at when it fits; false (and *at unchanged) otherwise. */
static bool put(char *out, size_t cap, size_t *at, const char *s, size_t n)
{
	if (n > cap - *at)
		return false;
	memcpy(out + *at, s, n);
	*at += n;
	return true;
}

static bool field_ok(const char *s, bool allow_crlf_lines)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++) {
		if (allow_crlf_lines && s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] != ' ' &&
		    s[i + 2] != '\t') {
			i++; /* a line end, not followed by a fold */
			continue;
		}
		if (s[i] == '\r' || s[i] == '\n')
			return false;
	}
	return true;
}

static size_t put_dec(char *out, uint64_t v)
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

enum hcl_result hcl_write_head(const struct hcl_request *rq, char *out, size_t cap, size_t *len)
{
	size_t at = 0, i, hl;
	char num[24];
	bool ok = true;

	if (!field_ok(rq->method, false) || !field_ok(rq->target, false) ||
	    !field_ok(rq->host, false) || !rq->method[0] || !rq->target[0] || !rq->host[0])
		return HCL_EINVAL;
	for (i = 0; rq->method[i]; i++)
		if (!is_tchar(rq->method[i]))
			return HCL_EINVAL;
	for (i = 0; rq->target[i]; i++)
		if (rq->target[i] == ' ' || rq->target[i] == '\t')
			return HCL_EINVAL;
	if (rq->headers) {
		hl = strlen(rq->headers);
		/* Whole lines only, so the caller cannot end the head early. */
		if (!field_ok(rq->headers, true) ||
		    (hl && (hl < 2 || rq->headers[hl - 2] != '\r')) ||
		    (hl >= 4 && memcmp(rq->headers + hl - 4, "\r\n\r\n", 4) == 0) ||
		    (hl >= 2 && memcmp(rq->headers, "\r\n", 2) == 0))
			return HCL_EINVAL;
		for (i = 0; i + 3 < hl; i++)
			if (memcmp(rq->headers + i, "\r\n\r\n", 4) == 0)
				return HCL_EINVAL;
	}
	ok = ok && put(out, cap, &at, rq->method, strlen(rq->method));
	ok = ok && put(out, cap, &at, " ", 1);
	ok = ok && put(out, cap, &at, rq->target, strlen(rq->target));
	ok = ok && put(out, cap, &at, " HTTP/1.1\r\nHost: ", 17);
	ok = ok && put(out, cap, &at, rq->host, strlen(rq->host));
	ok = ok && put(out, cap, &at, "\r\n", 2);
	if (rq->headers)
		ok = ok && put(out, cap, &at, rq->headers, strlen(rq->headers));
	if (rq->body_len || rq->has_body) {
		ok = ok && put(out, cap, &at, "Content-Length: ", 16);
		ok = ok && put(out, cap, &at, num, put_dec(num, rq->body_len));
		ok = ok && put(out, cap, &at, "\r\n", 2);
	}
	if (rq->close)
		ok = ok && put(out, cap, &at, "Connection: close\r\n", 19);
	ok = ok && put(out, cap, &at, "\r\n", 2);
	if (!ok)
		return HCL_E2BIG;
	*len = at;
	return HCL_OK;
}

enum hcl_result hcl_send(struct stream *s, const struct hcl_request *rq)
{
	char head[HCL_MAX_REQ_HEAD];
	size_t n;
	enum hcl_result r = hcl_write_head(rq, head, sizeof head, &n);

	if (r != HCL_OK)
		return r;
	if (rq->body_len > STREAM_MIN_COPY - n)
		return HCL_E2BIG;
	if (!s->ops->can_send(s, n + rq->body_len, rq->body_len ? 2 : 1, 0))
		return HCL_AGAIN;
	s->ops->send_copy(s, head, n);
	if (rq->body_len)
		s->ops->send_copy(s, rq->body, rq->body_len);
	return HCL_OK;
}

/* ---- responses ---- */

static void count(struct hcl_resp *r, enum hcl_error e)
{
	struct hcl_stats *st = r->stats;

	r->error = e;
	r->state = S_ERROR;
	switch (e) {
	case HCL_ERR_HEAD_TOO_LARGE:
		st->head_too_large++;
		break;
	case HCL_ERR_TOO_MANY_HEADERS:
		st->too_many_headers++;
		break;
	case HCL_ERR_BAD_STATUS:
		st->bad_status++;
		break;
	case HCL_ERR_BAD_HEADER:
		st->bad_header++;
		break;
	case HCL_ERR_BAD_LENGTH:
		st->bad_length++;
		break;
	case HCL_ERR_BAD_CODING:
		st->bad_coding++;
		break;
	case HCL_ERR_BAD_CHUNK:
		st->bad_chunk++;
		break;
	case HCL_ERR_TRAILER_TOO_LARGE:
		st->trailer_too_large++;
		break;
	case HCL_ERR_BODY_TOO_LARGE:
		st->body_too_large++;
		break;
	case HCL_ERR_TRUNCATED:
		st->truncated++;
		break;
	case HCL_ERR_NONE:
		break;
	}
}

void hcl_resp_init(struct hcl_resp *r, struct hcl_stats *stats, bool head_request,
                   uint64_t max_body)
{
	/* The big buffers need no clearing: only [0, head_len) is ever read. */
	r->status = 0;
	r->version_minor = 0;
	r->reason.p = NULL;
	r->reason.len = 0;
	r->n_headers = 0;
	r->chunked = r->has_length = r->until_close = r->keep_alive = false;
	r->length = r->body_seen = 0;
	r->error = HCL_ERR_NONE;
	r->stats = stats;
	r->head_request = head_request;
	r->max_body = max_body;
	r->state = S_HEAD;
	r->chunk_left = 0;
	r->head_len = r->line_len = r->trailer_len = 0;
}

bool hcl_resp_has_head(const struct hcl_resp *r)
{
	return r->status != 0;
}

const struct hcl_header *hcl_header(const struct hcl_resp *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->n_headers; i++)
		if (ieq(r->headers[i].name, name))
			return &r->headers[i];
	return NULL;
}

static struct hcl_view trim(const char *p, size_t n)
{
	struct hcl_view v;

	while (n && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		n--;
	}
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	v.p = p;
	v.len = n;
	return v;
}

/* "HTTP/1.x SSS[ reason]" */
static bool parse_status(struct hcl_resp *r, const char *p, size_t n)
{
	size_t i;

	if (n < 12 || memcmp(p, "HTTP/1.", 7) != 0 || p[7] < '0' || p[7] > '9' || p[8] != ' ')
		return false;
	for (i = 9; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	if (n > 12 && p[12] != ' ')
		return false;
	r->version_minor = p[7] - '0';
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	if (r->status < 100)
		return false;
	for (i = 12; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return false;
	r->reason = trim(p + 12, n - 12);
	return true;
}

static bool parse_field(struct hcl_resp *r, const char *p, size_t n)
{
	size_t colon = 0, i;
	struct hcl_header *h;

	while (colon < n && p[colon] != ':') {
		if (!is_tchar(p[colon]))
			return false; /* also: whitespace before the colon (RFC 9112 5.1) */
		colon++;
	}
	if (colon == 0 || colon == n)
		return false;
	for (i = colon + 1; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return false;
	h = &r->headers[r->n_headers++];
	h->name.p = p;
	h->name.len = colon;
	h->value = trim(p + colon + 1, n - colon - 1);
	return true;
}

/* Whether the comma-separated list (v) holds (tok), case-insensitively. */
static bool list_has(struct hcl_view v, const char *tok)
{
	size_t i = 0;

	while (i < v.len) {
		size_t e = i;
		while (e < v.len && v.p[e] != ',')
			e++;
		if (ieq(trim(v.p + i, e - i), tok))
			return true;
		i = e + 1;
	}
	return false;
}

/* Content-Length: one number, or a list of equal ones (RFC 9110 8.6). */
static bool content_length(struct hcl_view v, bool *have, uint64_t *out)
{
	size_t i = 0;

	while (i <= v.len) {
		size_t e = i;
		uint64_t x = 0;
		struct hcl_view t;
		size_t k;

		while (e < v.len && v.p[e] != ',')
			e++;
		t = trim(v.p + i, e - i);
		if (t.len == 0 || t.len > 18)
			return false;
		for (k = 0; k < t.len; k++) {
			if (t.p[k] < '0' || t.p[k] > '9')
				return false;
			x = x * 10 + (uint64_t)(t.p[k] - '0');
		}
		if (*have && x != *out)
			return false;
		*have = true;
		*out = x;
		i = e + 1;
	}
	return true;
}

/* The framing of the body (RFC 9112 6.3), after the fields are parsed. */
static bool semantics(struct hcl_resp *r)
{
	bool te = false;
	size_t i;

	r->keep_alive = r->version_minor >= 1;
	for (i = 0; i < r->n_headers; i++) {
		const struct hcl_header *h = &r->headers[i];
		if (ieq(h->name, "content-length")) {
			if (!content_length(h->value, &r->has_length, &r->length)) {
				count(r, HCL_ERR_BAD_LENGTH);
				return false;
			}
		} else if (ieq(h->name, "transfer-encoding")) {
			/* Only "chunked", once: this client decodes no other coding,
			 * and a coding after chunked would leave no framing. */
			if (te || !ieq(h->value, "chunked")) {
				count(r, HCL_ERR_BAD_CODING);
				return false;
			}
			te = true;
		} else if (ieq(h->name, "connection")) {
			if (list_has(h->value, "close"))
				r->keep_alive = false;
			else if (r->version_minor == 0 && list_has(h->value, "keep-alive"))
				r->keep_alive = true;
		}
	}
	if (r->head_request || r->status == 204 || r->status == 304) {
		r->state = S_END;
		return true;
	}
	if (te) {
		/* Transfer-Encoding overrides Content-Length (6.3 item 3), but such a
		 * message may be an attempt at smuggling: do not reuse the connection. */
		if (r->has_length)
			r->keep_alive = false;
		r->has_length = false;
		r->chunked = true;
		r->state = S_CHUNK_SIZE;
		return true;
	}
	if (r->has_length) {
		if (r->max_body && r->length > r->max_body) {
			count(r, HCL_ERR_BODY_TOO_LARGE);
			return false;
		}
		r->state = r->length ? S_LEN : S_END;
		return true;
	}
	r->until_close = true;
	r->keep_alive = false;
	r->state = S_CLOSE;
	return true;
}

static bool has_cr(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '\r' || p[i] == 0)
			return true;
	return false;
}

/* Parse the complete head in r->head. False with r->error set. */
static bool parse_head(struct hcl_resp *r)
{
	size_t i = 0;
	bool first = true;

	r->n_headers = 0;
	while (i < r->head_len) {
		size_t e = i, n;
		while (r->head[e] != '\n')
			e++; /* the head ends with LF: found before head_len */
		n = e - i;
		if (n && r->head[i + n - 1] == '\r')
			n--;
		if (n == 0)
			break; /* the empty line ending the head */
		if (has_cr(r->head + i, n)) {
			count(r, first ? HCL_ERR_BAD_STATUS : HCL_ERR_BAD_HEADER);
			return false;
		}
		if (first) {
			if (!parse_status(r, r->head + i, n)) {
				count(r, HCL_ERR_BAD_STATUS);
				return false;
			}
			first = false;
		} else if (r->n_headers == HCL_MAX_HEADERS) {
			count(r, HCL_ERR_TOO_MANY_HEADERS);
			return false;
		} else if (r->head[i] == ' ' || r->head[i] == '\t' ||
		           !parse_field(r, r->head + i, n)) {
			/* (a leading space is obs-fold, RFC 9112 5.2: refused) */
			count(r, HCL_ERR_BAD_HEADER);
			return false;
		}
		i = e + 1;
	}
	if (first) {
		count(r, HCL_ERR_BAD_STATUS);
		return false;
	}
	return true;
}

/* Take head bytes; true once the head is complete and parsed (r->state moved
 * on), with *i past it. */
static bool take_head(struct hcl_resp *r, const uint8_t *p, size_t len, size_t *i)
{
	while (*i < len) {
		char c = (char)p[(*i)++];
		if (r->head_len == HCL_MAX_HEAD) {
			count(r, HCL_ERR_HEAD_TOO_LARGE);
			return false;
		}
		r->head[r->head_len++] = c;
		if (c != '\n')
			continue;
		/* The head ends at an empty line: LF LF or LF CR LF. */
		if (r->head_len >= 2 && r->head[r->head_len - 2] == '\n')
			return parse_head(r) && semantics(r);
		if (r->head_len >= 3 && r->head[r->head_len - 2] == '\r' &&
		    r->head[r->head_len - 3] == '\n')
			return parse_head(r) && semantics(r);
		if (r->head_len == 1 || (r->head_len == 2 && r->head[0] == '\r')) {
			count(r, HCL_ERR_BAD_STATUS); /* an empty first line */
			return false;
		}
	}
	return false;
}

/* A chunk-size line (RFC 9112 7.1): HEX [; ext], BWS allowed before ';'. */
static bool chunk_size(const char *p, size_t n, uint64_t *out)
{
	size_t i = 0, digits = 0;
	uint64_t v = 0;

	if (n && p[n - 1] == '\r')
		n--;
	for (; i < n; i++) {
		char c = lower(p[i]);
		unsigned d;
		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			break;
		if (++digits > 15)
			return false; /* past 2^60: no chunk is that large */
		v = v << 4 | d;
	}
	if (digits == 0)
		return false;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	if (i < n && p[i] != ';')
		return false;
	for (; i < n; i++)
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return false;
	*out = v;
	return true;
}

static bool body_room(struct hcl_resp *r, size_t n)
{
	if (r->max_body && n > r->max_body - r->body_seen) {
		count(r, HCL_ERR_BODY_TOO_LARGE);
		return false;
	}
	r->body_seen += n;
	return true;
}

enum hcl_ev hcl_resp_feed(struct hcl_resp *r, const uint8_t *p, size_t len, size_t *used,
                          struct hcl_view *body)
{
	size_t i = 0, n;

	for (;;) {
		switch (r->state) {
		case S_HEAD:
			if (!take_head(r, p, len, &i)) {
				*used = i;
				return r->state == S_ERROR ? HCL_EV_ERROR : HCL_EV_NEED;
			}
			if (r->status < 200) {
				/* 1xx interim: skipped; 101 is never asked for. */
				if (r->status == 101) {
					count(r, HCL_ERR_BAD_STATUS);
					*used = i;
					return HCL_EV_ERROR;
				}
				r->stats->interim++;
				hcl_resp_init(r, r->stats, r->head_request, r->max_body);
				continue;
			}
			r->stats->responses++;
			*used = i;
			return HCL_EV_HEAD;
		case S_LEN:
		case S_CHUNK_DATA:
		case S_CLOSE:
			if (i == len) {
				*used = i;
				return HCL_EV_NEED;
			}
			n = len - i;
			if (r->state == S_LEN && n > r->length - r->body_seen)
				n = (size_t)(r->length - r->body_seen);
			if (r->state == S_CHUNK_DATA && n > r->chunk_left)
				n = (size_t)r->chunk_left;
			if (!body_room(r, n)) {
				*used = i;
				return HCL_EV_ERROR;
			}
			if (r->state == S_LEN && r->body_seen == r->length)
				r->state = S_END;
			if (r->state == S_CHUNK_DATA) {
				r->chunk_left -= n;
				if (r->chunk_left == 0) {
					r->state = S_CHUNK_CRLF;
					r->line_len = 0;
				}
			}
			body->p = (const char *)p + i;
			body->len = n;
			*used = i + n;
			return HCL_EV_BODY;
		case S_CHUNK_SIZE:
			while (i < len && r->state == S_CHUNK_SIZE) {
				char c = (char)p[i++];
				if (c != '\n') {
					if (r->line_len == HCL_MAX_LINE) {
						count(r, HCL_ERR_BAD_CHUNK);
						break;
					}
					r->line[r->line_len++] = c;
					continue;
				}
				if (!chunk_size(r->line, r->line_len, &r->chunk_left)) {
					count(r, HCL_ERR_BAD_CHUNK);
					break;
				}
				r->line_len = 0;
				r->state = r->chunk_left ? S_CHUNK_DATA : S_TRAILER;
			}
			if (r->state == S_CHUNK_SIZE) {
				*used = i;
				return HCL_EV_NEED;
			}
			continue;
		case S_CHUNK_CRLF:
			while (i < len && r->state == S_CHUNK_CRLF) {
				char c = (char)p[i++];
				if (c == '\r' && r->line_len == 0)
					r->line_len = 1;
				else if (c == '\n') {
					r->state = S_CHUNK_SIZE;
					r->line_len = 0;
				} else
					count(r, HCL_ERR_BAD_CHUNK);
			}
			if (r->state == S_CHUNK_CRLF) {
				*used = i;
				return HCL_EV_NEED;
			}
			continue;
		case S_TRAILER:
			/* Trailer fields are read and dropped: nothing here needs one. */
			while (i < len && r->state == S_TRAILER) {
				char c = (char)p[i++];
				if (++r->trailer_len > HCL_MAX_TRAILER) {
					count(r, HCL_ERR_TRAILER_TOO_LARGE);
					break;
				}
				if (c == '\n') {
					if (r->line_len == 0) {
						r->state = S_DONE;
						*used = i;
						return HCL_EV_DONE;
					}
					r->line_len = 0;
				} else if (c != '\r') {
					r->line_len++;
				}
			}
			if (r->state == S_TRAILER) {
				*used = i;
				return HCL_EV_NEED;
			}
			continue;
		case S_END:
			r->state = S_DONE;
			*used = i;
			return HCL_EV_DONE;
		case S_DONE:
			*used = i;
			return HCL_EV_DONE;
		default:
			*used = i;
			return HCL_EV_ERROR;
		}
	}
}

enum hcl_ev hcl_resp_eof(struct hcl_resp *r)
{
	switch (r->state) {
	case S_CLOSE:
	case S_END:
	case S_DONE:
		r->state = S_DONE;
		return HCL_EV_DONE;
	case S_ERROR:
		return HCL_EV_ERROR;
	default:
		count(r, HCL_ERR_TRUNCATED);
		return HCL_EV_ERROR;
	}
}

const char *hcl_error_str(enum hcl_error e)
{
	switch (e) {
	case HCL_ERR_NONE:
		return "no error";
	case HCL_ERR_HEAD_TOO_LARGE:
		return "response head too large";
	case HCL_ERR_TOO_MANY_HEADERS:
		return "too many header fields";
	case HCL_ERR_BAD_STATUS:
		return "malformed status line";
	case HCL_ERR_BAD_HEADER:
		return "malformed header field";
	case HCL_ERR_BAD_LENGTH:
		return "bad Content-Length";
	case HCL_ERR_BAD_CODING:
		return "unsupported Transfer-Encoding";
	case HCL_ERR_BAD_CHUNK:
		return "malformed chunk";
	case HCL_ERR_TRAILER_TOO_LARGE:
		return "trailer too large";
	case HCL_ERR_BODY_TOO_LARGE:
		return "body too large";
	case HCL_ERR_TRUNCATED:
		return "connection closed mid-response";
	}
	return "?";
}

/* ---- server-sent events (WHATWG HTML 9.2.6) ---- */

void hcl_sse_init(struct hcl_sse *e, struct hcl_stats *stats)
{
	e->type.p = e->data.p = NULL;
	e->type.len = e->data.len = 0;
	e->stats = stats;
	e->skip = e->last_cr = e->bom_done = e->has_data = false;
	e->line_len = e->type_len = e->data_len = 0;
}

static void sse_reset(struct hcl_sse *e)
{
	e->skip = false;
	e->has_data = false;
	e->type_len = e->data_len = 0;
}

/* One complete line (without its end). */
static void sse_line(struct hcl_sse *e, const char *p, size_t n)
{
	size_t colon = 0, vl;
	const char *v;

	while (colon < n && p[colon] != ':')
		colon++;
	if (colon == 0)
		return; /* a comment (or an empty field name) */
	v = colon < n ? p + colon + 1 : p + n;
	vl = colon < n ? n - colon - 1 : 0;
	if (vl && v[0] == ' ') {
		v++;
		vl--;
	}
	if (colon == 5 && memcmp(p, "event", 5) == 0) {
		if (vl > sizeof e->type_buf) {
			e->skip = true;
			return;
		}
		memcpy(e->type_buf, v, vl);
		e->type_len = vl;
	} else if (colon == 4 && memcmp(p, "data", 4) == 0) {
		if (vl + 1 > sizeof e->data_buf - e->data_len) {
			e->skip = true;
			return;
		}
		memcpy(e->data_buf + e->data_len, v, vl);
		e->data_len += vl;
		e->data_buf[e->data_len++] = '\n';
		e->has_data = true;
	}
	/* id, retry and unknown fields: ignored */
}

/* A blank line: dispatch. True when there is an event to return. */
static bool sse_dispatch(struct hcl_sse *e)
{
	bool ev = !e->skip && e->has_data;

	if (e->skip)
		e->stats->sse_oversize++;
	if (ev) {
		e->type.p = e->type_len ? e->type_buf : "message";
		e->type.len = e->type_len ? e->type_len : 7;
		e->data.p = e->data_buf;
		e->data.len = e->data_len - 1; /* without the last LF */
		e->stats->sse_events++;
	}
	sse_reset(e);
	return ev;
}

enum hcl_sse_ev hcl_sse_feed(struct hcl_sse *e, const uint8_t *p, size_t len, size_t *used)
{
	size_t i = 0;

	while (i < len) {
		char c = (char)p[i++];
		bool was_cr = e->last_cr;

		e->last_cr = c == '\r';
		if (!e->bom_done) {
			/* One U+FEFF at the very start is dropped. */
			static const char bom[3] = {(char)0xef, (char)0xbb, (char)0xbf};
			if (e->line_len < 3 && c == bom[e->line_len]) {
				e->line[e->line_len++] = c;
				if (e->line_len == 3) {
					e->line_len = 0;
					e->bom_done = true;
				}
				continue;
			}
			e->bom_done = true;
		}
		if (c == '\n' && was_cr)
			continue; /* the LF of a CRLF */
		if (c == '\r' || c == '\n') {
			size_t n = e->line_len;
			e->line_len = 0;
			if (n == 0) {
				if (sse_dispatch(e)) {
					*used = i;
					return HCL_SSE_EVENT;
				}
				continue;
			}
			if (n > sizeof e->line) {
				e->skip = true; /* the line was too long */
				continue;
			}
			if (!e->skip)
				sse_line(e, e->line, n);
			continue;
		}
		if (e->line_len < sizeof e->line)
			e->line[e->line_len] = c;
		if (e->line_len <= sizeof e->line)
			e->line_len++; /* sizeof + 1: too long, remembered until the line ends */
	}
	*used = i;
	return HCL_SSE_NEED;
}
