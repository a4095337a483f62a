/* SPDX-License-Identifier: MIT */
/* Math in Markdown decks, rendered at build time with KaTeX (tools/deck/math.mjs).
 *
 * The Markdown renderer (tools/deck/mdrender.c, md4c's LaTeX math spans) turns $..$
 * and $$..$$ outside code into placeholders: <span class="unideck-math">TEX
 * </span> and <span class="unideck-math-display">TEX</span>, the TeX escaped as
 * text. reveal.js's math plugin writes \(..\) and \[..\]; math_md_delims()
 * rewrites those to $ and $$ first (outside code spans and fenced code), since
 * Markdown would read them as escaped brackets.
 *
 * math_page() replaces every placeholder of a page by KaTeX's HTML (with its
 * MathML), links KaTeX's stylesheet, and adds the stylesheet and its fonts
 * (woff2) to the set under /_katex/<version>/ once per build. A TeX error is a
 * build error naming the file and the line where that TeX is written. A page
 * without math is left alone and needs no Node. */
#ifndef UD_TOOLS_MATH_H
#define UD_TOOLS_MATH_H

#include <stddef.h>

#include "tools/deck/deck.h"
#include "tools/store/bset.h"
#include "tools/util/diag.h"
#include "tools/util/sbuf.h"

void math_md_delims(const char *md, size_t len, struct sbuf *out);
/* (o) gives the data folder (node_modules/katex, tools/deck/math.mjs) and the
 * epoch; (file, src) name the deck's source for messages. */
int math_page(const struct deck_opts *o, const char *file, const char *src, size_t src_len,
              struct sbuf *page, struct bset *out, struct diag *d);

/* Undo sb_html's escaping of text; malloc'd, NUL-terminated. */
char *math_unescape(const char *s, size_t n);
/* KaTeX's version (node_modules/katex), into (v) of at least 32 bytes. */
int math_katex_version(const char *data_dir, char *v, size_t cap, struct diag *d);
/* Add KaTeX's stylesheet and fonts under /_katex/(version)/, once per set. */
int math_add_assets(const struct deck_opts *o, const char *version, struct bset *out,
                    struct diag *d);

#endif
