/* SPDX-License-Identifier: MIT */
/* Shared between the deck compiler's files (tools/deck*.c); not an interface.
 *
 * deck.c:       walking the decks folder, assets, the reveal.js runtime, checks
 *               of the URLs a page loads.
 * deck_md.c:    Markdown decks (deck.md).
 * deck_html.c:  raw reveal.js decks (index.html).
 * deck_index.c: the index page of all decks.
 * deck_sep.c:   splitting Markdown into slides and notes with reveal.js's
 *               separators (JavaScript regular expressions, as POSIX ones).
 * deck_refs.c:  the URLs a page or a CSS file loads, checked; absolute ones
 *               against every file the store will hold, once it is complete. */
#ifndef UD_TOOLS_DECK_INT_H
#define UD_TOOLS_DECK_INT_H

#include <limits.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/deck/deck.h"
#include "tools/deck/frontmatter.h"
#include "tools/util/sbuf.h"

/* The reveal.js runtime from node_modules, and which of its files are used. */
struct runtime {
	char dist[PATH_MAX]; /* .../node_modules/reveal.js/dist */
	char version[32];
	char prefix[64]; /* "/_reveal/<version>/" */
	char **used;     /* paths relative to dist */
	size_t n_used;
};

/* A reference to check once every file of the store is known: an absolute path
 * (or a relative one resolved to one), where it was written, as written. */
struct ref {
	char *file;
	int line;
	char *as_written;
	char *path; /* the URL path it resolves to, decoded, no query or fragment */
	char *fs;   /* the file it would come from, for messages, or "" */
	/* A source of an @font-face rule (0: not one): the rule's number in the
	 * build, and whether the rule has other sources the browser falls back
	 * to (local() fonts); a missing one is then a warning, not an error. */
	unsigned font_rule;
	bool font_local;
};

/* What the whole build shares: the runtime, the decks folder and its _site/,
 * the references to check at the end. */
struct build_ctx {
	struct runtime rt;
	char dir[PATH_MAX - 256]; /* the decks folder */
	char site[PATH_MAX];      /* its _site/ folder, or "" */
	struct ref *refs;
	size_t n_refs;
	unsigned font_rules; /* @font-face rules seen (struct ref's font_rule) */
};

struct deck {
	const struct deck_opts *o;
	struct runtime *rt;
	struct build_ctx *bc;
	char dir[PATH_MAX];       /* the deck's folder */
	char file[PATH_MAX + 16]; /* its deck.md or index.html */
	struct deck_info info;
	int64_t mtime; /* of the source file, clamped */
	bool has_code;
};

/* Slides as the separators cut them: a slide's text, where it starts in the
 * file, and whether it begins a new horizontal position (else it goes below
 * the previous one). */
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

/* Separators as written (JavaScript regular expressions) and their lines. */
struct sep_src {
	const char *sep, *vsep, *notes; /* vsep may be NULL: no vertical slides */
	int sep_line, vsep_line, notes_line;
};

struct seps {
	regex_t sep, vsep, notes, any;
	unsigned n_re; /* which are compiled: 1 sep, 2 vsep, 4 notes, 8 any */
};

/* The defaults of a deck.md (a line of exactly --- or ----, trailing blanks
 * allowed), and reveal.js's Markdown plugin's for in-page and external
 * Markdown. */
#define SEP_MD       "^---[ \\t]*$"
#define VSEP_MD      "^----[ \\t]*$"
#define NOTES_MD     "^[ \\t]*notes?:"
#define SEP_REVEAL   "\\r?\\n---\\r?\\n"
#define NOTES_REVEAL "^\\s*notes?:"

int seps_compile(struct seps *s, const struct sep_src *src, const char *file, struct diag *d);
void seps_free(struct seps *s);
/* Split (text, len), NUL-terminated at len, whose first line is (line0). */
void seps_split(const struct seps *s, const char *text, size_t len, int line0, struct slides *out);
/* Where the notes of a slide begin (NULL: none); (*text) is after the
 * separator. */
