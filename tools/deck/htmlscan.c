/* SPDX-License-Identifier: MIT */
/* Finding the URLs an HTML page loads. */
#include "tools/deck/htmlscan.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static int emit(const char *tag, const char *attr, size_t off, size_t len,
                int (*fn)(void *, const struct html_ref *), void *ctx)
{
	struct html_ref r;

	memset(&r, 0, sizeof r);
	r.off = off;
	r.len = len;
	snprintf(r.tag, sizeof r.tag, "%s", tag);
	snprintf(r.attr, sizeof r.attr, "%s", attr);
	return fn(ctx, &r);
}

/* url(...) inside CSS text [s, e) at offset (base). */
static int scan_css(const char *p, size_t s, size_t e, const char *tag,
                    int (*fn)(void *, const struct html_ref *), void *ctx)
{
	size_t i;
	int rc;

	for (i = s; i + 4 <= e; i++) {
		size_t a, b;
		if (strncasecmp(p + i, "url(", 4) != 0)
			continue;
		a = i + 4;
		while (a < e && ws(p[a]))
			a++;
		if (a < e && (p[a] == '"' || p[a] == '\'')) {
			char q = p[a++];
			for (b = a; b < e && p[b] != q; b++)
				;
		} else {
			for (b = a; b < e && p[b] != ')' && !ws(p[b]); b++)
				;
		}
		if ((rc = emit(tag, "url", a, b - a, fn, ctx)) != 0)
			return rc;
		i = b;
	}
	return 0;
}

/* url(...) and @import "..." in [s, e). */
static int scan_sheet(const char *p, size_t s, size_t n, const char *tag,
                      int (*fn)(void *, const struct html_ref *), void *ctx)
{
	size_t i;
	int rc = scan_css(p, s, n, tag, fn, ctx);

	/* @import "x" and @import 'x' (@import url(x) is a url() above). */
	for (i = s; rc == 0 && i + 7 < n; i++) {
		size_t a, b;
		if (p[i] != '@' || strncasecmp(p + i, "@import", 7) != 0)
			continue;
		for (a = i + 7; a < n && ws(p[a]); a++)
			;
		if (a >= n || (p[a] != '"' && p[a] != '\''))
			continue;
		for (b = a + 1; b < n && p[b] != p[a] && p[b] != '\n'; b++)
			;
		rc = emit(tag, "import", a + 1, b - a - 1, fn, ctx);
		i = b;
	}
	return rc;
}

int css_scan(const char *p, size_t n, int (*fn)(void *ctx, const struct html_ref *r), void *ctx)
{
	return scan_sheet(p, 0, n, "css", fn, ctx);
}

/* Whether (attr) on (tag) names something the browser fetches by itself. */
static bool loads(const char *tag, const char *attr)
{
	static const char *const any[] = {
	        "src",
	        "poster",
	        "data-src",
	        "data-background",
	        "data-background-image",
	        "data-background-video",
	        "data-background-iframe",
	        "data-preview-image",
	        "data-preview-video",
	        "data-preview-link",
	        "data-markdown",
	};
	size_t i;

	for (i = 0; i < sizeof any / sizeof any[0]; i++)
		if (strcmp(attr, any[i]) == 0)
			return strcmp(attr, "data-preview-link") != 0;
	return (strcmp(attr, "href") == 0 && strcmp(tag, "link") == 0) ||
	       (strcmp(attr, "data") == 0 && strcmp(tag, "object") == 0);
}

/* srcset / data-background-video: comma-separated lists of URLs. */
static int split_list(const char *p, size_t s, size_t e, const char *tag, const char *attr,
                      bool descriptors, int (*fn)(void *, const struct html_ref *), void *ctx)
{
	size_t i = s;
	int rc;

	while (i < e) {
		size_t a, b;
		while (i < e && (ws(p[i]) || p[i] == ','))
			i++;
		a = i;
		while (i < e && p[i] != ',' && !(descriptors && ws(p[i])))
			i++;
		b = i;
		while (b > a && ws(p[b - 1]))
			b--;
		if (b > a && (rc = emit(tag, attr, a, b - a, fn, ctx)) != 0)
			return rc;
		while (i < e && p[i] != ',')
			i++;
	}
	return 0;
}

static int attribute(const char *p, const char *tag, const char *attr, size_t vs, size_t ve,
                     int (*fn)(void *, const struct html_ref *), void *ctx)
{
	if (strcmp(attr, "style") == 0)
		return scan_css(p, vs, ve, tag, fn, ctx);
	if (strcmp(attr, "srcset") == 0)
		return split_list(p, vs, ve, tag, attr, true, fn, ctx);
	if (strcmp(attr, "data-background-video") == 0)
		return split_list(p, vs, ve, tag, attr, false, fn, ctx);
	if (loads(tag, attr)) {
		while (vs < ve && ws(p[vs]))
			vs++;
		while (ve > vs && ws(p[ve - 1]))
			ve--;
		return emit(tag, attr, vs, ve - vs, fn, ctx);
	}
	return 0;
}

/* Skip past the raw-text body of <script> or <style> starting at (i). */
static size_t raw_end(const char *p, size_t n, size_t i, const char *tag)
{
	size_t tl = strlen(tag);

	for (; i + 2 + tl <= n; i++)
		if (p[i] == '<' && p[i + 1] == '/' && strncasecmp(p + i + 2, tag, tl) == 0)
			return i;
	return n;
}

