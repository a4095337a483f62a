/* SPDX-License-Identifier: MIT */
/* Media types by file extension, and which types are worth compressing.
 *
 * Text types carry "; charset=utf-8" (decks are UTF-8 by the compiler's check).
 * Unknown extensions are application/octet-stream. */
#ifndef UD_TOOLS_MIME_H
#define UD_TOOLS_MIME_H

#include <stdbool.h>

/* The media type for (path) by its extension, ignoring case; never NULL. */
const char *mime_type(const char *path);
/* Whether gzip and brotli variants are worth trying for (type), judged by its
 * essence, ignoring parameters and case: every text/ type, JSON, XML and their
 * +json and +xml kin (RFC 6839), SVG, WebAssembly, TTF/OTF fonts and ICO/BMP
 * bitmaps shrink; images, video, audio, woff/woff2 and PDFs (whose streams are
 * deflated already) do not. */
bool mime_compressible(const char *type);

#endif
