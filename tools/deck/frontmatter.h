/* SPDX-License-Identifier: MIT */
/* Deck front matter: YAML between two "---" lines at the top of deck.md, or a
 * whole YAML file (deck.yaml beside a raw deck's index.html).
 *
 * Parsed by libyaml (YAML 1.1 syntax); the values are typed the way js-yaml, which
 * reveal-md and Marp use, types plain scalars: true/false (any case of those
 * words), null (~, null, empty), numbers (decimal, as JSON writes them), else
 * strings; quoted values are always strings. The top level is a mapping; values
 * may be mappings and lists (revealOptions:). Every error names the file and the
 * line libyaml's marks give. Refused, with their line: a second document,
 * aliases (a few lines of them expand to gigabytes), keys that are
 * not scalars, a key given twice, nesting deeper than FM_MAX_DEPTH, and more than
 * FM_MAX_NODES values in all. */
#ifndef UD_TOOLS_FRONTMATTER_H
#define UD_TOOLS_FRONTMATTER_H

#include <stddef.h>

#include "tools/util/diag.h"
#include "tools/util/sbuf.h"

#define FM_MAX_DEPTH 16
#define FM_MAX_NODES 4096

enum fm_kind { FM_STRING, FM_BOOL, FM_NUMBER, FM_NULL, FM_MAP, FM_LIST };

struct fm_kv {
	char *key; /* NULL for a list's member */
	char *val; /* a scalar's text; "" for maps and lists */
	enum fm_kind kind;
	int line;
	struct fm_kv *sub; /* FM_MAP / FM_LIST: the members, in order */
	size_t n_sub;
};

struct frontmatter {
	struct fm_kv *v; /* the top level's keys, in order */
	size_t n;
	const char *body; /* the text after the closing "---" (or all of it) */
	size_t body_len;
	int body_line; /* the line number where the body starts */
	int end_line;  /* the line of the closing "---" (0: no front matter) */
};

/* Parse (text) of (file); a text not starting with "---" has no front matter. */
int fm_parse(const char *text, size_t len, const char *file, struct frontmatter *fm,
             struct diag *d);
/* Parse (text), all of it YAML, as the front matter of a deck (deck.yaml). */
int fm_parse_yaml(const char *text, size_t len, const char *file, struct frontmatter *fm,
                  struct diag *d);
const struct fm_kv *fm_get(const struct frontmatter *fm, const char *key);
/* A member of the mapping (map), or NULL. */
const struct fm_kv *fm_member(const struct fm_kv *map, const char *key);
/* (v) as a JavaScript value (JSON, with '<' escaped so that it is safe in a
 * <script>). */
void fm_js(const struct fm_kv *v, struct sbuf *out);
/* Whether (v) is a scalar (a string, number, boolean or null). */
int fm_scalar(const struct fm_kv *v);
void fm_free(struct frontmatter *fm);

#endif
