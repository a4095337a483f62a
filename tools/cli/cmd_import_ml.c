/* SPDX-License-Identifier: MIT */
/* The little OCaml that mirage-decks' deck list is written in. */
#include "tools/cli/cmd_import_ml.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/util/text.h"

enum tk { T_END, T_STR, T_IDENT, T_NUM, T_PUNCT };

struct tok {
	enum tk kind;
	char text[512];
	int line;
};

struct lex {
	const char *p, *end, *file;
	int line;
	struct tok t;
	struct diag *d;
	int failed;
};

static void skip_space(struct lex *l)
{
	for (;;) {
		while (l->p < l->end && isspace((unsigned char)*l->p)) {
			if (*l->p == '\n')
				l->line++;
			l->p++;
		}
		if (l->p + 1 < l->end && l->p[0] == '(' && l->p[1] == '*') {
			int depth = 0;
			while (l->p + 1 < l->end) { /* comments nest in OCaml */
				if (l->p[0] == '(' && l->p[1] == '*') {
					depth++;
					l->p += 2;
				} else if (l->p[0] == '*' && l->p[1] == ')') {
					l->p += 2;
					if (--depth == 0)
						break;
				} else {
					l->line += *l->p == '\n';
					l->p++;
				}
			}
			continue;
		}
		return;
	}
}

static int fail(struct lex *l, const char *what)
{
	if (!l->failed)
		diag_fail(l->d, l->file, l->t.line ? l->t.line : l->line, "%s", what);
	l->failed = 1;
	return -1;
}

/* The next token into l->t. */
static void next(struct lex *l)
{
	size_t n = 0;

	skip_space(l);
	memset(&l->t, 0, sizeof l->t);
	l->t.line = l->line;
	if (l->p >= l->end)
		return;
	if (*l->p == '"') {
		l->t.kind = T_STR;
		for (l->p++; l->p < l->end && *l->p != '"'; l->p++) {
			char ch = *l->p;
			if (ch == '\n')
				l->line++;
			if (ch == '\\' && l->p + 1 < l->end) {
				ch = *++l->p;
				ch = ch == 'n' ? '\n' : ch == 't' ? '\t' : ch;
			}
			if (n + 1 < sizeof l->t.text)
				l->t.text[n++] = ch;
		}
		l->p++;
		return;
	}
	if (isalpha((unsigned char)*l->p) || *l->p == '_') {
		l->t.kind = T_IDENT;
		while (l->p < l->end && (isalnum((unsigned char)*l->p) || *l->p == '_' ||
		                         *l->p == '.' || *l->p == '\'')) {
			if (n + 1 < sizeof l->t.text)
				l->t.text[n++] = *l->p;
			l->p++;
		}
		return;
	}
	if (isdigit((unsigned char)*l->p)) {
		l->t.kind = T_NUM;
		while (l->p < l->end && isdigit((unsigned char)*l->p) && n + 1 < sizeof l->t.text)
			l->t.text[n++] = *l->p++;
		return;
	}
	l->t.kind = T_PUNCT;
	l->t.text[0] = *l->p++;
}

/* Copy (s) into (dst) of (cap) bytes, cut to fit. */
static void put(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = 0;
}

static bool is(const struct lex *l, const char *s)
{
	return l->t.kind != T_END && l->t.kind != T_STR && strcmp(l->t.text, s) == 0;
}

static int expect(struct lex *l, const char *s)
{
	char msg[128];

	if (!is(l, s)) {
		snprintf(msg, sizeof msg, "expected '%s' here, found '%.60s'", s, l->t.text);
		return fail(l, msg);
	}
	next(l);
	return 0;
}

static char *load(const char *root, const char *rel, char *path, size_t cap, size_t *len,
                  struct diag *d)
{
	snprintf(path, cap, "%s/%s", root, rel);
	return text_read_file(path, len, d);
}

struct person {
	char id[64];
	char name[256];
};

/* let ID = { name = "..."; ... } */
static int read_people(struct lex *l, struct person **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (next(l); l->t.kind != T_END && !l->failed; next(l)) {
		struct person p = {{0}, {0}};
		if (!is(l, "let"))
			continue;
		next(l);
		if (l->t.kind != T_IDENT)
			continue;
		put(p.id, sizeof p.id, l->t.text);
		next(l);
		if (!is(l, "="))
			continue;
		next(l);
		if (!is(l, "{"))
			continue;
		while (l->t.kind != T_END && !is(l, "}")) {
			next(l);
			if (is(l, "name")) {
				next(l);
				if (expect(l, "=") != 0)
					return -1;
				if (l->t.kind != T_STR)
					return fail(l, "a person's name is not a string");
				put(p.name, sizeof p.name, l->t.text);
			}
		}
		if (!p.name[0])
			continue;
		*out = realloc(*out, (*n + 1) * sizeof **out);
		if (!*out)
			abort();
		(*out)[(*n)++] = p;
	}
	return l->failed ? -1 : 0;
}

static const char *person(const struct person *v, size_t n, const char *id)
{
	size_t i;

	if (strncmp(id, "People.", 7) == 0)
		id += 7;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return v[i].name;
	return NULL;
}

