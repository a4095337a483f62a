/* SPDX-License-Identifier: MIT */
/* Build-time math: placeholders from the Markdown renderer to KaTeX's HTML. */
#include "tools/deck/math.h"

#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/deck/node.h"
#include "tools/util/text.h"

#define MATH_TIMEOUT 120 /* seconds for one page's math */

static const char open_inline[] = "<span class=\"unideck-math\">";
static const char open_display[] = "<span class=\"unideck-math-display\">";

/* ---- \( \) and \[ \] to $ and $$ ---- */

/* A backtick run at (p): its length. */
static size_t ticks(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && p[n] == '`')
		n++;
	return n;
}

/* The closing "\)" or "\]" (close) from (p), within the paragraph (no blank
 * line), not escaped; NULL when there is none. */
static const char *closer(const char *p, const char *end, char close)
{
	for (; p + 1 < end; p++) {
		if (p[0] == '\n' && p + 1 < end &&
		    (p[1] == '\n' || (p[1] == '\r' && p + 2 < end && p[2] == '\n')))
			return NULL;
		if (p[0] == '`')
			return NULL; /* a code span in between: leave it as written */
		if (p[0] == '\\') {
			if (p[1] == close)
				return p;
			p++; /* an escaped character */
		}
	}
	return NULL;
}

static void put_trimmed(struct sbuf *out, const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	sb_put(out, s, (size_t)(e - s));
}

/* A fence line (``` or ~~~ after up to three spaces): its length, else 0. */
static size_t fence_at(const char *p, const char *end, char *ch)
{
	const char *q = p;
	size_t n = 0;

	while (q < end && *q == ' ' && q - p < 3)
		q++;
	if (q < end && (*q == '`' || *q == '~')) {
		*ch = *q;
		while (q + n < end && q[n] == *ch)
			n++;
	}
	return n >= 3 ? n : 0;
}

/* The math that opens with the dollar at (p): where it ends (past the closing
 * dollars), or NULL when these dollars open nothing. Pandoc's rule, which keeps
 * prices as text: $$ closes at the next $$ in the paragraph; a single $ must
 * be followed by a non-blank, and closes at a $ that follows a non-blank and
 * is not followed by a digit. */
