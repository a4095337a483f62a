/* SPDX-License-Identifier: MIT */
/* Media types by file extension, and which types are worth compressing.
 *
 * Text types carry "; charset=utf-8" (decks are UTF-8 by the compiler's check).
 * Unknown extensions are application/octet-stream. */
#ifndef UD_TOOLS_MIME_H
#define UD_TOOLS_MIME_H

#include <stdbool.h>

const char *mime_type(const char *path);
/* Text, scripts, JSON, SVG, XML, WebAssembly and uncompressed fonts shrink;
 * images, video, audio, woff/woff2 and PDFs are compressed already. */
bool mime_compressible(const char *type);

#endif
