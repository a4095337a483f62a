/* SPDX-License-Identifier: MIT */
/* Unit tests of the store writer and reader: round trip, lookups, header blocks,
 * ETags, the compression rule, the compression cache and reproducibility. */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>

#include "lib/httpdate.h"
#include "lib/sha256.h"
#include "tests/unit/check.h"
#include "tools/store/mime.h"
#include "tools/store/storew.h"

static char text[20000], noise[5000];

static void make_inputs(void)
{
	uint64_t x = 88172645463325252ull; /* xorshift64: bytes with nothing to squeeze */
	size_t i;

	for (i = 0; i < sizeof text; i++)
		text[i] = "Slides are separated by a line of three dashes.\n"[i % 48];
	for (i = 0; i < sizeof noise; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		noise[i] = (char)(x >> 32);
	}
}

static struct bfile *add(struct bset *s, const char *path, const void *body, size_t len,
                         uint8_t cache)
{
	uint8_t *p = malloc(len ? len : 1);
	struct bfile *f;

	memcpy(p, body, len);
	f = bset_add(s, path, p, len);
	f->mtime = 1700000000;
	f->cache = cache;
	return f;
}

/* The test set, added out of order: storew sorts. */
static void fill(struct bset *s)
{
	struct bfile *f;

	bset_init(s);
	add(s, "/z/last.css", text, sizeof text, STORE_CACHE_IMMUTABLE);
	f = add(s, "/a/index.html", "<p>hi</p>", 9, STORE_CACHE_REVALIDATE);
	f->flags = STORE_E_HTML | STORE_E_DECK;
	f->mtime = 1234567890;
	add(s, "/a/noise.js", noise, sizeof noise, STORE_CACHE_REVALIDATE);
	add(s, "/a/photo.png", text, sizeof text, STORE_CACHE_SHORT);
	add(s, "/empty.txt", "", 0, STORE_CACHE_REVALIDATE);
	add(s, "/a/exactly", text, 3000, STORE_CACHE_SHORT); /* octet-stream */
	f = add(s, "/a/typed", text, 3000, STORE_CACHE_SHORT);
	f->type = strdup("text/plain; charset=utf-8");
	/* The same bytes twice under compressible types, compressed at once by
	 * different threads: the cache must hand both the same memory. */
	add(s, "/b/same1.txt", text, 15000, STORE_CACHE_REVALIDATE);
	add(s, "/b/same2.txt", text, 15000, STORE_CACHE_REVALIDATE);
	add(s, "/b/same.svg", text, 15000, STORE_CACHE_REVALIDATE);
}

#define N_FILES 10

static uint8_t *build(size_t *len, int level, struct storew_cache *cache)
{
	struct storew_opts o = {level, 1700000000, STORE_F_DEV, cache, NULL, NULL};
	struct storew_totals t;
	struct bset s;
	struct diag d = {0};
	uint8_t *blob = NULL;

	fill(&s);
	if (storew_write(&s, &o, &blob, len, &t, &d) != 0) {
		printf("not ok - storew_write: %s\n", d.msg);
		exit(1);
	}
	bset_free(&s);
	return blob;
}

static bool hdr_has(const struct store_rep *r, size_t upto, const char *s)
{
	return memmem(r->hdr, upto, s, strlen(s)) != NULL;
}

