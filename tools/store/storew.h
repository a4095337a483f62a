/* SPDX-License-Identifier: MIT */
/* The store writer: a build set in, a store blob (store/store.h's layout) out.
 *
 * For each file: identity always; gzip (libdeflate) and brotli (libbrotlienc)
 * variants for compressible types, kept only when at least 5% and 64 bytes
 * smaller; a strong ETag per representation (the first 96 bits of the SHA-256
 * of its bytes, in hex); the precomputed header block. Bodies start on 64-byte
 * boundaries (a cache line: the device and the checksum loop read them whole).
 *
 * Levels: 2 (release) is gzip level 12 (libdeflate) and brotli quality 11; 0 and
 * 1 (preview) are gzip 6 and brotli 5. Files under 128 bytes and types that
 * mime_compressible() refuses get no variants.
 *
 * The same set, level and epoch always give the same bytes. A compression cache
 * (storew_cache) remembers variants by content hash, level and brotli mode, so
 * the preview server's rebuilds only compress what changed; it may be NULL. A
 * cache serves one storew_write at a time, and after each successful write it
 * keeps only the variants that write used, so it holds one build's worth.
 * Compression and hashing run on every CPU (up to 16 threads); the result does
 * not depend on how many there are.
 *
 * Refused (-1 with a diag naming the file): a path not starting with '/' or
 * longer than STORE_MAX_PATH, a media type that is not a valid header value, an
 * unknown cache class or entry flag, a store whose strings pass 4 GiB, or no
 * memory for the blob. */
#ifndef UD_TOOLS_STOREW_H
#define UD_TOOLS_STOREW_H

#include <stddef.h>
#include <stdint.h>

#include "tools/store/bset.h"
#include "tools/util/diag.h"

struct storew_cache;

struct storew_opts {
	int level;            /* 0 fast (preview) .. 2 smallest (release) */
	uint64_t build_epoch; /* the store header's build time */
	uint32_t flags;       /* STORE_F_* */
	struct storew_cache *cache;
	/* Where the blob goes: zeroed memory of (len) bytes from (alloc), or NULL
	 * on failure; the caller then owns it. Default (NULL): calloc, free(). The
	 * preview server allocates in its memfd, so a large video is not held
	 * twice. */
	void *(*alloc)(void *ctx, size_t len);
	void *alloc_ctx;
};

struct storew_totals {
	size_t files;
	uint64_t raw, gzip, br; /* identity bytes; bytes of the variants kept */
	size_t n_gzip, n_br;
};

struct storew_cache *storew_cache_new(void);
void storew_cache_free(struct storew_cache *c);
/* How many files' variants (c) holds (for tests and stats); 0 for NULL. */
size_t storew_cache_entries(const struct storew_cache *c);

/* Sorts (set) by path. Returns 0 with a malloc'd (*blob, *len), or -1 with (d). */
int storew_write(struct bset *set, const struct storew_opts *o, uint8_t **blob, size_t *len,
                 struct storew_totals *t, struct diag *d);

#endif
