/* SPDX-License-Identifier: MIT */
/* Mermaid diagrams in Markdown decks, drawn at build time.
 *
 * A fenced block ```mermaid becomes, in the page, Mermaid's SVG (inline, in a
 * <div class="unideck-mermaid">), drawn by mermaid from npm inside the headless
 * Chromium that prints the PDFs (tools/deck/mermaid.mjs drives it). Decks then carry
 * static, offline diagrams and no Mermaid script. Without Chromium each
 * diagram stays a code block and the build warns, naming file and line; a
 * diagram Mermaid cannot parse fails the build with file and line. */
#ifndef UD_TOOLS_MERMAID_H
#define UD_TOOLS_MERMAID_H

#include <stddef.h>

#include "tools/deck/deck.h"
#include "tools/util/diag.h"
#include "tools/util/sbuf.h"

/* (theme) is the deck's reveal.js theme: dark ones get Mermaid's dark theme,
 * so that lines and labels show on them. */
int mermaid_page(const struct deck_opts *o, const char *file, const char *src, size_t src_len,
                 const char *theme, struct sbuf *page, struct diag *d);

#endif
