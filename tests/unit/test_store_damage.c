/* SPDX-License-Identifier: MIT */
/* Unit tests of store_open on damaged blobs: every damage is refused, or leaves a
 * store whose every view stays inside the blob. Blobs end at a guard page, so an
 * over-read faults at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tools/store/storew.h"

#define HDR     STORE_HEADER_LEN
#define REC(i)  (HDR + (i)*STORE_ENTRY_LEN)
#define REP(k)  (32 + 32 * (k))
#define N_FILES 4

static uint8_t *good;
static size_t good_len;
static uint8_t *copy;

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

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void add(struct bset *s, const char *path, const char *body, size_t len)
{
	uint8_t *p = malloc(len);
	struct bfile *f;

	memcpy(p, body, len);
	f = bset_add(s, path, p, len);
	f->mtime = 1700000000;
}

static void make_good(void)
{
	static char text[3000];
	struct storew_opts o = {0, 1700000000, 0, NULL, NULL, NULL};
	struct storew_totals t;
	struct bset s;
	struct diag d = {0};
	size_t i;

	for (i = 0; i < sizeof text; i++)
		text[i] = "a line of a slide\n"[i % 18];
	bset_init(&s);
	add(&s, "/a.css", text, sizeof text);
	add(&s, "/b.html", "<p>b</p>", 8);
	add(&s, "/c/d.png", text, 100);
	add(&s, "/e.js", text, 2000);
	if (storew_write(&s, &o, &good, &good_len, &t, &d) != 0) {
		printf("not ok - storew_write: %s\n", d.msg);
		exit(1);
	}
	bset_free(&s);
	copy = malloc(good_len + 4096);
}

static uint8_t *fresh(void)
{
	memcpy(copy, good, good_len);
	return copy;
}

/* Open (p, n) at a guard page; when it opens, touch the last byte of every
 * view and look every path up again. */
static enum store_result open_and_walk(const uint8_t *p, size_t n)
{
	struct store st;
	struct store_entry e, f;
	const uint8_t *g = guard_place(p, n);
	volatile uint8_t sink = 0;
	enum store_result r = store_open(&st, g, n);
	uint32_t i;
	int k;

	if (r != STORE_OK)
		return r;
	for (i = 0; i < st.n_entries; i++) {
		store_entry_at(&st, i, &e);
		sink ^= (uint8_t)e.path[e.path_len - 1];
		if (e.type_len)
			sink ^= (uint8_t)e.type[e.type_len - 1];
		if (!store_lookup(&st, e.path, e.path_len, &f) || f.path != e.path)
			abort(); /* an accepted store must find its own paths */
		for (k = 0; k < STORE_ENC_COUNT; k++) {
			if (!(e.enc_mask & (1u << k)))
				continue;
			if (e.rep[k].body_len)
				sink ^= e.rep[k].body[e.rep[k].body_len - 1];
			if (e.rep[k].hdr_len)
				sink ^= (uint8_t)e.rep[k].hdr[e.rep[k].hdr_len - 1];
			sink ^= (uint8_t)e.rep[k].etag[e.rep[k].etag_len - 1];
		}
	}
	(void)sink;
	return STORE_OK;
}

static void test_header(void)
{
	uint8_t *b;
	size_t n;
	bool all = true;

	CHECK(open_and_walk(good, good_len) == STORE_OK, "the undamaged store opens");
	b = fresh();
	b[0] = 'X';
	CHECK(open_and_walk(b, good_len) == STORE_EMAGIC, "bad magic");
	b = fresh();
	put32(b + 8, STORE_VERSION + 1);
	CHECK(open_and_walk(b, good_len) == STORE_EVERSION, "another version");
	for (n = 0; n < HDR; n++)
		all &= open_and_walk(good, n) == STORE_EMAGIC;
	CHECK(all, "anything shorter than a header is not a store");
	b = fresh();
	put32(b + 40, 2);
	CHECK(open_and_walk(b, good_len) == STORE_EFIELD, "an unknown store flag");
	b = fresh();
	b[44] = 1;
	CHECK(open_and_walk(b, good_len) == STORE_EFIELD, "reserved u32 not zero");
	b = fresh();
	b[63] = 1;
	CHECK(open_and_walk(b, good_len) == STORE_EFIELD, "reserved bytes not zero");
	b = fresh();
	put64(b + 16, 0);
	CHECK(open_and_walk(b, good_len) == STORE_EBOUNDS, "an entry table over the header");
	b = fresh();
	put64(b + 16, UINT64_MAX - 64);
	CHECK(open_and_walk(b, good_len) == STORE_EBOUNDS, "an entry table offset that wraps");
	b = fresh();
	put32(b + 12, UINT32_MAX);
	CHECK(open_and_walk(b, good_len) == STORE_EBOUNDS, "more entries than the blob holds");
	b = fresh();
	put32(b + 12, N_FILES - 1);
	CHECK(open_and_walk(b, good_len) == STORE_OK, "fewer entries: still a consistent store");
}

static void test_length(void)
{
	size_t n;
	int wrong = 0, right = 0;

	/* Every truncation and a few extensions: total_len no longer matches. */
	for (n = HDR; n < good_len; n += n < 1024 ? 1 : 61)
		open_and_walk(good, n) == STORE_EBOUNDS ? right++ : wrong++;
	for (n = good_len + 1; n < good_len + 200; n += 7) {
		memset(fresh() + good_len, 0, 200);
		open_and_walk(copy, n) == STORE_EBOUNDS ? right++ : wrong++;
	}
	CHECK(wrong == 0, "truncated and extended stores are refused (%d of %d)", right,
	      right + wrong);
}

