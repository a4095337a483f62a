/* SPDX-License-Identifier: MIT */
/* The deck compiler's driver: decks, their files, the runtime, and URL checks. */
#include "tools/deck/deck_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tools/deck/htmlscan.h"
#include "tools/deck/marp.h"
#include "tools/util/text.h"

int64_t deck_clamp(const struct deck_opts *o, int64_t t)
{
	return o->epoch >= 0 && t > o->epoch ? o->epoch : t;
}

void deck_dev_scripts(const struct deck_opts *o, struct sbuf *out)
{
	if (o->dev)
		sb_str(out, "<script src=\"/_unideck/live.js\"></script>\n");
}

/* ---- the reveal.js runtime ---- */

static int rt_open(struct runtime *rt, const char *data_dir, struct diag *d)
{
	char pkg[PATH_MAX + 64];
	struct diag tmp = {0};
	size_t len;
	char *json, *v;

	memset(rt, 0, sizeof *rt);
	snprintf(rt->dist, sizeof rt->dist, "%s/node_modules/reveal.js/dist", data_dir);
	snprintf(pkg, sizeof pkg, "%s/node_modules/reveal.js/package.json", data_dir);
	json = text_read_file(pkg, &len, &tmp);
	if (!json)
		return diag_fail(d, pkg, 0,
		                 "reveal.js is not installed: run `make deps` (npm ci) in %s, or "
		                 "set UNIDECK_DATA",
		                 data_dir);
	v = strstr(json, "\"version\"");
	v = v ? strchr(v + 9, '"') : NULL;
	if (!v || sscanf(v + 1, "%31[0-9A-Za-z.+-]", rt->version) != 1) {
		free(json);
		return diag_fail(d, pkg, 0, "no version in reveal.js's package.json");
	}
	free(json);
	snprintf(rt->prefix, sizeof rt->prefix, "/_reveal/%s/", rt->version);
	return 0;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int rt_use(struct runtime *rt, const char *rel)
{
	char path[PATH_MAX + 256];
	size_t i;

	for (i = 0; i < rt->n_used; i++)
		if (strcmp(rt->used[i], rel) == 0)
			return 0;
	snprintf(path, sizeof path, "%s/%s", rt->dist, rel);
	if (strstr(rel, "..") || !is_file(path))
		return -1;
	rt->used = realloc(rt->used, (rt->n_used + 1) * sizeof *rt->used);
	if (!rt->used)
		abort();
	rt->used[rt->n_used++] = strdup(rel);
	return 0;
}

bool rt_theme_exists(const struct runtime *rt, const char *name)
{
	char path[PATH_MAX + 256];

	if (!name[0] || strchr(name, '/') || strchr(name, '.'))
		return false;
	snprintf(path, sizeof path, "%s/theme/%s.css", rt->dist, name);
	return is_file(path);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder, sorted, without dot files. NULL-terminated. */
static char **list_dir(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (!dp)
		return NULL;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		v = realloc(v, (n + 2) * sizeof *v);
		if (!v)
			abort();
		v[n++] = strdup(e->d_name);
	}
	closedir(dp);
	if (!v)
		v = calloc(1, sizeof *v);
	v[n] = NULL;
	qsort(v, n, sizeof *v, by_name);
	return v;
}

static void free_list(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

void rt_theme_list(const struct runtime *rt, struct sbuf *out)
{
	char dir[PATH_MAX + 16];
	char **v;
	size_t i;

	snprintf(dir, sizeof dir, "%s/theme", rt->dist);
	v = list_dir(dir);
	for (i = 0; v && v[i]; i++) {
		char *dot = strrchr(v[i], '.');
		if (!dot || strcmp(dot, ".css") != 0)
			continue;
		if (out->len)
			sb_str(out, ", ");
		sb_put(out, v[i], (size_t)(dot - v[i]));
	}
	free_list(v);
}

/* Remove @import rules that load from other hosts (web fonts): the deck must
 * not make a request outside the server, so the theme falls back to its other
 * fonts, which its font stacks name. */
static uint8_t *strip_imports(const uint8_t *p, size_t n, size_t *out_len)
{
	struct sbuf b = {0};
	size_t i = 0, from = 0;

	while (i + 7 < n) {
		if (memcmp(p + i, "@import", 7) == 0) {
			const uint8_t *semi = memchr(p + i, ';', n - i);
			size_t end = semi ? (size_t)(semi - p) + 1 : n;
			if (memmem(p + i, end - i, "//", 2)) {
				sb_put(&b, (const char *)p + from, i - from);
				from = i = end;
				continue;
			}
		}
		i++;
	}
	sb_put(&b, (const char *)p + from, n - from);
	if (b.len != n)
		sb_str(&b, "\n/* unideck: @import of web fonts removed, so the deck loads "
		           "nothing from outside its server; local fonts are used instead. */\n");
	return (uint8_t *)sb_take(&b, out_len);
}

static int rt_add_all(const struct runtime *rt, const struct deck_opts *o, struct bset *out,
                      struct diag *d)
{
	size_t i;

	for (i = 0; i < rt->n_used; i++) {
		char src[PATH_MAX + 256], url[PATH_MAX + 64];
		struct bfile *f;
		snprintf(src, sizeof src, "%s/%s", rt->dist, rt->used[i]);
		snprintf(url, sizeof url, "%s%s", rt->prefix, rt->used[i]);
		f = bset_add_file(out, url, src, d);
		if (!f)
			return -1;
		if (strncmp(rt->used[i], "theme/", 6) == 0) {
			size_t len;
			uint8_t *css = strip_imports(f->data, f->len, &len);
			int64_t mt = f->mtime;
			char *s = f->src;
			f->src = NULL;
			f = bset_add(out, url, css, len);
			f->mtime = mt;
			f->src = s;
		}
		f->cache = STORE_CACHE_IMMUTABLE; /* the version is in the path */
		f->mtime = deck_clamp(o, f->mtime);
	}
	return 0;
}

/* unideck's own client scripts, from the data folder's runtime/. */
static int add_own_runtime(const struct deck_opts *o, struct bset *out, struct diag *d)
{
	char dir[PATH_MAX + 16];
	char **v;
	size_t i;
	int rc = 0;

	snprintf(dir, sizeof dir, "%s/runtime", o->data_dir);
	v = list_dir(dir);
	if (!v)
		return diag_fail(d, dir, 0, "unideck's runtime folder is missing: %s",
		                 strerror(errno));
	for (i = 0; v[i] && rc == 0; i++) {
		char src[PATH_MAX * 2], url[PATH_MAX];
		struct bfile *f;
		snprintf(src, sizeof src, "%s/%s", dir, v[i]);
		snprintf(url, sizeof url, "/_unideck/%s", v[i]);
		f = bset_add_file(out, url, src, d);
		if (!f)
			rc = -1;
		else
			f->mtime = deck_clamp(o, f->mtime);
	}
	free_list(v);
	return rc;
}

/* ---- the URLs a page loads ---- */

struct refctx {
	struct deck *dk;
	const char *file, *base;
	const char *html;
	const char *src;
	size_t src_len;
	int src_line0;
	bool exact;
	size_t search_from; /* where the next URL is looked for in src */
	struct sbuf *rewrite;
	size_t copied; /* bytes of html already copied to rewrite */
	int errors;
	struct diag *d;
};

/* The line (v, n) was written on: from its offset when the HTML is the source,
 * else where the URL as written (decoded) next occurs in the source. */
static int ref_line(struct refctx *c, size_t off, const char *as_written)
{
	size_t k = strlen(as_written);
	const char *at;

	if (c->exact)
		return c->src_line0 + text_line_of(c->src, off) - 1;
	at = k && c->search_from < c->src_len
	             ? memmem(c->src + c->search_from, c->src_len - c->search_from, as_written, k)
	             : NULL;
	if (!at && k)
		at = memmem(c->src, c->src_len, as_written, k);
	if (!at)
		return c->src_line0;
	c->search_from = (size_t)(at - c->src) + k;
	return c->src_line0 + text_line_of(c->src, (size_t)(at - c->src)) - 1;
}

static bool starts(const char *v, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(v, prefix, k) == 0;
}

bool deck_url_external(const char *v, size_t n)
{
	size_t i;

	if (starts(v, n, "//"))
		return true;
	for (i = 0; i < n && v[i] != '/' && v[i] != '?' && v[i] != '#'; i++)
		if (v[i] == ':')
			return true;
	return false;
}

/* A reference to reveal.js's own files, as raw decks write them, mapped to the
 * file under dist/: "dist/x", reveal 4's "plugin/notes/notes.js", older
 * "css/theme/x.css", "js/reveal.js", and CDN copies of any of these. */
static bool runtime_rel(const char *v, size_t n, char *rel, size_t cap)
{
	static const struct {
		const char *tail, *rel;
	} old[] = {
	        {"plugin/notes/notes.js", "plugin/notes.js"},
	        {"plugin/highlight/highlight.js", "plugin/highlight.js"},
	        {"plugin/markdown/markdown.js", "plugin/markdown.js"},
	        {"plugin/search/search.js", "plugin/search.js"},
	        {"plugin/zoom/zoom.js", "plugin/zoom.js"},
	        {"plugin/highlight/monokai.css", "plugin/highlight/monokai.css"},
	        {"plugin/highlight/zenburn.css", "plugin/highlight/zenburn.css"},
	        {"lib/css/monokai.css", "plugin/highlight/monokai.css"},
	        {"lib/css/zenburn.css", "plugin/highlight/zenburn.css"},
	        {"css/reveal.css", "reveal.css"},
	        {"css/reset.css", "reset.css"},
	        {"js/reveal.js", "reveal.js"},
	};
	char s[PATH_MAX];
	size_t i, k;
	char *q, *dist;

	if (n >= sizeof s)
		return false;
	memcpy(s, v, n);
	s[n] = 0;
	if ((q = strpbrk(s, "?#")) != NULL)
		*q = 0;
	k = strlen(s);
	dist = strstr(s, "dist/");
	if (dist && (dist == s || dist[-1] == '/')) {
		snprintf(rel, cap, "%s", dist + 5);
		return true;
	}
	for (i = 0; i < sizeof old / sizeof old[0]; i++) {
		size_t t = strlen(old[i].tail);
		if (k >= t && strcmp(s + k - t, old[i].tail) == 0 &&
		    (k == t || s[k - t - 1] == '/')) {
			snprintf(rel, cap, "%s", old[i].rel);
			return true;
		}
	}
	if ((q = strstr(s, "css/theme/")) != NULL && (q == s || q[-1] == '/')) {
		snprintf(rel, cap, "theme/%s", q + 10);
		return true;
	}
	return false;
}

bool deck_theme_url(const char *url, char *name, size_t cap)
{
	char rel[PATH_MAX];
	size_t k;

	if (!runtime_rel(url, strlen(url), rel, sizeof rel) || strncmp(rel, "theme/", 6) != 0)
		return false;
	k = strlen(rel);
	if (k < 10 || strcmp(rel + k - 4, ".css") != 0 || k - 10 >= cap)
		return false;
	snprintf(name, cap, "%.*s", (int)(k - 10), rel + 6);
	return true;
}

static bool is_colour(const char *v, size_t n)
{
	size_t i;

	if (starts(v, n, "#") || starts(v, n, "rgb") || starts(v, n, "hsl"))
		return true;
	for (i = 0; i < n; i++) /* a named colour has no dot, slash or colon */
		if (v[i] == '.' || v[i] == '/' || v[i] == ':')
			return false;
	return true;
}

static int on_ref(void *ctx, const struct html_ref *r)
{
	struct refctx *c = ctx;
	const char *raw = c->html + r->off;
	char rel[PATH_MAX], *v;
	size_t n;
	int line, rc = 0;

	/* The URL as the browser takes it (and as the author wrote it, for
	 * Markdown, whose renderer escaped it): character references decoded. */
	v = text_html_decode(raw, r->len, &n);
	if (n == 0 || v[0] == '#' || starts(v, n, "data:") || starts(v, n, "blob:") ||
	    starts(v, n, "about:") || starts(v, n, "javascript:") ||
	    (strcmp(r->attr, "data-background") == 0 && is_colour(v, n)))
		goto out;
	line = ref_line(c, r->off, v);
	/* A reference to reveal.js's files goes to the store's copy, unless the
	 * deck (or _site/, for absolute paths) has that file itself. */
	if (c->rewrite && (r->attr[0] == 's' || r->attr[0] == 'h') &&
	    runtime_rel(v, n, rel, sizeof rel) &&
	    (deck_url_external(v, n) || !deck_local_exists(c->dk, c->base, v))) {
		if (strcmp(rel, "plugin/math.js") == 0) {
			rc = diag_add(c->d, c->file, line,
			              "the math plugin loads MathJax or KaTeX from a CDN, so it "
			              "cannot work offline");
			goto out;
		}
		if (rt_use(c->dk->rt, rel) != 0) {
			rc = diag_add(c->d, c->file, line, "'%s': reveal.js %s has no file %s", v,
			              c->dk->rt->version, rel);
			goto out;
		}
		sb_put(c->rewrite, c->html + c->copied, r->off - c->copied);
		sb_str(c->rewrite, c->dk->rt->prefix);
		sb_str(c->rewrite, rel);
		c->copied = r->off + r->len;
		goto out;
	}
	rc = deck_ref(c->dk, c->file, line, v, c->base, c->d);
out:
	if (rc)
		c->errors++;
	free(v);
	return 0; /* on to the next: every error of a page in one run */
}

int deck_check_refs(struct deck *dk, const char *file, const char *base, const char *html,
                    size_t len, const char *src, size_t src_len, int src_line0, bool exact,
                    struct sbuf *rewrite, struct diag *d)
{
	struct refctx c = {0};

	c.dk = dk;
	c.file = file;
	c.base = base;
	c.html = html;
	c.src = src;
	c.src_len = src_len;
	c.src_line0 = src_line0;
	c.exact = exact;
	c.rewrite = rewrite;
	c.d = d;
	html_scan(html, len, on_ref, &c);
	if (rewrite)
		sb_put(rewrite, html + c.copied, len - c.copied);
	return c.errors;
}

/* ---- decks and their files ---- */

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcasecmp(s + n - k, tail) == 0;
}

/* A style sheet among the files: @import rules that load from other hosts
 * (web fonts, mostly) are removed with a warning, as from reveal.js's themes,
 * and its url() and other @import are checked like the page's, relative to
 * where it is served. */
static void check_css_file(struct deck *dk, struct bset *out, struct bfile *f, const char *fs,
                           struct diag *d)
{
	const char *p = (const char *)f->data, *at;
	size_t len, from = 0;
	uint8_t *stripped;
	char *css;

	while (f->len > from && (at = memmem(p + from, f->len - from, "@import", 7)) != NULL) {
		const char *semi = memchr(at, ';', f->len - (size_t)(at - p));
		size_t end = semi ? (size_t)(semi - at) : f->len - (size_t)(at - p);
		if (memmem(at, end, "//", 2))
			diag_warn(
			        fs, text_line_of(p, (size_t)(at - p)),
			        "%.*s: removed, since decks load nothing from outside their server "
			        "(the style falls back to local fonts)",
			        (int)(end < 200 ? end : 200), at);
		from = (size_t)(at - p) + 7;
	}
	stripped = strip_imports(f->data, f->len, &len);
	if (len != f->len) {
		struct bfile keep = *f, *g;
		char *path = strdup(f->path); /* the old entry's is freed by bset_add */
		if (!path)
			abort();
		f->src = NULL; /* kept for the new entry */
		g = bset_add(out, path, stripped, len);
		g->mtime = keep.mtime;
		g->cache = keep.cache;
		g->src = keep.src;
		free(path);
		f = g;
	} else {
		free(stripped);
	}
	css = strndup((const char *)f->data, f->len);
	if (!css)
		abort();
	deck_check_css(dk, fs, f->path, css, f->len, d);
	free(css);
}

/* Every file of the folder (dir) but the deck's own sources, under (prefix)
 * ("/slug/", or "/" for _site/). */
static int add_files(struct deck *dk, const char *dir, const char *rel, const char *prefix,
                     struct bset *out, struct diag *d)
{
	char **v = list_dir(dir);
	size_t i;
	int rc = 0;

	if (!v)
		return diag_add(d, dir, 0, "cannot list: %s", strerror(errno));
	for (i = 0; v[i]; i++) {
		char path[PATH_MAX * 2], sub[PATH_MAX * 2], url[PATH_MAX * 2 + 160];
		struct stat st;
		struct bfile *f;
		snprintf(path, sizeof path, "%s/%s", dir, v[i]);
		snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", v[i]);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc |= add_files(dk, path, sub, prefix, out, d);
			continue;
		}
		if (!S_ISREG(st.st_mode) || strcmp(path, dk->file) == 0 ||
		    (!rel[0] && dk->info.slug[0] && strcmp(v[i], "deck.yaml") == 0))
			continue;
		snprintf(url, sizeof url, "%s%s", prefix, sub);
		{
			/* bset_add_file's error, added to the others (a struct diag is
			 * large: not on the stack of this recursion). */
			struct diag *one = calloc(1, sizeof *one);
			if (!one)
				abort();
			f = bset_add_file(out, url, path, one);
			if (!f)
				rc = diag_add(d, one->file, one->line, "%s", one->msg);
			free(one);
			if (!f)
				continue;
		}
		f->mtime = deck_clamp(dk->o, f->mtime);
		f->cache = STORE_CACHE_REVALIDATE;
		dk->info.n_files++;
		dk->info.bytes += f->len;
		if (ends_with(v[i], ".css"))
			check_css_file(dk, out, f, path, d);
	}
	free_list(v);
	return rc;
}

