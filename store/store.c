/* SPDX-License-Identifier: MIT */
/* The content store reader: validate a blob once, then look paths up without copying. */
#include "store/store.h"

#include "lib/assert.h"
#include "lib/cursor.h"
#include "lib/mem.h"

/* A representation's fields and an entry record, decoded from the blob
 * (store.h's layout). */
struct rec_rep {
	uint64_t body_off, body_len;
	uint32_t hdr_off;
	uint16_t hdr_len, h304, h206, etag_len;
	uint32_t etag_off;
};

struct rec {
	uint32_t path_off, path_len, type_off, type_len;
	uint64_t mtime;
	uint8_t cache, mask;
	uint16_t flags;
	uint32_t reserved;
	struct rec_rep rep[STORE_ENC_COUNT];
};

#define KNOWN_STORE_FLAGS STORE_F_DEV
#define KNOWN_ENTRY_FLAGS (STORE_E_HTML | STORE_E_DECK)

/* Decode the 128-byte record at (p) with the cursor's checked little-endian
 * getters: never a struct cast onto the blob (STYLE.md rule 6). The caller has
 * checked that the whole record lies inside the blob, so this cannot fail; the
 * chain of getters still says so if it ever did. */
static bool rec_read(const uint8_t *p, struct rec *r)
{
	struct cur c = cur_make(p, STORE_ENTRY_LEN);
	bool ok = cur_u32le(&c, &r->path_off) && cur_u32le(&c, &r->path_len) &&
	          cur_u32le(&c, &r->type_off) && cur_u32le(&c, &r->type_len) &&
	          cur_u64le(&c, &r->mtime) && cur_u8(&c, &r->cache) && cur_u8(&c, &r->mask) &&
	          cur_u16le(&c, &r->flags) && cur_u32le(&c, &r->reserved);
	int i;

	for (i = 0; ok && i < STORE_ENC_COUNT; i++)
		ok = cur_u64le(&c, &r->rep[i].body_off) && cur_u64le(&c, &r->rep[i].body_len) &&
		     cur_u32le(&c, &r->rep[i].hdr_off) && cur_u16le(&c, &r->rep[i].hdr_len) &&
		     cur_u16le(&c, &r->rep[i].h304) && cur_u16le(&c, &r->rep[i].h206) &&
		     cur_u16le(&c, &r->rep[i].etag_len) && cur_u32le(&c, &r->rep[i].etag_off);
	return ok && c.len == 0;
}

/* The header's u32/u64 at (off): the header is 64 bytes and checked present. */
static uint32_t hdr_u32(const uint8_t *blob, size_t off)
{
	struct cur c = cur_make(blob + off, 4);
	uint32_t v = 0;

	cur_u32le(&c, &v);
	return v;
}

static uint64_t hdr_u64(const uint8_t *blob, size_t off)
{
	struct cur c = cur_make(blob + off, 8);
	uint64_t v = 0;

	cur_u64le(&c, &v);
	return v;
}

/* (off, len) lies inside a blob of (total) bytes, without wrapping (STYLE.md 7). */
static bool inside(uint64_t off, uint64_t len, uint64_t total)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= total;
}

/* Where record (i) starts; store_open checked the table lies inside the blob. */
static const uint8_t *record(const struct store *st, uint32_t i)
{
	UD_ASSERT(i < st->n_entries);
	return st->base + hdr_u64(st->base, 16) + (uint64_t)i * STORE_ENTRY_LEN;
}

static int path_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static enum store_result check_reps(const struct rec *r, uint64_t total)
{
	int i;

	for (i = 0; i < STORE_ENC_COUNT; i++) {
		const struct rec_rep *p = &r->rep[i];
		if (!((r->mask >> i) & 1u)) {
			/* Absent: every field zero, so nothing stale can be served. */
			if (p->body_off || p->body_len || p->hdr_off || p->hdr_len || p->h304 ||
			    p->h206 || p->etag_len || p->etag_off)
				return STORE_EFIELD;
			continue;
		}
		if (!inside(p->body_off, p->body_len, total) ||
		    !inside(p->hdr_off, p->hdr_len, total) ||
		    !inside(p->etag_off, p->etag_len, total))
			return STORE_EBOUNDS;
		/* The 304 and 206 heads are prefixes of the 200 head (store.h);
		 * an ETag is at least its two quotes (RFC 9110 8.8.3). */
		if (p->h304 > p->h206 || p->h206 > p->hdr_len || p->etag_len < 2)
			return STORE_EFIELD;
	}
	return STORE_OK;
}