static const char *dollar_close(const char *p, const char *end)
{
	bool display = p + 1 < end && p[1] == '$';
	const char *q = p + (display ? 2 : 1);

	if (!display && (q >= end || *q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
		return NULL;
	for (; q < end; q++) {
		if (*q == '\n' && q + 1 < end &&
		    (q[1] == '\n' || (q[1] == '\r' && q + 2 < end && q[2] == '\n')))
			return NULL;
		if (*q == '\\') {
			q++;
			continue;
		}
		if (*q != '$')
			continue;
		if (display) {
			if (q + 1 < end && q[1] == '$')
				return q + 2;
			continue;
		}
		if (q[-1] != ' ' && q[-1] != '\t' && q[-1] != '\n' &&
		    !(q + 1 < end && q[1] >= '0' && q[1] <= '9'))
			return q + 1;
	}
	return NULL;
}

void math_md_delims(const char *md, size_t len, struct sbuf *out)
{
	const char *p = md, *end = md + len, *from = md;
	size_t open_fence = 0, f;
	char fch = 0, ch;
	bool line_start = true;

	while (p < end) {
		if (line_start && (f = fence_at(p, end, &ch)) != 0) {
			if (!open_fence) {
				open_fence = f;
				fch = ch;
			} else if (ch == fch && f >= open_fence) {
				open_fence = 0;
			}
		}
		if (open_fence) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
			line_start = true;
			continue;
		}
		line_start = false;
		if (*p == '\n') {
			line_start = true;
			p++;
		} else if (*p == '`') {
			/* A code span: skip to the run that closes it. */
			size_t n = ticks(p, end);
			const char *q = p + n, *close = NULL;
			while (q < end && !close) {
				const char *t = memchr(q, '`', (size_t)(end - q));
				size_t m;
				if (!t)
					break;
				m = ticks(t, end);
				if (m == n)
					close = t;
				q = t + m;
			}
			p = close ? close + n : p + n;
		} else if (*p == '\\' && p + 1 < end && (p[1] == '(' || p[1] == '[')) {
			bool display = p[1] == '[';
			const char *c = closer(p + 2, end, display ? ']' : ')');
			if (!c) {
				p += 2;
				continue;
			}
			sb_put(out, from, (size_t)(p - from));
			sb_str(out, display ? "$$" : "$");
			put_trimmed(out, p + 2, c);
			sb_str(out, display ? "$$" : "$");
			p = from = c + 2;
		} else if (*p == '$') {
			const char *c = dollar_close(p, end);
			if (c) {
				p = c; /* math, as written: md4c takes it */
				continue;
			}
			/* No math here ("costs $5 and $10"): a literal dollar. */
			sb_put(out, from, (size_t)(p - from));
			sb_str(out, p + 1 < end && p[1] == '$' ? "\\$\\$" : "\\$");
			p = from = p + (p + 1 < end && p[1] == '$' ? 2 : 1);
		} else if (*p == '\\' && p + 1 < end) {
			p += 2; /* an escaped character stays escaped */
		} else {
			p++;
		}
	}
	sb_put(out, from, (size_t)(end - from));
}

/* ---- placeholders to KaTeX ---- */

struct piece {
	size_t start, end; /* the whole placeholder in the page */
	char *tex;         /* unescaped */
	bool display;
};

/* Undo sb_html's escapes (the only entities the renderer writes in text). */
char *math_unescape(const char *s, size_t n)
{
	static const struct {
		const char *ent, ch;
	} map[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
	struct sbuf b = {0};
	size_t i, k;

	for (i = 0; i < n; i++) {
		bool done = false;
		for (k = 0; s[i] == '&' && !done && k < sizeof map / sizeof map[0]; k++) {
			size_t el = strlen(map[k].ent);
			if (i + el <= n && memcmp(s + i, map[k].ent, el) == 0) {
				sb_put(&b, &map[k].ch, 1);
				i += el - 1;
				done = true;
			}
		}
		if (!done)
			sb_put(&b, s + i, 1);
	}
	if (!b.p)
		sb_str(&b, "");
	return sb_take(&b, &i);
}

static size_t find_pieces(const char *page, size_t len, struct piece **out)
{
	struct piece *v = NULL;
	size_t n = 0, at = 0;

	for (;;) {
		const char *a = memmem(page + at, len - at, open_inline, sizeof open_inline - 1);
		const char *b = memmem(page + at, len - at, open_display, sizeof open_display - 1);
		const char *o = a && (!b || a < b) ? a : b, *body, *close;
		if (!o)
			break;
		body = o + (o == a ? sizeof open_inline : sizeof open_display) - 1;
		close = memmem(body, (size_t)(page + len - body), "</span>", 7);
		if (!close)
			break;
		v = realloc(v, (n + 1) * sizeof *v);
		if (!v)
			abort();
		v[n].start = (size_t)(o - page);
		v[n].end = (size_t)(close + 7 - page);
		v[n].display = o == b;
		v[n].tex = math_unescape(body, (size_t)(close - body));
		n++;
		at = (size_t)(close + 7 - page);
	}
	*out = v;
	return n;
}

/* The line where (tex) is written in the source, else 0. */
static int tex_line(const char *src, size_t src_len, const char *tex)
{
	const char *at = tex[0] ? memmem(src, src_len, tex, strlen(tex)) : NULL;

	return at ? text_line_of(src, (size_t)(at - src)) : 0;
}

/* KaTeX's stylesheet with its fonts as woff2 only (every browser that runs
 * reveal.js reads woff2), so a store carries one copy of each font. */
static uint8_t *woff2_only(const uint8_t *css, size_t n, size_t *out_len)
{
	struct sbuf b = {0};
	size_t i = 0, from = 0;

	while (i < n) {
		const uint8_t *u = memmem(css + i, n - i, ",url(fonts/", 11);
		const uint8_t *end;
		if (!u)
			break;
		end = memchr(u + 1, ')', (size_t)(css + n - u - 1));
		end = end ? memchr(end + 1, ')', (size_t)(css + n - end - 1)) : NULL; /* format() */
		if (!end || (!memmem(u, (size_t)(end - u) + 1, "format(\"woff\")", 14) &&
		             !memmem(u, (size_t)(end - u) + 1, "format(\"truetype\")", 18))) {
			i = (size_t)(u - css) + 1;
			continue;
		}
		sb_put(&b, (const char *)css + from, (size_t)(u - css) - from);
		from = i = (size_t)(end - css) + 1;
	}
	sb_put(&b, (const char *)css + from, n - from);
	return (uint8_t *)sb_take(&b, out_len);
}

int math_add_assets(const struct deck_opts *o, const char *version, struct bset *out,
                    struct diag *d)
{
	char dir[PATH_MAX], src[PATH_MAX * 2], url[PATH_MAX];
	struct bfile *f;
	DIR *dp;
	struct dirent *e;
	uint8_t *css;
	size_t len;
	int64_t mt;

	snprintf(url, sizeof url, "/_katex/%s/katex.min.css", version);
	if (bset_find(out, url))
		return 0;
	snprintf(src, sizeof src, "%s/node_modules/katex/dist/katex.min.css", o->data_dir);
	f = bset_add_file(out, url, src, d);
	if (!f)
		return -1;
	css = woff2_only(f->data, f->len, &len);
	mt = f->mtime;
	f = bset_add(out, url, css, len); /* replaces the mapped original */
	f->mtime = o->epoch >= 0 && mt > o->epoch ? o->epoch : mt;
	f->src = strdup(src);
	f->cache = STORE_CACHE_IMMUTABLE; /* the version is in the path */
	snprintf(dir, sizeof dir, "%s/node_modules/katex/dist/fonts", o->data_dir);
	dp = opendir(dir);
	if (!dp)
		return diag_fail(d, dir, 0, "KaTeX's fonts are missing (npm ci)");
	while ((e = readdir(dp)) != NULL) {
		size_t nl = strlen(e->d_name);
		if (nl < 6 || strcmp(e->d_name + nl - 6, ".woff2") != 0)
			continue;
		snprintf(src, sizeof src, "%s/%s", dir, e->d_name);
		snprintf(url, sizeof url, "/_katex/%s/fonts/%s", version, e->d_name);
		f = bset_add_file(out, url, src, d);
		if (!f) {
			closedir(dp);
			return -1;
		}
		f->cache = STORE_CACHE_IMMUTABLE;
		if (o->epoch >= 0 && f->mtime > o->epoch)
			f->mtime = o->epoch;
	}
	closedir(dp);
	return 0;
}

/* KaTeX's version, from its package.json. */
int math_katex_version(const char *data_dir, char *v, size_t cap, struct diag *d)
{
	char pkg[PATH_MAX + 64];
	struct diag tmp = {0};
	size_t len;
	char *json, *at;

	snprintf(pkg, sizeof pkg, "%s/node_modules/katex/package.json", data_dir);
	json = text_read_file(pkg, &len, &tmp);
	if (!json)
		return diag_fail(d, pkg, 0, "KaTeX is not installed: run `npm ci` in %s", data_dir);
	at = strstr(json, "\"version\"");
	at = at ? strchr(at + 9, '"') : NULL;
	if (!at || sscanf(at + 1, "%31[0-9A-Za-z.+-]", v) != 1 || cap < 32) {
		free(json);
		return diag_fail(d, pkg, 0, "no version in KaTeX's package.json");
	}
	free(json);
	return 0;
}

int math_page(const struct deck_opts *o, const char *file, const char *src, size_t src_len,
              struct sbuf *page, struct bset *out, struct diag *d)
{
	struct sbuf in = {0}, res = {0}, err = {0}, html = {0};
	struct piece *v = NULL;
	size_t n = find_pieces(page->p ? page->p : "", page->len, &v), i, from = 0;
	const char *r, *rend;
	char version[32];
	int rc = 0, st;

	if (n == 0) {
		free(v);
		return 0;
	}
	rc = math_katex_version(o->data_dir, version, sizeof version, d);
	for (i = 0; i < n && rc == 0; i++) {
		sb_put(&in, v[i].display ? "D" : "I", 1);
		sb_put(&in, v[i].tex, strlen(v[i].tex) + 1);
	}
	if (rc == 0) {
		st = node_run(o->data_dir, "math.mjs", NULL, in.p, in.len, &res, &err,
		              MATH_TIMEOUT);
		if (st != 0)
			rc = diag_fail(d, file, 0, "math: KaTeX did not run (%s)",
			               err.p ? err.p : "no message");
	}
	r = res.p;
	rend = res.p + res.len;
	for (i = 0; i < n && rc == 0; i++) {
		const char *z = r < rend ? memchr(r, 0, (size_t)(rend - r)) : NULL;
		if (!z) {
			rc = diag_fail(d, file, 0, "math: KaTeX answered %zu of %zu formulas", i,
			               n);
			break;
		}
		if (*r == 'E') {
			rc = diag_fail(d, file, tex_line(src, src_len, v[i].tex), "math: %s",
			               r + 1);
			break;
		}
		sb_put(&html, page->p + from, v[i].start - from);
		sb_put(&html, r + 1, (size_t)(z - r - 1));
		from = v[i].end;
		r = z + 1;
	}
	if (rc == 0) {
		struct sbuf done = {0};
		const char *head;
		sb_put(&html, page->p + from, page->len - from);
		head = strstr(html.p, "</head>");
		if (head) {
			sb_put(&done, html.p, (size_t)(head - html.p));
			sb_printf(&done,
			          "<link rel=\"stylesheet\" href=\"/_katex/%s/katex.min.css\">\n",
			          version);
			/* Themes that set headings in capitals (black, league, ...) must not
			 * turn e^{i\pi} into E^{I\Pi}. */
			sb_str(&done,
			       "<style>.reveal .katex{text-transform:none;letter-spacing:normal;"
			       "word-spacing:normal}</style>\n");
			sb_str(&done, head);
			sb_free(&html);
			html = done;
		}
		sb_free(page);
		*page = html;
		html = (struct sbuf){0};
		rc = math_add_assets(o, version, out, d);
	}
	for (i = 0; i < n; i++)
		free(v[i].tex);
	free(v);
	sb_free(&in);
	sb_free(&res);
	sb_free(&err);
	sb_free(&html);
	return rc;
}
