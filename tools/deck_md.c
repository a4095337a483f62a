/* SPDX-License-Identifier: MIT */
/* Markdown decks: front matter, slides and notes, rendered to a reveal.js page. */
#include "tools/deck_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/frontmatter.h"
#include "tools/mdrender.h"
#include "tools/text.h"

static const char *const known_keys[] = {
        "title",      "author",          "date",        "venue", "theme",
        "transition", "highlight-theme", "description", "lang",  "slug",
};

static const char *const transitions[] = {"none", "fade", "slide", "convex", "concave", "zoom"};

/* A slide's text, where it starts in the file, and whether it begins a new
 * horizontal position (else it goes below the previous one). */
struct slide {
	const char *p;
	size_t len;
	int line;
	bool horizontal;
};

struct slides {
	struct slide *v;
	size_t n;
};

static void push_slide(struct slides *s, const char *p, size_t len, int line, bool horizontal)
{
	s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
	if (!s->v)
		abort();
	s->v[s->n].p = p;
	s->v[s->n].len = len;
	s->v[s->n].line = line;
	s->v[s->n].horizontal = horizontal;
	s->n++;
}

/* The line [s, e) made of exactly (n) dashes, trailing blanks aside. */
static bool dashes(const char *s, const char *e, size_t n)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return (size_t)(e - s) == n && strspn(s, "-") >= n;
}

/* A code fence opener or closer: up to three spaces, then ``` or ~~~. Returns
 * the fence length and its character, 0 when the line is not one. */
static size_t fence(const char *s, const char *e, char *ch)
{
	const char *p = s;
	size_t n = 0;

	while (p < e && *p == ' ' && p - s < 3)
		p++;
	if (p < e && (*p == '`' || *p == '~')) {
		*ch = *p;
		while (p + n < e && p[n] == *ch)
			n++;
	}
	return n >= 3 ? n : 0;
}

/* Split on "---" (next slide) and "----" (slide below), never inside fenced
 * code, where such lines are content. */
