/* SPDX-License-Identifier: MIT */
/* Raw reveal.js decks: served as written, with the runtime's paths resolved. */
#include "tools/deck/deck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/deck/htmlscan.h"
#include "tools/deck/mdrender.h"
#include "tools/util/text.h"

/* Remove <aside class="notes">...</aside> for a public build. */
static void strip_notes(struct sbuf *page)
{
	struct sbuf out = {0};
	const char *p = page->p, *end;

	if (!p)
		return;
	end = p + page->len;
	for (;;) {
		const char *a = strstr(p, "<aside"), *close, *gt;
		if (!a)
			break;
		gt = strchr(a, '>');
		close = gt ? strstr(gt, "</aside>") : NULL;
		if (!gt || !close || !memmem(a, (size_t)(gt - a), "notes", 5)) {
			sb_put(&out, p, (size_t)(a + 6 - p));
			p = a + 6;
			continue;
		}
		sb_put(&out, p, (size_t)(a - p));
		p = close + 8;
	}
	sb_put(&out, p, (size_t)(end - p));
	sb_free(page);
	*page = out;
}

/* Where <head ...> ends in (p), or NULL: not <header>, in any case. */
static const char *after_head(const char *p)
{
	const char *h;

	for (h = p ? strcasestr(p, "<head") : NULL; h; h = strcasestr(h + 5, "<head")) {
		if (h[5] == '>' || h[5] == ' ' || h[5] == '\t' || h[5] == '\n' || h[5] == '\r') {
			const char *gt = strchr(h, '>');
			return gt ? gt + 1 : NULL;
		}
	}
	return NULL;
}

/* runtime/present.js first of all, right after <head> (else at the very start),
 * so it takes #present=TOKEN out of the address before the deck's own reveal.js
 * reads the fragment; unideck's deck script (live follow) and, in previews, the
 * live-reload one before </body>, or at the end. */
static void add_scripts(const struct deck *dk, struct sbuf *page)
{
	struct sbuf s = {0}, out = {0};
	const char *p = page->p ? page->p : "", *end = p + page->len;
	const char *head = after_head(page->p), *body;

	sb_str(&s, "<script src=\"/_unideck/deck.js\"></script>\n");
	deck_dev_scripts(dk->o, &s);
	if (head) {
		sb_put(&out, p, (size_t)(head - p));
		p = head;
	}
	sb_str(&out, "<script src=\"/_unideck/present.js\"></script>\n");
	body = strstr(p, "</body>");
	if (!body)
		body = end;
	sb_put(&out, p, (size_t)(body - p));
	sb_put(&out, s.p, s.len);
	sb_put(&out, body, (size_t)(end - body));
	sb_free(page);
	sb_free(&s);
	*page = out;
}

/* ---- in-page and external Markdown ---- */

/* reveal.js's Markdown plugin's reading of an in-page template: the common
 * indentation of its first line removed from every line (tabs if it starts with
 * tabs, else spaces when more than one), __SCRIPT_END__ back to </script>. */
static char *template_text(const char *p, size_t n, bool textarea)
{
	size_t len, i = 0, ind = 0, o = 0;
	char *raw = textarea ? text_html_decode(p, n, &len) : strndup(p, n), *out;
	char c;

	if (!raw)
		abort();
	len = strlen(raw);
	out = malloc(len + 1);
	if (!out)
		abort();
	if (raw[0] == '\n')
		i = 1;
	c = raw[i] == '\t' ? '\t' : ' ';
	while (raw[i + ind] == c)
		ind++;
	if (c == ' ' && ind < 2)
		ind = 0;
	for (i = 0; i < len;) {
		size_t k = 0;
		if (i == 0 || raw[i - 1] == '\n')
			while (k < ind && raw[i + k] == c)
				k++;
		i += k;
		if (strncmp(raw + i, "__SCRIPT_END__", 14) == 0) {
			memcpy(out + o, "</script>", 9); /* 9 < 14: never longer */
			o += 9;
			i += 14;
			continue;
		}
		out[o++] = raw[i++];
	}
	out[o] = 0;
	free(raw);
	return out;
}

/* An attribute of a start tag, decoded, or NULL. */
static char *attr_of(const char *page, const struct html_tag *t, const char *name)
{
	size_t vs, ve, n;

	if (!html_attr(page, t, name, &vs, &ve))
		return NULL;
	return text_html_decode(page + vs, ve - vs, &n);
}

/* Render Markdown (md, NUL-terminated, CR-free) as reveal.js's plugin would,
 * checking what each slide loads; returns how many slides it makes. Errors name
 * (file); (src, src_len, line0) is where the text is written, for lines. Sets
 * (*has_notes) when a slide has speaker notes. */
