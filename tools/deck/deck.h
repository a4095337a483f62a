/* SPDX-License-Identifier: MIT */
/* The deck compiler: a folder of decks in, the files of a store out.
 *
 * Every sub-folder of the decks folder that holds a deck.md (Markdown, rendered
 * here with md4c) or an index.html (a raw reveal.js deck) is a deck, served under
 * /<slug>/ where slug is the folder's name. Every other file in a deck's folder is
 * served under the deck too. The compiler adds the reveal.js runtime files that
 * the decks use (and only those) under /_reveal/<version>/, unideck's own client
 * scripts under /_unideck/, and the index page at /index.html.
 *
 * Errors name file and line (struct diag); a deck with errors is checked to the
 * end and the other decks too, so that one run reports every error. The output
 * set is complete and consistent only when decks_compile returns 0. */
#ifndef UD_TOOLS_DECK_H
#define UD_TOOLS_DECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/store/bset.h"
#include "tools/util/diag.h"

struct deck_info {
	char slug[128];
	char title[256];
	char author[256];
	char date[32]; /* as written in the front matter, ISO 8601 (YYYY-MM-DD) */
	char venue[256];
	bool markdown; /* deck.md rather than index.html */
	size_t n_slides;
	size_t n_files; /* files this deck added to the set, its page included */
	uint64_t bytes; /* their raw size */
};

struct deck_opts {
	const char *data_dir; /* holds node_modules/reveal.js and runtime/ */
	bool dev;             /* preview build: pages load /_unideck/live.js */
	bool without_notes;   /* strip speaker notes */
	bool pdf;             /* the index links /<slug>/<slug>.pdf (made by tools/deck/pdf.c) */
	int64_t epoch;        /* clamp for mtimes (SOURCE_DATE_EPOCH), or -1 */
	/* Called after each deck compiles, in slug order; may be NULL. */
	void (*on_deck)(void *ctx, const struct deck_info *info);
	void *ctx;
};

/* Compile every deck of (dir) into (out). Every error of the build is recorded
 * in (d) (diag_add), so that one run reports them all; returns -1 when there
 * was one, and then (out) is incomplete. */
int decks_compile(const char *dir, const struct deck_opts *o, struct bset *out, struct diag *d);
/* (Re)write the index page of (decks) into (out): after the PDF handouts are
 * made, so that it links those that exist. (mtime) is its Last-Modified. */
void decks_index(const struct deck_info *decks, size_t n, const struct deck_opts *o, int64_t mtime,
                 struct bset *out);

#endif
