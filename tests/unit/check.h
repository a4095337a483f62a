/* SPDX-License-Identifier: MIT */
/* The unit-test harness: one line per check, "ok - NAME" or "not ok - NAME".
 *
 * CHECK(cond, name...) records the result of (cond) with a printf-style name and
 * returns it; it never returns from the caller. check_done() prints the tally and
 * returns the process exit status. guard_place() copies bytes so that they end
 * exactly at an unmapped page: any read past the end faults at once
 * (picohttpparser's test.c does the same). */
#ifndef UD_TESTS_CHECK_H
#define UD_TESTS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

bool check_at(bool cond, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
int check_done(void);
/* A copy of (p, n) that ends at a guard page; valid until the next call. */
const void *guard_place(const void *p, size_t n);

#define CHECK(cond, ...) check_at((cond), __FILE__, __LINE__, __VA_ARGS__)

#endif
