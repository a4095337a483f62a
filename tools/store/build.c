/* SPDX-License-Identifier: MIT */
/* Building a store from a decks folder, and reading and writing store files. */
#include "tools/store/build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tools/deck/pdf.h"
#include "tools/store/storew.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *out, size_t cap, uint64_t n)
{
	if (n >= 10u * 1024 * 1024)
		snprintf(out, cap, "%.1f MB", (double)n / 1e6);
	else if (n >= 10u * 1024)
		snprintf(out, cap, "%.0f kB", (double)n / 1e3);
	else
		snprintf(out, cap, "%llu B", (unsigned long long)n);
}

struct progress {
	FILE *f;
	size_t decks;
	char **slugs;            /* for the PDF step */
	struct deck_info *infos; /* for the index after it */
};

static void on_deck(void *ctx, const struct deck_info *info)
{
	struct progress *p = ctx;
	char size[32];

	p->slugs = realloc(p->slugs, (p->decks + 1) * sizeof *p->slugs);
	if (!p->slugs)
		abort();
	p->infos = realloc(p->infos, (p->decks + 1) * sizeof *p->infos);
	if (!p->infos)
		abort();
	p->infos[p->decks] = *info;
	p->slugs[p->decks++] = strdup(info->slug);
	if (!p->f)
		return;
	human(size, sizeof size, info->bytes);
	fprintf(p->f, "  %-20s %3zu slide%s %4zu file%s %10s  %s\n", info->slug, info->n_slides,
	        info->n_slides == 1 ? " " : "s", info->n_files, info->n_files == 1 ? " " : "s",
	        size, info->title);
}

/* SOURCE_DATE_EPOCH when set (reproducible-builds.org), else -1. */
static int64_t source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	v = strtoll(s, &end, 10);
	return *end || v < 0 ? -1 : v;
}

static struct storew_cache *shared_cache(void)
{
	/* One per process: `serve` rebuilds reuse it, `build` builds once. */
	static struct storew_cache *c;

	if (!c)
		c = storew_cache_new();
	return c;
}

int build_store(const char *dir, const struct build_opts *o, uint8_t **blob, size_t *len,
                struct build_totals *t, struct diag *d)
{
	struct progress prog = {o->progress, 0, NULL, NULL};
	struct deck_opts dopt = o->deck;
	struct storew_opts wo = {0};
	struct storew_totals wt;
	struct bset set;
	double t0 = now_s();
	int64_t newest = 0;
	size_t i;
	int rc;

	memset(t, 0, sizeof *t);
	bset_init(&set);
	if (dopt.epoch < 0)
		dopt.epoch = source_date_epoch();
	dopt.on_deck = on_deck;
	dopt.ctx = &prog;
	if (o->progress)
		fprintf(o->progress, "building %s\n", dir);
	if (o->progress)
		fflush(o->progress);
	rc = decks_compile(dir, &dopt, &set, d);
	if (rc == 0 && dopt.pdf) {
		const char *chromium = pdf_chromium();
		if (o->progress)
			fprintf(o->progress, "printing PDF handouts with %s\n",
			        chromium ? chromium : "(no Chromium)");
		rc = chromium ? pdf_render(&set, prog.slugs, prog.decks, chromium, d)
		              : diag_fail(d, NULL, 0, "PDF handouts need Chromium");
		if (rc == 0) {
			/* The index again, linking the handouts that were made. */
			const struct bfile *idx = bset_find(&set, "/index.html");
			decks_index(prog.infos, prog.decks, &dopt, idx ? idx->mtime : 0, &set);
		}
	}
	for (i = 0; i < prog.decks; i++)
		free(prog.slugs[i]);
	free(prog.slugs);
	free(prog.infos);
	if (rc == 0) {
		/* The build time is SOURCE_DATE_EPOCH when set (it clamps the mtimes
		 * too), else the newest input's mtime: never the clock, so that the
		 * output depends only on the inputs (reproducible-builds.org). */
		for (i = 0; i < set.n; i++)
			if (set.v[i].mtime > newest)
				newest = set.v[i].mtime;
		wo.level = o->level;
		wo.build_epoch = (uint64_t)(dopt.epoch >= 0 ? dopt.epoch : newest);
		wo.flags = o->deck.dev ? STORE_F_DEV : 0;
		wo.cache = shared_cache();
		wo.alloc = o->alloc;
		wo.alloc_ctx = o->alloc_ctx;
		rc = storew_write(&set, &wo, blob, len, &wt, d);
	}
	bset_free(&set);
	if (rc != 0)
		return rc;
	t->decks = prog.decks;
	t->files = wt.files;
	t->raw = wt.raw;
	t->gzip = wt.gzip;
	t->br = wt.br;
	t->store_len = *len;
	t->seconds = now_s() - t0;
	if (o->progress) {
		char raw[32], gz[32], br[32], all[32];
		human(raw, sizeof raw, wt.raw);
		human(gz, sizeof gz, wt.gzip);
		human(br, sizeof br, wt.br);
		human(all, sizeof all, *len);
		fprintf(o->progress,
		        "%zu deck%s, %zu files: %s raw, %s gzip (%zu files), %s brotli (%zu "
		        "files); "
		        "store %s in %.2f s\n",
		        t->decks, t->decks == 1 ? "" : "s", t->files, raw, gz, wt.n_gzip, br,
		        wt.n_br, all, t->seconds);
	}
	return 0;
}