/* One start tag at (i) (on '<'); returns the offset after it. */
static size_t start_tag(const char *p, size_t n, size_t i, char *tag, size_t tag_cap,
                        int (*fn)(void *, const struct html_ref *), void *ctx, int *rc)
{
	size_t t = 0;

	i++;
	while (i < n && (isalnum((unsigned char)p[i]) || p[i] == '-')) {
		if (t + 1 < tag_cap)
			tag[t++] = (char)tolower((unsigned char)p[i]);
		i++;
	}
	tag[t] = 0;
	while (i < n && p[i] != '>') {
		char attr[32];
		size_t a = 0, vs = 0, ve = 0;
		if (ws(p[i]) || p[i] == '/') {
			i++;
			continue;
		}
		while (i < n && !ws(p[i]) && p[i] != '=' && p[i] != '>') {
			if (a + 1 < sizeof attr)
				attr[a++] = (char)tolower((unsigned char)p[i]);
			i++;
		}
		attr[a] = 0;
		while (i < n && ws(p[i]))
			i++;
		if (i < n && p[i] == '=') {
			i++;
			while (i < n && ws(p[i]))
				i++;
			if (i < n && (p[i] == '"' || p[i] == '\'')) {
				char q = p[i++];
				vs = i;
				while (i < n && p[i] != q)
					i++;
				ve = i;
				if (i < n)
					i++;
			} else {
				vs = i;
				while (i < n && !ws(p[i]) && p[i] != '>')
					i++;
				ve = i;
			}
			if (!*rc)
				*rc = attribute(p, tag, attr, vs, ve, fn, ctx);
		}
	}
	return i < n ? i + 1 : n;
}

int html_scan(const char *p, size_t n, int (*fn)(void *ctx, const struct html_ref *r), void *ctx)
{
	size_t i = 0;
	int rc = 0;

	while (i < n && !rc) {
		char tag[16];
		if (p[i] != '<') {
			i++;
			continue;
		}
		if (i + 4 <= n && memcmp(p + i, "<!--", 4) == 0) {
			const char *e = strstr(p + i + 4, "-->");
			i = e ? (size_t)(e - p) + 3 : n;
			continue;
		}
		if (i + 1 < n && !isalpha((unsigned char)p[i + 1])) {
			i++;
			continue;
		}
		i = start_tag(p, n, i, tag, sizeof tag, fn, ctx, &rc);
		if (strcmp(tag, "script") == 0 || strcmp(tag, "textarea") == 0) {
			i = raw_end(p, n, i, tag);
		} else if (strcmp(tag, "style") == 0) {
			size_t e = raw_end(p, n, i, "style");
			if (!rc)
				rc = scan_sheet(p, i, e, "style", fn, ctx);
			i = e;
		}
	}
	return rc;
}

/* Skip one start tag's attributes from (i); returns the offset after '>'. */
static size_t skip_tag(const char *p, size_t n, size_t i)
{
	while (i < n && p[i] != '>') {
		if (p[i] == '"' || p[i] == '\'') {
			char q = p[i++];
			while (i < n && p[i] != q)
				i++;
		}
		if (i < n)
			i++;
	}
	return i < n ? i + 1 : n;
}

int html_tags(const char *p, size_t n, int (*fn)(void *ctx, const struct html_tag *t), void *ctx)
{
	size_t i = 0;
	int rc = 0;

	while (i < n && !rc) {
		struct html_tag t;
		size_t k = 0, j;
		if (p[i] != '<') {
			i++;
			continue;
		}
		if (i + 4 <= n && memcmp(p + i, "<!--", 4) == 0) {
			const char *e = memmem(p + i + 4, n - i - 4, "-->", 3);
			i = e ? (size_t)(e - p) + 3 : n;
			continue;
		}
		memset(&t, 0, sizeof t);
		t.off = i;
		j = i + 1;
		if (j < n && p[j] == '/') {
			t.closing = true;
			j++;
		}
		if (j >= n || !isalpha((unsigned char)p[j])) {
			i++;
			continue;
		}
		while (j < n && (isalnum((unsigned char)p[j]) || p[j] == '-')) {
			if (k + 1 < sizeof t.name)
				t.name[k++] = (char)tolower((unsigned char)p[j]);
			j++;
		}
		t.name[k] = 0;
		t.end = skip_tag(p, n, j);
		i = t.end;
		if (!t.closing && (strcmp(t.name, "script") == 0 || strcmp(t.name, "style") == 0 ||
		                   strcmp(t.name, "textarea") == 0)) {
			t.body = i;
			t.body_end = raw_end(p, n, i, t.name);
			i = t.body_end;
		}
		rc = fn(ctx, &t);
	}
	return rc;
}

bool html_attr(const char *p, const struct html_tag *t, const char *name, size_t *vs, size_t *ve)
{
	size_t i = t->off + 1, k = strlen(name);

	while (i < t->end && !ws(p[i]) && p[i] != '>')
		i++;
	while (i < t->end && p[i] != '>') {
		size_t a;
		if (ws(p[i]) || p[i] == '/') {
			i++;
			continue;
		}
		a = i;
		while (i < t->end && !ws(p[i]) && p[i] != '=' && p[i] != '>')
			i++;
		{
			bool match = i - a == k && strncasecmp(p + a, name, k) == 0;
			size_t s0 = i, e0 = i;
			while (i < t->end && ws(p[i]))
				i++;
			if (i < t->end && p[i] == '=') {
				i++;
				while (i < t->end && ws(p[i]))
					i++;
				if (i < t->end && (p[i] == '"' || p[i] == '\'')) {
					char q = p[i++];
					s0 = i;
					while (i < t->end && p[i] != q)
						i++;
					e0 = i;
					if (i < t->end)
						i++;
				} else {
					s0 = i;
					while (i < t->end && !ws(p[i]) && p[i] != '>')
						i++;
					e0 = i;
				}
			}
			if (match) {
				*vs = s0;
				*ve = e0;
				return true;
			}
		}
	}
	return false;
}
