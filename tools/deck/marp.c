/* SPDX-License-Identifier: MIT */
/* Marp decks: Marp's rendering (tools/deck/marp.mjs) inside a reveal.js page. */
#include "tools/deck/marp.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/deck/math.h"
#include "tools/deck/node.h"
#include "tools/util/text.h"

#define MARP_TIMEOUT 120 /* seconds for one deck */

bool marp_is_marp(const char *src, size_t len)
{
	const char *p = src, *end = src + len;

	if (len >= 3 && (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbb) /* BOM */
		p += 3;
	if (end - p < 4 || strncmp(p, "---", 3) != 0 || (p[3] != '\n' && p[3] != '\r'))
		return false;
	p = memchr(p, '\n', (size_t)(end - p));
	while (p && ++p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *v;
		if (e - p >= 3 && strncmp(p, "---", 3) == 0)
			return false;
		if (e - p > 5 && strncmp(p, "marp:", 5) == 0) {
			for (v = p + 5; v < e && (*v == ' ' || *v == '\t'); v++)
				;
			if (e - v >= 4 && strncmp(v, "true", 4) == 0) {
				for (v += 4; v < e && isspace((unsigned char)*v); v++)
					;
				return v == e || *v == '#';
			}
			return false;
		}
		p = nl;
	}
	return false;
}

/* The records of marp.mjs: a letter, text, NUL. */
struct marp_out {
	const char *rec[128];
	size_t len[128];
	char key[128];
	size_t n;
};

static void split(const char *p, size_t n, struct marp_out *m)
{
	const char *end = p + n;

	m->n = 0;
	while (p < end && m->n < 128) {
		const char *z = memchr(p, 0, (size_t)(end - p));
		if (!z)
			break;
		if (z > p) {
			m->key[m->n] = *p;
			m->rec[m->n] = p + 1;
			m->len[m->n] = (size_t)(z - p - 1);
			m->n++;
		}
		p = z + 1;
	}
}

static const char *get(const struct marp_out *m, char key, size_t *len)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->key[i] == key) {
			if (len)
				*len = m->len[i];
			return m->rec[i];
		}
	return NULL;
}

static void copy_field(char *dst, size_t cap, const struct marp_out *m, char key)
{
	size_t n;
	const char *v = get(m, key, &n);

	if (!v)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, v, n);
	dst[n] = 0;
}

/* "LINE<tab>message" */
static int rec_line(const char *r, const char **msg)
{
	const char *tab = strchr(r, '\t');

	*msg = tab ? tab + 1 : r;
	return tab ? atoi(r) : 0;
}

