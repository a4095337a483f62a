/* SPDX-License-Identifier: MIT */
/* Build diagnostics: recording, printing and colour policy. */
#include "tools/util/diag.h"

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
	if (d->n == 0)
		d->n = 1;
	return -1;
}

int diag_add(struct diag *d, const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t i, room;
	int k;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (d->n++ == 0) {
		snprintf(d->file, sizeof d->file, "%s", file ? file : "");
		d->line = line;
		snprintf(d->msg, sizeof d->msg, "%s", msg);
		return -1;
	}
	if (d->n > DIAG_MAX_ERRORS)
		return -1;
	for (i = 0; msg[i]; i++) /* the record's separators */
		if (msg[i] == '\n' || msg[i] == '\t')
			msg[i] = ' ';
	room = sizeof d->more - d->more_len;
	k = snprintf(d->more + d->more_len, room, "%s\t%d\t%s\n", file ? file : "", line, msg);
	if (k > 0 && (size_t)k < room && !strchr(file ? file : "", '\t'))
		d->more_len += (size_t)k;
	else
		d->more[d->more_len] = 0; /* no room: it counts among those left out */
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

/* One error of a report, for sorting. */
struct entry {
	const char *file, *msg;
	size_t file_len, msg_len;
	int line;
	unsigned order;
};

static int by_place(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	size_t n = x->file_len < y->file_len ? x->file_len : y->file_len;
	int c = memcmp(x->file, y->file, n);

	if (c == 0 && x->file_len != y->file_len)
		c = x->file_len < y->file_len ? -1 : 1;
	if (c == 0 && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	if (c == 0)
		c = x->order < y->order ? -1 : 1;
	return c;
}

/* The errors of (d) into (e), sorted; returns how many. */
static unsigned sorted(const struct diag *d, struct entry *e)
{
	const char *p = d->more, *end = d->more + d->more_len;
	unsigned n = 0;

	/* Sorted by file and line, as a reader fixes them. */
	e[n++] = (struct entry){d->file, d->msg, strlen(d->file), strlen(d->msg), d->line, 0};
	while (p < end && n < DIAG_MAX_ERRORS) {
		const char *t1 = memchr(p, '\t', (size_t)(end - p));
		const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(end - t1 - 1)) : NULL;
		const char *nl = t2 ? memchr(t2, '\n', (size_t)(end - t2)) : NULL;
		if (!nl)
			break;
		e[n] = (struct entry){
		        p, t2 + 1, (size_t)(t1 - p), (size_t)(nl - t2 - 1), atoi(t1 + 1), n};
		n++;
		p = nl + 1;
	}
	qsort(e, n, sizeof e[0], by_place);
	return n;
}

size_t diag_format(const struct diag *d, char *buf, size_t cap)
{
	struct entry e[DIAG_MAX_ERRORS];
	unsigned n = sorted(d, e), i;
	size_t o = 0;

	if (cap == 0)
		return 0;
	buf[0] = 0;
	for (i = 0; i < n + 1 && o + 1 < cap; i++) {
		int k;
		if (i == n)
			k = d->n > 1 ? snprintf(buf + o, cap - o, "%u errors\n", d->n) : 0;
		else if (e[i].line > 0)
			k = snprintf(buf + o, cap - o, "%.*s:%d: %.*s\n", (int)e[i].file_len,
			             e[i].file, e[i].line, (int)e[i].msg_len, e[i].msg);
		else
			k = snprintf(buf + o, cap - o, "%.*s%s%.*s\n", (int)e[i].file_len,
			             e[i].file, e[i].file_len ? ": " : "", (int)e[i].msg_len,
			             e[i].msg);
		if (k < 0)
			break;
		o += (size_t)k < cap - o ? (size_t)k : cap - o - 1;
	}
	if (o && buf[o - 1] == '\n')
		buf[--o] = 0;
	return o;
}

void diag_print(FILE *f, const struct diag *d)
{
	struct entry e[DIAG_MAX_ERRORS];
	unsigned n = sorted(d, e), i;

	for (i = 0; i < n; i++) {
		char file[1024];
		snprintf(file, sizeof file, "%.*s", (int)e[i].file_len, e[i].file);
		lead(f, file, e[i].line, "error", "\033[1;31m");
		fprintf(f, "%.*s\n", (int)e[i].msg_len, e[i].msg);
	}
	if (d->n > n)
		fprintf(f, "%u more error%s not shown (%u in all)\n", d->n - n,
		        d->n - n == 1 ? "" : "s", d->n);
	else if (d->n > 1)
		fprintf(f, "%u errors\n", d->n);
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
