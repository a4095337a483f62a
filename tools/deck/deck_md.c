/* SPDX-License-Identifier: MIT */
/* Markdown decks: front matter, slides and notes, rendered to a reveal.js page. */
#include "tools/deck/deck_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "tools/deck/frontmatter.h"
#include "tools/deck/math.h"
#include "tools/deck/mdrender.h"
#include "tools/deck/mermaid.h"
#include "tools/util/text.h"

/* The keys unideck itself reads. */
static const char *const own_keys[] = {
        "title",
        "author",
        "date",
        "venue",
        "theme",
        "transition",
        "description",
        "lang",
        "slug",
        "highlight-theme",
        "highlightTheme",
        "separator",
        "verticalSeparator",
        "notesSeparator",
        "revealOptions",
        "css",
        "scripts",
        "marp",
};

/* reveal.js's configuration options (js/config.ts of 5.x and 6.x) that a deck
 * can set from YAML: passed to Reveal.initialize. plugins, dependencies and the
 * functions among them cannot be written in YAML; markdown, katex and mathjax
 * configure what unideck does at build time or refuses. */
static const char *const reveal_options[] = {
        "width",
        "height",
        "margin",
        "minScale",
        "maxScale",
        "controls",
        "controlsTutorial",
        "controlsLayout",
        "controlsBackArrows",
        "progress",
        "slideNumber",
        "showSlideNumber",
        "hashOneBasedIndex",
        "hash",
        "respondToHashChanges",
        "jumpToSlide",
        "history",
        "keyboard",
        "disableLayout",
        "overview",
        "center",
        "touch",
        "loop",
        "rtl",
        "navigationMode",
        "shuffle",
        "fragments",
        "fragmentInURL",
        "embedded",
        "help",
        "pause",
        "showNotes",
        "showHiddenSlides",
        "autoPlayMedia",
        "preloadIframes",
        "preventIframeAutoFocus",
        "autoAnimate",
        "autoAnimateEasing",
        "autoAnimateDuration",
        "autoAnimateUnmatched",
        "autoAnimateStyles",
        "autoSlide",
        "autoSlideStoppable",
        "defaultTiming",
        "mouseWheel",
        "previewLinks",
        "postMessage",
        "postMessageEvents",
        "focusBodyOnPageVisibilityChange",
        "transition",
        "transitionSpeed",
        "backgroundTransition",
        "parallaxBackgroundImage",
        "parallaxBackgroundSize",
        "parallaxBackgroundRepeat",
        "parallaxBackgroundPosition",
        "parallaxBackgroundHorizontal",
        "parallaxBackgroundVertical",
        "view",
        "scrollLayout",
        "scrollSnap",
        "scrollProgress",
        "scrollActivationWidth",
        "pdfMaxPagesPerSlide",
        "pdfSeparateFragments",
        "pdfPageHeightOffset",
        "viewDistance",
        "mobileViewDistance",
        "display",
        "hideInactiveCursor",
        "hideCursorTime",
        "sortFragmentsOnSync",
        "highlight",
};

/* Marp's global directives (marpit and marp-core), which only a Marp deck
 * (marp: true) understands. */
static const char *const marp_keys[] = {
        "paginate",
        "headingDivider",
        "size",
        "header",
        "footer",
        "class",
        "backgroundColor",
        "backgroundImage",
        "backgroundPosition",
        "backgroundRepeat",
        "backgroundSize",
        "color",
        "style",
        "math",
        "image",
        "url",
        "inlineSVG",
        "_class",
        "_paginate",
        "_header",
        "_footer",
        "_backgroundColor",
        "_color",
};

/* reveal-md's own options that have no meaning in a unideck build. */
static const char *const reveal_md_keys[] = {
        "template",
        "listingTemplate",
        "preprocessor",
        "assetsDir",
        "static",
        "staticDirs",
        "absoluteUrl",
        "featuredSlide",
        "print",
        "printSize",
        "glob",
        "watch",
        "port",
        "host",
        "disableAutoOpen",
        "mermaid",
        "puppeteerLaunchArgs",
        "puppeteerChromiumExecutable",
        "base",
};

static const char *const transitions[] = {"none",    "fade", "slide",  "convex",
                                          "concave", "zoom", "default"};