/* One field's value, into (dk). */
static int field(struct lex *l, const char *name, struct mdeck *dk, const struct person *pv,
                 size_t pn)
{
	int y, m, dd;
	char msg[600];

	if (!strcmp(name, "permalink") || !strcmp(name, "title") || !strcmp(name, "venue")) {
		char *dst = !strcmp(name, "permalink") ? dk->permalink
		            : !strcmp(name, "title")   ? dk->title
		                                       : dk->venue;
		size_t cap = !strcmp(name, "permalink") ? sizeof dk->permalink : sizeof dk->title;
		if (l->t.kind != T_STR)
			return fail(l, "expected a string");
		put(dst, cap, l->t.text);
		next(l);
		return 0;
	}
	if (!strcmp(name, "given")) {
		if (expect(l, "Date.t") || expect(l, "("))
			return -1;
		y = atoi(l->t.text);
		next(l);
		if (expect(l, ","))
			return -1;
		m = atoi(l->t.text);
		next(l);
		if (expect(l, ","))
			return -1;
		dd = atoi(l->t.text);
		next(l);
		if (expect(l, ")"))
			return -1;
		if (y < 1900 || m < 1 || m > 12 || dd < 1 || dd > 31)
			return fail(l, "the date is not a date");
		snprintf(dk->date, sizeof dk->date, "%04d-%02d-%02d", y % 10000, m, dd);
		return 0;
	}
	if (!strcmp(name, "speakers")) {
		if (expect(l, "["))
			return -1;
		while (!is(l, "]") && !l->failed) {
			const char *who;
			if (l->t.kind != T_IDENT)
				return fail(l, "expected a person (People.x)");
			who = person(pv, pn, l->t.text);
			if (!who) {
				snprintf(msg, sizeof msg, "no person '%.100s' in src/people.ml",
				         l->t.text);
				return fail(l, msg);
			}
			{
				size_t at = strlen(dk->speakers);
				snprintf(dk->speakers + at, sizeof dk->speakers - at, "%s%s",
				         at ? ", " : "", who);
			}
			next(l);
			if (is(l, ";"))
				next(l);
		}
		return expect(l, "]");
	}
	if (!strcmp(name, "style")) {
		if (is(l, "Reveal240")) {
			dk->style = 240;
			next(l);
			return 0;
		}
		if (expect(l, "Reveal262"))
			return -1;
		dk->style = 262;
		if (is(l, "None")) {
			next(l);
			return 0;
		}
		if (expect(l, "(") || expect(l, "Some"))
			return -1;
		if (l->t.kind != T_STR)
			return fail(l, "expected a theme name");
		put(dk->theme, sizeof dk->theme, l->t.text);
		next(l);
		return expect(l, ")");
	}
	snprintf(
	        msg, sizeof msg,
	        "unknown field '%.60s' in a deck: unideck knows permalink, given, speakers, venue, "
	        "title and style",
	        name);
	return fail(l, msg);
}

static int read_decks(struct lex *l, const struct person *pv, size_t pn, struct mdeck **out,
                      size_t *n)
{
	*out = NULL;
	*n = 0;
	/* let decks = ... [ */
	for (next(l); l->t.kind != T_END; next(l))
		if (is(l, "decks")) {
			next(l);
			if (is(l, "="))
				break;
		}
	while (l->t.kind != T_END && !is(l, "["))
		next(l);
	if (l->t.kind == T_END)
		return fail(l, "no 'let decks = [ ... ]' in this file");
	next(l);
	while (!is(l, "]") && !l->failed) {
		struct mdeck dk;
		memset(&dk, 0, sizeof dk);
		dk.line = l->t.line;
		if (expect(l, "{"))
			return -1;
		while (!is(l, "}") && !l->failed) {
			char name[64];
			if (l->t.kind != T_IDENT)
				return fail(l, "expected a field name");
			put(name, sizeof name, l->t.text);
			next(l);
			if (expect(l, "=") || field(l, name, &dk, pv, pn))
				return -1;
			if (is(l, ";"))
				next(l);
		}
		next(l);
		if (!dk.permalink[0] || !dk.date[0] || !dk.style) {
			l->t.line = dk.line;
			return fail(l, "a deck without permalink, given or style");
		}
		*out = realloc(*out, (*n + 1) * sizeof **out);
		if (!*out)
			abort();
		(*out)[(*n)++] = dk;
		if (is(l, ";"))
			next(l);
	}
	return l->failed ? -1 : 0;
}

int ml_read_decks(const char *root, struct mdeck **decks, size_t *n, struct diag *d)
{
	char ppath[PATH_MAX + 32], spath[PATH_MAX + 32];
	size_t plen, slen, pn = 0;
	char *people = load(root, "src/people.ml", ppath, sizeof ppath, &plen, d), *slides;
	struct person *pv = NULL;
	struct lex l;
	int rc;

	*decks = NULL;
	*n = 0;
	if (!people)
		return -1;
	slides = load(root, "src/slides.ml", spath, sizeof spath, &slen, d);
	if (!slides) {
		free(people);
		return -1;
	}
	l = (struct lex){people, people + plen, ppath, 1, {T_END, {0}, 0}, d, 0};
	rc = read_people(&l, &pv, &pn);
	if (rc == 0) {
		l = (struct lex){slides, slides + slen, spath, 1, {T_END, {0}, 0}, d, 0};
		rc = read_decks(&l, pv, pn, decks, n);
	}
	free(pv);
	free(people);
	free(slides);
	return rc;
}
