/* SPDX-License-Identifier: MIT */
/* `unideck inspect FILE [PATH]`: what a store holds, path by path. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "tools/cli/cli.h"
#include "tools/store/build.h"

static const char help[] =
        "usage: unideck inspect FILE [PATH] [--json]\n"
        "\n"
        "List every path in the store FILE (or the store inside an image made by\n"
        "`unideck build DECKS -o IMAGE.elf`) with its media type, cache policy, the\n"
        "size of each representation (identity, gzip, brotli) and the identity's\n"
        "ETag, then totals. Given a PATH, print that path's precomputed response\n"
        "headers for each representation. --json prints one JSON object per path,\n"
        "with every representation's size and ETag.\n";

static const char *const enc_name[STORE_ENC_COUNT] = {"identity", "gzip", "br"};
/* Indexed by enum store_cache; store_open refuses any other value. */
static const char *const cache_name[] = {"no-cache", "immutable", "short"};

static void print_json_str(const char *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void list_json(const struct store *st)
{
	uint32_t i;
	int k;

	for (i = 0; i < st->n_entries; i++) {
		struct store_entry e;
		store_entry_at(st, i, &e);
		printf("{\"path\":");
		print_json_str(e.path, e.path_len);
		printf(",\"type\":");
		print_json_str(e.type, e.type_len);
		printf(",\"cache\":\"%s\",\"mtime\":%llu", cache_name[e.cache],
		       (unsigned long long)e.mtime);
		for (k = 0; k < STORE_ENC_COUNT; k++) {
			if (!(e.enc_mask & (1u << k)))
				continue;
			printf(",\"%s\":{\"bytes\":%llu,\"etag\":", enc_name[k],
			       (unsigned long long)e.rep[k].body_len);
			print_json_str(e.rep[k].etag, e.rep[k].etag_len);
			putchar('}');
		}
		printf("}\n");
	}
}

/* The widest path and type, so that columns line up however long they are. */
static void widths(const struct store *st, int *path_w, int *type_w)
{
	uint32_t i;

	*path_w = 4;
	*type_w = 4;
	for (i = 0; i < st->n_entries; i++) {
		struct store_entry e;
		store_entry_at(st, i, &e);
		if ((int)e.path_len > *path_w)
			*path_w = e.path_len > 200 ? 200 : (int)e.path_len;
		if ((int)e.type_len > *type_w)
			*type_w = e.type_len > 100 ? 100 : (int)e.type_len;
	}
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void list_table(const char *file, const struct store *st)
{
	uint64_t tot[STORE_ENC_COUNT] = {0}, base[STORE_ENC_COUNT] = {0};
	char when[32];
	time_t t = (time_t)st->build_epoch;
	struct tm tm;
	uint32_t i;
	int k, pw, tw;

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	printf("%s: unideck store version %u, %u paths, %llu bytes, built %s%s\n\n", file,
	       STORE_VERSION, st->n_entries, (unsigned long long)st->len, when,
	       st->flags & STORE_F_DEV ? " (preview)" : "");
	widths(st, &pw, &tw);
	printf("%-*s %-*s %-9s %10s %10s %10s  %s\n", pw, "PATH", tw, "TYPE", "CACHE", "IDENTITY",
	       "GZIP", "BR", "ETAG (identity)");
	for (i = 0; i < st->n_entries; i++) {
		struct store_entry e;
		char size[STORE_ENC_COUNT][24];
		store_entry_at(st, i, &e);
		for (k = 0; k < STORE_ENC_COUNT; k++) {
			if (e.enc_mask & (1u << k)) {
				snprintf(size[k], sizeof size[k], "%llu",
				         (unsigned long long)e.rep[k].body_len);
				tot[k] += e.rep[k].body_len;
				base[k] += e.rep[STORE_ENC_IDENTITY].body_len;
			} else {
				snprintf(size[k], sizeof size[k], "-");
			}
		}
		printf("%-*.*s %-*.*s %-9s %10s %10s %10s  %.*s\n", pw, (int)e.path_len, e.path, tw,
		       (int)e.type_len, e.type, cache_name[e.cache], size[0], size[1], size[2],
		       (int)e.rep[0].etag_len, e.rep[0].etag);
	}
	/* Each variant's size against the identity bodies of the same files. */
	printf("\n%u paths: %llu bytes identity; gzip %llu bytes for %llu (%.0f%%); "
	       "brotli %llu bytes for %llu (%.0f%%)\n",
	       st->n_entries, (unsigned long long)tot[0], (unsigned long long)tot[1],
	       (unsigned long long)base[1], pct(tot[1], base[1]), (unsigned long long)tot[2],
	       (unsigned long long)base[2], pct(tot[2], base[2]));
}

static int show_path(const struct store *st, const char *path)
{
	struct store_entry e;
	int k;

	if (!store_lookup(st, path, strlen(path), &e))
		return cli_error("inspect", 1, "no path %s in the store", path);
	for (k = 0; k < STORE_ENC_COUNT; k++) {
		if (!(e.enc_mask & (1u << k)))
			continue;
		printf("== %s (%llu bytes)\n%.*s\n", enc_name[k],
		       (unsigned long long)e.rep[k].body_len, (int)e.rep[k].hdr_len, e.rep[k].hdr);
	}
	return 0;
}

int inspect_main(int argc, char **argv)
{
	const char *file = NULL, *path = NULL;
	bool json = false;
	struct store st;
	struct diag d = {0};
	void *map;
	size_t len;
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		if (cli_flag(argv[i], "--json", 0))
			json = true;
		else if (argv[i][0] == '-' && argv[i][1])
			return cli_error("inspect", 2,
			                 "unknown option %s (see unideck inspect --help)", argv[i]);
		else if (!file)
			file = argv[i];
		else if (!path)
			path = argv[i];
		else
			return cli_error("inspect", 2, "usage: unideck inspect FILE [PATH]");
	}
	if (!file)
		return cli_error("inspect", 2, "usage: unideck inspect FILE [PATH]");
	if (store_load_file(file, &st, &map, &len, NULL, &d) != 0) {
		diag_print(stderr, &d);
		return 1;
	}
	if (path)
		rc = show_path(&st, path);
	else if (json)
		list_json(&st);
	else
		list_table(file, &st);
	munmap(map, len);
	return rc;
}
