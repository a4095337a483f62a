/* SPDX-License-Identifier: MIT */
/* The front matter parser: a small, strict YAML subset. */
#include "tools/frontmatter.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tools/sbuf.h"

/* The line [s, e) is exactly "---" (trailing spaces and CR allowed). */
static bool is_fence(const char *s, const char *e)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return e - s == 3 && memcmp(s, "---", 3) == 0;
}

static bool is_number(const char *s)
{
	char *end;

	if (!*s)
		return false;
	strtod(s, &end);
	return *end == 0 && (isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '.');
}

/* A quoted value starting at (p) (on '"' or '\''); returns the end or NULL. */
static const char *quoted(const char *p, const char *e, struct sbuf *out)
{
	char q = *p++;

	while (p < e) {
		if (*p == q) {
			if (q == '\'' && p + 1 < e && p[1] == '\'') {
				sb_put(out, "'", 1);
				p += 2;
				continue;
			}
			return p + 1;
		}
		if (q == '"' && *p == '\\' && p + 1 < e) {
			char c = p[1];
			sb_put(out, c == 'n' ? "\n" : c == 't' ? "\t" : &p[1], 1);
			p += 2;
			continue;
		}
		sb_put(out, p++, 1);
	}
	return NULL;
}

static int parse_line(const char *s, const char *e, int line, const char *file,
                      struct frontmatter *fm, struct diag *d)
{
	const char *k = s, *colon, *v;
	struct sbuf val = {0};
	struct fm_kv *kv;
	enum fm_kind kind = FM_STRING;

	while (k < e && (*k == ' ' || *k == '\t'))
		k++;
	if (k == e || *k == '#' || *k == '\r')
		return 0;
	if (k != s)
		return diag_fail(d, file, line, "front matter: nested values are not supported");
	for (colon = k; colon < e && *colon != ':'; colon++)
		;
	if (colon == e || colon == k)
		return diag_fail(d, file, line, "front matter: expected 'key: value'");
	v = colon + 1;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (v < e && (*v == '"' || *v == '\'')) {
		const char *end = quoted(v, e, &val);
		if (!end) {
			sb_free(&val);
			return diag_fail(d, file, line, "front matter: unterminated quoted value");
		}
		while (end < e && (*end == ' ' || *end == '\t'))
			end++;
		if (end < e && *end != '#') {
			sb_free(&val);
			return diag_fail(d, file, line, "front matter: text after a quoted value");
		}
	} else {
		const char *hash = v;
		while (hash < e && !(*hash == '#' && (hash == v || hash[-1] == ' ')))
			hash++;
		while (hash > v && (hash[-1] == ' ' || hash[-1] == '\t'))
			hash--;
		sb_put(&val, v, (size_t)(hash - v));
		if (v < e && (*v == '[' || *v == '{' || *v == '|' || *v == '>')) {
			sb_free(&val);
			return diag_fail(d, file, line,
			                 "front matter: lists and blocks are not supported; quote "
			                 "the value");
		}
		if (strcmp(val.p ? val.p : "", "true") == 0 ||
		    strcmp(val.p ? val.p : "", "false") == 0)
			kind = FM_BOOL;
		else if (is_number(val.p ? val.p : ""))
			kind = FM_NUMBER;
	}
	fm->v = realloc(fm->v, (fm->n + 1) * sizeof *fm->v);
	if (!fm->v)
		abort();
	kv = &fm->v[fm->n++];
	kv->key = strndup(k, (size_t)(colon - k));
	while (kv->key[0] && isspace((unsigned char)kv->key[strlen(kv->key) - 1]))
		kv->key[strlen(kv->key) - 1] = 0;
	kv->val = val.p ? sb_take(&val, NULL) : strdup("");
	kv->kind = kind;
	kv->line = line;
	return 0;
}

int fm_parse(const char *text, size_t len, const char *file, struct frontmatter *fm, struct diag *d)
{
	const char *p = text, *end = text + len;
	int line = 1;

	memset(fm, 0, sizeof *fm);
	fm->body = text;
	fm->body_len = len;
	fm->body_line = 1;
	if (len >= 3 && text[0] == '\xef' && text[1] == '\xbb' && text[2] == '\xbf')
		p += 3; /* a byte-order mark */
	{
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl || !is_fence(p, nl))
			return 0;
		p = nl + 1;
		line++;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (is_fence(p, e)) {
			fm->body = nl ? nl + 1 : end;
			fm->body_len = (size_t)(end - fm->body);
			fm->body_line = line + 1;
			return 0;
		}
		if (parse_line(p, e, line, file, fm, d) != 0) {
			fm_free(fm);
			return -1;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	fm_free(fm);
	return diag_fail(d, file, 1,
	                 "front matter is not terminated: add a line '---' after its last key");
}

const struct fm_kv *fm_get(const struct frontmatter *fm, const char *key)
{
	size_t i;

	for (i = fm->n; i > 0; i--) /* the last one wins, as in YAML parsers */
		if (strcmp(fm->v[i - 1].key, key) == 0)
			return &fm->v[i - 1];
	return NULL;
}

void fm_free(struct frontmatter *fm)
{
	size_t i;

	for (i = 0; i < fm->n; i++) {
		free(fm->v[i].key);
		free(fm->v[i].val);
	}
	free(fm->v);
	fm->v = NULL;
	fm->n = 0;
}