static size_t md_slides(struct deck *dk, const char *md, const struct sep_src *ss, const char *file,
                        const char *src, size_t src_len, int line0, bool exact, bool *has_notes,
                        struct diag *d)
{
	struct seps seps;
	struct slides sl = {0};
	char base[160];
	size_t i, n;

	if (seps_compile(&seps, ss, file, d) != 0)
		return 1;
	snprintf(base, sizeof base, "/%s/", dk->info.slug);
	seps_split(&seps, md, strlen(md), line0, &sl);
	for (i = 0; i < sl.n; i++) {
		struct md_out out = {0};
		const char *ntext;
		if (seps_notes(&seps, sl.v[i].p, sl.v[i].len, &ntext))
			*has_notes = true;
		if (mdrender(sl.v[i].p, sl.v[i].len, &out) == 0 && out.html.p)
			deck_check_refs(dk, file, base, out.html.p, out.html.len,
			                exact ? sl.v[i].p : src, exact ? sl.v[i].len : src_len,
			                exact ? sl.v[i].line : line0, false, NULL, d);
		sb_free(&out.html);
		sb_free(&out.section_attrs);
	}
	n = sl.n ? sl.n : 1;
	free(sl.v);
	seps_free(&seps);
	return n;
}

/* The walk over the page's tags: slides counted, Markdown sections read. */
struct walk {
	struct deck *dk;
	const char *page;
	size_t len;
	struct diag *d;
	size_t slides;
	int depth;
	bool parent[64];
	size_t md_count[64]; /* a data-markdown section's slides (0: not one) */
	/* data-visibility: "hidden" sections (and all inside) are removed by
	 * reveal.js, "uncounted" ones are not among its slides */
	bool hidden[64], uncounted[64];
	bool has_notes; /* some of that Markdown has speaker notes */
	int md_open;    /* depth of an inline data-markdown section awaiting its template */
	struct sep_src ss;
	char *sep, *vsep, *notes; /* its separators as written (owned) */
};

static void seps_of(struct walk *w, const struct html_tag *t)
{
	free(w->sep);
	free(w->vsep);
	free(w->notes);
	w->sep = attr_of(w->page, t, "data-separator");
	w->vsep = attr_of(w->page, t, "data-separator-vertical");
	w->notes = attr_of(w->page, t, "data-separator-notes");
	/* reveal.js 2.x's names for the same. */
	if (!w->vsep)
		w->vsep = attr_of(w->page, t, "data-vertical");
	if (!w->notes)
		w->notes = attr_of(w->page, t, "data-notes");
	memset(&w->ss, 0, sizeof w->ss);
	w->ss.sep = w->sep && w->sep[0] ? w->sep : SEP_REVEAL;
	w->ss.vsep = w->vsep && w->vsep[0] ? w->vsep : NULL;
	w->ss.notes = w->notes && w->notes[0] ? w->notes : NOTES_REVEAL;
	w->ss.sep_line = w->ss.vsep_line = w->ss.notes_line = text_line_of(w->page, t->off);
}

/* <section data-markdown="file.md">: the file, split and rendered. */
static size_t external_md(struct walk *w, const char *url)
{
	struct deck *dk = w->dk;
	char fs[PATH_MAX * 2], base[160];
	struct diag none = {0};
	size_t len, n;
	char *md;

	/* A file that is not there, or not ours, is the reference check's error. */
	snprintf(base, sizeof base, "/%s/", dk->info.slug);
	if (!deck_source(dk, base, url, fs, sizeof fs))
		return 1;
	md = text_read_file(fs, &len, &none);
	if (!md)
		return 1;
	if (text_utf8_check(md, len, fs, w->d) != 0) {
		free(md);
		return 1;
	}
	{
		size_t i, o = 0;
		for (i = 0; i < len; i++)
			if (!(md[i] == '\r' && i + 1 < len && md[i + 1] == '\n'))
				md[o++] = md[i];
		md[o] = 0;
	}
	n = md_slides(dk, md, &w->ss, fs, md, strlen(md), 1, true, &w->has_notes, w->d);
	free(md);
	return n;
}

/* reveal.js's Markdown plugin reads the first <script> of the section, of any
 * type, but the browser has already run one of a JavaScript type (or with no
 * type: mirage-decks's t2review14 writes `<script type"text/template">` four
 * times), and each throws. The slide still shows, so say it. */