static void page(struct deck *dk, const struct marp_out *m, const char *marp_ver, struct sbuf *b)
{
	const char *pre = dk->rt->prefix, *body, *lang = get(m, 'L', NULL);
	size_t blen = 0;
	int w = atoi(get(m, 'W', NULL) ? get(m, 'W', NULL) : "1280");
	int h = atoi(get(m, 'H', NULL) ? get(m, 'H', NULL) : "720");

	body = get(m, 'B', &blen);
	sb_str(b, "<!DOCTYPE html>\n<html lang=\"");
	sb_html(b, lang ? lang : "en", lang ? strlen(lang) : 2); /* records end in NUL */
	sb_str(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	          "<meta name=\"viewport\" content=\"width=device-width, "
	          "initial-scale=1.0\">\n<title>");
	sb_html(b, dk->info.title, strlen(dk->info.title));
	sb_str(b, "</title>\n");
	if (dk->info.author[0]) {
		sb_str(b, "<meta name=\"author\" content=\"");
		sb_html(b, dk->info.author, strlen(dk->info.author));
		sb_str(b, "\">\n");
	}
	sb_str(b, "<meta property=\"og:title\" content=\"");
	sb_html(b, dk->info.title, strlen(dk->info.title));
	sb_str(b, "\">\n<meta property=\"og:type\" content=\"website\">\n"
	          "<meta name=\"generator\" content=\"unideck " UD_VERSION " with Marp\">\n");
	rt_use(dk->rt, "reset.css");
	rt_use(dk->rt, "reveal.css");
	sb_printf(b, "<link rel=\"stylesheet\" href=\"%sreset.css\">\n", pre);
	sb_printf(b, "<link rel=\"stylesheet\" href=\"%sreveal.css\">\n", pre);
	/* Each slide is Marp's, whole: no padding, no centring, no inherited text
	 * style from reveal.js into Marp's shadow root. */
	sb_printf(b,
	          "<style>\nhtml,body,.reveal-viewport{background:#000}\n"
	          ".reveal .slides>section.unideck-marp{padding:0;margin:0;top:0;left:0;"
	          "width:%dpx;height:%dpx}\n"
	          ".unideck-marp-host{all:initial;display:block;width:100%%;height:100%%}\n"
	          ".unideck-marp-fragment{display:none}\n</style>\n",
	          w, h);
	sb_str(b, "</head>\n<body>\n<div class=\"reveal\">\n<div class=\"slides\">\n");
	if (body)
		sb_put(b, body, blen);
	rt_use(dk->rt, "reveal.js");
	rt_use(dk->rt, "plugin/notes.js");
	sb_printf(b, "\n</div>\n</div>\n<script src=\"%sreveal.js\"></script>\n", pre);
	sb_printf(b, "<script src=\"%splugin/notes.js\"></script>\n", pre);
	sb_printf(b, "<script src=\"/_marp/%s/browser.js\"></script>\n", marp_ver);
	sb_printf(b,
	          "<script>\nReveal.initialize({\n  hash: true,\n  width: %d,\n  height: %d,\n"
	          "  margin: 0,\n  center: false,\n  controls: false,\n  progress: false,\n"
	          "  transition: \"none\",\n  pdfMaxPagesPerSlide: 1,\n  plugins: [RevealNotes]\n"
	          "});\n</script>\n",
	          w, h);
	sb_str(b, "<script src=\"/_unideck/marp.js\"></script>\n"
	          "<script src=\"/_unideck/deck.js\"></script>\n");
	deck_dev_scripts(dk->o, b);
	sb_str(b, "</body>\n</html>\n");
}

/* The version of marp-core, from its package.json. */
static int marp_version(const char *data_dir, char *v, struct diag *d)
{
	char pkg[PATH_MAX + 64];
	struct diag tmp = {0};
	size_t len;
	char *json, *at;

	snprintf(pkg, sizeof pkg, "%s/node_modules/@marp-team/marp-core/package.json", data_dir);
	json = text_read_file(pkg, &len, &tmp);
	if (!json)
		return diag_fail(d, pkg, 0, "Marp is not installed: run `npm ci` in %s", data_dir);
	at = strstr(json, "\"version\"");
	at = at ? strchr(at + 9, '"') : NULL;
	if (!at || sscanf(at + 1, "%31[0-9A-Za-z.+-]", v) != 1) {
		free(json);
		return diag_fail(d, pkg, 0, "no version in marp-core's package.json");
	}
	free(json);
	return 0;
}

static struct bfile *add_page_file(struct deck *dk, struct bset *out, const char *url,
                                   struct sbuf *data, const char *type)
{
	size_t len;
	uint8_t *p = (uint8_t *)sb_take(data, &len);
	struct bfile *f = bset_add(out, url, p, len);

	f->type = strdup(type);
	f->cache = STORE_CACHE_REVALIDATE;
	f->mtime = dk->mtime;
	f->src = strdup(dk->file);
	dk->info.n_files++;
	dk->info.bytes += len;
	return f;
}

static int add_marp_runtime(struct deck *dk, const char *ver, struct bset *out, struct diag *d)
{
	char src[PATH_MAX + 96], url[128];
	struct bfile *f;

	snprintf(url, sizeof url, "/_marp/%s/browser.js", ver);
	if (bset_find(out, url))
		return 0;
	snprintf(src, sizeof src, "%s/node_modules/@marp-team/marp-core/lib/browser.js",
	         dk->o->data_dir);
	f = bset_add_file(out, url, src, d);
	if (!f)
		return -1;
	f->cache = STORE_CACHE_IMMUTABLE; /* the version is in the path */
	f->mtime = deck_clamp(dk->o, f->mtime);
	return 0;
}

