/* SPDX-License-Identifier: MIT */
/* A forgiving scan of HTML for the URLs a page loads.
 *
 * Not a full HTML parser: it finds start tags and their attributes, skips
 * comments, end tags and the bodies of <script>, and looks inside style="" and
 * <style> for url(...). For each URL a browser would fetch on its own (src,
 * poster, srcset members, data-src, reveal.js's data-background* and
 * data-preview-*, <link href>, <object data>, CSS url()) it reports the byte
 * span of the value, so a caller can check it or rewrite it. */
#ifndef UD_TOOLS_HTMLSCAN_H
#define UD_TOOLS_HTMLSCAN_H

#include <stddef.h>

struct html_ref {
	size_t off, len; /* the URL's bytes in the scanned text */
	char tag[16];    /* lower-case tag name, or "style" for CSS */
	char attr[32];   /* lower-case attribute name, or "url" for CSS url() */
};

/* Calls (fn) for each reference; a non-zero return stops the scan and is
 * returned. */
int html_scan(const char *p, size_t n, int (*fn)(void *ctx, const struct html_ref *r), void *ctx);

#endif
