/* SPDX-License-Identifier: MIT */
/* Unit tests of the store writer and reader: round trip, header blocks,
 * compression rules, reproducibility, and rejection of damaged blobs. */
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/decode.h>

#include "tests/unit/check.h"
#include "tools/mime.h"
#include "tools/storew.h"

static void add(struct bset *s, const char *path, const void *body, size_t len, uint8_t cache)
{
	uint8_t *p = malloc(len ? len : 1);
	struct bfile *f;

	memcpy(p, body, len);
	f = bset_add(s, path, p, len);
	f->mtime = 1700000000;
	f->cache = cache;
}

static uint8_t *build(size_t *len, int level)
{
	static char text[20000], noise[5000];
	struct storew_opts o = {level, 1700000000, 0, NULL, NULL, NULL};
	struct storew_totals t;
	struct bset s;
	struct diag d;
	uint8_t *blob = NULL;
	size_t i;

	for (i = 0; i < sizeof text; i++)
		text[i] = "Slides are separated by a line of three dashes.\n"[i % 48];
	{
		uint64_t x = 88172645463325252ull; /* xorshift64: bytes with nothing to squeeze */
		for (i = 0; i < sizeof noise; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			noise[i] = (char)(x >> 32);
		}
	}
	bset_init(&s);
	add(&s, "/z/last.css", text, sizeof text, STORE_CACHE_IMMUTABLE);
	add(&s, "/a/index.html", "<p>hi</p>", 9, STORE_CACHE_REVALIDATE);
	add(&s, "/a/noise.js", noise, sizeof noise, STORE_CACHE_REVALIDATE);
	add(&s, "/a/photo.png", text, sizeof text, STORE_CACHE_SHORT);
	add(&s, "/empty.txt", "", 0, STORE_CACHE_REVALIDATE);
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

static void test_round_trip(void)
{
	struct store st;
	struct store_entry e;
	size_t len;
	uint8_t *blob = build(&len, 2);
	const struct store_rep *id, *gz, *br;
	char want[64];

	CHECK(store_open(&st, blob, len) == STORE_OK && st.n_entries == 5, "a written store opens");
	CHECK(store_lookup(&st, "/a/index.html", 13, &e) && e.rep[0].body_len == 9 &&
	              !memcmp(e.rep[0].body, "<p>hi</p>", 9),
	      "a path reads back its bytes");
	CHECK(!store_lookup(&st, "/a/index.htm", 12, &e) && !store_lookup(&st, "/", 1, &e) &&
	              !store_lookup(&st, "/zz", 3, &e),
	      "absent paths are not found");
	CHECK(store_lookup(&st, "/empty.txt", 10, &e) && e.rep[0].body_len == 0,
	      "an empty file is a valid entry");
	store_lookup(&st, "/z/last.css", 11, &e);
	id = &e.rep[0], gz = &e.rep[1], br = &e.rep[2];
	CHECK(e.enc_mask == 7 && e.cache == STORE_CACHE_IMMUTABLE,
	      "compressible text has gzip and br");
	CHECK(hdr_has(id, id->hdr_len, "Cache-Control: public, max-age=31536000, immutable\r\n"),
	      "immutable cache policy");
	CHECK(hdr_has(id, id->hdr304_len, "ETag: \"") &&
	              hdr_has(id, id->hdr304_len, "Vary: Accept-Encoding") &&
	              !hdr_has(id, id->hdr304_len, "Content-Type"),
	      "the 304 prefix holds validators and Vary, no content headers");
	CHECK(hdr_has(id, id->hdr206_len, "Content-Type: text/css; charset=utf-8") &&
	              !hdr_has(id, id->hdr206_len, "Content-Length"),
	      "the 206 prefix has the type and no length");
	snprintf(want, sizeof want, "Content-Length: %llu\r\n", (unsigned long long)gz->body_len);
	CHECK(hdr_has(gz, gz->hdr_len, want) && hdr_has(gz, gz->hdr_len, "Content-Encoding: gzip"),
	      "the gzip head carries its own length and encoding");
	CHECK(id->etag_len == 26 && memcmp(id->etag, gz->etag, 26) != 0 &&
	              memcmp(gz->etag, br->etag, 26) != 0,
	      "each representation has its own strong ETag");
	{
		uint8_t *out = malloc(id->body_len);
		size_t n = 0, m = id->body_len;
		struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
		CHECK(libdeflate_gzip_decompress(z, gz->body, gz->body_len, out, id->body_len,
		                                 &n) == LIBDEFLATE_SUCCESS &&
		              n == id->body_len && !memcmp(out, id->body, n),
		      "the gzip variant decodes to the file");
		CHECK(BrotliDecoderDecompress(br->body_len, br->body, &m, out) ==
		                      BROTLI_DECODER_RESULT_SUCCESS &&
		              m == id->body_len && !memcmp(out, id->body, m),
		      "the br variant decodes to the file");
		libdeflate_free_decompressor(z);
		free(out);
	}
	CHECK(((uintptr_t)(id->body - blob)) % 64 == 0 && ((uintptr_t)(gz->body - blob)) % 64 == 0,
	      "bodies start on 64-byte boundaries");
	store_lookup(&st, "/a/photo.png", 12, &e);
	CHECK(e.enc_mask == 1 && !hdr_has(&e.rep[0], e.rep[0].hdr_len, "Vary"),
	      "images are not compressed and carry no Vary");
	store_lookup(&st, "/a/noise.js", 11, &e);
	CHECK(e.enc_mask == 1, "variants that do not shrink are dropped");
	store_lookup(&st, "/a/index.html", 13, &e);
	CHECK(e.enc_mask == 1, "tiny files are not compressed");
	free(blob);
}

static void test_reproducible(void)
{
	size_t a_len, b_len;
	uint8_t *a = build(&a_len, 2), *b = build(&b_len, 2);

	CHECK(a_len == b_len && memcmp(a, b, a_len) == 0, "the same set gives the same bytes");
	free(a);
	free(b);
}

static void test_damage(void)
{
	struct store st;
	size_t len, i;
	uint8_t *blob = build(&len, 0), *copy = malloc(len + 64);
	int refused = 0, opened = 0;

	CHECK(store_open(&st, guard_place(blob, len), len) == STORE_OK, "opens at a guard page");
	CHECK(store_open(&st, blob, len - 1) != STORE_OK, "a truncated store is refused");
	memcpy(copy, blob, len);
	copy[0] = 'X';
	CHECK(store_open(&st, copy, len) == STORE_EMAGIC, "bad magic");
	memcpy(copy, blob, len);
	copy[8] = 9;
	CHECK(store_open(&st, copy, len) == STORE_EVERSION, "another version");
	/* Flip each byte of the header and the entry table: every outcome is
	 * either a refusal or a store whose lookups stay inside the blob. */
	for (i = 0; i < 64 + 5 * 128; i++) {
		struct store_entry e;
		const uint8_t *g;
		uint32_t k;
		memcpy(copy, blob, len);
		copy[i] ^= 0xa5;
		g = guard_place(copy, len);
		if (store_open(&st, g, len) != STORE_OK) {
			refused++;
			continue;
		}
		opened++;
		for (k = 0; k < st.n_entries; k++) {
			int r;
			store_entry_at(&st, k, &e);
			for (r = 0; r < STORE_ENC_COUNT; r++)
				if (e.enc_mask & (1u << r)) {
					volatile uint8_t sink = 0;
					if (e.rep[r].body_len)
						sink ^= e.rep[r].body[e.rep[r].body_len - 1];
					sink ^= (uint8_t)e.rep[r]
					                .hdr[e.rep[r].hdr_len ? e.rep[r].hdr_len - 1
					                                      : 0];
					(void)sink;
				}
		}
	}
	CHECK(refused > 100 && opened + refused == 64 + 5 * 128,
	      "damaged headers and tables are refused or stay in bounds (%d refused, %d harmless)",
	      refused, opened);
	memcpy(copy, blob, len);
	/* Swap the first two entries: the order check must catch it. */
	{
		uint8_t tmp[128];
		memcpy(tmp, copy + 64, 128);
		memcpy(copy + 64, copy + 192, 128);
		memcpy(copy + 192, tmp, 128);
		CHECK(store_open(&st, copy, len) == STORE_EORDER, "unsorted paths are refused");
	}
	memcpy(copy, blob, len);
	copy[64 + 32 + 8] = 0xff; /* the first entry's identity length: far past the end */
	copy[64 + 32 + 15] = 0x7f;
	CHECK(store_open(&st, copy, len) == STORE_EBOUNDS, "a body past the end is refused");
	free(copy);
	free(blob);
}

static void test_mime(void)
{
	CHECK(!strcmp(mime_type("/a/x.js"), "text/javascript; charset=utf-8") &&
	              !strcmp(mime_type("/a/x.mjs"), "text/javascript; charset=utf-8"),
	      "js and mjs are text/javascript (RFC 9239)");
	CHECK(!strcmp(mime_type("x.WOFF2"), "font/woff2") &&
	              !strcmp(mime_type("x.svg"), "image/svg+xml") &&
	              !strcmp(mime_type("x.mp4"), "video/mp4") &&
	              !strcmp(mime_type("x.webm"), "video/webm") &&
	              !strcmp(mime_type("x.vtt"), "text/vtt; charset=utf-8") &&
	              !strcmp(mime_type("x.json"), "application/json") &&
	              !strcmp(mime_type("x.pdf"), "application/pdf") &&
	              !strcmp(mime_type("x.md"), "text/markdown; charset=utf-8") &&
	              !strcmp(mime_type("x.css"), "text/css; charset=utf-8"),
	      "the media types the issue names");
	CHECK(!strcmp(mime_type("/a.b/noext"), "application/octet-stream"),
	      "no extension: octet-stream");
	CHECK(mime_compressible("text/html; charset=utf-8") && mime_compressible("image/svg+xml") &&
	              !mime_compressible("font/woff2") && !mime_compressible("video/mp4") &&
	              !mime_compressible("image/png"),
	      "which types are compressed");
}

int main(void)
{
	test_round_trip();
	test_reproducible();
	test_damage();
	test_mime();
	return check_done();
}
