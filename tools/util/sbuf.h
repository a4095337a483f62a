/* SPDX-License-Identifier: MIT */
/* A growable byte string for the build tools (hosted code; aborts on out-of-memory).
 *
 * The bytes are always NUL-terminated so they can be used as a C string too. */
#ifndef UD_TOOLS_SBUF_H
#define UD_TOOLS_SBUF_H

#include <stddef.h>

struct sbuf {
	char *p;
	size_t len, cap;
};

void sb_put(struct sbuf *b, const char *s, size_t n);
void sb_str(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text and attribute values, escaped for HTML (& < > " '). */
void sb_html(struct sbuf *b, const char *s, size_t n);
/* A JSON string literal that is also safe inside <script> (no "</", U+2028/9). */
void sb_json(struct sbuf *b, const char *s, size_t n);
/* Hand over the bytes (the caller frees them) and reset the buffer. */
char *sb_take(struct sbuf *b, size_t *len);
void sb_free(struct sbuf *b);

#endif