/* Make the rename itself durable: fsync the directory that holds (path).
 * Best effort: the file is complete either way. */
static void sync_dir(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if ((size_t)(slash - path) < sizeof dir)
		snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
	else
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int build_write_file(const char *path, const uint8_t *blob, size_t len, struct diag *d)
{
	char tmp[PATH_MAX];
	size_t off = 0;
	int fd;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= sizeof tmp)
		return diag_fail(d, path, 0, "path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return diag_fail(d, path, 0, "cannot write: %s", strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, blob + off, len - off);
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			return diag_fail(d, path, 0, "cannot write: %s", strerror(e));
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		return diag_fail(d, path, 0, "cannot write: %s", strerror(e));
	}
	sync_dir(path);
	return 0;
}

/* The header's total_len (store.h), for messages and for the image search. */
static uint64_t header_total(const uint8_t *p)
{
	uint64_t total = 0;
	int k;

	for (k = 7; k >= 0; k--)
		total = total << 8 | p[24 + k];
	return total;
}

/* An image: elfpatch put the store at a 4 KiB-aligned offset at the end of the
 * file (platform/kernel/image.h). Candidates that fail to open are skipped (the
 * kernel's rodata holds the magic string too). */
static enum store_result open_in_image(struct store *st, const uint8_t *m, size_t size)
{
	enum store_result r = STORE_EMAGIC;
	size_t off;

	for (off = 4096; off + STORE_HEADER_LEN <= size; off += 4096) {
		const uint8_t *p = m + off;
		if (memcmp(p, STORE_MAGIC, 8) != 0 || header_total(p) > size - off)
			continue;
		r = store_open(st, p, header_total(p));
		if (r == STORE_OK)
			return r;
	}
	return r;
}

/* Say what is wrong in the words a user needs: a cut-off download is the
 * likeliest damage, so name it. */
static int load_error(const char *path, const uint8_t *m, size_t size, enum store_result r,
                      struct diag *d)
{
	uint64_t total = header_total(m);

	if (r == STORE_EBOUNDS && !memcmp(m, STORE_MAGIC, 8) && total != size)
		return diag_fail(d, path, 0, "%s: the file has %zu bytes, its header says %llu%s",
		                 store_result_str(r), size, (unsigned long long)total,
		                 total > size ? " (truncated?)" : "");
	return diag_fail(d, path, 0, "%s", store_result_str(r));
}

int store_load_file(const char *path, struct store *st, void **map, size_t *len, int *fd_out,
                    struct diag *d)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	enum store_result r;
	size_t size;
	void *m;

	if (fd < 0 || fstat(fd, &sb) != 0) {
		diag_fail(d, path, 0, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (sb.st_size < (off_t)STORE_HEADER_LEN) {
		close(fd);
		return diag_fail(d, path, 0, "not a unideck store (too short)");
	}
	size = (size_t)sb.st_size;
	m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return diag_fail(d, path, 0, "cannot map: %s", strerror(errno));
	}
	r = store_open(st, m, size);
	if (r == STORE_EMAGIC && memcmp(m, "\177ELF", 4) == 0)
		r = open_in_image(st, m, size);
	if (r != STORE_OK) {
		load_error(path, m, size, r, d);
		munmap(m, size);
		close(fd);
		return -1;
	}
	if (fd_out)
		*fd_out = fd;
	else
		close(fd);
	*map = m;
	*len = size;
	return 0;
}