static void script_template_type(struct walk *w, const struct html_tag *t)
{
	char *type = attr_of(w->page, t, "type");
	size_t vs, ve;

	if (html_attr(w->page, t, "src", &vs, &ve)) {
		free(type);
		return;
	}
	if (!type || !type[0] || strcasestr(type, "javascript") || strcasestr(type, "ecmascript") ||
	    !strcasecmp(type, "module"))
		diag_warn(w->dk->file, text_line_of(w->page, t->off),
		          "%.*s: the browser runs this Markdown as JavaScript (and it throws) "
		          "before reveal.js renders it: write <script type=\"text/template\">",
		          (int)(t->end - t->off < 80 ? t->end - t->off : 80), w->page + t->off);
	free(type);
}

static int on_tag(void *ctx, const struct html_tag *t)
{
	struct walk *w = ctx;

	if (!strcmp(t->name, "section")) {
		if (!t->closing) {
			char *md = attr_of(w->page, t, "data-markdown");
			if (w->depth > 0 && w->depth <= 64)
				w->parent[w->depth - 1] = true;
			if (w->depth < 64) {
				char *vis = attr_of(w->page, t, "data-visibility");
				w->parent[w->depth] = false;
				w->md_count[w->depth] = 0;
				w->hidden[w->depth] = (vis && !strcmp(vis, "hidden")) ||
				                      (w->depth > 0 && w->hidden[w->depth - 1]);
				w->uncounted[w->depth] = vis && !strcmp(vis, "uncounted");
				free(vis);
			}
			if (md) {
				seps_of(w, t);
				if (md[0] && w->depth < 64)
					w->md_count[w->depth] = external_md(w, md);
				else if (w->depth < 64)
					w->md_open = w->depth + 1;
				free(md);
			}
			w->depth++;
		} else if (w->depth > 0) {
			w->depth--;
			if (w->depth >= 64)
				w->slides++;
			else if (!w->parent[w->depth] && !w->hidden[w->depth] &&
			         !w->uncounted[w->depth])
				w->slides += w->md_count[w->depth] ? w->md_count[w->depth] : 1;
			if (w->md_open == w->depth + 1)
				w->md_open = 0;
		}
		return 0;
	}
	/* The template of an inline Markdown section: its first <script> or
	 * <textarea data-template>. */
	if (w->md_open && w->md_open == w->depth && !t->closing && t->body_end > t->body &&
	    (!strcmp(t->name, "script") || !strcmp(t->name, "textarea"))) {
		bool ta = !strcmp(t->name, "textarea");
		char *md;
		if (!ta)
			script_template_type(w, t);
		md = template_text(w->page + t->body, t->body_end - t->body, ta);
		w->md_count[w->depth - 1] = md_slides(
		        w->dk, md, &w->ss, w->dk->file, w->page + t->body, t->body_end - t->body,
		        text_line_of(w->page, t->body), false, &w->has_notes, w->d);
		w->md_open = 0;
		free(md);
	}
	return 0;
}

/* Count the slides (<section>s holding no <section>; a Markdown section as
 * many as its Markdown makes), and check the Markdown's references. */
static size_t walk_page(struct deck *dk, const char *page, size_t len, struct diag *d)
{
	struct walk w;

	memset(&w, 0, sizeof w);
	w.dk = dk;
	w.page = page;
	w.len = len;
	w.d = d;
	html_tags(page, len, on_tag, &w);
	if (w.has_notes && dk->o->without_notes)
		diag_warn(dk->file, 0,
		          "--without-notes does not reach the speaker notes of Markdown that "
		          "reveal.js renders in the browser (data-markdown): take them out of the "
		          "Markdown for a public copy");
	free(w.sep);
	free(w.vsep);
	free(w.notes);
	return w.slides;
}

/* ---- the index's fields ---- */

