/* SPDX-License-Identifier: MIT */
/* A bounded text writer over a caller's buffer, for building JSON and JWS.
 *
 * Appends never write past (cap - 1) and keep the text NUL-terminated; an append
 * that does not fit sets (over) and writes nothing more, so a caller builds a
 * whole message and tests once. Nothing allocates. */
#ifndef UD_ACME_ABUF_H
#define UD_ACME_ABUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct abuf {
	char *p;
	size_t cap, len;
	bool over;
};

void abuf_init(struct abuf *b, char *p, size_t cap);
void abuf_put(struct abuf *b, const void *p, size_t n);
void abuf_puts(struct abuf *b, const char *s);
/* A JSON string with quotes, escaping '"', '\\' and control characters. */
void abuf_json_str(struct abuf *b, const char *s);
/* Unpadded base64url (RFC 4648 5), as JWS wants (RFC 7515 2). */
void abuf_b64url(struct abuf *b, const void *p, size_t n);
/* Padded base64 in the standard alphabet (RFC 4648 4), for PEM. */
void abuf_b64(struct abuf *b, const void *p, size_t n);
void abuf_u64(struct abuf *b, uint64_t v);

/* Decode unpadded base64url (s, n) into (out, cap); the length, or -1 when
 * malformed or too long. */
long b64url_decode(const char *s, size_t n, uint8_t *out, size_t cap);

#endif
