/* SPDX-License-Identifier: MIT */
/* A command-line wrapper around elfpatch_add_store() for the boot tests:
 * elfpatch KERNEL.elf STORE.bin OUT.elf */
#include <stdio.h>
#include <stdlib.h>

#include "tools/image/elfpatch.h"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)n + 1)) && fread(p, 1, (size_t)n, f) == (size_t)n) {
		*len = (size_t)n;
	} else {
		free(p);
		p = NULL;
	}
	fclose(f);
	return p;
}

int main(int argc, char **argv)
{
	size_t klen = 0, slen = 0, olen = 0;
	uint8_t *out = NULL;
	char err[256];

	if (argc != 4) {
		fprintf(stderr, "usage: elfpatch KERNEL.elf STORE.bin OUT.elf\n");
		return 2;
	}
	uint8_t *k = slurp(argv[1], &klen), *s = slurp(argv[2], &slen);
	if (!k || !s) {
		fprintf(stderr, "elfpatch: cannot read %s\n", k ? argv[2] : argv[1]);
		return 1;
	}
	if (elfpatch_add_store(k, klen, s, slen, &out, &olen, err, sizeof err) != 0) {
		fprintf(stderr, "elfpatch: %s\n", err);
		return 1;
	}
	FILE *f = fopen(argv[3], "wb");
	if (!f || fwrite(out, 1, olen, f) != olen || fclose(f) != 0) {
		fprintf(stderr, "elfpatch: cannot write %s\n", argv[3]);
		return 1;
	}
	free(out);
	free(k);
	free(s);
	return 0;
}
