/* SPDX-License-Identifier: MIT */
/* Growable strings with HTML and JSON escaping. */
#include "tools/util/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/html.h"

static void grow(struct sbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 256;
	while (b->cap < need)
		b->cap *= 2;
	b->p = realloc(b->p, b->cap);
	if (!b->p) {
		fputs("unideck: out of memory\n", stderr);
		abort();
	}
}

void sb_put(struct sbuf *b, const char *s, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_html(struct sbuf *b, const char *s, size_t n)
{
	size_t i, from = 0;

	for (i = 0; i < n; i++) {
		const char *rep = html_entity(s[i]);
		if (!rep)
			continue;
		sb_put(b, s + from, i - from);
		sb_str(b, rep);
		from = i + 1;
	}
	sb_put(b, s + from, n - from);
}

void sb_json(struct sbuf *b, const char *s, size_t n)
{
	size_t i;

	sb_put(b, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\') {
			char e[2] = {'\\', (char)ch};
			sb_put(b, e, 2);
		} else if (ch == '<' || ch == '>' || ch == '&' || ch < 0x20) {
			sb_printf(b, "\\u%04x", ch); /* never "</script>" nor "<!--" */
		} else if (ch == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
		           ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
			sb_printf(b, "\\u202%c", (unsigned char)s[i + 2] == 0xa8 ? '8' : '9');
			i += 2;
		} else {
			sb_put(b, s + i, 1);
		}
	}
	sb_put(b, "\"", 1);
}

char *sb_take(struct sbuf *b, size_t *len)
{
	char *p;

	grow(b, 0);
	p = b->p;
	if (len)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void sb_free(struct sbuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
