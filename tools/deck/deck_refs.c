/* SPDX-License-Identifier: MIT */
/* References resolved to URL paths and checked against the finished store. */
#include "tools/deck/deck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tools/deck/htmlscan.h"
#include "tools/util/text.h"

/* Resolve (v), relative to the folder URL (base) unless absolute, to a decoded
 * URL path without query or fragment, dot segments removed (RFC 3986 5.2.4).
 * False when it is not a path one can serve: a bad or NUL escape, too long,
 * or climbing above the root (*above). */
static bool resolve(const char *base, const char *v, char *out, size_t cap, bool *above)
{
	char raw[PATH_MAX];
	size_t i, o = 0, k;

	*above = false;
	if (v[0] != '/') {
		k = strlen(base);
		if (k >= sizeof raw)
			return false;
		memcpy(raw, base, k);
		o = k;
	}
	for (i = 0; v[i] && v[i] != '?' && v[i] != '#'; i++) {
		char ch = v[i];
		if (ch == '%') {
			int hi = text_hex(v[i + 1]), lo = hi < 0 ? -1 : text_hex(v[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			ch = (char)(hi << 4 | lo);
			i += 2;
		}
		if (ch == 0 || o + 1 >= sizeof raw)
			return false;
		raw[o++] = ch;
	}
	raw[o] = 0;
	/* Remove dot segments, segment by segment. */
	o = 0;
	for (i = 0; raw[i];) {
		size_t len;
		while (raw[i] == '/')
			i++;
		for (len = 0; raw[i + len] && raw[i + len] != '/'; len++)
			;
		if (len == 2 && raw[i] == '.' && raw[i + 1] == '.') {
			if (o == 0)
				*above = true;
			while (o > 0 && out[--o] != '/')
				;
		} else if (len && !(len == 1 && raw[i] == '.')) {
			if (o + len + 2 >= cap)
				return false;
			out[o++] = '/';
			memcpy(out + o, raw + i, len);
			o += len;
		}
		i += len;
		if (!raw[i] && len && (len == 2 && raw[i - 1] == '.' && raw[i - 2] == '.'))
			break;
	}
	/* A path that ended in '/' (or "." or "..") names a folder. */
	k = strlen(raw);
	if (o + 2 >= cap)
		return false;
	if (o == 0 || (k && raw[k - 1] == '/') ||
	    (k >= 2 && raw[k - 1] == '.' && (raw[k - 2] == '/' || raw[k - 2] == '.')))
		out[o++] = '/';
	out[o] = 0;
	return !*above;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The file a URL path of this deck comes from, or "" when it is not the
 * deck's. */
static void source_of(const struct deck *dk, const char *path, char *out, size_t cap)
{
	size_t k = strlen(dk->info.slug);

	out[0] = 0;
	if (path[0] == '/' && strncmp(path + 1, dk->info.slug, k) == 0 && path[k + 1] == '/')
		snprintf(out, cap, "%s/%s", dk->dir, path + k + 2);
	else if (dk->bc && dk->bc->site[0])
		snprintf(out, cap, "%s%s", dk->bc->site, path);
}

bool deck_source(const struct deck *dk, const char *base, const char *v, char *fs, size_t cap)
{
	char path[PATH_MAX];
	bool above;

	fs[0] = 0;
	if (deck_url_external(v, strlen(v)) || !resolve(base, v, path, sizeof path, &above))
		return false;
	source_of(dk, path, fs, cap);
	return fs[0] && is_file(fs);
}

bool deck_local_exists(const struct deck *dk, const char *base, const char *v)
{
	char fs[PATH_MAX * 2];

	return deck_source(dk, base, v, fs, sizeof fs);
}

int deck_ref(struct deck *dk, const char *file, int line, const char *v, const char *base,
             struct diag *d)
{
	struct build_ctx *bc = dk->bc;
	char path[PATH_MAX];
	struct ref *r;
	bool above;

	if (deck_url_external(v, strlen(v)))
		return diag_add(d, file, line,
		                "'%s' is loaded from outside the server; decks are offline by "
		                "construction: download it into the deck's folder",
		                v);
	if (!resolve(base, v, path, sizeof path, &above))
		return diag_add(d, file, line, "'%s' %s", v,
		                above ? "points outside the server's root (above /)"
		                      : "is not a path the server can serve (a bad %-escape?)");
	if (!bc)
		return 0;
	bc->refs = realloc(bc->refs, (bc->n_refs + 1) * sizeof *bc->refs);
	if (!bc->refs)
		abort();
	r = &bc->refs[bc->n_refs++];
	r->file = strdup(file);
	r->line = line;
	r->font_rule = 0; /* on_css marks the sources of an @font-face rule */
	r->font_local = false;
	r->as_written = strdup(v);
	r->path = strdup(path);
	{
		char fs[PATH_MAX * 2];
		source_of(dk, path, fs, sizeof fs);
		r->fs = strdup(fs);
	}
	return 0;
}

static bool served(struct build_ctx *bc, const struct deck_info *decks, size_t n,
                   const struct deck_opts *o, const struct bset *out, const char *path)
{
	char idx[PATH_MAX + 16];
	size_t i, k = strlen(bc->rt.prefix);

	if (strncmp(path, bc->rt.prefix, k) == 0)
		return rt_use(&bc->rt, path + k) == 0;
	if (strncmp(path, "/_unideck/", 10) == 0) {
		snprintf(idx, sizeof idx, "%s/runtime/%s", o->data_dir, path + 10);
		return !strstr(path, "/../") && is_file(idx);
	}
	if (bset_find(out, path))
		return true;
	k = strlen(path);
	snprintf(idx, sizeof idx, "%s%sindex.html", path, k && path[k - 1] == '/' ? "" : "/");
	if (bset_find(out, idx))
		return true;
	/* The PDF handouts are made after the decks, when there is Chromium. */
	for (i = 0; o->pdf && i < n; i++) {
		char pdf[300];
		snprintf(pdf, sizeof pdf, "/%s/%s.pdf", decks[i].slug, decks[i].slug);
		if (strcmp(pdf, path) == 0)
			return true;
	}
	return false;
}

void refs_check_all(struct build_ctx *bc, const struct deck_info *decks, size_t n,
                    const struct deck_opts *o, struct bset *out, struct diag *d)
{
	size_t i, k;
	bool *found = calloc(bc->n_refs + 1, sizeof *found);

	if (!found)
		abort();
	for (i = 0; i < bc->n_refs; i++)
		found[i] = served(bc, decks, n, o, out, bc->refs[i].path);
	for (i = 0; i < bc->n_refs; i++) {
		const struct ref *r = &bc->refs[i];
		bool fallback = r->font_local;
		if (found[i])
			continue;
		/* Sources of one rule are recorded one after the other. */
		for (k = i;
		     r->font_rule && !fallback && k-- > 0 && bc->refs[k].font_rule == r->font_rule;)
			fallback = found[k];
		for (k = i + 1; r->font_rule && !fallback && k < bc->n_refs &&
		                bc->refs[k].font_rule == r->font_rule;
		     k++)
			fallback = found[k];
		if (fallback) {
			diag_warn(r->file, r->line,
			          "'%s' does not exist (looked for %s); the browser falls back to "
			          "this @font-face rule's other sources",
			          r->as_written, r->fs[0] ? r->fs : r->path);
			continue;
		}
		if (strncmp(r->path, "/_reveal/", 9) == 0)
			diag_add(d, r->file, r->line,
			         "'%s': reveal.js %s, which this build serves at %s, has no such "
			         "file",
			         r->as_written, bc->rt.version, bc->rt.prefix);
		else if (r->fs[0])
			diag_add(d, r->file, r->line, "'%s' does not exist (looked for %s)",
			         r->as_written, r->fs);
		else
			diag_add(d, r->file, r->line,
			         "'%s' does not exist: no deck's file and no file of the decks "
			         "folder's _site/ is served at %s",
			         r->as_written, r->path);
	}
	free(found);
}

void refs_free(struct build_ctx *bc)
{
	size_t i;

	for (i = 0; i < bc->n_refs; i++) {
		free(bc->refs[i].file);
		free(bc->refs[i].as_written);
		free(bc->refs[i].path);
		free(bc->refs[i].fs);
	}
	free(bc->refs);
	bc->refs = NULL;
	bc->n_refs = 0;
}

/* The @font-face rules of a style sheet, as byte ranges. A rule lists its
 * sources in order and the browser takes the first it can load (CSS Fonts 4,
 * 4.3), so a missing file among others is a fallback, not a broken deck. */
#define CSS_FONT_RULES_MAX 256 /* more rules in one sheet are checked as plain url()s */

struct font_rule {
	size_t start, end;
	bool local; /* it has a local() source */
	unsigned id;
};

struct cssctx {
	struct deck *dk;
	const char *file, *css;
	char base[PATH_MAX];
	int errors;
	struct diag *d;
	struct font_rule rules[CSS_FONT_RULES_MAX];
	size_t n_rules;
};

static bool has_ci(const char *p, size_t n, const char *w)
{
	size_t i, k = strlen(w);

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(p + i, w, k) == 0)
			return true;
	return false;
}

static void find_font_rules(struct cssctx *c, size_t len)
{
	const char *p = c->css;
	size_t i = 0;

	while (i + 10 <= len && c->n_rules < CSS_FONT_RULES_MAX) {
		size_t s, e;
		char q = 0;
		if (strncasecmp(p + i, "@font-face", 10) != 0) {
			i++;
			continue;
		}
		for (s = i + 10; s < len && p[s] != '{'; s++)
			;
		for (e = s; e < len && (q || p[e] != '}'); e++) {
			if (q && p[e] == q)
				q = 0;
			else if (!q && (p[e] == '"' || p[e] == '\''))
				q = p[e];
		}
		if (s >= len)
			break;
		c->rules[c->n_rules].start = s;
		c->rules[c->n_rules].end = e;
		c->rules[c->n_rules].local = has_ci(p + s, e - s, "local(");
		c->rules[c->n_rules].id = c->dk->bc ? ++c->dk->bc->font_rules : 0;
		c->n_rules++;
		i = e;
	}
}

static int on_css(void *ctx, const struct html_ref *r)
{
	struct cssctx *c = ctx;
	char *v = strndup(c->css + r->off, r->len);
	int line = text_line_of(c->css, r->off);

	if (!v)
		abort();
	if (v[0] && v[0] != '#' && strncmp(v, "data:", 5) != 0) {
		struct build_ctx *bc = c->dk->bc;
		size_t before = bc ? bc->n_refs : 0, i;
		if (deck_ref(c->dk, c->file, line, v, c->base, c->d) != 0)
			c->errors++;
		for (i = 0; bc && bc->n_refs > before && i < c->n_rules; i++)
			if (r->off > c->rules[i].start && r->off < c->rules[i].end) {
				bc->refs[bc->n_refs - 1].font_rule = c->rules[i].id;
				bc->refs[bc->n_refs - 1].font_local = c->rules[i].local;
			}
	}
	free(v);
	return 0;
}

int deck_check_css(struct deck *dk, const char *file, const char *url, const char *css, size_t len,
                   struct diag *d)
{
	struct cssctx c = {0};
	const char *slash = strrchr(url, '/');

	c.dk = dk;
	c.file = file;
	c.css = css;
	c.d = d;
	snprintf(c.base, sizeof c.base, "%.*s", (int)(slash - url) + 1, url);
	find_font_rules(&c, len);
	css_scan(css, len, on_css, &c);
	return c.errors;
}