bool deck_slug_ok(const char *s)
{
	size_t i;

	if (!(s[0] >= 'a' && s[0] <= 'z') && !(s[0] >= '0' && s[0] <= '9'))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return i < sizeof((struct deck_info *)0)->slug;
}

bool deck_is_marp(const struct deck *dk, const struct frontmatter *fm)
{
	/* Marp's own rule: the front matter says marp: true. The engines' half of
	 * issue 16 renders such decks with Marp's engine (deck_md.c branches on
	 * this); until it does, they take the reveal.js path with a warning. */
	const struct fm_kv *kv = fm_get(fm, "marp");

	(void)dk;
	return kv && kv->kind == FM_BOOL && (kv->val[0] == 't' || kv->val[0] == 'T');
}

/* Whether the deck.md at (path) is a Marp deck. */
static bool marp_file(const char *path)
{
	struct diag tmp = {0};
	size_t len;
	char *src = text_read_file(path, &len, &tmp);
	bool yes = src && marp_is_marp(src, len);

	free(src);
	return yes;
}

/* One sub-folder of the decks folder. Returns 1 when it is not a deck. */
static int one_deck(struct deck *dk, const char *name, struct bset *out, struct diag *d)
{
	char md[PATH_MAX + 16], html[PATH_MAX + 16], prefix[160];
	struct stat st;
	int rc;

	snprintf(md, sizeof md, "%s/deck.md", dk->dir);
	snprintf(html, sizeof html, "%s/index.html", dk->dir);
	if (!is_file(md) && !is_file(html)) {
		diag_warn(dk->dir, 0, "not a deck (no deck.md or index.html): skipped");
		return 1;
	}
	if (!deck_slug_ok(name))
		return diag_add(d, dk->dir, 0,
		                "'%s' cannot be a deck's address: rename the folder with "
		                "lower-case letters, digits and '-'",
		                name);
	snprintf(dk->info.slug, sizeof dk->info.slug, "%s", name);
	dk->info.markdown = is_file(md);
	snprintf(dk->file, sizeof dk->file, "%s", dk->info.markdown ? md : html);
	if (stat(dk->file, &st) == 0)
		dk->mtime = deck_clamp(dk->o, st.st_mtime);
	if (dk->info.markdown && marp_file(dk->file))
		rc = deck_marp(dk, out,
		               d); /* `marp: true`: Marp's own engine (tools/deck/marp.h) */
	else
		rc = dk->info.markdown ? deck_md(dk, out, d) : deck_html(dk, out, d);
	snprintf(prefix, sizeof prefix, "/%s/", dk->info.slug);
	rc |= add_files(dk, dk->dir, "", prefix, out, d);
	return rc;
}

