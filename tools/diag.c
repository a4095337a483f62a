/* SPDX-License-Identifier: MIT */
/* Build diagnostics: recording, printing and colour policy. */
#include "tools/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int diag_fail(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	snprintf(d->file, sizeof d->file, "%s", file ? file : "");
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_colour(FILE *f)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (nc && nc[0])
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(f));
}

static void lead(FILE *f, const char *file, int line, const char *what, const char *colour)
{
	int c = diag_colour(f);

	if (file && file[0]) {
		if (line > 0)
			fprintf(f, "%s%s:%d:%s ", c ? "\033[1m" : "", file, line,
			        c ? "\033[0m" : "");
		else
			fprintf(f, "%s%s:%s ", c ? "\033[1m" : "", file, c ? "\033[0m" : "");
	}
	fprintf(f, "%s%s:%s ", c ? colour : "", what, c ? "\033[0m" : "");
}

void diag_print(FILE *f, const struct diag *d)
{
	lead(f, d->file, d->line, "error", "\033[1;31m");
	fprintf(f, "%s\n", d->msg);
}

void diag_warn(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	lead(stderr, file, line, "warning", "\033[1;35m");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