static void test_lookup(void)
{
	static const char *const absent[] = {
	        "",
	        "/",
	        "/a",
	        "/a/",
	        "/a/index.htm",
	        "/a/index.html/",
	        "/A/index.html",
	        "/a/index.html\0",
	        "/zz",
	        "/z/last.cs",
	        "/z/last.css.gz",
	        "\xff",
	        "/0",
	};
	struct store st;
	struct store_entry e, f;
	size_t len, i;
	uint8_t *blob = build(&len, 0, NULL);
	bool all = true;

	CHECK(store_open(&st, guard_place(blob, len), len) == STORE_OK && st.n_entries == N_FILES &&
	              st.flags == STORE_F_DEV && st.build_epoch == 1700000000 && st.len == len,
	      "a written store opens, with its header's fields");
	store_open(&st, blob, len);
	for (i = 0; i < st.n_entries; i++) {
		store_entry_at(&st, i, &e);
		all &= store_lookup(&st, e.path, e.path_len, &f) && f.path == e.path;
	}
	CHECK(all, "every path finds its own entry");
	all = true;
	for (i = 0; i < sizeof absent / sizeof absent[0]; i++)
		all &= !store_lookup(&st, absent[i], i == 7 ? 14 : strlen(absent[i]), &e);
	CHECK(all, "absent paths, prefixes and extensions of present ones are not found");
	CHECK(store_lookup(&st, "/a/index.html", 13, &e) && e.rep[0].body_len == 9 &&
	              !memcmp(e.rep[0].body, "<p>hi</p>", 9) &&
	              e.flags == (STORE_E_HTML | STORE_E_DECK) && e.mtime == 1234567890 &&
	              e.path_len == 13 && !memcmp(e.type, "text/html; charset=utf-8", e.type_len),
	      "a path reads back its bytes, type, flags and mtime");
	CHECK(store_lookup(&st, "/empty.txt", 10, &e) && e.rep[0].body_len == 0 && e.enc_mask == 1,
	      "an empty file is a valid entry");
	CHECK(store_lookup(&st, "/a/exactly", 10, &e) &&
	              !memcmp(e.type, "application/octet-stream", e.type_len) && e.enc_mask == 1,
	      "no extension: octet-stream, not compressed");
	CHECK(store_lookup(&st, "/a/typed", 8, &e) &&
	              !memcmp(e.type, "text/plain; charset=utf-8", e.type_len) && e.enc_mask == 7,
	      "a type set by the compiler wins over the extension");
	free(blob);
}

/* The names of the header lines of (r), in order, and each line well formed. */
static bool names(const struct store_rep *r, char *out, size_t cap)
{
	size_t i = 0, o = 0;

	out[0] = 0;
	while (i < r->hdr_len) {
		const char *line = r->hdr + i;
		const char *crlf = memmem(line, r->hdr_len - i, "\r\n", 2);
		const char *colon = memchr(line, ':', crlf ? (size_t)(crlf - line) : 0);
		if (!crlf || !colon || colon[1] != ' ' || o + (colon - line) + 2 >= cap)
			return false;
		memcpy(out + o, line, colon - line);
		o += colon - line;
		out[o++] = ',';
		out[o] = 0;
		i = crlf + 2 - r->hdr;
	}
	return true;
}

