/* SPDX-License-Identifier: MIT */
/* PDF handouts: each deck printed by headless Chromium through reveal.js's print
 * view (?print-pdf), one page per slide, served at /<slug>/<slug>.pdf.
 *
 * pdf_chromium() finds a Chromium ($CHROMIUM, else chromium or chromium-browser
 * on PATH). pdf_render() serves the build set from a temporary store with this
 * very program (`unideck serve`), prints each deck, and adds the PDFs to the
 * set. Chromium stamps the time into a PDF; the stamps are replaced by the
 * deck's own time so that builds stay reproducible. */
#ifndef UD_TOOLS_PDF_H
#define UD_TOOLS_PDF_H

#include <stddef.h>

#include "tools/store/bset.h"
#include "tools/util/diag.h"

/* The Chromium to use, or NULL when there is none. */
const char *pdf_chromium(void);
/* Print the decks (slugs) of (set) with (chromium). */
int pdf_render(struct bset *set, char **slugs, size_t n, const char *chromium, struct diag *d);

#endif
