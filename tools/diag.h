/* SPDX-License-Identifier: MIT */
/* Build diagnostics: the one error a failing build reports, naming file and line.
 *
 * A function that fails fills a struct diag with diag_fail() and returns -1; the
 * caller prints it with diag_print() as "FILE:LINE: error: MESSAGE" (line 0 omits
 * the line). Warnings go straight to stderr through diag_warn(). */
#ifndef UD_TOOLS_DIAG_H
#define UD_TOOLS_DIAG_H

#include <stdio.h>

struct diag {
	char file[1024];
	int line;
	char msg[1024];
};

/* Record an error; returns -1 so that `return diag_fail(...)` reads naturally. */
int diag_fail(struct diag *d, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void diag_print(FILE *f, const struct diag *d);
void diag_warn(const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Whether stderr/stdout should get colour: a terminal and NO_COLOR unset. */
int diag_colour(FILE *f);

#endif
