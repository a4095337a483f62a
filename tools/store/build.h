/* SPDX-License-Identifier: MIT */
/* Building a store: decks folder -> deck compiler -> store writer -> blob.
 *
 * Used by `unideck build` (which writes the blob to a file) and by `unideck serve`
 * (which serves it from memory and rebuilds on change). */
#ifndef UD_TOOLS_BUILD_H
#define UD_TOOLS_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tools/deck/deck.h"
#include "tools/util/diag.h"

struct build_opts {
	struct deck_opts deck;
	int level;      /* compression effort: 0 fastest (preview) .. 2 best (release) */
	FILE *progress; /* progress lines and totals, or NULL for --quiet */
	/* Where the store's bytes go (see struct storew_opts); NULL: malloc. */
	void *(*alloc)(void *ctx, size_t len);
	void *alloc_ctx;
};

struct build_totals {
	size_t decks, files;
	uint64_t raw, gzip, br; /* bytes of identity bodies and of kept variants */
	uint64_t store_len;
	double seconds;
};

/* Build (dir) into a malloc'd store blob (*blob, *len). Returns 0, or -1 with (d). */
int build_store(const char *dir, const struct build_opts *o, uint8_t **blob, size_t *len,
                struct build_totals *t, struct diag *d);

/* Write (blob) to (path) atomically (temporary file, fsync, rename). */
int build_write_file(const char *path, const uint8_t *blob, size_t len, struct diag *d);
/* Map the store file (path) read-only and open it; *map and *len describe the
 * mapping (munmap to release). With (fd) non-NULL the file stays open there (for
 * sendfile); else it is closed. */
int store_load_file(const char *path, struct store *st, void **map, size_t *len, int *fd,
                    struct diag *d);

#endif
