/* SPDX-License-Identifier: MIT */
/* Marp decks: a deck.md whose front matter says `marp: true`, rendered at build
 * time by Marp's own engine (@marp-team/marp-core, run by Node through
 * tools/deck/marp.mjs) instead of unideck's Markdown renderer.
 *
 * Each Marp slide becomes one reveal.js slide that holds Marp's own rendering
 * (its inline SVG, in a declarative shadow root with Marp's CSS, served as
 * /_marp/decks/<slug>.css), so Marp's themes, directives, image syntax, fitting
 * headers and math look as Marp draws them, while reveal.js 6 (the store's)
 * gives the deck unideck's navigation, live follow, speaker notes (Marp's
 * HTML comments) and PDF handouts. Marp's fragmented lists step as reveal.js
 * fragments (runtime/marp.js). The deck's front matter gives the index its
 * title, author, date and venue. */
#ifndef UD_TOOLS_MARP_H
#define UD_TOOLS_MARP_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/deck/deck_int.h"

/* Whether (src) opens with front matter holding `marp: true`. */
bool marp_is_marp(const char *src, size_t len);
/* Compile the Marp deck (dk->file) into (out). */
int deck_marp(struct deck *dk, struct bset *out, struct diag *d);

#endif