const char *seps_notes(const struct seps *s, const char *p, size_t len, const char **text);

/* Record that the page uses dist/(rel); -1 when there is no such file. */
int rt_use(struct runtime *rt, const char *rel);
/* The theme names the runtime has (dist/theme/<name>.css). */
bool rt_theme_exists(const struct runtime *rt, const char *name);
void rt_theme_list(const struct runtime *rt, struct sbuf *out);

/* Check every URL that (html) loads: nothing may come from outside the server,
 * and each must be a file the store will hold (checked at the end, by
 * refs_check_all). Relative URLs resolve against (base), the URL of the folder
 * the HTML is served from ("/slug/"). Errors name (file) and the line where the
 * URL is written: (src, src_len) is the text the HTML came from, whose first
 * line is (src_line0); with (exact) the HTML is that text, so offsets give
 * lines, else each URL is looked for in it as written. With (rewrite) non-NULL,
 * references to the reveal.js runtime are rewritten to the store's copy and the
 * result is written there. Returns the number of errors found. */
int deck_check_refs(struct deck *dk, const char *file, const char *base, const char *html,
                    size_t len, const char *src, size_t src_len, int src_line0, bool exact,
                    struct sbuf *rewrite, struct diag *d);
/* The same for a CSS file's url() and @import, the CSS file (file) being
 * served at (url). */
int deck_check_css(struct deck *dk, const char *file, const char *url, const char *css, size_t len,
                   struct diag *d);
/* Whether (url) names a reveal.js theme's file (css/theme/x.css, dist/theme/x.css,
 * on a CDN or not); its name into (name). */
bool deck_theme_url(const char *url, char *name, size_t cap);
/* Whether (v) names another host (a scheme or "//"). */
bool deck_url_external(const char *v, size_t n);
/* The file of the deck or of _site/ that (v), relative to (base), names, into
 * (fs); false when there is none. */
bool deck_source(const struct deck *dk, const char *base, const char *v, char *fs, size_t cap);
/* Whether (v), relative to (base), is a file of the deck or of _site/. */
bool deck_local_exists(const struct deck *dk, const char *base, const char *v);
/* Check the URL (v), written at (file):(line) in a page served from the folder
 * URL (base): an error now when it leaves the server, else deferred to
 * refs_check_all. Returns -1 on an error (recorded in d). */
int deck_ref(struct deck *dk, const char *file, int line, const char *v, const char *base,
             struct diag *d);
/* Check every deferred reference against (out), the complete set. */
void refs_check_all(struct build_ctx *bc, const struct deck_info *decks, size_t n,
                    const struct deck_opts *o, struct bset *out, struct diag *d);
void refs_free(struct build_ctx *bc);
/* Whether the deck is a Marp deck (marp: true in its front matter), which
 * Marp's own engine renders (issue 16, engines); the reveal.js path and the
 * warnings about Marp's keys leave such a deck alone. */
bool deck_is_marp(const struct deck *dk, const struct frontmatter *fm);

int deck_md(struct deck *dk, struct bset *out, struct diag *d);
/* The index's fields (title, author, date, venue, slug) from front matter or
 * deck.yaml (file), checked. */
int deck_meta(struct deck *dk, const struct frontmatter *fm, const char *file, struct diag *d);
int deck_html(struct deck *dk, struct bset *out, struct diag *d);
void deck_index(const struct deck_info *decks, size_t n, const struct deck_opts *o, int64_t mtime,
                struct bset *out);

/* The page-end scripts every page of a preview build carries. */
void deck_dev_scripts(const struct deck_opts *o, struct sbuf *out);
/* Whether (s) can be a deck's address: [a-z0-9][a-z0-9-]*, short. */
bool deck_slug_ok(const char *s);
/* Clamp a modification time to the epoch (SOURCE_DATE_EPOCH), when set. */
int64_t deck_clamp(const struct deck_opts *o, int64_t t);

#endif
