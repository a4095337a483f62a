/* SPDX-License-Identifier: MIT */
/* The store writer: compression, ETags, precomputed headers and the blob layout. */
#include "tools/store/storew.h"

#include <brotli/encode.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/httpdate.h"
#include "lib/sha256.h"
#include "tools/store/mime.h"

#define ALIGN    64u
#define ETAG_HEX 24 /* 96 bits of SHA-256: collisions are out of reach for decks */

/* ---- the compression cache: content hash, level and mode -> variants ---- */

struct variant {
	uint8_t *p;
	size_t len; /* 0: not worth keeping */
};

/* What a file's variants depend on: its bytes, the effort, and brotli's mode
 * (a .css and a .ttf with the same bytes compress differently). */
struct ckey {
	uint8_t hash[SHA256_LEN];
	int level;
	int mode;
};

struct centry {
	struct ckey key;
	bool used;
	unsigned gen; /* the write that last used it */
	struct variant gz, br;
};

/* Open addressing, at most half full. Entries that the latest write did not use
 * are dropped when it ends (cache_sweep), so the preview server holds the
 * variants of one build, not of every edit ever made. */
struct storew_cache {
	struct centry *v;
	size_t cap, n;
	unsigned gen;
	pthread_mutex_t lock;
};

struct storew_cache *storew_cache_new(void)
{
	struct storew_cache *c = calloc(1, sizeof *c);

	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void storew_cache_free(struct storew_cache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->cap; i++) {
		free(c->v[i].gz.p);
		free(c->v[i].br.p);
	}
	free(c->v);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

size_t storew_cache_entries(const struct storew_cache *c)
{
	return c ? c->n : 0;
}

static bool key_eq(const struct ckey *a, const struct ckey *b)
{
	return a->level == b->level && a->mode == b->mode && !memcmp(a->hash, b->hash, SHA256_LEN);
}

/* The slot holding (k), or the empty slot where it would go. */
static size_t slot_of(const struct centry *v, size_t cap, const struct ckey *k)
{
	size_t i;

	memcpy(&i, k->hash, sizeof i); /* a SHA-256 is uniform already */
	for (i %= cap;; i = (i + 1) % cap)
		if (!v[i].used || key_eq(&v[i].key, k))
			return i;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fputs("unideck: out of memory\n", stderr);
		abort();
	}
	return p;
}

/* Move every used entry of (c) into a fresh table of (cap) slots, keeping
 * those (keep) says to and freeing the others' variants. Lock held. */
static void rehash(struct storew_cache *c, size_t cap, bool sweep)
{
	struct centry *old = c->v;
	size_t old_cap = c->cap, i;

	c->v = xcalloc(cap, sizeof *c->v);
	c->cap = cap;
	c->n = 0;
	for (i = 0; i < old_cap; i++) {
		if (!old[i].used)
			continue;
		if (sweep && old[i].gen != c->gen) {
			free(old[i].gz.p);
			free(old[i].br.p);
			continue;
		}
		c->v[slot_of(c->v, cap, &old[i].key)] = old[i];
		c->n++;
	}
	free(old);
}

static bool cache_get(struct storew_cache *c, const struct ckey *k, struct variant *gz,
                      struct variant *br)
{
	bool hit = false;
	size_t i;

