/* SPDX-License-Identifier: MIT */
/* Embedded pages from other sites in imported decks.
 *
 * mirage-decks frames YouTube videos (`<iframe src="//www.youtube.com/embed/ID">`),
 * which a unideck deck cannot load: it loads nothing from outside its server.
 * import_offline_frames() copies (src, len) to (out) with each <iframe> whose
 * src is outside the server, up to its </iframe>, replaced by a link to the
 * same address in a box of the frame's size (width, height), and prints a
 * warning naming (file) and the line of each. Other iframes are kept as they
 * are, and so is an iframe shown as code in Markdown (a (file) ending in .md,
 * or a <script> template's body). Returns how many it replaced. */
#ifndef UD_TOOLS_CMD_IMPORT_FRAMES_H
#define UD_TOOLS_CMD_IMPORT_FRAMES_H

#include <stddef.h>

#include "tools/util/sbuf.h"

int import_offline_frames(const char *file, const char *src, size_t len, struct sbuf *out);

#endif
