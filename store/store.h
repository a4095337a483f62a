/* SPDX-License-Identifier: MIT */
/* The content store: every servable path, in its final form, in one read-only blob.
 *
 * The store is written by `unideck build` (tools/store/storew.c) and read here. Reading
 * never allocates and never copies: store_open() validates the whole blob once
 * (every offset and length is bounds-checked, paths are sorted and unique), and
 * afterwards lookups return views that point into the blob. The blob is borrowed:
 * it must outlive the struct store and every view taken from it, and must not
 * change (in the kernel it is read-only data; hosted, a private mapping).
 *
 * Layout (all integers little-endian, offsets from the start of the blob):
 *
 *   header, 64 bytes:
 *     0  magic      "UDSTORE1"
 *     8  u32        version (STORE_VERSION)
 *     12 u32        n_entries
 *     16 u64        entries_off   (n_entries records of 128 bytes, sorted by path)
 *     24 u64        total_len     (must equal the blob's length)
 *     32 u64        build_epoch   (Unix seconds; Last-Modified of generated files)
 *     40 u32        flags         (STORE_F_*)
 *     44 u32        reserved, 0
 *     48 u8[16]     reserved, 0
 *
 *   entry record, 128 bytes:
 *     0  u32 path_off   4  u32 path_len     path as requested, e.g. "/talk/index.html"
 *     8  u32 type_off   12 u32 type_len     media type, e.g. "text/html; charset=utf-8"
 *     16 u64 mtime                           Last-Modified, Unix seconds
 *     24 u8  cache      (enum store_cache)
 *     25 u8  enc_mask   bit (1 << enum store_enc) set for each representation held;
 *                       identity is always held
 *     26 u16 flags      (STORE_E_*)
 *     28 u32 reserved, 0
 *     32 rep[3], 32 bytes each, indexed by enum store_enc (absent ones all zero):
 *        0  u64 body_off    8  u64 body_len
 *        16 u32 hdr_off     20 u16 hdr_len
 *        22 u16 hdr304_len  24 u16 hdr206_len  26 u16 etag_len
 *        28 u32 etag_off
 *
 * Precomputed headers: for each representation, hdr is the complete header block
 * of a 200 response except the status line, Date and Connection, each line ending
 * CRLF, in this order so that prefixes serve the other statuses:
 *
 *     ETag, Last-Modified, Cache-Control, Vary (when other encodings exist)
 *                                          <- hdr304_len: a 304 sends this prefix
 *     Content-Type, Content-Encoding (when not identity), Accept-Ranges,
 *     X-Content-Type-Options, X-Frame-Options, Referrer-Policy
 *                                          <- hdr206_len: 206 adds its own
 *                                             Content-Range and Content-Length
 *     Content-Length
 *                                          <- hdr_len
 *
 * ETags are strong, quoted, and differ between the representations of a path.
 */
#ifndef UD_STORE_H
#define UD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_MAGIC      "UDSTORE1"
#define STORE_VERSION    1u
#define STORE_HEADER_LEN 64u
#define STORE_ENTRY_LEN  128u
#define STORE_MAX_PATH   1024u /* longest path a store may hold */

enum store_result {
	STORE_OK = 0,
	STORE_EMAGIC,   /* not a store */
	STORE_EVERSION, /* a store of another version */
	STORE_EBOUNDS,  /* an offset or length points outside the blob */
	STORE_EORDER,   /* paths not sorted, or repeated */
	STORE_EFIELD,   /* a field holds a value this version does not know */
};

enum store_enc {
	STORE_ENC_IDENTITY = 0,
	STORE_ENC_GZIP = 1,
	STORE_ENC_BR = 2,
	STORE_ENC_COUNT = 3,
};

enum store_cache {
	STORE_CACHE_REVALIDATE = 0, /* no-cache: HTML and deck content */
	STORE_CACHE_IMMUTABLE = 1,  /* max-age=31536000, immutable: versioned runtime */
	STORE_CACHE_SHORT = 2,      /* max-age=300: assets that may change between builds */
};

/* Store-wide flags. */
#define STORE_F_DEV 0x1u /* a preview build: pages carry the live-reload script */

/* Entry flags. */
#define STORE_E_HTML 0x1u /* an HTML page (for error pages and reload injection) */
#define STORE_E_DECK 0x2u /* the index.html of a deck */

struct store {
	const uint8_t *base;
	uint64_t len;
	uint32_t n_entries;
	uint32_t flags;
	uint64_t build_epoch;
};

/* One representation of a path: a view into the blob. */
struct store_rep {
	const uint8_t *body;
	uint64_t body_len;
	const char *hdr;
	uint32_t hdr_len;
	uint32_t hdr304_len;
	uint32_t hdr206_len;
	const char *etag; /* with its quotes */
	uint32_t etag_len;
};

/* A path and all its representations: a view into the blob. */
struct store_entry {
	const char *path;
	uint32_t path_len;
	const char *type;
	uint32_t type_len;
	uint64_t mtime;
	uint8_t cache;
	uint8_t enc_mask;
	uint16_t flags;
	struct store_rep rep[STORE_ENC_COUNT];
};

/* Validate (blob, len) and describe it in (st). On failure (st) is untouched. */
enum store_result store_open(struct store *st, const uint8_t *blob, uint64_t len);

/* Find the entry whose path is exactly (path, len). Returns false if none. */
bool store_lookup(const struct store *st, const char *path, size_t len, struct store_entry *out);

/* The i-th entry in path order, i < st->n_entries. */
void store_entry_at(const struct store *st, uint32_t i, struct store_entry *out);

const char *store_result_str(enum store_result r);

#endif