	if (!c)
		return false;
	pthread_mutex_lock(&c->lock);
	if (c->cap) {
		i = slot_of(c->v, c->cap, k);
		if (c->v[i].used) {
			c->v[i].gen = c->gen;
			*gz = c->v[i].gz;
			*br = c->v[i].br;
			hit = true;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return hit;
}

/* The cache takes ownership of (*gz, *br). When another thread stored the
 * same key meanwhile, ours are freed and *gz, *br become the stored ones, so
 * every job holds memory that the cache owns. */
static void cache_put(struct storew_cache *c, const struct ckey *k, struct variant *gz,
                      struct variant *br)
{
	struct centry *e;

	pthread_mutex_lock(&c->lock);
	if (c->n * 2 >= c->cap)
		rehash(c, c->cap ? c->cap * 2 : 256, false);
	e = &c->v[slot_of(c->v, c->cap, k)];
	if (!e->used) {
		e->key = *k;
		e->used = true;
		e->gz = *gz;
		e->br = *br;
		c->n++;
	} else {
		free(gz->p);
		free(br->p);
		*gz = e->gz;
		*br = e->br;
	}
	e->gen = c->gen;
	pthread_mutex_unlock(&c->lock);
}

/* Drop what the write that just ended did not use. */
static void cache_sweep(struct storew_cache *c)
{
	if (!c || !c->cap)
		return;
	pthread_mutex_lock(&c->lock);
	rehash(c, c->cap, true);
	pthread_mutex_unlock(&c->lock);
}

/* ---- compression ---- */

/* A variant is kept only when it saves at least 64 bytes and 5%: below that,
 * the Vary header, the extra cache entries downstream and the client's
 * decoding cost more than the bytes saved. */
static bool worth(size_t raw, size_t packed)
{
	return packed + 64 <= raw && packed * 100 <= raw * 95;
}

static struct variant do_gzip(const uint8_t *p, size_t n, int level)
{
	/* libdeflate's level 12 is its slowest and smallest; 6 is zlib's default. */
	struct libdeflate_compressor *z = libdeflate_alloc_compressor(level >= 2 ? 12 : 6);
	struct variant v = {NULL, 0};
	size_t cap;

	if (!z)
		return v;
	cap = libdeflate_gzip_compress_bound(z, n);
	v.p = malloc(cap);
	/* libdeflate writes MTIME 0, no FNAME and a fixed OS byte (RFC 1952 2.3.1),
	 * so the same bytes in give the same bytes out. */
	if (v.p)
		v.len = libdeflate_gzip_compress(z, p, n, v.p, cap);
	libdeflate_free_compressor(z);
	if (!worth(n, v.len)) {
		free(v.p);
		v.p = NULL;
		v.len = 0;
	}
	return v;
}

/* Brotli's mode hint (RFC 7932 leaves it to the encoder): UTF-8 text, WOFF 2.0
 * style font data, or anything else. */
static int brotli_mode(const char *type)
{
	if (strncmp(type, "font/", 5) == 0)
		return BROTLI_MODE_FONT;
	if (strncmp(type, "text/", 5) == 0 || strcmp(type, "image/svg+xml") == 0 ||
	    strncmp(type, "application/json", 16) == 0 || strncmp(type, "application/xml", 15) == 0)
		return BROTLI_MODE_TEXT;
	return BROTLI_MODE_GENERIC;
}

static struct variant do_brotli(const uint8_t *p, size_t n, int level, int mode)
{
	size_t cap = BrotliEncoderMaxCompressedSize(n), len;
	uint8_t *out;
	struct variant none = {NULL, 0};

	if (!cap)
		cap = 64;
	len = cap;
	if (!(out = malloc(cap)))
		return none;
	/* Quality 11 is brotli's best; 5 compresses about as well as gzip -9 at
	 * a small fraction of 11's time, for the preview server's rebuilds. */
	if (!BrotliEncoderCompress(level >= 2 ? BROTLI_MAX_QUALITY : 5, BROTLI_DEFAULT_WINDOW,
	                           (BrotliEncoderMode)mode, n, p, &len, out) ||
	    !worth(n, len)) {
		free(out);
		return none;
	}
	return (struct variant){out, len};
}

/* ---- per-file work ---- */

struct rep {
	const uint8_t *p;
	size_t len;
	uint8_t hash[SHA256_LEN];
	char etag[ETAG_HEX + 3];
	char *hdr;
	size_t hdr_len, h304, h206;
};

struct job {
	const struct bfile *f;
	const char *type;
	struct variant gz, br; /* owned by the cache when there is one */
	struct rep rep[STORE_ENC_COUNT];
	uint8_t mask;
};

struct work {
	struct job *jobs;
	size_t n, next;
	int level;
	struct storew_cache *cache;
	pthread_mutex_t lock;
};

/* Hash, compress (or find in the cache) and hash again: everything about a
 * file that costs time, run on a worker thread. Files under 128 bytes are not
 * compressed: no variant of them could pass worth(). */
static void compress_job(struct work *w, struct job *j)
{
	struct rep *id = &j->rep[STORE_ENC_IDENTITY];
	struct ckey k;
	int e;

	id->p = j->f->data;
	id->len = j->f->len;
	sha256(id->p, id->len, id->hash);
	j->mask = 1u << STORE_ENC_IDENTITY;
	if (mime_compressible(j->type) && j->f->len >= 128) {
		memset(&k, 0, sizeof k);
		memcpy(k.hash, id->hash, SHA256_LEN);
		k.level = w->level >= 2 ? 2 : 0;
		k.mode = brotli_mode(j->type);
		if (!cache_get(w->cache, &k, &j->gz, &j->br)) {
			j->gz = do_gzip(j->f->data, j->f->len, w->level);
			j->br = do_brotli(j->f->data, j->f->len, w->level, k.mode);
			if (w->cache)
				cache_put(w->cache, &k, &j->gz, &j->br);
		}
	}
	if (j->gz.len) {
		j->rep[STORE_ENC_GZIP].p = j->gz.p;
		j->rep[STORE_ENC_GZIP].len = j->gz.len;
		j->mask |= 1u << STORE_ENC_GZIP;
	}
	if (j->br.len) {
		j->rep[STORE_ENC_BR].p = j->br.p;
		j->rep[STORE_ENC_BR].len = j->br.len;
		j->mask |= 1u << STORE_ENC_BR;
	}
	for (e = 1; e < STORE_ENC_COUNT; e++)
		if (j->mask & (1u << e))
			sha256(j->rep[e].p, j->rep[e].len, j->rep[e].hash);
}

static void *worker(void *arg)
{
	struct work *w = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&w->lock);
		i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->n)
			return NULL;
		compress_job(w, &w->jobs[i]);
	}
}

