/* SPDX-License-Identifier: MIT */
/* HTML escaping for text and attribute values: the one table of replacements. */
#ifndef UD_LIB_HTML_H
#define UD_LIB_HTML_H

/* The entity that stands for (c) in HTML text or a quoted attribute ("&amp;",
 * "&lt;", "&gt;", "&quot;", "&#39;"), or NULL when (c) goes as it is. */
const char *html_entity(char c);

#endif
