/* SPDX-License-Identifier: MIT */
/* A strict RFC 8259 JSON parser into a caller's token array, for ACME. */
#include "acme/json.h"

#include "lib/mem.h"

struct jp {
	const uint8_t *p;
	size_t len, pos;
	struct json_tok *tok;
	size_t cap, n;
	enum json_result err;
};

static bool fail(struct jp *j, enum json_result r)
{
	if (j->err == JSON_OK)
		j->err = r;
	return false;
}

static void skip_ws(struct jp *j)
{
	/* RFC 8259 2: space, tab, line feed, carriage return. */
	while (j->pos < j->len) {
		uint8_t c = j->p[j->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		j->pos++;
	}
}

static int new_tok(struct jp *j, enum json_type type)
{
	struct json_tok *t;

	if (j->n >= j->cap)
		return fail(j, JSON_TOO_BIG), -1;
	t = &j->tok[j->n];
	t->type = (uint8_t)type;
	t->start = (uint32_t)j->pos;
	t->len = 0;
	t->count = 0;
	t->next = 0;
	return (int)j->n++;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at (p); -1 when not. */
static int32_t hex4(const uint8_t *p)
{
	int32_t v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* One UTF-8 sequence at s[0..n): its length, or 0 when malformed (RFC 3629 4:
 * no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t k, i;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		k = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		k = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		k = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* A \uXXXX escape at s (the backslash), with its low surrogate when it is a
 * high one: the code point and the bytes taken, or -1. */
static int32_t unescape_u(const uint8_t *s, size_t n, size_t *used)
{
	int32_t hi, lo;

	if (n < 6 || (hi = hex4(s + 2)) < 0)
		return -1;
	*used = 6;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return -1; /* a lone low surrogate */
	if (hi < 0xd800 || hi > 0xdbff)
		return hi;
	if (n < 12 || s[6] != '\\' || s[7] != 'u' || (lo = hex4(s + 8)) < 0 || lo < 0xdc00 ||
	    lo > 0xdfff)
		return -1;
	*used = 12;
	return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
}

static bool parse_string(struct jp *j)
{
	int t;
	size_t start;

	j->pos++; /* the quote */
	t = new_tok(j, JSON_STRING);
	if (t < 0)
		return false;
	start = j->pos;
	for (;;) {
		uint8_t c;
		size_t k;
		if (j->pos >= j->len)
			return fail(j, JSON_INVALID);
		c = j->p[j->pos];
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j, JSON_INVALID); /* RFC 8259 7: control characters escaped */
		if (c == '\\') {
			size_t used = 2;
			if (j->pos + 1 >= j->len)
				return fail(j, JSON_INVALID);
			switch (j->p[j->pos + 1]) {
			case '"':
			case '\\':
			case '/':
			case 'b':
			case 'f':
			case 'n':
			case 'r':
			case 't':
				break;
			case 'u':
				if (unescape_u(j->p + j->pos, j->len - j->pos, &used) < 0)
					return fail(j, JSON_INVALID);
				break;
			default:
				return fail(j, JSON_INVALID);
			}
			j->pos += used;
			continue;
		}
		k = utf8_len(j->p + j->pos, j->len - j->pos);
		if (k == 0)
			return fail(j, JSON_INVALID);
		j->pos += k;
	}
	j->tok[t].start = (uint32_t)start;
	j->tok[t].len = (uint32_t)(j->pos - start);
	j->tok[t].next = (uint32_t)j->n;
	j->pos++;
	return true;
}

static bool digits(struct jp *j)
{
	size_t s = j->pos;

	while (j->pos < j->len && j->p[j->pos] >= '0' && j->p[j->pos] <= '9')
		j->pos++;
	return j->pos > s;
}

/* RFC 8259 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool parse_number(struct jp *j)
{
	int t = new_tok(j, JSON_NUMBER);

	if (t < 0)
		return false;
	if (j->p[j->pos] == '-')
		j->pos++;
	if (j->pos < j->len && j->p[j->pos] == '0')
		j->pos++;
	else if (!digits(j))
		return fail(j, JSON_INVALID);
	if (j->pos < j->len && j->p[j->pos] == '.') {
		j->pos++;
		if (!digits(j))
			return fail(j, JSON_INVALID);
	}
	if (j->pos < j->len && (j->p[j->pos] == 'e' || j->p[j->pos] == 'E')) {
		j->pos++;
		if (j->pos < j->len && (j->p[j->pos] == '+' || j->p[j->pos] == '-'))
			j->pos++;
		if (!digits(j))
			return fail(j, JSON_INVALID);
	}
	j->tok[t].len = (uint32_t)(j->pos - j->tok[t].start);
	j->tok[t].next = (uint32_t)j->n;
	return true;
}

static bool parse_word(struct jp *j, const char *w, enum json_type type)
{
	size_t n = strlen(w);
	int t;

	if (j->len - j->pos < n || memcmp(j->p + j->pos, w, n) != 0)
		return fail(j, JSON_INVALID);
	t = new_tok(j, type);
	if (t < 0)
		return false;
	j->pos += n;
	j->tok[t].len = (uint32_t)n;
	j->tok[t].next = (uint32_t)j->n;
	return true;
}

static bool parse_value(struct jp *j, unsigned depth);

static bool parse_container(struct jp *j, unsigned depth, bool object)
{
	int t;
	uint8_t close = object ? '}' : ']';

	if (depth >= JSON_MAX_DEPTH)
		return fail(j, JSON_TOO_BIG);
	t = new_tok(j, object ? JSON_OBJECT : JSON_ARRAY);
	if (t < 0)
		return false;
	j->pos++;
	skip_ws(j);
	if (j->pos < j->len && j->p[j->pos] == close) {
		j->pos++;
	} else {
		for (;;) {
			if (object) {
				skip_ws(j);
				if (j->pos >= j->len || j->p[j->pos] != '"' || !parse_string(j))
					return fail(j, JSON_INVALID);
				skip_ws(j);
				if (j->pos >= j->len || j->p[j->pos] != ':')
					return fail(j, JSON_INVALID);
				j->pos++;
			}
			if (!parse_value(j, depth + 1))
				return false;
			j->tok[t].count++;
			skip_ws(j);
			if (j->pos >= j->len)
				return fail(j, JSON_INVALID);
			if (j->p[j->pos] == close) {
				j->pos++;
				break;
			}
			if (j->p[j->pos] != ',')
				return fail(j, JSON_INVALID);
			j->pos++;
		}
	}
	j->tok[t].len = (uint32_t)(j->pos - j->tok[t].start);
	j->tok[t].next = (uint32_t)j->n;
	return true;
}

static bool parse_value(struct jp *j, unsigned depth)
{
	skip_ws(j);
	if (j->pos >= j->len)
		return fail(j, JSON_INVALID);
	switch (j->p[j->pos]) {
	case '{':
		return parse_container(j, depth, true);
	case '[':
		return parse_container(j, depth, false);
	case '"':
		return parse_string(j);
	case 't':
		return parse_word(j, "true", JSON_TRUE);
	case 'f':
		return parse_word(j, "false", JSON_FALSE);
	case 'n':
		return parse_word(j, "null", JSON_NULL);
	default:
		if (j->p[j->pos] == '-' || (j->p[j->pos] >= '0' && j->p[j->pos] <= '9'))
			return parse_number(j);
		return fail(j, JSON_INVALID);
	}
}

enum json_result json_parse(const char *p, size_t len, struct json_tok *tok, size_t cap,
                            struct json_doc *doc)
{
	struct jp j;

	memset(&j, 0, sizeof j);
	doc->text = p;
	doc->tok = tok;
	doc->n = 0;
	if (len > JSON_MAX_LEN)
		return JSON_TOO_BIG;
	j.p = (const uint8_t *)p;
	j.len = len;
	j.tok = tok;
	j.cap = cap < JSON_MAX_TOKENS ? cap : JSON_MAX_TOKENS;
	if (!parse_value(&j, 0))
		return j.err;
	skip_ws(&j);
	if (j.pos != j.len)
		return JSON_INVALID; /* bytes after the value */
	doc->n = (uint32_t)j.n;
	return JSON_OK;
}

const char *json_result_str(enum json_result r)
{
	switch (r) {
	case JSON_OK:
		return "ok";
	case JSON_INVALID:
		return "not valid JSON";
	case JSON_TOO_BIG:
		return "JSON over a cap (length, depth or tokens)";
	}
	return "?";
}

static bool valid(const struct json_doc *d, int t)
{
	return t >= 0 && (uint32_t)t < d->n;
}

int json_str(const struct json_doc *d, int t, char *buf, size_t cap)
{
	const uint8_t *s;
	size_t n, i = 0, o = 0;

	if (!valid(d, t) || d->tok[t].type != JSON_STRING || cap == 0)
		return -1;
	s = (const uint8_t *)d->text + d->tok[t].start;
	n = d->tok[t].len;
	while (i < n) {
		uint8_t out[4];
		size_t k = 1;
		if (s[i] != '\\') {
			out[0] = s[i++];
		} else {
			int32_t cp;
			size_t used = 2;
			switch (s[i + 1]) {
			case 'b':
				out[0] = '\b';
				break;
			case 'f':
				out[0] = '\f';
				break;
			case 'n':
				out[0] = '\n';
				break;
			case 'r':
				out[0] = '\r';
				break;
			case 't':
				out[0] = '\t';
				break;
			case 'u':
				/* Validated by the parser. */
				cp = unescape_u(s + i, n - i, &used);
				if (cp < 0x80) {
					out[0] = (uint8_t)cp;
				} else if (cp < 0x800) {
					out[0] = (uint8_t)(0xc0 | (cp >> 6));
					out[1] = (uint8_t)(0x80 | (cp & 0x3f));
					k = 2;
				} else if (cp < 0x10000) {
					out[0] = (uint8_t)(0xe0 | (cp >> 12));
					out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
					out[2] = (uint8_t)(0x80 | (cp & 0x3f));
					k = 3;
				} else {
					out[0] = (uint8_t)(0xf0 | (cp >> 18));
					out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
					out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
					out[3] = (uint8_t)(0x80 | (cp & 0x3f));
					k = 4;
				}
				break;
			default:
				out[0] = s[i + 1];
				break; /* " \ / */
			}
			i += used;
		}
		if (o + k >= cap)
			return -1;
		memcpy(buf + o, out, k);
		o += k;
	}
	buf[o] = '\0';
	return (int)o;
}

bool json_str_eq(const struct json_doc *d, int t, const char *s)
{
	char buf[256];
	int n;
	size_t want = strlen(s);

	if (!valid(d, t) || d->tok[t].type != JSON_STRING)
		return false;
	/* Without escapes the raw bytes are the value (the common case, no copy). */
	if (d->tok[t].len == want && memcmp(d->text + d->tok[t].start, s, want) == 0)
		return true;
	n = json_str(d, t, buf, sizeof buf);
	return n >= 0 && (size_t)n == want && memcmp(buf, s, want) == 0;
}

int json_get(const struct json_doc *d, int obj, const char *key)
{
	uint32_t i, k;

	if (!valid(d, obj) || d->tok[obj].type != JSON_OBJECT)
		return -1;
	k = (uint32_t)obj + 1;
	for (i = 0; i < d->tok[obj].count; i++) {
		uint32_t v = k + 1;
		if (json_str_eq(d, (int)k, key))
			return (int)v;
		k = d->tok[v].next;
	}
	return -1;
}

int json_at(const struct json_doc *d, int arr, uint32_t i)
{
	uint32_t k, n;

	if (!valid(d, arr) || d->tok[arr].type != JSON_ARRAY || i >= d->tok[arr].count)
		return -1;
	k = (uint32_t)arr + 1;
	for (n = 0; n < i; n++)
		k = d->tok[k].next;
	return (int)k;
}

int json_get_str(const struct json_doc *d, int obj, const char *key, char *buf, size_t cap)
{
	return json_str(d, json_get(d, obj, key), buf, cap);
}