/* Jobs are independent and each writes only its own struct job, so the output
 * is the same whichever thread ran which job. */
static void compress_all(struct work *w)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pthread_t th[16];
	size_t n = cpus < 1 ? 1 : cpus > 16 ? 16 : (size_t)cpus, i, started = 0;

	if (n > w->n)
		n = w->n ? w->n : 1;
	pthread_mutex_init(&w->lock, NULL);
	for (i = 1; i < n; i++)
		if (pthread_create(&th[started], NULL, worker, w) == 0)
			started++;
	worker(w);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&w->lock);
}

/* A strong entity tag (RFC 9110 8.8.3): the first ETAG_HEX hex digits of the
 * representation's SHA-256, quoted. Each encoding has its own bytes, so its
 * own tag, as 8.8.3.3 asks of content codings. */
static void etag_of(const uint8_t hash[SHA256_LEN], char *out)
{
	static const char hx[] = "0123456789abcdef";
	int i;

	out[0] = '"';
	for (i = 0; i < ETAG_HEX / 2; i++) {
		out[1 + 2 * i] = hx[hash[i] >> 4];
		out[2 + 2 * i] = hx[hash[i] & 15];
	}
	out[ETAG_HEX + 1] = '"';
	out[ETAG_HEX + 2] = 0;
}

static const char *cache_control(uint8_t cache)
{
	switch (cache) {
	case STORE_CACHE_IMMUTABLE:
		return "public, max-age=31536000, immutable";
	case STORE_CACHE_SHORT:
		return "public, max-age=300";
	default:
		return "no-cache";
	}
}

/* Append to (buf) at *n; an overflow leaves *n past the end, which the caller checks. */
static void app(char *buf, size_t cap, size_t *n, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void app(char *buf, size_t cap, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n >= cap)
		return;
	va_start(ap, fmt);
	k = vsnprintf(buf + *n, cap - *n, fmt, ap);
	va_end(ap);
	*n += k < 0 ? cap : (size_t)k;
}

/* The header block, in store/store.h's order. */
static int headers(struct job *j, int enc, int64_t mtime)
{
	static const char *const coding[STORE_ENC_COUNT] = {NULL, "gzip", "br"};
	struct rep *r = &j->rep[enc];
	char date[HTTPDATE_LEN + 1] = {0};
	char buf[2048];
	size_t n = 0;

	httpdate_format(mtime < 0 ? 0 : (uint64_t)mtime, date);
	app(buf, sizeof buf, &n, "ETag: %s\r\nLast-Modified: %s\r\nCache-Control: %s\r\n", r->etag,
	    date, cache_control(j->f->cache));
	if (j->mask != 1)
		app(buf, sizeof buf, &n, "Vary: Accept-Encoding\r\n");
	r->h304 = n;
	app(buf, sizeof buf, &n, "Content-Type: %s\r\n", j->type);
	if (coding[enc])
		app(buf, sizeof buf, &n, "Content-Encoding: %s\r\n", coding[enc]);
	app(buf, sizeof buf, &n,
	    "Accept-Ranges: bytes\r\nX-Content-Type-Options: nosniff\r\n"
	    "X-Frame-Options: SAMEORIGIN\r\nReferrer-Policy: no-referrer\r\n");
	r->h206 = n;
	app(buf, sizeof buf, &n, "Content-Length: %zu\r\n", r->len);
	if (n >= sizeof buf)
		return -1;
	r->hdr = malloc(n);
	if (!r->hdr)
		return -1;
	memcpy(r->hdr, buf, n);
	r->hdr_len = n;
	return 0;
}

