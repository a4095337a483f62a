/* SPDX-License-Identifier: MIT */
/* UTF-8 validation, line numbers and whole-file reads. */
#include "tools/util/text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int text_line_of(const char *p, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (p[i] == '\n')
			line++;
	return line;
}

/* Length of the UTF-8 sequence at (s) within (n) bytes, or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned int cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

int text_utf8_check(const char *p, size_t n, const char *file, struct diag *d)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, line_start = 0;
	int line = 1;

	while (i < n) {
		size_t k = utf8_seq(s + i, n - i);
		if (k == 0)
			return diag_add(d, file, line,
			                "invalid UTF-8 at byte %zu of the line (0x%02x): save the "
			                "file as UTF-8",
			                i - line_start + 1, s[i]);
		if (s[i] == '\n') {
			line++;
			line_start = i + 1;
		}
		i += k;
	}
	return 0;
}

int text_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A code point as UTF-8; U+FFFD for what cannot be one. */
static size_t put_utf8(unsigned long cp, char *o)
{
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *text_html_decode(const char *p, size_t n, size_t *out_len)
{
	static const struct {
		const char *name;
		const char *text;
	} named[] = {{"amp;", "&"},   {"lt;", "<"},   {"gt;", ">"},
	             {"quot;", "\""}, {"apos;", "'"}, {"nbsp;", "\xc2\xa0"}};
	char *out = malloc(n * 4 + 1); /* a numeric reference is never shorter than its UTF-8 */
	size_t i = 0, o = 0, k;

	if (!out)
		abort();
	while (i < n) {
		if (p[i] != '&') {
			out[o++] = p[i++];
			continue;
		}
		if (i + 2 < n && p[i + 1] == '#') {
			size_t j = i + 2;
			unsigned long cp = 0;
			bool hex = j < n && (p[j] == 'x' || p[j] == 'X'), any = false;
			if (hex)
				j++;
			for (; j < n && j - i < 12; j++) {
				int v = hex ? text_hex(p[j])
				            : (p[j] >= '0' && p[j] <= '9' ? p[j] - '0' : -1);
				if (v < 0)
					break;
				cp = cp * (hex ? 16 : 10) + (unsigned long)v;
				any = true;
			}
			if (any && j < n && p[j] == ';') {
				o += put_utf8(cp, out + o);
				i = j + 1;
				continue;
			}
		}
		for (k = 0; k < sizeof named / sizeof named[0]; k++) {
			size_t len = strlen(named[k].name);
			if (i + 1 + len <= n && memcmp(p + i + 1, named[k].name, len) == 0) {
				size_t t = strlen(named[k].text);
				memcpy(out + o, named[k].text, t);
				o += t;
				i += 1 + len;
				break;
			}
		}
		if (k == sizeof named / sizeof named[0])
			out[o++] = p[i++];
	}
	out[o] = 0;
	*out_len = o;
	return out;
}

char *text_read_file(const char *path, size_t *len, struct diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		diag_add(d, path, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t k;
		if (n + 4096 + 1 > cap) {
			char *bigger;
			cap = cap ? cap * 2 : 65536;
			bigger = realloc(buf, cap);
			if (!bigger) {
				free(buf);
				fclose(f);
				diag_add(d, path, 0, "out of memory");
				return NULL;
			}
			buf = bigger;
		}
		k = fread(buf + n, 1, cap - n - 1, f);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		diag_add(d, path, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}