/* Validate record (r); (prev) is the record before it, or NULL for the first. */
static enum store_result check_entry(const uint8_t *base, uint64_t total, const struct rec *r,
                                     const struct rec *prev)
{
	enum store_result res;

	if (!inside(r->path_off, r->path_len, total) || !inside(r->type_off, r->type_len, total))
		return STORE_EBOUNDS;
	if (r->path_len == 0 || r->path_len > STORE_MAX_PATH || base[r->path_off] != '/')
		return STORE_EFIELD;
	if (r->cache > STORE_CACHE_SHORT || (r->flags & ~KNOWN_ENTRY_FLAGS) || r->reserved)
		return STORE_EFIELD;
	if (!(r->mask & (1u << STORE_ENC_IDENTITY)) || (r->mask >> STORE_ENC_COUNT))
		return STORE_EFIELD;
	res = check_reps(r, total);
	if (res != STORE_OK)
		return res;
	/* Strictly ascending: binary search needs the order, and a repeated path
	 * would make lookups ambiguous. */
	if (prev &&
	    path_cmp(base + prev->path_off, prev->path_len, base + r->path_off, r->path_len) >= 0)
		return STORE_EORDER;
	return STORE_OK;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

enum store_result store_open(struct store *st, const uint8_t *blob, uint64_t len)
{
	struct store s;
	struct rec cur, prev;
	uint64_t entries_off, table_len;
	uint32_t i;
	enum store_result r;

	if (len < STORE_HEADER_LEN || memcmp(blob, STORE_MAGIC, 8) != 0)
		return STORE_EMAGIC;
	if (hdr_u32(blob, 8) != STORE_VERSION)
		return STORE_EVERSION;
	s.base = blob;
	s.len = len;
	s.n_entries = hdr_u32(blob, 12);
	entries_off = hdr_u64(blob, 16);
	s.build_epoch = hdr_u64(blob, 32);
	s.flags = hdr_u32(blob, 40);
	if (hdr_u64(blob, 24) != len)
		return STORE_EBOUNDS;
	if ((s.flags & ~KNOWN_STORE_FLAGS) || !all_zero(blob + 44, 20))
		return STORE_EFIELD;
	/* The table lies after the header and inside the blob. */
	if (__builtin_mul_overflow((uint64_t)s.n_entries, (uint64_t)STORE_ENTRY_LEN, &table_len) ||
	    entries_off < STORE_HEADER_LEN || !inside(entries_off, table_len, len))
		return STORE_EBOUNDS;
	for (i = 0; i < s.n_entries; i++) {
		if (!rec_read(record(&s, i), &cur))
			return STORE_EBOUNDS;
		r = check_entry(blob, len, &cur, i ? &prev : NULL);
		if (r != STORE_OK)
			return r;
		prev = cur;
	}
	*st = s;
	return STORE_OK;
}

void store_entry_at(const struct store *st, uint32_t i, struct store_entry *out)
{
	struct rec r;
	int k;

	rec_read(record(st, i), &r); /* cannot fail: store_open read it already */
	out->path = (const char *)st->base + r.path_off;
	out->path_len = r.path_len;
	out->type = (const char *)st->base + r.type_off;
	out->type_len = r.type_len;
	out->mtime = r.mtime;
	out->cache = r.cache;
	out->enc_mask = r.mask;
	out->flags = r.flags;
	for (k = 0; k < STORE_ENC_COUNT; k++) {
		struct store_rep *rep = &out->rep[k];
		rep->body = st->base + r.rep[k].body_off;
		rep->body_len = r.rep[k].body_len;
		rep->hdr = (const char *)st->base + r.rep[k].hdr_off;
		rep->hdr_len = r.rep[k].hdr_len;
		rep->hdr304_len = r.rep[k].h304;
		rep->hdr206_len = r.rep[k].h206;
		rep->etag = (const char *)st->base + r.rep[k].etag_off;
		rep->etag_len = r.rep[k].etag_len;
	}
}

/* Binary search over the validated table: it only needs each record's path,
 * so it reads those two fields rather than decoding whole records. */
bool store_lookup(const struct store *st, const char *path, size_t len, struct store_entry *out)
{
	uint32_t lo = 0, hi = st->n_entries;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		struct cur c = cur_make(record(st, mid), 8);
		uint32_t off = 0, plen = 0;
		int cmp;

		cur_u32le(&c, &off);
		cur_u32le(&c, &plen);
		cmp = path_cmp(st->base + off, plen, (const uint8_t *)path, len);
		if (cmp == 0) {
			store_entry_at(st, mid, out);
			return true;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

const char *store_result_str(enum store_result r)
{
	switch (r) {
	case STORE_OK:
		return "ok";
	case STORE_EMAGIC:
		return "not a unideck store";
	case STORE_EVERSION:
		return "a store of another version";
	case STORE_EBOUNDS:
		return "an offset or length points outside the store";
	case STORE_EORDER:
		return "paths are not sorted or repeat";
	case STORE_EFIELD:
		return "a field holds a value this version does not know";
	}
	return "unknown error";
}
