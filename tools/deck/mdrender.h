/* SPDX-License-Identifier: MIT */
/* Markdown to HTML for slides: md4c parses, we render.
 *
 * We render into a small tree rather than straight to text so that reveal.js's
 * attribute comments can be applied the way its Markdown plugin applies them in
 * the browser: "<!-- .element: ATTRS -->" goes to the nearest element before the
 * comment among its siblings (a <br> does not count), else to its parent; at the
 * top level of a slide, to the slide's <section> (returned in section_attrs).
 * Raw HTML passes through as written (a comment after raw HTML therefore
 * attaches to the enclosing Markdown element).
 *
 * Fenced code becomes <pre><code class="language-X" data-trim>, and an info
 * string like "js [1-2|3]" adds data-line-numbers="1-2|3" for the highlight
 * plugin. GitHub's dialect: tables, strikethrough, task lists, autolinks. */
#ifndef UD_TOOLS_MDRENDER_H
#define UD_TOOLS_MDRENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/util/sbuf.h"

struct md_out {
	struct sbuf html;          /* the rendered content */
	struct sbuf section_attrs; /* " name=\"value\"..." for the <section> */
	bool has_code;
};

/* Render (md, len). Returns 0, or -1 if md4c gave up (it does not on any input
 * we know of; the caller reports the slide). (out) is appended to. */
int mdrender(const char *md, size_t len, struct md_out *out);
/* Parse an attribute list "a=\"1\" b='2' c=3 d" into " a=\"1\" b=\"2\" c=\"3\" d"
 * (escaped). Returns -1 when it is not one. */
int md_attrs(const char *s, size_t n, struct sbuf *out);

#endif