/* Tags and header blocks for each representation of a compressed job. */
static int finish_job(struct job *j)
{
	int e;

	for (e = 0; e < STORE_ENC_COUNT; e++) {
		if (!(j->mask & (1u << e)))
			continue;
		etag_of(j->rep[e].hash, j->rep[e].etag);
		if (headers(j, e, j->f->mtime) != 0)
			return -1;
	}
	return 0;
}

/* ---- the blob ---- */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t align_up(uint64_t v)
{
	return (v + ALIGN - 1) / ALIGN * ALIGN;
}

/* Bytes of strings (paths, types, ETags, headers) for every job. */
static uint64_t strings_len(const struct job *jobs, size_t n)
{
	uint64_t total = 0;
	size_t i;
	int e;

	for (i = 0; i < n; i++) {
		total += strlen(jobs[i].f->path) + strlen(jobs[i].type);
		for (e = 0; e < STORE_ENC_COUNT; e++)
			if (jobs[i].mask & (1u << e))
				total += ETAG_HEX + 2 + jobs[i].rep[e].hdr_len;
	}
	return total;
}

/* Copy (p, n) to the blob at *at; returns where it went. */
static uint64_t place(uint8_t *blob, uint64_t *at, const void *p, size_t n)
{
	uint64_t where = *at;

	memcpy(blob + where, p, n);
	*at += n;
	return where;
}

static void write_entry(uint8_t *blob, uint8_t *rec, const struct job *j, uint64_t *str,
                        uint64_t *body)
{
	size_t pl = strlen(j->f->path), tl = strlen(j->type);
	int e;

	put32(rec, (uint32_t)place(blob, str, j->f->path, pl));
	put32(rec + 4, (uint32_t)pl);
	put32(rec + 8, (uint32_t)place(blob, str, j->type, tl));
	put32(rec + 12, (uint32_t)tl);
	put64(rec + 16, j->f->mtime < 0 ? 0 : (uint64_t)j->f->mtime);
	rec[24] = j->f->cache;
	rec[25] = j->mask;
	put16(rec + 26, j->f->flags);
	for (e = 0; e < STORE_ENC_COUNT; e++) {
		const struct rep *r = &j->rep[e];
		uint8_t *x = rec + 32 + 32 * e;
		if (!(j->mask & (1u << e)))
			continue;
		*body = align_up(*body);
		put64(x, place(blob, body, r->p, r->len));
		put64(x + 8, r->len);
		put32(x + 16, (uint32_t)place(blob, str, r->hdr, r->hdr_len));
		put16(x + 20, (uint16_t)r->hdr_len);
		put16(x + 22, (uint16_t)r->h304);
		put16(x + 24, (uint16_t)r->h206);
		put16(x + 26, ETAG_HEX + 2);
		put32(x + 28, (uint32_t)place(blob, str, r->etag, ETAG_HEX + 2));
	}
}

static int layout(struct job *jobs, size_t n, const struct storew_opts *o, uint8_t **out,
                  size_t *out_len, struct diag *d)
{
	uint64_t str = STORE_HEADER_LEN + (uint64_t)n * STORE_ENTRY_LEN;
	uint64_t body = align_up(str + strings_len(jobs, n)), total = body;
	uint8_t *blob;
	size_t i;
	int e;

	if (body > UINT32_MAX)
		return diag_fail(d, NULL, 0, "too many files: the store's strings pass 4 GiB");
	for (i = 0; i < n; i++)
		for (e = 0; e < STORE_ENC_COUNT; e++)
			if (jobs[i].mask & (1u << e))
				total = align_up(total) + jobs[i].rep[e].len;
	blob = o->alloc ? o->alloc(o->alloc_ctx, total) : calloc(1, total ? total : 1);
	if (!blob)
		return diag_fail(d, NULL, 0, "out of memory for a %llu-byte store",
		                 (unsigned long long)total);
	memcpy(blob, STORE_MAGIC, 8);
	put32(blob + 8, STORE_VERSION);
	put32(blob + 12, (uint32_t)n);
	put64(blob + 16, STORE_HEADER_LEN);
	put64(blob + 24, total);
	put64(blob + 32, o->build_epoch);
	put32(blob + 40, o->flags);
	for (i = 0; i < n; i++)
		write_entry(blob, blob + STORE_HEADER_LEN + i * STORE_ENTRY_LEN, &jobs[i], &str,
		            &body);
	*out = blob;
	*out_len = total;
	return 0;
}

