/* SPDX-License-Identifier: MIT */
/* Build sets: the files on their way into a store. */
#include "tools/store/bset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void bset_init(struct bset *s)
{
	memset(s, 0, sizeof *s);
}

static void file_free(struct bfile *f)
{
	if (f->mapped)
		munmap(f->data, f->len);
	else
		free(f->data);
	free(f->path);
	free(f->type);
	free(f->src);
	memset(f, 0, sizeof *f);
}

void bset_free(struct bset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		file_free(&s->v[i]);
	free(s->v);
	bset_init(s);
}

struct bfile *bset_find(const struct bset *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i].path, path) == 0)
			return &s->v[i];
	return NULL;
}

static void *xalloc(void *p)
{
	if (!p) {
		fputs("unideck: out of memory\n", stderr);
		abort();
	}
	return p;
}

static struct bfile *slot(struct bset *s, const char *path)
{
	struct bfile *f = bset_find(s, path);

	if (f) {
		file_free(f);
	} else {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->v = xalloc(realloc(s->v, s->cap * sizeof *s->v));
		}
		f = &s->v[s->n++];
	}
	memset(f, 0, sizeof *f);
	f->path = xalloc(strdup(path));
	return f;
}

struct bfile *bset_add(struct bset *s, const char *path, uint8_t *data, size_t len)
{
	struct bfile *f = slot(s, path);

	f->data = data;
	f->len = len;
	return f;
}

struct bfile *bset_add_file(struct bset *s, const char *path, const char *fs_path, struct diag *d)
{
	int fd = open(fs_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	struct bfile *f;
	void *map = NULL;

	if (fd < 0 || fstat(fd, &st) != 0) {
		diag_fail(d, fs_path, 0, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			diag_fail(d, fs_path, 0, "cannot map: %s", strerror(errno));
			close(fd);
			return NULL;
		}
	}
	close(fd);
	f = slot(s, path);
	f->data = map;
	f->len = (size_t)st.st_size;
	f->mapped = map != NULL;
	f->mtime = st.st_mtime;
	f->src = xalloc(strdup(fs_path));
	return f;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct bfile *)a)->path, ((const struct bfile *)b)->path);
}

void bset_sort(struct bset *s)
{
	qsort(s->v, s->n, sizeof *s->v, by_path);
}