static bool in(const char *key, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

#define IN(key, list) in((key), (list), sizeof(list) / sizeof((list)[0]))

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

/* The page's settings, from the front matter. */
struct page {
	const char *theme;      /* a runtime theme's name, or NULL */
	char theme_name[64];    /* one named by its file's URL */
	const char *theme_href; /* else the deck's own style sheet */
	const char *highlight;  /* monokai or zenburn */
	const char *transition;
	const struct fm_kv *css, *scripts; /* string (comma-separated) or list */
	struct sbuf options;               /* Reveal.initialize's, as JavaScript members */
	struct seps seps;
	bool seps_ok;
};

static int render_slide(struct deck *dk, struct page *pg, const struct slide *s, struct sbuf *out,
                        struct diag *d)
{
	struct sbuf attrs = {0}, md = {0}, html = {0};
	struct md_out body = {0}, notes = {0};
	const char *ntext = NULL, *nstart, *bad = NULL;
	size_t slen = s->len;
	int rc = 0;

	nstart = seps_notes(&pg->seps, s->p, s->len, &ntext);
	if (nstart)
		slen = (size_t)(nstart - s->p);
	if (slide_attrs(s->p, slen, &attrs, &md, &bad) != 0) {
		rc = diag_add(d, dk->file, s->line + text_line_of(s->p, (size_t)(bad - s->p)) - 1,
		              "<!-- .slide: --> holds something that is not an attribute list");
		goto out;
	}
	if (mdrender(md.p ? md.p : "", md.len, &body) != 0 ||
	    (nstart && !dk->o->without_notes &&
	     mdrender(ntext, (size_t)(s->p + s->len - ntext), &notes) != 0)) {
		rc = diag_add(d, dk->file, s->line, "the Markdown of this slide did not render");
		goto out;
	}
	dk->has_code |= body.has_code;
	sb_str(&html, "<section");
	if (attrs.p)
		sb_put(&html, attrs.p, attrs.len);
	if (body.section_attrs.p)
		sb_put(&html, body.section_attrs.p, body.section_attrs.len);
	sb_str(&html, ">\n");
	if (body.html.p)
		sb_put(&html, body.html.p, body.html.len);
	if (notes.html.len) {
		sb_str(&html, "<aside class=\"notes\">\n");
		sb_put(&html, notes.html.p, notes.html.len);
		sb_str(&html, "</aside>\n");
	}
	sb_str(&html, "</section>\n");
	{
		char base[160];
		snprintf(base, sizeof base, "/%s/", dk->info.slug);
		if (deck_check_refs(dk, dk->file, base, html.p, html.len, s->p, s->len, s->line,
		                    false, NULL, d) != 0)
			rc = -1;
	}
	sb_put(out, html.p, html.len);
	dk->info.n_slides++;
out:
	sb_free(&attrs);
	sb_free(&md);
	sb_free(&html);
	sb_free(&body.html);
	sb_free(&body.section_attrs);
	sb_free(&notes.html);
	sb_free(&notes.section_attrs);
	return rc;
}

/* Slides and stacks, as reveal.js nests them. */
static int render_slides(struct deck *dk, struct page *pg, const struct frontmatter *fm,
                         struct sbuf *out, struct diag *d)
{
	struct slides s = {0};
	size_t i;
	int rc = 0;

	seps_split(&pg->seps, fm->body, fm->body_len, fm->body_line, &s);
	for (i = 0; i < s.n; i++) {
		bool stack = i + 1 < s.n && !s.v[i + 1].horizontal;
		if (s.v[i].horizontal && stack)
			sb_str(out, "<section>\n");
		rc |= render_slide(dk, pg, &s.v[i], out, d);
		if (!s.v[i].horizontal && !stack)
			sb_str(out, "</section>\n");
	}
	free(s.v);
	return rc;
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

/* A scalar's text, or NULL (with an error) when the key holds a list or map. */
static const char *text_of(const struct deck *dk, const char *file, const struct fm_kv *kv,
                           struct diag *d)
{
	if (!kv)
		return NULL;
	if (!fm_scalar(kv)) {
		diag_add(d, file, kv->line, "'%s' takes a single value, not a list or a mapping",
		         kv->key);
		return NULL;
	}
	(void)dk;
	return kv->kind == FM_NULL ? "" : kv->val;
}

int deck_meta(struct deck *dk, const struct frontmatter *fm, const char *file, struct diag *d)
{
	const struct fm_kv *kv;
	const char *v;
	unsigned n0 = d->n;

	if ((v = text_of(dk, file, kv = fm_get(fm, "slug"), d)) != NULL) {
		/* A short address for a deck whose folder has a long name. */
		if (!deck_slug_ok(v))
			diag_add(d, file, kv->line,
			         "slug '%s' cannot be an address: use lower-case letters, digits "
			         "and "
			         "'-'",
			         v);
		else
			snprintf(dk->info.slug, sizeof dk->info.slug, "%s", v);
	}
	if ((v = text_of(dk, file, fm_get(fm, "title"), d)) != NULL && v[0])
		snprintf(dk->info.title, sizeof dk->info.title, "%s", v);
	if ((v = text_of(dk, file, fm_get(fm, "author"), d)) != NULL)
		snprintf(dk->info.author, sizeof dk->info.author, "%s", v);
	if ((v = text_of(dk, file, fm_get(fm, "venue"), d)) != NULL)
		snprintf(dk->info.venue, sizeof dk->info.venue, "%s", v);
	if ((v = text_of(dk, file, kv = fm_get(fm, "date"), d)) != NULL) {
		if (!valid_date(v))
			diag_add(d, file, kv->line,
			         "date '%s' is not a date: write it as YYYY-MM-DD", v);
		else
			snprintf(dk->info.date, sizeof dk->info.date, "%s", v);
	}
	text_of(dk, file, fm_get(fm, "description"), d);
	text_of(dk, file, fm_get(fm, "lang"), d);
	return d->n == n0 ? 0 : -1;
}

static const char *fm_str(const struct frontmatter *fm, const char *key, const char *dflt)
{
	const struct fm_kv *kv = fm_get(fm, key);

	return kv && fm_scalar(kv) && kv->kind != FM_NULL ? kv->val : dflt;
}

/* A key neither unideck nor reveal.js knows: said, never passed on. */
static void unknown_key(const struct deck *dk, const struct fm_kv *kv, bool marp, const char *where)
{
	if (IN(kv->key, marp_keys)) {
		if (!marp)
			diag_warn(
			        dk->file, kv->line,
			        "'%s' is a Marp directive, and this is not a Marp deck (no 'marp: "
			        "true'): ignored",
			        kv->key);
	} else if (IN(kv->key, reveal_md_keys)) {
		diag_warn(dk->file, kv->line,
		          "reveal-md's option '%s' has no use in unideck: ignored", kv->key);
	} else if (!strcmp(kv->key, "plugins") || !strcmp(kv->key, "dependencies")) {
		diag_warn(dk->file, kv->line,
		          "'%s%s' cannot be set from front matter (unideck loads the notes and "
		          "highlight plugins itself): ignored",
		          where, kv->key);
	} else if (!strcmp(kv->key, "markdown") || !strcmp(kv->key, "katex") ||
	           !strcmp(kv->key, "mathjax") || !strcmp(kv->key, "math")) {
		diag_warn(dk->file, kv->line,
		          "'%s%s' configures a reveal.js plugin that unideck does not load (the "
		          "Markdown is rendered at build time): ignored",
		          where, kv->key);
	} else {
		diag_warn(dk->file, kv->line,
		          "unknown key '%s%s': neither a unideck key nor a reveal.js option; "
		          "ignored",
		          where, kv->key);
	}
}

static bool valid_transition(const char *v)
{
	size_t i;

	for (i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
		if (strcmp(v, transitions[i]) == 0)
			return true;
	return false;
}

/* One reveal.js option into Reveal.initialize's members, checked. */
static void reveal_option(struct deck *dk, struct page *pg, const struct fm_kv *kv, struct diag *d)
{
	if (!strcmp(kv->key, "transition") && (!fm_scalar(kv) || !valid_transition(kv->val))) {
		diag_add(d, dk->file, kv->line,
		         "unknown transition '%s': use none, fade, slide, convex, concave or zoom",
		         kv->val);
		return;
	}
	if (!strcmp(kv->key, "parallaxBackgroundImage") && kv->kind == FM_STRING) {
		char base[160];
		snprintf(base, sizeof base, "/%s/", dk->info.slug);
		deck_ref(dk, dk->file, kv->line, kv->val, base, d);
	}
	sb_str(&pg->options, "  ");
	sb_str(&pg->options, kv->key);
	sb_str(&pg->options, ": ");
	fm_js(kv, &pg->options);
	sb_str(&pg->options, ",\n");
}

/* The theme: a runtime theme's name, its file's URL as older decks and CDNs
 * write it, or a style sheet of the deck's own. */
static void theme(struct deck *dk, struct page *pg, const struct fm_kv *kv, struct diag *d)
{
	char *name = pg->theme_name;
	const char *v = text_of(dk, dk->file, kv, d);
	char base[160];

	if (!v)
		return;
	if (rt_theme_exists(dk->rt, v)) {
		pg->theme = v;
		return;
	}
	if (deck_theme_url(v, name, sizeof pg->theme_name) && rt_theme_exists(dk->rt, name) &&
	    (deck_url_external(v, strlen(v)) || !strstr(v, ".css") ||
	     !deck_local_exists(dk, "/", v))) {
		pg->theme = name;
		return;
	}
	if (strlen(v) > 4 && !strcmp(v + strlen(v) - 4, ".css")) {
		snprintf(base, sizeof base, "/%s/", dk->info.slug);
		pg->theme_href = v;
		deck_ref(dk, dk->file, kv->line, v, base, d);
		return;
	}
	{
		struct sbuf names = {0};
		rt_theme_list(dk->rt, &names);
		diag_add(d, dk->file, kv->line,
		         "unknown theme '%s': use one of %s, or a .css file in the deck's folder",
		         v, names.p ? names.p : "(none installed)");
		sb_free(&names);
	}
}

/* highlight-theme (unideck) or highlightTheme (reveal-md, whose default is
 * highlight.js's base16/zenburn): the two reveal.js ships. */
static void highlight(struct deck *dk, struct page *pg, const struct fm_kv *kv, struct diag *d)
{
	const char *v = text_of(dk, dk->file, kv, d);

	if (!v)
		return;
	if (!strcmp(v, "monokai") || !strcmp(v, "base16/monokai") || !strcmp(v, "monokai-sublime"))
		pg->highlight = "monokai";
	else if (!strcmp(v, "zenburn") || !strcmp(v, "base16/zenburn"))
		pg->highlight = "zenburn";
	else
		diag_add(d, dk->file, kv->line,
		         "unknown %s '%s': use monokai or zenburn (the highlight themes reveal.js "
		         "ships)",
		         kv->key, v);
}

/* css: and scripts: (reveal-md): a comma-separated string or a list of the
 * deck's own files. */
static void file_list(struct deck *dk, const struct fm_kv *kv, struct diag *d)
{
	char base[160];
	size_t i;

	snprintf(base, sizeof base, "/%s/", dk->info.slug);
	if (kv->kind == FM_LIST) {
		for (i = 0; i < kv->n_sub; i++)
			if (!fm_scalar(&kv->sub[i]))
				diag_add(d, dk->file, kv->sub[i].line, "'%s' lists file names",
				         kv->key);
			else
				deck_ref(dk, dk->file, kv->sub[i].line, kv->sub[i].val, base, d);
	} else if (kv->kind == FM_STRING) {
		const char *p = kv->val;
		while (*p) {
			size_t n = strcspn(p, ",");
			char *one = strndup(p, n);
			if (!one)
				abort();
			if (one[0])
				deck_ref(dk, dk->file, kv->line, one, base, d);
			free(one);
			p += n + (p[n] == ',');
		}
	} else {
		diag_add(d, dk->file, kv->line, "'%s' lists file names", kv->key);
	}
}

static void each_file(const struct fm_kv *kv, const char *open, const char *close, struct sbuf *b)
{
	size_t i;

	if (!kv)
		return;
	if (kv->kind == FM_LIST) {
		for (i = 0; i < kv->n_sub; i++) {
			sb_str(b, open);
			sb_html(b, kv->sub[i].val, strlen(kv->sub[i].val));
			sb_str(b, close);
		}
	} else if (kv->kind == FM_STRING) {
		const char *p = kv->val;
		while (*p) {
			size_t n = strcspn(p, ",");
			if (n) {
				sb_str(b, open);
				sb_html(b, p, n);
				sb_str(b, close);
			}
			p += n + (p[n] == ',');
		}
	}
}

static const char *sep_text(struct deck *dk, const struct frontmatter *fm, const char *key,
                            const char *dflt, int *line, struct diag *d)
{
	const struct fm_kv *kv = fm_get(fm, key);

	*line = kv ? kv->line : 0;
	if (!kv)
		return dflt;
	if (kv->kind != FM_STRING && kv->kind != FM_NUMBER) {
		diag_add(d, dk->file, kv->line, "'%s' is a regular expression, written as text",
		         key);
		return dflt;
	}
	return kv->val;
}

/* Read the front matter into (pg) and the deck's info: every key is used,
 * passed to reveal.js, or warned about. */
static int read_front(struct deck *dk, const struct frontmatter *fm, struct page *pg,
                      struct diag *d)
{
	bool marp = deck_is_marp(dk, fm);
	struct sep_src src;
	unsigned n0 = d->n;
	size_t i;

	snprintf(dk->info.title, sizeof dk->info.title, "%s", dk->info.slug);
	deck_meta(dk, fm, dk->file, d);
	pg->theme = "black";
	pg->highlight = "monokai";
	pg->transition = "slide";
	for (i = 0; i < fm->n; i++) {
		const struct fm_kv *kv = &fm->v[i];
		if (!strcmp(kv->key, "theme"))
			theme(dk, pg, kv, d);
		else if (!strcmp(kv->key, "highlight-theme") || !strcmp(kv->key, "highlightTheme"))
			highlight(dk, pg, kv, d);
		else if (!strcmp(kv->key, "css") || !strcmp(kv->key, "scripts")) {
			file_list(dk, kv, d);
			*(!strcmp(kv->key, "css") ? &pg->css : &pg->scripts) = kv;
		} else if (!strcmp(kv->key, "revealOptions")) {
			size_t k;
			if (kv->kind != FM_MAP) {
				if (kv->kind != FM_NULL)
					diag_add(d, dk->file, kv->line,
					         "revealOptions holds reveal.js options, as 'key: "
					         "value' lines indented under it");
				continue;
			}
			for (k = 0; k < kv->n_sub; k++)
				if (IN(kv->sub[k].key, reveal_options))
					reveal_option(dk, pg, &kv->sub[k], d);
				else
					unknown_key(dk, &kv->sub[k], marp, "revealOptions.");
		} else if (IN(kv->key, reveal_options)) {
			reveal_option(dk, pg, kv, d);
		} else if (!IN(kv->key, own_keys)) {
			unknown_key(dk, kv, marp, "");
		}
	}
	memset(&src, 0, sizeof src);
	src.sep = sep_text(dk, fm, "separator", SEP_MD, &src.sep_line, d);
	src.vsep = sep_text(dk, fm, "verticalSeparator", VSEP_MD, &src.vsep_line, d);
	src.notes = sep_text(dk, fm, "notesSeparator", NOTES_MD, &src.notes_line, d);
	pg->seps_ok = seps_compile(&pg->seps, &src, dk->file, d) == 0;
	return d->n == n0 ? 0 : -1;
}

/* Reveal.initialize's options: defaults, then the front matter's own (those of
 * revealOptions last, so that they win, as in reveal-md). */
static void init_options(const struct deck *dk, const struct page *pg, struct sbuf *js)
{
	/* hash: a reload (the preview server's, say) keeps the current slide. */
	/* pdfMaxPagesPerSlide: a handout has one page per slide, even a tall one. */
	sb_str(js, "{\n  hash: true,\n  pdfMaxPagesPerSlide: 1,\n");
	if (!pg->options.p || !strstr(pg->options.p, "  transition: ")) {
		sb_str(js, "  transition: ");
		sb_json(js, pg->transition, strlen(pg->transition));
		sb_str(js, ",\n");
	}
	if (pg->options.p)
		sb_put(js, pg->options.p, pg->options.len);
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

static void page_head(struct deck *dk, const struct frontmatter *fm, const struct page *pg,
                      struct sbuf *b)
{
	const char *lang = fm_str(fm, "lang", "en");
	const char *pre = dk->rt->prefix;
	const char *dv = fm_str(fm, "description", NULL);
	char desc[1024], css[128];

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
	meta(b, "name", "description", dv ? dv : desc);
	meta(b, "property", "og:title", dk->info.title);
	meta(b, "property", "og:type", "website");
	meta(b, "property", "og:description", dv ? dv : desc);
	meta(b, "name", "generator", "unideck " UD_VERSION);
	rt_use(dk->rt, "reset.css");
	rt_use(dk->rt, "reveal.css");
	sb_printf(b, "<link rel=\"stylesheet\" href=\"%sreset.css\">\n", pre);
	sb_printf(b, "<link rel=\"stylesheet\" href=\"%sreveal.css\">\n", pre);
	if (pg->theme_href) {
		sb_str(b, "<link rel=\"stylesheet\" href=\"");
		sb_html(b, pg->theme_href, strlen(pg->theme_href));
		sb_str(b, "\" id=\"theme\">\n");
	} else {
		snprintf(css, sizeof css, "theme/%s.css", pg->theme);
		rt_use(dk->rt, css);
		sb_printf(b, "<link rel=\"stylesheet\" href=\"%s%s\" id=\"theme\">\n", pre, css);
	}
	if (dk->has_code) {
		snprintf(css, sizeof css, "plugin/highlight/%s.css", pg->highlight);
		rt_use(dk->rt, css);
		sb_printf(b, "<link rel=\"stylesheet\" href=\"%s%s\">\n", pre, css);
	}
	each_file(pg->css, "<link rel=\"stylesheet\" href=\"", "\">\n", b);
	sb_str(b, "</head>\n<body>\n<div class=\"reveal\">\n<div class=\"slides\">\n");
}

static void page_tail(struct deck *dk, const struct page *pg, struct sbuf *b)
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
	each_file(pg->scripts, "<script src=\"", "\"></script>\n", b);
	sb_str(b, "<script>\nReveal.initialize(");
	init_options(dk, pg, b);
	sb_str(b, ");\n</script>\n<script src=\"/_unideck/deck.js\"></script>\n");
	deck_dev_scripts(dk->o, b);
	sb_str(b, "</body>\n</html>\n");
}

/* CRLF to LF in place (line numbers stay), so that ^ and $ and "\n" in the
 * separators see one kind of line end. */
static size_t drop_cr(char *p, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			p[o++] = p[i];
	p[o] = 0;
	return o;
}

int deck_md(struct deck *dk, struct bset *out, struct diag *d)
{
	struct frontmatter fm;
	struct page pg;
	struct sbuf slides = {0}, page = {0};
	struct bfile *f;
	uint8_t *data;
	size_t len, plen;
	char *src = text_read_file(dk->file, &len, d);
	char url[200];
	int rc;

	if (!src)
		return -1;
	memset(&pg, 0, sizeof pg);
	rc = text_utf8_check(src, len, dk->file, d);
	if (rc == 0)
		rc = fm_parse(src, len, dk->file, &fm, d);
	if (rc != 0) {
		free(src);
		return -1;
	}
	fm.body_len = drop_cr(src + (fm.body - src), fm.body_len);
	{
		char yaml[PATH_MAX + 16];
		snprintf(yaml, sizeof yaml, "%s/deck.yaml", dk->dir);
		if (access(yaml, F_OK) == 0)
			diag_warn(yaml, 0,
			          "ignored: deck.yaml is read beside index.html; this deck's "
			          "deck.md takes these keys in its front matter");
	}
	rc = read_front(dk, &fm, &pg, d);
	/* With the separators known, the slides are checked even when the front
	 * matter has errors: one run reports them all. */
	if (pg.seps_ok)
		rc |= render_slides(dk, &pg, &fm, &slides, d);
	if (rc == 0) {
		page_head(dk, &fm, &pg, &page);
		sb_put(&page, slides.p ? slides.p : "", slides.len);
		page_tail(dk, &pg, &page);
		rc = math_page(dk->o, dk->file, src, len, &page, out, d);
		if (rc == 0)
			rc = mermaid_page(dk->o, dk->file, src, len, pg.theme, &page, d);
	}
	if (rc == 0) {
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
	if (pg.seps_ok)
		seps_free(&pg.seps);
	sb_free(&pg.options);
	sb_free(&slides);
	sb_free(&page);
	fm_free(&fm);
	free(src);
	return rc ? -1 : 0;
}