static void free_jobs(struct job *jobs, size_t n, bool cached)
{
	size_t i;
	int e;

	for (i = 0; i < n; i++) {
		for (e = 0; e < STORE_ENC_COUNT; e++)
			free(jobs[i].rep[e].hdr);
		if (!cached) {
			free(jobs[i].gz.p);
			free(jobs[i].br.p);
		}
	}
	free(jobs);
}

/* A media type goes into a header line as is, so it must be a field value
 * (RFC 9110 5.5): visible ASCII, spaces and tabs, no CR or LF. */
static bool type_ok(const char *t)
{
	size_t n = strlen(t), i;

	if (n == 0 || n > 255)
		return false;
	for (i = 0; i < n; i++)
		if (((unsigned char)t[i] < 0x20 && t[i] != '\t') || (unsigned char)t[i] >= 0x7f)
			return false;
	return true;
}

/* A PEM private key ("-----BEGIN ... PRIVATE KEY-----": PKCS#8, EC, RSA,
 * encrypted, OpenSSH) anywhere in the bytes. */
static bool holds_private_key(const uint8_t *p, size_t len)
{
	static const char tail[] = "PRIVATE KEY-----";
	const uint8_t *q = p, *end = p + len;

	while ((q = memmem(q, (size_t)(end - q), tail, sizeof tail - 1)) != NULL) {
		const uint8_t *b = q;
		while (b > p && b[-1] != '\n' && q - b < 40)
			b--;
		if ((size_t)(q - b) >= 11 && memcmp(b, "-----BEGIN ", 11) == 0)
			return true;
		q += sizeof tail - 1;
	}
	return false;
}

/* Check every file of (set) before any work: its path and its type, and that
 * it is no private key (a deck that links its server's key.pem would publish
 * it: issue 17, no secret in a store). */
static int check_set(const struct bset *set, struct job *jobs, struct diag *d)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct bfile *f = &set->v[i];
		if (holds_private_key(f->data, f->len))
			return diag_fail(d, f->src, 0,
			                 "%s holds a PEM private key: keys never go into a store "
			                 "(move it out of the decks)",
			                 f->path);
		if (strlen(f->path) > STORE_MAX_PATH || f->path[0] != '/')
			return diag_fail(d, f->src, 0, "cannot serve it at '%s'", f->path);
		if (f->cache > STORE_CACHE_SHORT || (f->flags & ~(STORE_E_HTML | STORE_E_DECK)))
			return diag_fail(d, f->src, 0, "%s: unknown cache class or flags", f->path);
		jobs[i].f = f;
		jobs[i].type = f->type ? f->type : mime_type(f->path);
		if (!type_ok(jobs[i].type))
			return diag_fail(d, f->src, 0, "%s: media type '%s' is not a header value",
			                 f->path, jobs[i].type);
	}
	return 0;
}

int storew_write(struct bset *set, const struct storew_opts *o, uint8_t **blob, size_t *len,
                 struct storew_totals *t, struct diag *d)
{
	struct work w = {0};
	size_t i;
	int rc;

	if (set->n > 1)
		bset_sort(set); /* (qsort may not be given the NULL of an empty set) */
	memset(t, 0, sizeof *t);
	w.jobs = calloc(set->n ? set->n : 1, sizeof *w.jobs);
	if (!w.jobs)
		return diag_fail(d, NULL, 0, "out of memory");
	w.n = set->n;
	w.level = o->level;
	w.cache = o->cache;
	rc = check_set(set, w.jobs, d);
	if (rc == 0) {
		if (o->cache)
			o->cache->gen++; /* one storew_write at a time per cache */
		compress_all(&w);
	}
	for (i = 0; i < set->n && rc == 0; i++) {
		struct job *j = &w.jobs[i];
		if (finish_job(j) != 0)
			rc = diag_fail(d, j->f->src, 0, "headers for %s do not fit", j->f->path);
		t->raw += j->f->len;
		t->gzip += j->gz.len;
		t->br += j->br.len;
		t->n_gzip += j->gz.len != 0;
		t->n_br += j->br.len != 0;
	}
	t->files = set->n;
	if (rc == 0)
		rc = layout(w.jobs, w.n, o, blob, len, d);
	free_jobs(w.jobs, w.n, o->cache != NULL);
	if (rc == 0)
		cache_sweep(o->cache);
	return rc;
}
