/* SPDX-License-Identifier: MIT */
/* End-to-end tests of tools/store/build.c: the repository's decks built twice give the
 * same store, which opens; build_write_file and store_load_file round trip.
 * Run from the repository root (tests/run does), with node_modules installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tools/store/build.h"

static int build(int level, bool dev, uint8_t **blob, size_t *len, struct build_totals *t)
{
	struct build_opts o;
	struct diag d = {0};

	memset(&o, 0, sizeof o);
	o.deck.data_dir = ".";
	o.deck.dev = dev;
	o.deck.epoch = -1;
	o.level = level;
	if (build_store("decks", &o, blob, len, t, &d) != 0) {
		printf("not ok - build_store: %s: %s\n", d.file, d.msg);
		return -1;
	}
	return 0;
}

static void test_reproducible(void)
{
	struct build_totals t1, t2;
	struct store st;
	uint8_t *a = NULL, *b = NULL;
	size_t a_len = 0, b_len = 0;

	if (build(2, false, &a, &a_len, &t1) != 0 || build(2, false, &b, &b_len, &t2) != 0)
		exit(1);
	CHECK(a_len == b_len && !memcmp(a, b, a_len),
	      "decks/ built twice gives the same %zu bytes (%.2f s cold, %.2f s from the cache)",
	      a_len, t1.seconds, t2.seconds);
	CHECK(store_open(&st, a, a_len) == STORE_OK && st.n_entries == t1.files &&
	              !(st.flags & STORE_F_DEV),
	      "the store opens, with one entry per file");
	CHECK(t1.decks >= 2 && t1.files > t1.decks && t1.raw > t1.gzip && t1.gzip > 0 &&
	              t1.br > 0 && t1.store_len == a_len,
	      "the totals add up (%zu decks, %zu files, %llu raw, %llu gzip, %llu br)", t1.decks,
	      t1.files, (unsigned long long)t1.raw, (unsigned long long)t1.gzip,
	      (unsigned long long)t1.br);
	free(b);
	setenv("SOURCE_DATE_EPOCH", "1234567890", 1);
	if (build(0, true, &b, &b_len, &t2) != 0)
		exit(1);
	unsetenv("SOURCE_DATE_EPOCH");
	CHECK(store_open(&st, b, b_len) == STORE_OK && st.build_epoch == 1234567890 &&
	              (st.flags & STORE_F_DEV),
	      "SOURCE_DATE_EPOCH is the build time; a preview store says so");
	free(a);
	free(b);
}

static void test_files(void)
{
	char dir[] = "/tmp/unideck-store-XXXXXX", path[64], junk[64];
	struct build_totals t;
	struct store st;
	struct diag d = {0};
	uint8_t *a = NULL;
	void *map;
	size_t a_len, len;
	int fd = -1;
	FILE *f;

	if (!mkdtemp(dir) || build(0, false, &a, &a_len, &t) != 0)
		exit(1);
	snprintf(path, sizeof path, "%s/s.store", dir);
	snprintf(junk, sizeof junk, "%s/junk", dir);
	CHECK(build_write_file(path, a, a_len, &d) == 0, "build_write_file");
	CHECK(store_load_file(path, &st, &map, &len, &fd, &d) == 0 && len == a_len &&
	              !memcmp(map, a, len) && st.base == map && fd >= 0,
	      "store_load_file maps what was written, and keeps the fd when asked");
	munmap(map, len);
	close(fd);
	CHECK(build_write_file(path, a, 100, &d) == 0 &&
	              store_load_file(path, &st, &map, &len, NULL, &d) == -1 &&
	              strstr(d.msg, "outside"),
	      "a truncated file is refused: %s", d.msg);
	f = fopen(junk, "w");
	fputs("not a store, but long enough to hold a header of sixty-four bytes.", f);
	fclose(f);
	CHECK(store_load_file(junk, &st, &map, &len, NULL, &d) == -1 &&
	              strstr(d.msg, "not a unideck store"),
	      "a file that is not a store is refused: %s", d.msg);
	CHECK(store_load_file("/nonexistent/x", &st, &map, &len, NULL, &d) == -1 &&
	              strstr(d.msg, "cannot read"),
	      "a missing file is refused: %s", d.msg);
	CHECK(build_write_file("/nonexistent/x", a, a_len, &d) == -1 &&
	              strstr(d.msg, "cannot write"),
	      "an unwritable path is refused: %s", d.msg);
	unlink(path);
	unlink(junk);
	rmdir(dir);
	free(a);
}

int main(void)
{
	if (access("decks", R_OK) != 0 || access("node_modules/reveal.js", R_OK) != 0) {
		printf("skip - no decks/ or node_modules/reveal.js here (run make deps)\n");
		return 0;
	}
	test_reproducible();
	test_files();
	return check_done();
}
