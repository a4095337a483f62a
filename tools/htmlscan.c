/* SPDX-License-Identifier: MIT */
/* Finding the URLs an HTML page loads. */
#include "tools/htmlscan.h"

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
		if (strcmp(tag, "script") == 0) {
			i = raw_end(p, n, i, "script");
		} else if (strcmp(tag, "style") == 0) {
			size_t e = raw_end(p, n, i, "style");
			if (!rc)
				rc = scan_css(p, i, e, "style", fn, ctx);
			i = e;
		}
	}
	return rc;
}