/* decks/_site/: files served at /, shared by every deck. They may not take
 * the index's place, a deck's address or the runtime's. */
static void add_site(struct build_ctx *bc, const struct deck_info *infos, size_t n,
                     const struct deck_opts *o, struct bset *out, struct diag *d)
{
	struct deck site;
	struct bset tmp;
	size_t i, k;

	memset(&site, 0, sizeof site);
	site.o = o;
	site.rt = &bc->rt;
	site.bc = bc;
	snprintf(site.dir, sizeof site.dir, "%s", bc->site);
	bset_init(&tmp);
	add_files(&site, bc->site, "", "/", &tmp, d);
	for (i = 0; i < tmp.n; i++) {
		struct bfile *f = &tmp.v[i], *g;
		const char *why = NULL;
		char first[160];
		size_t seg = strcspn(f->path + 1, "/");
		snprintf(first, sizeof first, "%.*s", (int)(seg < 150 ? seg : 150), f->path + 1);
		if (strcmp(f->path, "/index.html") == 0)
			why = "the index of decks is served at /";
		else if (strcmp(first, "_reveal") == 0 || strcmp(first, "_unideck") == 0)
			why = "that is where unideck serves its runtime";
		for (k = 0; !why && k < n; k++)
			if (strcmp(first, infos[k].slug) == 0)
				why = "a deck has that address";
		if (why) {
			diag_add(d, f->src, 0, "_site/ may not hold %s: %s (rename or move it)",
			         f->path, why);
			continue;
		}
		g = bset_add(out, f->path, f->data, f->len);
		g->mapped = f->mapped;
		g->mtime = f->mtime;
		g->cache = f->cache;
		g->src = f->src;
		f->data = NULL;
		f->mapped = false;
		f->src = NULL;
	}
	bset_free(&tmp);
}