/* The text of the first (tag) element, decoded, blanks collapsed. */
static void element_text(const char *p, const char *tag, char *out, size_t cap)
{
	char open[32], close[32];
	const char *t, *e;
	size_t n, i, o = 0;
	char *text;

	out[0] = 0;
	snprintf(open, sizeof open, "<%s", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	t = strcasestr(p, open);
	t = t ? strchr(t, '>') : NULL;
	e = t ? strcasestr(t, close) : NULL;
	if (!t || !e)
		return;
	text = text_html_decode(t + 1, (size_t)(e - t - 1), &n);
	for (i = 0; i < n && o + 1 < cap; i++) {
		bool blank =
		        text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r';
		if (blank && (o == 0 || out[o - 1] == ' '))
			continue;
		out[o++] = blank ? ' ' : text[i];
	}
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = 0;
	free(text);
}

struct mfind {
	const char *page, *name;
	char *out;
	size_t cap;
};

static int meta_tag(void *ctx, const struct html_tag *t)
{
	struct mfind *m = ctx;
	char *n, *c;

	if (t->closing || strcmp(t->name, "meta") != 0)
		return 0;
	n = attr_of(m->page, t, "name");
	if (!n)
		n = attr_of(m->page, t, "property");
	c = n && strcasecmp(n, m->name) == 0 ? attr_of(m->page, t, "content") : NULL;
	if (c)
		snprintf(m->out, m->cap, "%s", c);
	free(n);
	free(c);
	return c != NULL; /* the first one */
}

/* <meta name|property=(name) content="...">, decoded. */
static void meta_content(const char *page, size_t len, const char *name, char *out, size_t cap)
{
	struct mfind m = {page, name, out, cap};

	out[0] = 0;
	html_tags(page, len, meta_tag, &m);
}

/* The title for the index: og:title when the page gives one, else <title>
 * without a site's name after " | " (the usual "Talk | Site" form). */
static void page_title(struct deck *dk, const char *p, size_t len)
{
	char t[sizeof dk->info.title];
	char *bar;

	meta_content(p, len, "og:title", t, sizeof t);
	if (!t[0]) {
		element_text(p, "title", t, sizeof t);
		bar = strstr(t, " | ");
		if (bar && bar > t)
			*bar = 0;
	}
	if (t[0])
		snprintf(dk->info.title, sizeof dk->info.title, "%s", t);
}

/* deck.yaml beside index.html: the index's fields a raw page does not carry. */
static int deck_yaml(struct deck *dk, struct diag *d)
{
	static const char *const keys[] = {"title", "author",      "date", "venue",
	                                   "slug",  "description", "lang"};
	char path[PATH_MAX + 16];
	struct frontmatter fm;
	struct diag none = {0};
	size_t len, i, k;
	char *text;
	int rc;

	snprintf(path, sizeof path, "%s/deck.yaml", dk->dir);
	text = text_read_file(path, &len, &none);
	if (!text)
		return 0;
	rc = text_utf8_check(text, len, path, d);
	if (rc == 0)
		rc = fm_parse_yaml(text, len, path, &fm, d);
	if (rc == 0) {
		rc = deck_meta(dk, &fm, path, d);
		for (i = 0; i < fm.n; i++) {
			for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
				if (!strcmp(fm.v[i].key, keys[k]))
					break;
			if (k == sizeof keys / sizeof keys[0])
				diag_warn(path, fm.v[i].line,
				          "unknown key '%s': deck.yaml takes title, author, date, "
				          "venue, "
				          "slug, description and lang; ignored",
				          fm.v[i].key);
		}
		fm_free(&fm);
	}
	free(text);
	return rc;
}

int deck_html(struct deck *dk, struct bset *out, struct diag *d)
{
	struct sbuf page = {0};
	struct bfile *f;
	uint8_t *data;
	size_t len, plen;
	char *src = text_read_file(dk->file, &len, d);
	char url[200], base[160], meta[256];
	unsigned n0 = d->n;

	if (!src)
		return -1;
	snprintf(dk->info.title, sizeof dk->info.title, "%s", dk->info.slug);
	page_title(dk, src, len);
	meta_content(src, len, "author", meta, sizeof meta);
	snprintf(dk->info.author, sizeof dk->info.author, "%s", meta);
	deck_yaml(dk, d); /* after the page's own: it overrides them */
	if (text_utf8_check(src, len, dk->file, d) == 0) {
		snprintf(base, sizeof base, "/%s/", dk->info.slug);
		deck_check_refs(dk, dk->file, base, src, len, src, len, 1, true, &page, d);
		dk->info.n_slides = walk_page(dk, src, len, d);
	}
	if (d->n == n0) {
		if (dk->o->without_notes)
			strip_notes(&page);
		add_scripts(dk, &page);
		snprintf(url, sizeof url, "/%s/index.html", dk->info.slug);
		data = (uint8_t *)sb_take(
		        &page, &plen); /* before the call: argument order is unspecified */
		f = bset_add(out, url, data, plen);
		f->type = strdup("text/html; charset=utf-8");
		f->flags = STORE_E_HTML | STORE_E_DECK;
		f->cache = STORE_CACHE_REVALIDATE;
		f->mtime = dk->mtime;
		f->src = strdup(dk->file);
		dk->info.n_files++;
		dk->info.bytes += plen;
	}
	sb_free(&page);
	free(src);
	return d->n == n0 ? 0 : -1;
}
