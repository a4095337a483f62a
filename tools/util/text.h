/* SPDX-License-Identifier: MIT */
/* Text utilities for the deck compiler: UTF-8 validation, lines, files.
 *
 * Line numbers start at 1; columns count bytes from 1. */
#ifndef UD_TOOLS_TEXT_H
#define UD_TOOLS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/util/diag.h"

/* Check (p, n) is UTF-8 (RFC 3629: no overlongs, surrogates or values past
 * U+10FFFF). On failure fill (d) with the file, line and byte column. */
int text_utf8_check(const char *p, size_t n, const char *file, struct diag *d);
/* The line number of byte offset (off) in (p). */
int text_line_of(const char *p, size_t off);
/* The value of a hex digit, or -1. */
int text_hex(char c);
/* (p, n) with HTML character references decoded (&amp; &lt; &gt; &quot; &apos;
 * &#39; &nbsp; and every numeric one; others kept as written), malloc'd and
 * NUL-terminated; its length in (*out_len). */
char *text_html_decode(const char *p, size_t n, size_t *out_len);
/* Read a whole file; NUL-terminated. Returns NULL with (d) filled. */
char *text_read_file(const char *path, size_t *len, struct diag *d);

#endif