static void test_headers(void)
{
	static const char *const order[STORE_ENC_COUNT] = {
	        "ETag,Last-Modified,Cache-Control,Vary,Content-Type,Accept-Ranges,"
	        "X-Content-Type-Options,X-Frame-Options,Referrer-Policy,Content-Length,",
	        "ETag,Last-Modified,Cache-Control,Vary,Content-Type,Content-Encoding,Accept-Ranges,"
	        "X-Content-Type-Options,X-Frame-Options,Referrer-Policy,Content-Length,",
	        "ETag,Last-Modified,Cache-Control,Vary,Content-Type,Content-Encoding,Accept-Ranges,"
	        "X-Content-Type-Options,X-Frame-Options,Referrer-Policy,Content-Length,",
	};
	struct store st;
	struct store_entry e;
	size_t len;
	uint8_t *blob = build(&len, 2, NULL);
	bool ok_order = true, ok_len = true, ok_prefix = true, ok_etag = true, ok_date = true;
	uint32_t i;
	int k;

	store_open(&st, blob, len);
	for (i = 0; i < st.n_entries; i++) {
		store_entry_at(&st, i, &e);
		for (k = 0; k < STORE_ENC_COUNT; k++) {
			const struct store_rep *r = &e.rep[k];
			char got[512], want[512], date[HTTPDATE_LEN + 1] = {0};
			uint8_t h[SHA256_LEN];
			int j;
			if (!(e.enc_mask & (1u << k)))
				continue;
			/* Line names in store.h's order; Vary only with variants. */
			snprintf(want, sizeof want, "%s", order[k]);
			if (e.enc_mask == 1)
				memmove(strstr(want, "Vary,"), strstr(want, "Vary,") + 5,
				        strlen(strstr(want, "Vary,") + 5) + 1);
			ok_order &= names(r, got, sizeof got) && !strcmp(got, want);
			snprintf(want, sizeof want, "Content-Length: %llu\r\n",
			         (unsigned long long)r->body_len);
			ok_len &= r->hdr_len > strlen(want) &&
			          !memcmp(r->hdr + r->hdr_len - strlen(want), want, strlen(want));
			/* The 304 head ends after Cache-Control or Vary; the 206 head
			 * right before Content-Length. */
			ok_prefix &= !memcmp(r->hdr + r->hdr206_len, "Content-Length: ", 16) &&
			             !memcmp(r->hdr + r->hdr304_len, "Content-Type: ", 14) &&
			             !memcmp(r->hdr + r->hdr304_len - 2, "\r\n", 2) &&
			             (e.enc_mask == 1 ? !hdr_has(r, r->hdr_len, "Vary")
			                              : hdr_has(r, r->hdr304_len,
			                                        "\r\nVary: Accept-Encoding\r\n"));
			/* A strong tag: 24 hex digits of the SHA-256 of these bytes. */
			sha256(r->body, r->body_len, h);
			snprintf(want, sizeof want, "\"");
			for (j = 0; j < 12; j++)
				snprintf(want + 1 + 2 * j, 3, "%02x", h[j]);
			strcat(want, "\"");
			ok_etag &= r->etag_len == 26 && !memcmp(r->etag, want, 26) &&
			           !memcmp(r->hdr, "ETag: ", 6) && !memcmp(r->hdr + 6, want, 26);
			httpdate_format(e.mtime, date);
			snprintf(want, sizeof want, "\r\nLast-Modified: %s\r\n", date);
			ok_date &= hdr_has(r, r->hdr304_len, want);
		}
	}
	CHECK(ok_order, "header lines come in store.h's order, each \"Name: value\\r\\n\"");
	CHECK(ok_len, "the last line is Content-Length with the representation's length");
	CHECK(ok_prefix, "the 304 and 206 prefixes end where store.h says");
	CHECK(ok_etag, "each ETag is the quoted start of its bytes' SHA-256");
	CHECK(ok_date, "Last-Modified is the file's mtime as an HTTP date");
	store_lookup(&st, "/z/last.css", 11, &e);
	CHECK(hdr_has(&e.rep[0], e.rep[0].hdr_len,
	              "Cache-Control: public, max-age=31536000, immutable\r\n"),
	      "immutable files: a year, immutable");
	store_lookup(&st, "/a/photo.png", 12, &e);
	CHECK(hdr_has(&e.rep[0], e.rep[0].hdr_len, "Cache-Control: public, max-age=300\r\n"),
	      "short-lived files: five minutes");
	store_lookup(&st, "/a/index.html", 13, &e);
	CHECK(hdr_has(&e.rep[0], e.rep[0].hdr_len, "Cache-Control: no-cache\r\n"),
	      "pages: no-cache (revalidate every time)");
	store_lookup(&st, "/z/last.css", 11, &e);
	CHECK(hdr_has(&e.rep[1], e.rep[1].hdr_len, "\r\nContent-Encoding: gzip\r\n") &&
	              hdr_has(&e.rep[2], e.rep[2].hdr_len, "\r\nContent-Encoding: br\r\n") &&
	              !hdr_has(&e.rep[0], e.rep[0].hdr_len, "Content-Encoding"),
	      "variants name their coding; identity names none");
	CHECK(memcmp(e.rep[0].etag, e.rep[1].etag, 26) && memcmp(e.rep[1].etag, e.rep[2].etag, 26),
	      "each representation has its own strong ETag");
	free(blob);
}

