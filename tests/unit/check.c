/* SPDX-License-Identifier: MIT */
/* The unit-test harness: results, tally and guard-page placement. */
#include "tests/unit/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int n_ok, n_fail;

bool check_at(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf(cond ? "ok - " : "not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!cond)
		printf(" (%s:%d)", file, line);
	printf("\n");
	fflush(stdout);
	if (cond)
		n_ok++;
	else
		n_fail++;
	return cond;
}

int check_done(void)
{
	printf("# %d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}

const void *guard_place(const void *p, size_t n)
{
	static unsigned char *region;
	static size_t region_len;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t need = (n + page - 1) / page * page + page;

	if (region)
		munmap(region, region_len);
	region = mmap(NULL, need, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED) {
		perror("mmap");
		exit(2);
	}
	region_len = need;
	if (mprotect(region + need - page, page, PROT_NONE) != 0) {
		perror("mprotect");
		exit(2);
	}
	memcpy(region + need - page - n, p, n);
	return region + need - page - n;
}
