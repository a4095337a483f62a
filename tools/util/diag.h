/* SPDX-License-Identifier: MIT */
/* Build diagnostics: the errors a failing build reports, naming file and line.
 *
 * A function that fails fills a struct diag with diag_fail() and returns -1; the
 * caller prints it with diag_print() as "FILE:LINE: error: MESSAGE" (line 0 omits
 * the line). A step that goes on after an error, so that one run reports every
 * error (the deck compiler), records each with diag_add(): the first fills the
 * fields as diag_fail() does, later ones are kept in (more), up to
 * DIAG_MAX_ERRORS in all; (n) counts every error, kept or not, and diag_print()
 * ends with how many were left out. Warnings go straight to stderr through
 * diag_warn(). */
#ifndef UD_TOOLS_DIAG_H
#define UD_TOOLS_DIAG_H

#include <stdio.h>

#define DIAG_MAX_ERRORS 100u

struct diag {
	char file[1024];
	int line;
	char msg[1024];
	unsigned n;      /* errors recorded (by diag_add; diag_fail counts as one) */
	size_t more_len; /* bytes of (more) in use */
	/* The errors after the first, "FILE\tLINE\tMESSAGE\n" each. */
	char more[32768];
};

/* Record an error; returns -1 so that `return diag_fail(...)` reads naturally. */
int diag_fail(struct diag *d, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* Record one more error and go on; returns -1 like diag_fail(). */
int diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void diag_print(FILE *f, const struct diag *d);
/* The errors as plain text, "FILE:LINE: MESSAGE" a line, sorted as diag_print
 * sorts them, into (buf); returns the length (cut at cap - 1). */
size_t diag_format(const struct diag *d, char *buf, size_t cap);
void diag_warn(const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Whether stderr/stdout should get colour: a terminal and NO_COLOR unset. */
int diag_colour(FILE *f);

#endif