static bool decodes(const struct store_entry *e)
{
	const struct store_rep *id = &e->rep[0];
	uint8_t *out = malloc(id->body_len + 1);
	size_t n = 0, m = id->body_len;
	struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
	bool ok = true;

	if (e->enc_mask & 2)
		ok &= libdeflate_gzip_decompress(z, e->rep[1].body, e->rep[1].body_len, out,
		                                 id->body_len, &n) == LIBDEFLATE_SUCCESS &&
		      n == id->body_len && !memcmp(out, id->body, n);
	if (e->enc_mask & 4)
		ok &= BrotliDecoderDecompress(e->rep[2].body_len, e->rep[2].body, &m, out) ==
		              BROTLI_DECODER_RESULT_SUCCESS &&
		      m == id->body_len && !memcmp(out, id->body, m);
	libdeflate_free_decompressor(z);
	free(out);
	return ok;
}

static void test_compression(int level)
{
	struct store st;
	struct store_entry e;
	size_t len;
	uint8_t *blob = build(&len, level, NULL);
	bool all = true, aligned = true, smaller = true;
	uint32_t i;
	int k;

	store_open(&st, blob, len);
	for (i = 0; i < st.n_entries; i++) {
		store_entry_at(&st, i, &e);
		all &= decodes(&e);
		for (k = 0; k < STORE_ENC_COUNT; k++)
			if (e.enc_mask & (1u << k)) {
				aligned &= (e.rep[k].body - blob) % 64 == 0;
				/* The rule: at least 64 bytes and 5% smaller. */
				smaller &= k == 0 ||
				           (e.rep[k].body_len + 64 <= e.rep[0].body_len &&
				            e.rep[k].body_len * 100 <= e.rep[0].body_len * 95);
			}
	}
	CHECK(all, "level %d: every variant decodes to its file", level);
	CHECK(aligned, "level %d: bodies start on 64-byte boundaries", level);
	CHECK(smaller, "level %d: kept variants are at least 64 bytes and 5%% smaller", level);
	store_lookup(&st, "/z/last.css", 11, &e);
	CHECK(e.enc_mask == 7, "level %d: compressible text has gzip and br", level);
	CHECK(e.rep[1].body[0] == 0x1f && e.rep[1].body[1] == 0x8b && e.rep[1].body[3] == 0 &&
	              !memcmp(e.rep[1].body + 4, "\0\0\0\0", 4),
	      "level %d: gzip member with no name and MTIME 0 (RFC 1952 2.3.1)", level);
	store_lookup(&st, "/a/photo.png", 12, &e);
	CHECK(e.enc_mask == 1, "level %d: images are not compressed, however well they would",
	      level);
	store_lookup(&st, "/a/noise.js", 11, &e);
	CHECK(e.enc_mask == 1, "level %d: variants that do not shrink are dropped", level);
	store_lookup(&st, "/a/index.html", 13, &e);
	CHECK(e.enc_mask == 1, "level %d: tiny files are not compressed", level);
	free(blob);
}

static void test_reproducible(void)
{
	struct storew_cache *c = storew_cache_new();
	size_t a_len, b_len, c_len, d_len, n1;
	uint8_t *a = build(&a_len, 2, NULL), *b = build(&b_len, 2, NULL);
	uint8_t *x = build(&c_len, 2, c), *y;

	n1 = storew_cache_entries(c);
	y = build(&d_len, 2, c);
	CHECK(a_len == b_len && memcmp(a, b, a_len) == 0, "the same set gives the same bytes");
	CHECK(c_len == a_len && memcmp(a, x, a_len) == 0,
	      "a cold compression cache does not change the bytes");
	CHECK(d_len == a_len && memcmp(a, y, a_len) == 0,
	      "nor does a warm one (every variant from the cache)");
	/* last.css, typed, same1/same2 (one key), same.svg (another mode). */
	CHECK(n1 == 4 && storew_cache_entries(c) == 4,
	      "the cache holds one entry per content, level and mode (%zu, %zu)", n1,
	      storew_cache_entries(c));
	free(x);
	free(y);
	x = build(&c_len, 0, c);
	CHECK(storew_cache_entries(c) == 4 && c_len != a_len,
	      "another level is another key, and the old level's entries are dropped");
	storew_cache_free(c);
	free(x);
	free(a);
	free(b);
}

