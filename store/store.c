/* SPDX-License-Identifier: MIT */
/* The content store reader: validate a blob once, then look paths up without copying. */
#include "store/store.h"

#include "lib/mem.h"

/* Fields are read with checked little-endian getters, never by casting. */
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* (off, len) lies inside a blob of (total) bytes. */
static bool inside(uint64_t off, uint64_t len, uint64_t total)
{
	uint64_t end;

	return !__builtin_add_overflow(off, len, &end) && end <= total;
}

static const uint8_t *record(const struct store *st, uint32_t i)
{
	uint64_t off = rd64(st->base + 16);

	return st->base + off + (uint64_t)i * STORE_ENTRY_LEN;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static enum store_result check_rep(const uint8_t *r, bool present, uint64_t total)
{
	uint64_t body_off = rd64(r), body_len = rd64(r + 8);
	uint32_t hdr_off = rd32(r + 16), etag_off = rd32(r + 28);
	uint16_t hdr_len = rd16(r + 20), h304 = rd16(r + 22), h206 = rd16(r + 24);
	uint16_t etag_len = rd16(r + 26);

	if (!present)
		return all_zero(r, 32) ? STORE_OK : STORE_EFIELD;
	if (!inside(body_off, body_len, total) || !inside(hdr_off, hdr_len, total) ||
	    !inside(etag_off, etag_len, total))
		return STORE_EBOUNDS;
	if (h304 > h206 || h206 > hdr_len || etag_len < 2)
		return STORE_EFIELD;
	return STORE_OK;
}

static enum store_result check_entry(const uint8_t *e, uint64_t total, const uint8_t *base,
                                     const uint8_t *prev)
{
	uint32_t path_off = rd32(e), path_len = rd32(e + 4);
	uint32_t type_off = rd32(e + 8), type_len = rd32(e + 12);
	uint8_t mask = e[25];
	enum store_result r;
	int i;

	if (!inside(path_off, path_len, total) || !inside(type_off, type_len, total))
		return STORE_EBOUNDS;
	if (path_len == 0 || path_len > STORE_MAX_PATH || base[path_off] != '/')
		return STORE_EFIELD;
	if (e[24] > STORE_CACHE_SHORT || !(mask & 1u) || (mask >> STORE_ENC_COUNT) ||
	    !all_zero(e + 28, 4))
		return STORE_EFIELD;
	for (i = 0; i < STORE_ENC_COUNT; i++) {
		r = check_rep(e + 32 + 32 * i, (mask >> i) & 1u, total);
		if (r != STORE_OK)
			return r;
	}
	if (prev) {
		uint32_t pl = rd32(prev + 4);
		size_t n = pl < path_len ? pl : path_len;
		int c = memcmp(base + rd32(prev), base + path_off, n);
		if (c > 0 || (c == 0 && pl >= path_len))
			return STORE_EORDER;
	}
	return STORE_OK;
}

enum store_result store_open(struct store *st, const uint8_t *blob, uint64_t len)
{
	struct store s;
	uint64_t entries_off, table_len;
	uint32_t n, i;
	enum store_result r;

	if (len < STORE_HEADER_LEN || memcmp(blob, STORE_MAGIC, 8) != 0)
		return STORE_EMAGIC;
	if (rd32(blob + 8) != STORE_VERSION)
		return STORE_EVERSION;
	n = rd32(blob + 12);
	entries_off = rd64(blob + 16);
	if (rd64(blob + 24) != len)
		return STORE_EBOUNDS;
	if (!all_zero(blob + 44, 20) || (rd32(blob + 40) & ~STORE_F_DEV))
		return STORE_EFIELD;
	if (__builtin_mul_overflow((uint64_t)n, (uint64_t)STORE_ENTRY_LEN, &table_len) ||
	    !inside(entries_off, table_len, len))
		return STORE_EBOUNDS;
	s.base = blob;
	s.len = len;
	s.n_entries = n;
	s.flags = rd32(blob + 40);
	s.build_epoch = rd64(blob + 32);
	for (i = 0; i < n; i++) {
		r = check_entry(record(&s, i), len, blob, i ? record(&s, i - 1) : NULL);
		if (r != STORE_OK)
			return r;
	}
	*st = s;
	return STORE_OK;
}

void store_entry_at(const struct store *st, uint32_t i, struct store_entry *out)
{
	const uint8_t *e = record(st, i);
	int k;

	out->path = (const char *)st->base + rd32(e);
	out->path_len = rd32(e + 4);
	out->type = (const char *)st->base + rd32(e + 8);
	out->type_len = rd32(e + 12);
	out->mtime = rd64(e + 16);
	out->cache = e[24];
	out->enc_mask = e[25];
	out->flags = rd16(e + 26);
	for (k = 0; k < STORE_ENC_COUNT; k++) {
		const uint8_t *r = e + 32 + 32 * k;
		struct store_rep *rep = &out->rep[k];
		rep->body = st->base + rd64(r);
		rep->body_len = rd64(r + 8);
		rep->hdr = (const char *)st->base + rd32(r + 16);
		rep->hdr_len = rd16(r + 20);
		rep->hdr304_len = rd16(r + 22);
		rep->hdr206_len = rd16(r + 24);
		rep->etag_len = rd16(r + 26);
		rep->etag = (const char *)st->base + rd32(r + 28);
	}
}

bool store_lookup(const struct store *st, const char *path, size_t len, struct store_entry *out)
{
	uint32_t lo = 0, hi = st->n_entries;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const uint8_t *e = record(st, mid);
		uint32_t pl = rd32(e + 4);
		size_t n = pl < len ? pl : len;
		int c = memcmp(st->base + rd32(e), path, n);
		if (c == 0)
			c = pl < len ? -1 : pl > len ? 1 : 0;
		if (c == 0) {
			store_entry_at(st, mid, out);
			return true;
		}
		if (c < 0)
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