static void split_slides(const char *body, size_t len, int line0, struct slides *out)
{
	const char *p = body, *end = body + len, *start = body;
	char open_ch = 0, ch;
	size_t open_len = 0, f;
	int line = line0, start_line = line0;
	bool horizontal = true;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if ((f = fence(p, e, &ch)) != 0) {
			if (!open_len) {
				open_len = f;
				open_ch = ch;
			} else if (ch == open_ch && f >= open_len) {
				open_len = 0;
			}
		} else if (!open_len && (dashes(p, e, 3) || dashes(p, e, 4))) {
			push_slide(out, start, (size_t)(p - start), start_line, horizontal);
			horizontal = dashes(p, e, 3);
			start = nl ? nl + 1 : end;
			start_line = line + 1;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	push_slide(out, start, (size_t)(end - start), start_line, horizontal);
}

/* Where the speaker notes begin: a line starting "Note:" or "Notes:" (any
 * case, as reveal.js's Markdown plugin has it), outside fenced code. */
static const char *notes_start(const char *p, size_t len, const char **text)
{
	const char *end = p + len;
	size_t open_len = 0, f;
	char open_ch = 0, ch;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *q = p;
		if ((f = fence(p, e, &ch)) != 0) {
			if (!open_len) {
				open_len = f;
				open_ch = ch;
			} else if (ch == open_ch && f >= open_len) {
				open_len = 0;
			}
		} else if (!open_len) {
			while (q < e && (*q == ' ' || *q == '\t'))
				q++;
			if (e - q >= 5 && strncasecmp(q, "note:", 5) == 0) {
				*text = q + 5;
				return p;
			}
			if (e - q >= 6 && strncasecmp(q, "notes:", 6) == 0) {
				*text = q + 6;
				return p;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

/* Take every "<!-- .slide: ATTRS -->" out of (md) into (attrs); the rest of
 * the slide goes to (rest). Returns -1 with the attribute text when it is not a
 * valid attribute list. */
static int slide_attrs(const char *md, size_t len, struct sbuf *attrs, struct sbuf *rest,
                       const char **bad)
{
	const char *p = md, *end = md + len;

	for (;;) {
		const char *c = memmem(p, (size_t)(end - p), "<!--", 4), *k, *close;
		if (!c)
			break;
		close = memmem(c + 4, (size_t)(end - c - 4), "-->", 3);
		if (!close)
			break;
		for (k = c + 4; k < close && (*k == ' ' || *k == '\t'); k++)
			;
		if ((size_t)(close - k) >= 7 && memcmp(k, ".slide:", 7) == 0) {
			sb_put(rest, p, (size_t)(c - p));
			if (md_attrs(k + 7, (size_t)(close - k - 7), attrs) != 0) {
				*bad = k;
				return -1;
			}
		} else {
			sb_put(rest, p, (size_t)(close + 3 - p));
		}
		p = close + 3;
	}
	sb_put(rest, p, (size_t)(end - p));
	return 0;
}

static int render_slide(struct deck *dk, const struct slide *s, const char *src, struct sbuf *out,
                        struct diag *d)
{
	struct sbuf attrs = {0}, md = {0};
	struct md_out body = {0}, notes = {0};
	const char *ntext = NULL, *nstart, *bad = NULL;
	size_t slen = s->len;
	int rc = 0;

	nstart = notes_start(s->p, s->len, &ntext);
	if (nstart)
		slen = (size_t)(nstart - s->p);
	if (slide_attrs(s->p, slen, &attrs, &md, &bad) != 0) {
		rc = diag_fail(d, dk->file, text_line_of(src, (size_t)(bad - src)),
		               "<!-- .slide: --> holds something that is not an attribute list");
		goto out;
	}
	if (mdrender(md.p ? md.p : "", md.len, &body) != 0 ||
	    (nstart && !dk->o->without_notes &&
	     mdrender(ntext, (size_t)(s->p + s->len - ntext), &notes) != 0)) {
		rc = diag_fail(d, dk->file, s->line, "the Markdown of this slide did not render");
		goto out;
	}
	dk->has_code |= body.has_code;
	sb_str(out, "<section");
	if (attrs.p)
		sb_put(out, attrs.p, attrs.len);
	if (body.section_attrs.p)
		sb_put(out, body.section_attrs.p, body.section_attrs.len);
	sb_str(out, ">\n");
	if (body.html.p)
		sb_put(out, body.html.p, body.html.len);
	if (notes.html.len) {
		sb_str(out, "<aside class=\"notes\">\n");
		sb_put(out, notes.html.p, notes.html.len);
		sb_str(out, "</aside>\n");
	}
	sb_str(out, "</section>\n");
	dk->info.n_slides++;
out:
	sb_free(&attrs);
	sb_free(&md);
	sb_free(&body.html);
	sb_free(&body.section_attrs);
	sb_free(&notes.html);
	sb_free(&notes.section_attrs);
	return rc;
}

static int render_slides(struct deck *dk, const struct frontmatter *fm, const char *src,
                         struct sbuf *out, struct diag *d)
{
	struct slides s = {0};
	size_t i;
	int rc = 0;

	split_slides(fm->body, fm->body_len, fm->body_line, &s);
	for (i = 0; i < s.n && rc == 0; i++) {
		bool stack = i + 1 < s.n && !s.v[i + 1].horizontal;
		if (s.v[i].horizontal && stack)
			sb_str(out, "<section>\n");
		rc = render_slide(dk, &s.v[i], src, out, d);
		if (!s.v[i].horizontal && !stack)
			sb_str(out, "</section>\n");
	}
	free(s.v);
	return rc;
}

static bool is_identifier(const char *s)
{
	size_t i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == '$'))
		return false;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$'))
			return false;
	return true;
}

static bool valid_date(const char *s)
{
	int y, m, dd;
	char tail;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 || s[4] != '-' ||
	    s[7] != '-')
		return false;
	return y >= 1900 && m >= 1 && m <= 12 && dd >= 1 &&
	       dd <= (m == 2 ? ((y % 4 == 0 && y % 100) || y % 400 == 0 ? 29 : 28)
	              : (m == 4 || m == 6 || m == 9 || m == 11) ? 30
	                                                        : 31);
}

static const char *fm_str(const struct frontmatter *fm, const char *key, const char *dflt)
{
	const struct fm_kv *kv = fm_get(fm, key);

	return kv ? kv->val : dflt;
}

/* Check the keys unideck interprets; the info fields are filled from them. */
static int check_front(struct deck *dk, const struct frontmatter *fm, struct diag *d)
{
	const struct fm_kv *kv;
	size_t i;

	if ((kv = fm_get(fm, "slug")) != NULL) {
		/* A short address for a deck whose folder has a long name. */
		if (!deck_slug_ok(kv->val))
			return diag_fail(d, dk->file, kv->line,
			                 "slug '%s' cannot be an address: use lower-case letters, "
			                 "digits and '-'",
			                 kv->val);
		snprintf(dk->info.slug, sizeof dk->info.slug, "%s", kv->val);
	}
	snprintf(dk->info.title, sizeof dk->info.title, "%s", fm_str(fm, "title", dk->info.slug));
	snprintf(dk->info.author, sizeof dk->info.author, "%s", fm_str(fm, "author", ""));
	snprintf(dk->info.venue, sizeof dk->info.venue, "%s", fm_str(fm, "venue", ""));
	if ((kv = fm_get(fm, "date")) != NULL) {
		if (!valid_date(kv->val))
			return diag_fail(d, dk->file, kv->line,
			                 "date '%s' is not a date: write it as YYYY-MM-DD",
			                 kv->val);
		snprintf(dk->info.date, sizeof dk->info.date, "%s", kv->val);
	}
	if ((kv = fm_get(fm, "theme")) != NULL && !rt_theme_exists(dk->rt, kv->val)) {
		struct sbuf names = {0};
		bool local = strlen(kv->val) > 4 && !strcmp(kv->val + strlen(kv->val) - 4, ".css");
		if (!local) {
			rt_theme_list(dk->rt, &names);
			diag_fail(d, dk->file, kv->line,
			          "unknown theme '%s': use one of %s, or a .css file in the deck's "
			          "folder",
			          kv->val, names.p ? names.p : "(none installed)");
			sb_free(&names);
			return -1;
		}
	}
	if ((kv = fm_get(fm, "transition")) != NULL) {
		for (i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
			if (strcmp(kv->val, transitions[i]) == 0)
				break;
		if (i == sizeof transitions / sizeof transitions[0])
			return diag_fail(d, dk->file, kv->line,
			                 "unknown transition '%s': use none, fade, slide, convex, "
			                 "concave or zoom",
			                 kv->val);
	}
	if ((kv = fm_get(fm, "highlight-theme")) != NULL && strcmp(kv->val, "monokai") != 0 &&
	    strcmp(kv->val, "zenburn") != 0)
		return diag_fail(d, dk->file, kv->line,
		                 "unknown highlight-theme '%s': use monokai or zenburn", kv->val);
	for (i = 0; i < fm->n; i++) {
		size_t k;
		for (k = 0; k < sizeof known_keys / sizeof known_keys[0]; k++)
			if (strcmp(fm->v[i].key, known_keys[k]) == 0)
				break;
		if (k == sizeof known_keys / sizeof known_keys[0] && !is_identifier(fm->v[i].key))
			return diag_fail(
			        d, dk->file, fm->v[i].line,
			        "'%s' is neither a unideck key nor a reveal.js option name",
			        fm->v[i].key);
	}
	return 0;
}

/* Reveal.initialize's options: defaults, then the front matter's own. */
static void init_options(const struct deck *dk, const struct frontmatter *fm, struct sbuf *js)
{
	const char *transition = fm_str(fm, "transition", "slide");
	size_t i, k;

	/* hash: a reload (the preview server's, say) keeps the current slide. */
	/* pdfMaxPagesPerSlide: a handout has one page per slide, even a tall one. */
	sb_str(js, "{\n  hash: true,\n  pdfMaxPagesPerSlide: 1,\n  transition: ");
	sb_json(js, transition, strlen(transition));
	sb_str(js, ",\n");
	for (i = 0; i < fm->n; i++) {
		const struct fm_kv *kv = &fm->v[i];
		for (k = 0; k < sizeof known_keys / sizeof known_keys[0]; k++)
			if (strcmp(kv->key, known_keys[k]) == 0)
				break;
		if (k < sizeof known_keys / sizeof known_keys[0] || fm_get(fm, kv->key) != kv)
			continue;
		sb_printf(js, "  %s: ", kv->key);
		if (kv->kind == FM_STRING)
			sb_json(js, kv->val, strlen(kv->val));
		else
			sb_str(js, kv->val);
		sb_str(js, ",\n");
	}
	sb_printf(js, "  plugins: [RevealNotes%s]\n}", dk->has_code ? ", RevealHighlight" : "");
}

static void meta(struct sbuf *b, const char *attr, const char *name, const char *content)
{
	if (!content[0])
		return;
	sb_printf(b, "<meta %s=\"%s\" content=\"", attr, name);
	sb_html(b, content, strlen(content));
	sb_str(b, "\">\n");
}

static void page_head(struct deck *dk, const struct frontmatter *fm, struct sbuf *b)
{
	const char *theme = fm_str(fm, "theme", "black");
	const char *lang = fm_str(fm, "lang", "en");
	const char *pre = dk->rt->prefix;
	char desc[1024], css[128];
	const struct fm_kv *dkv = fm_get(fm, "description");

	snprintf(desc, sizeof desc, "%s%s%s%s%s", dk->info.title, dk->info.venue[0] ? " - " : "",
	         dk->info.venue, dk->info.date[0] ? ", " : "", dk->info.date);
	sb_str(b, "<!DOCTYPE html>\n<html lang=\"");
	sb_html(b, lang, strlen(lang));
	sb_str(b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
	          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">\n"
	          "<title>");
	sb_html(b, dk->info.title, strlen(dk->info.title));
	sb_str(b, "</title>\n");
	meta(b, "name", "author", dk->info.author);
	meta(b, "name", "description", dkv ? dkv->val : desc);
	meta(b, "property", "og:title", dk->info.title);
	meta(b, "property", "og:type", "website");
	meta(b, "property", "og:description", dkv ? dkv->val : desc);
	meta(b, "name", "generator", "unideck " UD_VERSION);
	rt_use(dk->rt, "reset.css");
	rt_use(dk->rt, "reveal.css");
	sb_printf(b, "<link rel=\"stylesheet\" href=\"%sreset.css\">\n", pre);
	sb_printf(b, "<link rel=\"stylesheet\" href=\"%sreveal.css\">\n", pre);
	if (rt_theme_exists(dk->rt, theme)) {
		snprintf(css, sizeof css, "theme/%s.css", theme);
		rt_use(dk->rt, css);
		sb_printf(b, "<link rel=\"stylesheet\" href=\"%s%s\" id=\"theme\">\n", pre, css);
	} else {
		sb_str(b, "<link rel=\"stylesheet\" href=\"");
		sb_html(b, theme, strlen(theme));
		sb_str(b, "\" id=\"theme\">\n");
	}
	if (dk->has_code) {
		snprintf(css, sizeof css, "plugin/highlight/%s.css",
		         fm_str(fm, "highlight-theme", "monokai"));
		rt_use(dk->rt, css);
		sb_printf(b, "<link rel=\"stylesheet\" href=\"%s%s\">\n", pre, css);
	}
	sb_str(b, "</head>\n<body>\n<div class=\"reveal\">\n<div class=\"slides\">\n");
}

static void page_tail(struct deck *dk, const struct frontmatter *fm, struct sbuf *b)
{
	const char *pre = dk->rt->prefix;

	rt_use(dk->rt, "reveal.js");
	rt_use(dk->rt, "plugin/notes.js");
	sb_printf(b, "</div>\n</div>\n<script src=\"%sreveal.js\"></script>\n", pre);
	sb_printf(b, "<script src=\"%splugin/notes.js\"></script>\n", pre);
	if (dk->has_code) {
		rt_use(dk->rt, "plugin/highlight.js");
		sb_printf(b, "<script src=\"%splugin/highlight.js\"></script>\n", pre);
	}
	sb_str(b, "<script>\nReveal.initialize(");
	init_options(dk, fm, b);
	sb_str(b, ");\n</script>\n<script src=\"/_unideck/deck.js\"></script>\n");
	deck_dev_scripts(dk->o, b);
	sb_str(b, "</body>\n</html>\n");
}

int deck_md(struct deck *dk, struct bset *out, struct diag *d)
{
	struct frontmatter fm;
	struct sbuf slides = {0}, page = {0};
	struct bfile *f;
	uint8_t *data;
	size_t len, plen;
	char *src = text_read_file(dk->file, &len, d);
	char url[200];
	int rc;

	if (!src)
		return -1;
	rc = text_utf8_check(src, len, dk->file, d);
	if (rc == 0)
		rc = fm_parse(src, len, dk->file, &fm, d);
	if (rc != 0) {
		free(src);
		return rc;
	}
	rc = check_front(dk, &fm, d);
	if (rc == 0 && !rt_theme_exists(dk->rt, fm_str(&fm, "theme", "black"))) {
		/* A theme of the deck's own: it must be there, and load nothing remote. */
		struct sbuf link = {0};
		const char *t = fm_str(&fm, "theme", "");
		sb_printf(&link, "<link rel=\"stylesheet\" href=\"%s\">", t);
		rc = deck_check_refs(dk, link.p, link.len, src, len, 1, NULL, d);
		sb_free(&link);
	}
	if (rc == 0)
		rc = render_slides(dk, &fm, src, &slides, d);
	if (rc == 0)
		rc = deck_check_refs(dk, slides.p ? slides.p : "", slides.len, src, len, 1, NULL,
		                     d);
	if (rc == 0) {
		page_head(dk, &fm, &page);
		sb_put(&page, slides.p ? slides.p : "", slides.len);
		page_tail(dk, &fm, &page);
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
	sb_free(&slides);
	sb_free(&page);
	fm_free(&fm);
	free(src);
	return rc;
}