/* Set a field of entry (i) and expect (want) from store_open. */
static void field(int i, size_t off, int width, uint64_t v, enum store_result want,
                  const char *what)
{
	uint8_t *b = fresh() + REC(i) + off;

	if (width == 1)
		*b = (uint8_t)v;
	else if (width == 2)
		put16(b, (uint16_t)v);
	else if (width == 4)
		put32(b, (uint32_t)v);
	else
		put64(b, v);
	CHECK(open_and_walk(copy, good_len) == want, "%s is refused (%s)", what,
	      store_result_str(want));
}

static void test_entries(void)
{
	/* Entry 0 is /a.css with all three representations; 1 is /b.html. */
	field(0, 0, 4, good_len, STORE_EBOUNDS, "a path past the end");
	field(0, 4, 4, UINT32_MAX, STORE_EBOUNDS, "a path longer than the blob");
	field(0, 4, 4, 0, STORE_EFIELD, "an empty path");
	field(0, 0, 4, get32(good + REC(0) + 8), STORE_EFIELD, "a path without its '/'");
	field(0, 12, 4, good_len, STORE_EBOUNDS, "a type past the end");
	field(0, 24, 1, 3, STORE_EFIELD, "an unknown cache class");
	field(0, 25, 1, 6, STORE_EFIELD, "a mask without identity");
	field(0, 25, 1, 15, STORE_EFIELD, "a mask with an unknown encoding");
	field(0, 26, 2, 4, STORE_EFIELD, "an unknown entry flag");
	field(0, 28, 4, 1, STORE_EFIELD, "a reserved field not zero");
	field(1, REP(1) + 8, 8, 1, STORE_EFIELD, "an absent representation not all zero");
	field(0, REP(0), 8, good_len, STORE_EBOUNDS, "a body that starts past the end");
	field(0, REP(0) + 8, 8, good_len, STORE_EBOUNDS, "a body that runs past the end");
	field(0, REP(2), 8, UINT64_MAX - 8, STORE_EBOUNDS, "a body offset + length that wraps");
	field(0, REP(1) + 8, 8, UINT64_MAX, STORE_EBOUNDS, "a body length that wraps");
	field(0, REP(0) + 16, 4, UINT32_MAX, STORE_EBOUNDS, "headers past the end");
	field(0, REP(0) + 28, 4, UINT32_MAX - 1, STORE_EBOUNDS, "an ETag past the end");
	field(0, REP(0) + 22, 2, 0xffff, STORE_EFIELD, "a 304 head longer than the 206 head");
	field(0, REP(0) + 24, 2, 0xffff, STORE_EFIELD, "a 206 head longer than the head");
	field(0, REP(0) + 26, 2, 1, STORE_EFIELD, "an ETag shorter than its quotes");
	/* Entry 1 with entry 0's path: a duplicate. */
	memcpy(fresh() + REC(1), good + REC(0), 8);
	CHECK(open_and_walk(copy, good_len) == STORE_EORDER, "a repeated path is refused");
	/* Swap two entries: out of order. */
	fresh();
	memcpy(copy + REC(0), good + REC(1), STORE_ENTRY_LEN);
	memcpy(copy + REC(1), good + REC(0), STORE_ENTRY_LEN);
	CHECK(open_and_walk(copy, good_len) == STORE_EORDER, "unsorted paths are refused");
	{
		/* A path over STORE_MAX_PATH, inside a blob long enough to hold it. */
		size_t n = good_len + STORE_MAX_PATH + 1;
		uint8_t *b = malloc(n);
		memcpy(b, good, good_len);
		memset(b + good_len, 'z', STORE_MAX_PATH + 1);
		b[good_len] = '/';
		put64(b + 24, n);
		put32(b + REC(N_FILES - 1), (uint32_t)good_len);
		put32(b + REC(N_FILES - 1) + 4, STORE_MAX_PATH + 1);
		CHECK(open_and_walk(b, n) == STORE_EFIELD, "a path longer than STORE_MAX_PATH");
		put32(b + REC(N_FILES - 1) + 4, STORE_MAX_PATH);
		CHECK(open_and_walk(b, n) == STORE_OK, "a path of exactly STORE_MAX_PATH");
		free(b);
	}
}

/* Damage the header and entry table byte by byte, and the whole blob at random
 * (a fixed seed): every outcome is a refusal or a store that stays in bounds
 * (open_and_walk faults otherwise). */
static void test_flips(void)
{
	size_t i, table = REC(N_FILES);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int refused = 0, opened = 0, bit;

	for (i = 0; i < table; i++)
		for (bit = 0; bit < 8; bit++) {
			fresh()[i] ^= (uint8_t)(1u << bit);
			open_and_walk(copy, good_len) == STORE_OK ? opened++ : refused++;
		}
	CHECK(opened + refused == (int)table * 8 && refused > (int)table * 4,
	      "every single-bit flip of the header and table: %d refused, %d harmless", refused,
	      opened);
	refused = opened = 0;
	for (i = 0; i < 3000; i++) {
		int k, n;
		fresh();
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		for (n = 1 + (int)(x % 4), k = 0; k < n; k++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly the table, where damage matters. */
			copy[(x >> 8) % (x & 1 ? table : good_len)] = (uint8_t)(x >> 40);
		}
		open_and_walk(copy, good_len) == STORE_OK ? opened++ : refused++;
	}
	CHECK(opened + refused == 3000, "3000 random damages: %d refused, %d harmless", refused,
	      opened);
}

int main(void)
{
	make_good();
	test_header();
	test_length();
	test_entries();
	test_flips();
	free(good);
	free(copy);
	return check_done();
}
