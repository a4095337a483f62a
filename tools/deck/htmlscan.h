/* SPDX-License-Identifier: MIT */
/* A forgiving scan of HTML for the URLs a page loads.
 *
 * Not a full HTML parser: it finds start tags and their attributes, skips
 * comments, end tags and the bodies of <script>, and looks inside style="" and
 * <style> for url(...). For each URL a browser would fetch on its own (src,
 * poster, srcset members, data-src, reveal.js's data-background* and
 * data-preview-*, <link href>, <object data>, CSS url()) it reports the byte
 * span of the value, so a caller can check it or rewrite it. data-markdown="x.md"
 * counts too: reveal.js's Markdown plugin fetches it.
 *
 * html_tags() walks the same tags for callers that need the page's structure
 * (slides, in-page Markdown): start and end tags in order, with the raw text of
 * <script>, <style> and <textarea> bodies, comments skipped. css_scan() finds
 * url(...) and @import in a style sheet. */
#ifndef UD_TOOLS_HTMLSCAN_H
#define UD_TOOLS_HTMLSCAN_H

#include <stdbool.h>
#include <stddef.h>

struct html_ref {
	size_t off, len; /* the URL's bytes in the scanned text */
	char tag[16];    /* lower-case tag name, or "style" for CSS */
	char attr[32];   /* lower-case attribute name, or "url" for CSS url() */
};

/* Calls (fn) for each reference; a non-zero return stops the scan and is
 * returned. */
int html_scan(const char *p, size_t n, int (*fn)(void *ctx, const struct html_ref *r), void *ctx);
/* url(...) and @import "..." of a style sheet (attr "url" or "import"). */
int css_scan(const char *p, size_t n, int (*fn)(void *ctx, const struct html_ref *r), void *ctx);

struct html_tag {
	size_t off, end; /* the tag's bytes, '<' to after '>' */
	char name[16];   /* lower case */
	bool closing;    /* an end tag */
	/* <script>, <style>, <textarea>: the raw text up to its end tag */
	size_t body, body_end;
};

/* Calls (fn) for each tag; a non-zero return stops the walk and is returned. */
int html_tags(const char *p, size_t n, int (*fn)(void *ctx, const struct html_tag *t), void *ctx);
/* The value of attribute (name) of the start tag (t): its span in (p), or false
 * when the tag does not have it (a bare attribute has an empty span). */
bool html_attr(const char *p, const struct html_tag *t, const char *name, size_t *vs, size_t *ve);

#endif
