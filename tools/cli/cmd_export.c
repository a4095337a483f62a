/* SPDX-License-Identifier: MIT */
/* `unideck export FILE DIR`: write a store's files out as a folder for any web server. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli/cli.h"
#include "tools/store/build.h"

static const char help[] =
        "usage: unideck export FILE DIR\n"
        "\n"
        "Write every file of the store FILE under DIR, as another web server would\n"
        "serve it: PATH with its bytes and modification time, and beside it PATH.gz\n"
        "and PATH.br where the store holds those encodings (nginx's gzip_static and\n"
        "brotli_static use them). DIR is created; existing files are replaced.\n";

/* Create the parent folders of (path), which lies inside an existing folder. */
static int make_parents(char *path)
{
	char *p;

	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (mkdir(path, 0777) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int write_one(const char *path, const uint8_t *p, uint64_t len, uint64_t mtime)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct timespec ts[2];
	uint64_t off = 0;

	if (fd < 0)
		return -1;
	while (off < len) {
		ssize_t n = write(fd, p + off, len - off);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		off += (uint64_t)n;
	}
	ts[0].tv_sec = ts[1].tv_sec = (time_t)mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	futimens(fd, ts);
	return close(fd);
}

static int export_entry(const char *dir, const struct store_entry *e)
{
	static const char *const suffix[STORE_ENC_COUNT] = {"", ".gz", ".br"};
	char path[PATH_MAX + 16];
	int enc;

	if (e->path_len == 0 || e->path[0] != '/' || memmem(e->path, e->path_len, "/..", 3))
		return -1;
	for (enc = 0; enc < STORE_ENC_COUNT; enc++) {
		if (!(e->enc_mask & (1u << enc)))
			continue;
		snprintf(path, sizeof path, "%s%.*s%s", dir, (int)e->path_len, e->path,
		         suffix[enc]);
		if (make_parents(path) != 0 ||
		    write_one(path, e->rep[enc].body, e->rep[enc].body_len, e->mtime) != 0)
			return -1;
	}
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct store st;
	struct diag d = {0};
	void *map;
	size_t len;
	uint32_t i;

	if (argc >= 2 && cli_flag(argv[1], "--help", 'h')) {
		fputs(help, stdout);
		return 0;
	}
	if (argc != 3)
		return cli_error("export", 2, "usage: unideck export FILE DIR");
	if (store_load_file(argv[1], &st, &map, &len, NULL, &d) != 0) {
		diag_print(stderr, &d);
		return 1;
	}
	if (mkdir(argv[2], 0777) != 0 && errno != EEXIST)
		return cli_error("export", 1, "cannot create %s: %s", argv[2], strerror(errno));
	for (i = 0; i < st.n_entries; i++) {
		struct store_entry e;
		store_entry_at(&st, i, &e);
		if (export_entry(argv[2], &e) != 0)
			return cli_error("export", 1, "cannot write %.*s under %s: %s",
			                 (int)e.path_len, e.path, argv[2], strerror(errno));
	}
	munmap(map, len);
	printf("exported %u files to %s\n", st.n_entries, argv[2]);
	return 0;
}