/* Eight files with the same bytes, compressed at once: the threads race to put
 * one cache key, and each job must end up holding the cache's copy (ASan finds
 * a use after free otherwise). Then a changed file: the sweep drops the old. */
static void test_cache_race(void)
{
	static char big[300000];
	struct storew_cache *c = storew_cache_new();
	struct storew_opts o = {0, 1, 0, c, NULL, NULL};
	struct storew_totals t;
	struct store st;
	struct store_entry e;
	struct diag d = {0};
	bool ok = true;
	int round, k;
	size_t i;

	for (i = 0; i < sizeof big; i++)
		big[i] = (char)("some slide text, repeated\n"[i % 26] + (i % 977 == 0));
	for (round = 0; round < 2; round++) {
		struct bset s;
		uint8_t *blob;
		size_t len;
		bset_init(&s);
		big[0] = (char)('a' + round);
		for (k = 0; k < 8; k++) {
			char p[32];
			snprintf(p, sizeof p, "/same%d.txt", k);
			add(&s, p, big, sizeof big, 0);
		}
		ok &= storew_write(&s, &o, &blob, &len, &t, &d) == 0 &&
		      store_open(&st, blob, len) == STORE_OK && storew_cache_entries(c) == 1;
		for (i = 0; ok && i < st.n_entries; i++) {
			store_entry_at(&st, (uint32_t)i, &e);
			ok &= e.enc_mask == 7 && decodes(&e);
		}
		free(blob);
		bset_free(&s);
	}
	CHECK(ok, "identical files compressed at once share one cache entry; a change replaces it");
	storew_cache_free(c);
}

static void test_refusals(void)
{
	struct storew_opts o = {0, 0, 0, NULL, NULL, NULL};
	struct storew_totals t;
	struct bset s;
	struct diag d = {0};
	uint8_t *blob = NULL;
	size_t len = 0;
	char longp[STORE_MAX_PATH + 2];
	struct bfile *f;

	bset_init(&s);
	f = add(&s, "/x", "x", 1, 0);
	f->type = strdup("text/html\r\nSet-Cookie: a=b");
	CHECK(storew_write(&s, &o, &blob, &len, &t, &d) == -1 && strstr(d.msg, "header value"),
	      "a media type with CRLF is refused (no header injection)");
	bset_free(&s);
	bset_init(&s);
	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = 0;
	add(&s, longp, "x", 1, 0);
	CHECK(storew_write(&s, &o, &blob, &len, &t, &d) == -1, "a path past STORE_MAX_PATH");
	bset_free(&s);
	bset_init(&s);
	add(&s, "relative", "x", 1, 0);
	CHECK(storew_write(&s, &o, &blob, &len, &t, &d) == -1, "a path without its '/'");
	bset_free(&s);
	bset_init(&s);
	longp[STORE_MAX_PATH] = 0;
	add(&s, longp, "x", 1, 0);
	CHECK(storew_write(&s, &o, &blob, &len, &t, &d) == 0, "a path of exactly STORE_MAX_PATH");
	free(blob);
	blob = NULL;
	bset_free(&s);
	bset_init(&s);
	CHECK(storew_write(&s, &o, &blob, &len, &t, &d) == 0 && len == STORE_HEADER_LEN &&
	              t.files == 0,
	      "an empty set is a valid 64-byte store");
	free(blob);
	bset_free(&s);
}

int main(void)
{
	make_inputs();
	test_lookup();
	test_headers();
	test_compression(0);
	test_compression(2);
	test_reproducible();
	test_cache_race();
	test_refusals();
	return check_done();
}
