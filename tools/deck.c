/* SPDX-License-Identifier: MIT */
/* The deck compiler's driver: decks, their files, the runtime, and URL checks. */
#include "tools/deck_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "tools/htmlscan.h"
#include "tools/text.h"

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
	const char *html;
	const char *src;
	size_t src_len;
	int src_line0;
	struct sbuf *rewrite;
	size_t copied; /* bytes of html already copied to rewrite */
	struct diag *d;
};

static int ref_line(const struct refctx *c, const char *v, size_t n)
{
	const char *at = n ? memmem(c->src, c->src_len, v, n) : NULL;

	return at ? c->src_line0 + text_line_of(c->src, (size_t)(at - c->src)) - 1 : c->src_line0;
}

static bool starts(const char *v, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && strncasecmp(v, prefix, k) == 0;
}

static bool external(const char *v, size_t n)
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

/* Percent-decode a relative URL's path part into (out); false when it is bad
 * or climbs out of the deck's folder. */
static bool local_path(const char *v, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int depth = 0;
	size_t k, len;

	for (i = 0; i < n && v[i] != '?' && v[i] != '#'; i++) {
		char ch = v[i];
		if (ch == '%' && i + 2 < n && isxdigit((unsigned char)v[i + 1]) &&
		    isxdigit((unsigned char)v[i + 2])) {
			char hex[3] = {v[i + 1], v[i + 2], 0};
			ch = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		if (ch == 0 || o + 1 >= cap)
			return false;
		out[o++] = ch;
	}
	out[o] = 0;
	/* Count the depth: ".." may not go above the deck's folder. */
	for (k = 0; k < o; k += len + 1) {
		for (len = 0; k + len < o && out[k + len] != '/'; len++)
			;
		if (len == 2 && out[k] == '.' && out[k + 1] == '.')
			depth--;
		else if (len && !(len == 1 && out[k] == '.'))
			depth++;
		if (depth < 0)
			return false;
	}
	return o > 0;
}

static int check_local(struct refctx *c, const char *v, size_t n, const char *rest, size_t rn)
{
	char rel[PATH_MAX], path[PATH_MAX * 2 + 2];

	if (!local_path(rest, rn, rel, sizeof rel))
		return diag_fail(c->d, c->dk->file, ref_line(c, v, n),
		                 "'%.*s' points outside the deck's folder", (int)n, v);
	snprintf(path, sizeof path, "%s/%s", c->dk->dir, rel);
	if (!is_file(path))
		return diag_fail(c->d, c->dk->file, ref_line(c, v, n),
		                 "'%.*s' does not exist (looked for %s)", (int)n, v, path);
	return 0;
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
	const char *v = c->html + r->off;
	size_t n = r->len, slug_len = strlen(c->dk->info.slug);
	char rel[PATH_MAX];

	if (n == 0 || v[0] == '#' || starts(v, n, "data:") || starts(v, n, "blob:") ||
	    starts(v, n, "about:") || starts(v, n, "javascript:"))
		return 0;
	if (strcmp(r->attr, "data-background") == 0 && is_colour(v, n))
		return 0;
	if (c->rewrite && (r->attr[0] == 's' || r->attr[0] == 'h') &&
	    runtime_rel(v, n, rel, sizeof rel) &&
	    (external(v, n) || v[0] == '/' || check_local(c, v, n, v, n) != 0)) {
		if (strcmp(rel, "plugin/math.js") == 0)
			return diag_fail(c->d, c->dk->file, ref_line(c, v, n),
			                 "the math plugin loads MathJax or KaTeX from a CDN, so it "
			                 "cannot work offline");
		if (rt_use(c->dk->rt, rel) != 0)
			return diag_fail(c->d, c->dk->file, ref_line(c, v, n),
			                 "'%.*s': reveal.js %s has no file %s", (int)n, v,
			                 c->dk->rt->version, rel);
		sb_put(c->rewrite, c->html + c->copied, r->off - c->copied);
		sb_str(c->rewrite, c->dk->rt->prefix);
		sb_str(c->rewrite, rel);
		c->copied = r->off + r->len;
		return 0;
	}
	if (external(v, n))
		return diag_fail(c->d, c->dk->file, ref_line(c, v, n),
		                 "'%.*s' is loaded from outside the server; decks are offline by "
		                 "construction: download it into the deck's folder",
		                 (int)n, v);
	if (v[0] == '/') {
		/* Our own deck's files by absolute path; the runtime and other decks'
		 * files are the server's business. */
		if (n > slug_len + 2 && v[1 + slug_len] == '/' &&
		    memcmp(v + 1, c->dk->info.slug, slug_len) == 0)
			return check_local(c, v, n, v + slug_len + 2, n - slug_len - 2);
		return 0;
	}
	return check_local(c, v, n, v, n);
}

int deck_check_refs(struct deck *dk, const char *html, size_t len, const char *src, size_t src_len,
                    int src_line0, struct sbuf *rewrite, struct diag *d)
{
	struct refctx c = {dk, html, src, src_len, src_line0, rewrite, 0, d};
	int rc = html_scan(html, len, on_ref, &c);

	if (rc == 0 && rewrite)
		sb_put(rewrite, html + c.copied, len - c.copied);
	return rc;
}

/* ---- decks and their files ---- */

/* Every file of the deck's folder but its page source, under /<slug>/. */
static int add_assets(struct deck *dk, const char *dir, const char *rel, struct bset *out,
                      struct diag *d)
{
	char **v = list_dir(dir);
	size_t i;
	int rc = 0;

	if (!v)
		return diag_fail(d, dir, 0, "cannot list: %s", strerror(errno));
	for (i = 0; v[i] && rc == 0; i++) {
		char path[PATH_MAX * 2], sub[PATH_MAX * 2], url[PATH_MAX * 2 + 160];
		struct stat st;
		struct bfile *f;
		snprintf(path, sizeof path, "%s/%s", dir, v[i]);
		snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", v[i]);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = add_assets(dk, path, sub, out, d);
			continue;
		}
		if (!S_ISREG(st.st_mode) || strcmp(path, dk->file) == 0)
			continue;
		snprintf(url, sizeof url, "/%s/%s", dk->info.slug, sub);
		f = bset_add_file(out, url, path, d);
		if (!f) {
			rc = -1;
			break;
		}
		f->mtime = deck_clamp(dk->o, f->mtime);
		f->cache = STORE_CACHE_REVALIDATE;
		dk->info.n_files++;
		dk->info.bytes += f->len;
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

/* One sub-folder of the decks folder. Returns 1 when it is not a deck. */
static int one_deck(struct deck *dk, const char *name, struct bset *out, struct diag *d)
{
	char md[PATH_MAX + 16], html[PATH_MAX + 16];
	struct stat st;
	int rc;

	snprintf(md, sizeof md, "%s/deck.md", dk->dir);
	snprintf(html, sizeof html, "%s/index.html", dk->dir);
	if (!is_file(md) && !is_file(html)) {
		diag_warn(dk->dir, 0, "not a deck (no deck.md or index.html): skipped");
		return 1;
	}
	if (!deck_slug_ok(name))
		return diag_fail(d, dk->dir, 0,
		                 "'%s' cannot be a deck's address: rename the folder with "
		                 "lower-case letters, digits and '-'",
		                 name);
	snprintf(dk->info.slug, sizeof dk->info.slug, "%s", name);
	dk->info.markdown = is_file(md);
	snprintf(dk->file, sizeof dk->file, "%s", dk->info.markdown ? md : html);
	if (stat(dk->file, &st) == 0)
		dk->mtime = deck_clamp(dk->o, st.st_mtime);
	rc = dk->info.markdown ? deck_md(dk, out, d) : deck_html(dk, out, d);
	if (rc == 0)
		rc = add_assets(dk, dk->dir, "", out, d);
	return rc;
}

int decks_compile(const char *dir, const struct deck_opts *o, struct bset *out, struct diag *d)
{
	struct runtime rt;
	struct deck_info *infos = NULL;
	size_t n = 0, i, k;
	int64_t newest = 0;
	char **v;
	int rc = 0;

	if (rt_open(&rt, o->data_dir, d) != 0)
		return -1;
	{
		/* "decks/" and "decks" name the same folder; messages say "decks/x". */
		static char clean[PATH_MAX - 256];
		size_t dl = strlen(dir);
		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		snprintf(clean, sizeof clean, "%.*s", (int)dl, dir);
		dir = clean;
	}
	v = list_dir(dir);
	if (!v) {
		rc = diag_fail(d, dir, 0, "cannot read the decks folder: %s", strerror(errno));
		goto done;
	}
	for (i = 0; v[i] && rc == 0; i++) {
		struct deck dk;
		struct stat st;
		int r;
		memset(&dk, 0, sizeof dk);
		dk.o = o;
		dk.rt = &rt;
		snprintf(dk.dir, sizeof dk.dir, "%s/%s", dir, v[i]);
		if (stat(dk.dir, &st) != 0 || !S_ISDIR(st.st_mode))
			continue;
		r = one_deck(&dk, v[i], out, d);
		if (r < 0)
			rc = -1;
		if (r != 0)
			continue;
		for (k = 0; k < n; k++)
			if (strcmp(infos[k].slug, dk.info.slug) == 0) {
				rc = diag_fail(d, dk.file, 0,
				               "two decks claim the address /%s/: give one of them "
				               "another slug",
				               dk.info.slug);
				break;
			}
		if (rc)
			break;
		infos = realloc(infos, (n + 1) * sizeof *infos);
		if (!infos)
			abort();
		infos[n++] = dk.info;
		if (dk.mtime > newest)
			newest = dk.mtime;
		if (o->on_deck)
			o->on_deck(o->ctx, &dk.info);
	}
	if (rc == 0 && n == 0)
		rc = diag_fail(d, dir, 0,
		               "no decks here: a deck is a folder holding deck.md or index.html "
		               "(try `unideck new talk`)");
	if (rc == 0)
		rc = rt_add_all(&rt, o, out, d);
	if (rc == 0)
		rc = add_own_runtime(o, out, d);
	if (rc == 0)
		deck_index(infos, n, o, newest, out);
done:
	free_list(v);
	free(infos);
	for (i = 0; i < rt.n_used; i++)
		free(rt.used[i]);
	free(rt.used);
	return rc;
}
