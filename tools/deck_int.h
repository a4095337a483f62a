/* SPDX-License-Identifier: MIT */
/* Shared between the deck compiler's files (tools/deck*.c); not an interface.
 *
 * deck.c:       walking the decks folder, assets, the reveal.js runtime, checks
 *               of the URLs a page loads.
 * deck_md.c:    Markdown decks (deck.md).
 * deck_html.c:  raw reveal.js decks (index.html).
 * deck_index.c: the index page of all decks. */
#ifndef UD_TOOLS_DECK_INT_H
#define UD_TOOLS_DECK_INT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/deck.h"
#include "tools/sbuf.h"

/* The reveal.js runtime from node_modules, and which of its files are used. */
struct runtime {
	char dist[PATH_MAX]; /* .../node_modules/reveal.js/dist */
	char version[32];
	char prefix[64]; /* "/_reveal/<version>/" */
	char **used;     /* paths relative to dist */
	size_t n_used;
};

struct deck {
	const struct deck_opts *o;
	struct runtime *rt;
	char dir[PATH_MAX];       /* the deck's folder */
	char file[PATH_MAX + 16]; /* its deck.md or index.html */
	struct deck_info info;
	int64_t mtime; /* of the source file, clamped */
	bool has_code;
};

/* Record that the page uses dist/(rel); -1 when there is no such file. */
int rt_use(struct runtime *rt, const char *rel);
/* The theme names the runtime has (dist/theme/<name>.css). */
bool rt_theme_exists(const struct runtime *rt, const char *name);
void rt_theme_list(const struct runtime *rt, struct sbuf *out);

/* Check every URL that (html) loads: local files must exist in the deck's
 * folder, nothing may come from outside the server. (src, src_len) is the source
 * the HTML came from, for line numbers (the HTML itself when it is the source).
 * With (rewrite) non-NULL, references to the reveal.js runtime are rewritten to
 * the store's copy and the result is written there. */
int deck_check_refs(struct deck *dk, const char *html, size_t len, const char *src, size_t src_len,
                    int src_line0, struct sbuf *rewrite, struct diag *d);

int deck_md(struct deck *dk, struct bset *out, struct diag *d);
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