int deck_marp(struct deck *dk, struct bset *out, struct diag *d)
{
	struct sbuf res = {0}, err = {0}, html = {0}, css = {0};
	struct marp_out m;
	char marp_ver[32], katex_ver[32], css_url[300], fonts[96], url[300];
	const char *args[4], *r, *msg;
	size_t i, blen = 0, clen = 0;
	int st, rc = 0;

	size_t src_len = 0;
	char *src = text_read_file(dk->file, &src_len, d);

	if (!src)
		return -1;
	snprintf(dk->info.title, sizeof dk->info.title, "%s", dk->info.slug);
	if (text_utf8_check(src, src_len, dk->file, d) != 0 ||
	    marp_version(dk->o->data_dir, marp_ver, d) != 0 ||
	    math_katex_version(dk->o->data_dir, katex_ver, sizeof katex_ver, d) != 0) {
		free(src);
		return -1;
	}
	snprintf(fonts, sizeof fonts, "/_katex/%s/fonts", katex_ver);
	args[0] = dk->file;
	snprintf(css_url, sizeof css_url, "/_marp/decks/%s.css", dk->info.slug);
	args[1] = css_url;
	args[2] = fonts;
	args[3] = NULL;
	st = node_run(dk->o->data_dir, "marp.mjs", args, NULL, 0, &res, &err, MARP_TIMEOUT);
	split(res.p ? res.p : "", res.len, &m);
	for (i = 0; i < m.n; i++) {
		char line[4096];
		snprintf(line, sizeof line, "%.*s", (int)m.len[i], m.rec[i]);
		if (m.key[i] == '!') {
			int ln = rec_line(line, &msg);
			diag_warn(dk->file, ln, "%s", msg);
		} else if (m.key[i] == 'E' && rc == 0) {
			int ln = rec_line(line, &msg);
			rc = diag_fail(d, dk->file, ln, "%s", msg);
		}
	}
	if (rc == 0 && (st != 0 || !get(&m, 'B', NULL)))
		rc = diag_fail(d, dk->file, 0, "Marp did not render this deck: %s",
		               err.p ? err.p : "no message");
	if (rc == 0) {
		const char *b = get(&m, 'B', &blen);
		copy_field(dk->info.title, sizeof dk->info.title, &m, 'T');
		copy_field(dk->info.author, sizeof dk->info.author, &m, 'A');
		copy_field(dk->info.date, sizeof dk->info.date, &m, 'D');
		copy_field(dk->info.venue, sizeof dk->info.venue, &m, 'V');
		dk->info.n_slides = (size_t)atol(get(&m, 'N', NULL) ? get(&m, 'N', NULL) : "0");
		/* Everything Marp's slides load must be here, and nothing remote. */
		char base[160];
		snprintf(base, sizeof base, "/%s/", dk->info.slug);
		rc = deck_check_refs(dk, dk->file, base, b, blen, src, src_len, 1, false, NULL, d);
	}
	if (rc == 0) {
		r = get(&m, 'C', &clen);
		sb_put(&css, r, clen);
		add_page_file(dk, out, css_url, &css, "text/css; charset=utf-8");
		page(dk, &m, marp_ver, &html);
		snprintf(url, sizeof url, "/%s/index.html", dk->info.slug);
		add_page_file(dk, out, url, &html, "text/html; charset=utf-8")->flags =
		        STORE_E_HTML | STORE_E_DECK;
		rc = add_marp_runtime(dk, marp_ver, out, d);
	}
	if (rc == 0 && memmem(get(&m, 'C', NULL), clen, "/_katex/", 8))
		rc = math_add_assets(dk->o, katex_ver, out, d);
	sb_free(&res);
	sb_free(&err);
	sb_free(&html);
	sb_free(&css);
	free(src);
	return rc;
}
