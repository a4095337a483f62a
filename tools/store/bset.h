/* SPDX-License-Identifier: MIT */
/* A build set: the files about to enter a store, as the deck compiler made them.
 *
 * The deck compiler (tools/deck*.c) fills a bset; the store writer
 * (tools/store/storew.c) turns it into a store blob. Each file's path, type, src and
 * data are owned by the set and freed by bset_free(). Data is either malloc'd or,
 * for files read from disk, a read-only private mapping (so a large video is held
 * once, by the kernel's page cache). Adding a path twice replaces the first. */
#ifndef UD_TOOLS_BSET_H
#define UD_TOOLS_BSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "tools/util/diag.h"

struct bfile {
	char *path; /* URL path: starts '/', no dot segments, no '//' */
	uint8_t *data;
	size_t len;
	bool mapped;    /* data is an mmap of a source file, not malloc'd */
	char *type;     /* media type; NULL: by the path's extension (mime_type()) */
	uint8_t cache;  /* enum store_cache */
	uint16_t flags; /* STORE_E_* */
	int64_t mtime;  /* Unix seconds, for Last-Modified */
	char *src;      /* the source file, for messages; may be NULL */
};

struct bset {
	struct bfile *v;
	size_t n, cap;
};

void bset_init(struct bset *s);
void bset_free(struct bset *s);
/* Add (path) with malloc'd (data, len), taking ownership of data. Returns the
 * new entry for the caller to fill in type, cache, flags, mtime and src. Aborts
 * on out-of-memory. */
struct bfile *bset_add(struct bset *s, const char *path, uint8_t *data, size_t len);
/* Add (path) with the contents of the file (fs_path), mapped read-only, and its
 * mtime. Returns NULL and fills (d) when the file cannot be read. */
struct bfile *bset_add_file(struct bset *s, const char *path, const char *fs_path, struct diag *d);
struct bfile *bset_find(const struct bset *s, const char *path);
/* Sort by path, bytewise, as the store requires. */
void bset_sort(struct bset *s);

#endif
