/* SPDX-License-Identifier: MIT */
/* Bounded text building and base64url for the ACME client. */
#include "acme/abuf.h"

#include "lib/mem.h"

static const char b64u[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void abuf_init(struct abuf *b, char *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->over = cap == 0;
	if (cap)
		p[0] = '\0';
}

void abuf_put(struct abuf *b, const void *p, size_t n)
{
	if (b->over || n >= b->cap - b->len) {
		b->over = true;
		return;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void abuf_puts(struct abuf *b, const char *s)
{
	abuf_put(b, s, strlen(s));
}

void abuf_json_str(struct abuf *b, const char *s)
{
	static const char hx[] = "0123456789abcdef";

	abuf_put(b, "\"", 1);
	for (; *s; s++) {
		uint8_t c = (uint8_t)*s;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			abuf_put(b, e, 2);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hx[c >> 4], hx[c & 15]};
			abuf_put(b, e, 6);
		} else {
			abuf_put(b, s, 1);
		}
	}
	abuf_put(b, "\"", 1);
}

void abuf_b64url(struct abuf *b, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
		char o[4] = {b64u[v >> 18], b64u[(v >> 12) & 63], b64u[(v >> 6) & 63],
		             b64u[v & 63]};
		abuf_put(b, o, 4);
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;
		char o[2] = {b64u[v >> 18], b64u[(v >> 12) & 63]};
		abuf_put(b, o, 2);
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
		char o[3] = {b64u[v >> 18], b64u[(v >> 12) & 63], b64u[(v >> 6) & 63]};
		abuf_put(b, o, 3);
	}
}

void abuf_b64(struct abuf *b, const void *p, size_t n)
{
	static const char std[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		char o[4];
		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		o[0] = std[v >> 18];
		o[1] = std[(v >> 12) & 63];
		o[2] = i + 1 < n ? std[(v >> 6) & 63] : '=';
		o[3] = i + 2 < n ? std[v & 63] : '=';
		abuf_put(b, o, 4);
	}
}

void abuf_u64(struct abuf *b, uint64_t v)
{
	char t[21];
	size_t i = sizeof t;

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	abuf_put(b, t + i, sizeof t - i);
}

static int b64u_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long b64url_decode(const char *s, size_t n, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	unsigned bits = 0;

	if (n % 4 == 1)
		return -1;
	for (i = 0; i < n; i++) {
		int v = b64u_val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* The leftover bits of the last character must be zero (RFC 4648 3.5). */
	if (acc & ((1u << bits) - 1))
		return -1;
	return (long)o;
}