int decks_compile(const char *dir, const struct deck_opts *o, struct bset *out, struct diag *d)
{
	struct build_ctx *bc = calloc(1, sizeof *bc);
	struct deck_info *infos = NULL;
	size_t n = 0, i, k;
	int64_t newest = 0;
	unsigned errors0 = d->n;
	char **v;
	int rc = 0;

	if (!bc)
		abort();
	if (rt_open(&bc->rt, o->data_dir, d) != 0) {
		free(bc);
		return -1;
	}
	{
		/* "decks/" and "decks" name the same folder; messages say "decks/x". */
		size_t dl = strlen(dir);
		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		snprintf(bc->dir, sizeof bc->dir, "%.*s", (int)dl, dir);
		dir = bc->dir;
	}
	v = list_dir(dir);
	if (!v) {
		rc = diag_add(d, dir, 0, "cannot read the decks folder: %s", strerror(errno));
		goto done;
	}
	/* _site/ first: a deck whose name sorts before "_site" (a digit or a
	 * capital first, as mirage-decks's 31c3) resolves its absolute paths
	 * against it like any other. */
	for (i = 0; v[i]; i++) {
		struct stat st;
		char sd[PATH_MAX];
		snprintf(sd, sizeof sd, "%s/%s", dir, v[i]);
		if (strcmp(v[i], "_site") == 0 && stat(sd, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(bc->site, sizeof bc->site, "%s", sd);
	}
	for (i = 0; v[i]; i++) {
		struct deck dk;
		struct stat st;
		int r;
		memset(&dk, 0, sizeof dk);
		dk.o = o;
		dk.rt = &bc->rt;
		dk.bc = bc;
		snprintf(dk.dir, sizeof dk.dir, "%s/%s", dir, v[i]);
		if (stat(dk.dir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		if (strcmp(v[i], "_site") == 0)
			continue;
		r = one_deck(&dk, v[i], out, d);
		if (r == 1)
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(infos[k].slug, dk.info.slug) == 0)
				diag_add(d, dk.file, 0,
				         "two decks claim the address /%s/: give one of them "
				         "another "
				         "slug",
				         dk.info.slug);
		if (r != 0 || k < n)
			continue;
		infos = realloc(infos, (n + 1) * sizeof *infos);
		if (!infos)
			abort();
		infos[n++] = dk.info;
		if (dk.mtime > newest)
			newest = dk.mtime;
		if (o->on_deck)
			o->on_deck(o->ctx, &dk.info);
	}
	if (n == 0 && d->n == errors0)
		diag_add(d, dir, 0,
		         "no decks here: a deck is a folder holding deck.md or index.html "
		         "(try `unideck new talk`)");
	if (bc->site[0])
		add_site(bc, infos, n, o, out, d);
	deck_index(infos, n, o, newest, out);
	refs_check_all(bc, infos, n, o, out, d);
	if (d->n == errors0 && rt_add_all(&bc->rt, o, out, d) == 0)
		add_own_runtime(o, out, d);
	rc = d->n == errors0 ? 0 : -1;
done:
	free_list(v);
	free(infos);
	for (i = 0; i < bc->rt.n_used; i++)
		free(bc->rt.used[i]);
	free(bc->rt.used);
	refs_free(bc);
	free(bc);
	return rc;
}
