/* SPDX-License-Identifier: MIT */
/* Deck front matter: "key: value" lines between two "---" lines at the top.
 *
 * A YAML subset, on purpose: scalar values only, bare or quoted ("..." with
 * backslash escapes, '...' with '' for a quote), "#" comments on their own line
 * or after a bare value. Anything else is an error naming its line. Values are
 * typed: true/false, numbers, or strings (quoted values are always strings). */
#ifndef UD_TOOLS_FRONTMATTER_H
#define UD_TOOLS_FRONTMATTER_H

#include <stddef.h>

#include "tools/diag.h"

enum fm_kind { FM_STRING, FM_BOOL, FM_NUMBER };

struct fm_kv {
	char *key;
	char *val;
	enum fm_kind kind;
	int line;
};

struct frontmatter {
	struct fm_kv *v;
	size_t n;
	const char *body; /* the text after the closing "---" (or all of it) */
	size_t body_len;
	int body_line; /* the line number where the body starts */
};

/* Parse (text) of (file); a text not starting with "---" has no front matter. */
int fm_parse(const char *text, size_t len, const char *file, struct frontmatter *fm,
             struct diag *d);
const struct fm_kv *fm_get(const struct frontmatter *fm, const char *key);
void fm_free(struct frontmatter *fm);

#endif
