/* SPDX-License-Identifier: MIT */
/* Reading mirage-decks' deck list (src/slides.ml, src/people.ml) for
 * `unideck import mirage-decks`: just enough OCaml to read its records, which
 * are data: strings, Date.t (Y, M, D), [People.x; ...], Reveal240,
 * Reveal262 None and Reveal262 (Some "theme"). Comments are skipped. What is
 * not understood is an error naming the file and line. */
#ifndef UD_TOOLS_CMD_IMPORT_ML_H
#define UD_TOOLS_CMD_IMPORT_ML_H

#include <stddef.h>

#include "tools/util/diag.h"

struct mdeck {
	char permalink[128];
	char title[512];
	char venue[512];
	char date[16];       /* YYYY-MM-DD */
	char speakers[1024]; /* names, ", "-separated, as the original pages show them */
	int style;           /* 240 or 262 */
	char theme[64];      /* Reveal262 (Some theme); "" for the default (horizon) */
	int line;            /* of the record in slides.ml */
};

/* Read (root)/src/people.ml and (root)/src/slides.ml. On success *decks is
 * malloc'd with *n entries, in the file's order. */
int ml_read_decks(const char *root, struct mdeck **decks, size_t *n, struct diag *d);

#endif
