/* SPDX-License-Identifier: MIT */
/* The front matter parser: libyaml's events made into a small typed tree. */
#include "tools/deck/frontmatter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct yp {
	yaml_parser_t parser;
	const char *file;
	int line0; /* the file's line of the YAML text's first line */
	size_t nodes;
	struct diag *d;
};

/* The line [s, e) is exactly "---" (trailing spaces and CR allowed). */
static bool is_fence(const char *s, const char *e)
{
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return e - s == 3 && memcmp(s, "---", 3) == 0;
}

static int line_of(const struct yp *y, const yaml_mark_t *m)
{
	return y->line0 + (int)m->line;
}

static int next(struct yp *y, yaml_event_t *ev)
{
	const yaml_parser_t *p = &y->parser;
	int at;

	if (yaml_parser_parse(&y->parser, ev))
		return 0;
	/* An unterminated construct is found where the text ends; the line that
	 * opened it (the context's mark) is the one to fix. */
	at = y->line0 + (int)p->problem_mark.line;
	if (!p->context)
		return diag_add(y->d, y->file, at, "front matter: %s",
		                p->problem ? p->problem : "this is not YAML");
	return diag_add(y->d, y->file, y->line0 + (int)p->context_mark.line,
	                "front matter: %s (line %d) %s", p->problem ? p->problem : "bad YAML", at,
	                p->context);
}

/* A plain number as JSON writes one: -?digits[.digits][e[+-]digits], or .5 */
static bool is_number(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '-')
		i++;
	if (s[i] == '0' && s[i + 1] >= '0' && s[i + 1] <= '9')
		return false; /* 0123: JavaScript would read octal; a string */
	while (s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (s[i] == '.') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return false;
	if (s[i] == 'e' || s[i] == 'E') {
		size_t e = 0;
		i++;
		if (s[i] == '+' || s[i] == '-')
			i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++, e++;
		if (!e)
			return false;
	}
	return s[i] == 0;
}

static enum fm_kind plain_kind(const char *s)
{
	static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	size_t i;

	for (i = 0; i < sizeof bools / sizeof bools[0]; i++)
		if (strcmp(s, bools[i]) == 0)
			return FM_BOOL;
	for (i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strcmp(s, nulls[i]) == 0)
			return FM_NULL;
	return is_number(s) ? FM_NUMBER : FM_STRING;
}

static void kv_free(struct fm_kv *v)
{
	size_t i;

	for (i = 0; i < v->n_sub; i++)
		kv_free(&v->sub[i]);
	free(v->sub);
	free(v->key);
	free(v->val);
	memset(v, 0, sizeof *v);
}

static struct fm_kv *grow(struct fm_kv *v)
{
	v->sub = realloc(v->sub, (v->n_sub + 1) * sizeof *v->sub);
	if (!v->sub)
		abort();
	memset(&v->sub[v->n_sub], 0, sizeof *v->sub);
	return &v->sub[v->n_sub++];
}

static int value(struct yp *y, yaml_event_t *ev, struct fm_kv *out, int depth);

/* The members of a mapping whose start event has been read. */
static int mapping(struct yp *y, struct fm_kv *out, int depth)
{
	for (;;) {
		yaml_event_t ev;
		struct fm_kv *m;
		size_t i;
		int rc;
		if (next(y, &ev) != 0)
			return -1;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (ev.type != YAML_SCALAR_EVENT) {
			rc = diag_add(y->d, y->file, line_of(y, &ev.start_mark),
			              "front matter: a key must be a plain word, not a list or a "
			              "mapping");
			yaml_event_delete(&ev);
			return rc;
		}
		for (i = 0; i < out->n_sub; i++)
			if (strcmp(out->sub[i].key, (const char *)ev.data.scalar.value) == 0) {
				rc = diag_add(
				        y->d, y->file, line_of(y, &ev.start_mark),
				        "front matter: '%s' is given twice (first on line %d)",
				        out->sub[i].key, out->sub[i].line);
				yaml_event_delete(&ev);
				return rc;
			}
		m = grow(out);
		m->key = strdup((const char *)ev.data.scalar.value);
		m->line = line_of(y, &ev.start_mark);
		yaml_event_delete(&ev);
		if (next(y, &ev) != 0)
			return -1;
		rc = value(y, &ev, m, depth + 1);
		yaml_event_delete(&ev);
		if (rc != 0)
			return rc;
	}
}

static int sequence(struct yp *y, struct fm_kv *out, int depth)
{
	for (;;) {
		yaml_event_t ev;
		int rc;
		if (next(y, &ev) != 0)
			return -1;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 0;
		}
		rc = value(y, &ev, grow(out), depth + 1);
		yaml_event_delete(&ev);
		if (rc != 0)
			return rc;
	}
}

/* The value that starts with (ev) into (out), whose key and line are set. */
static int value(struct yp *y, yaml_event_t *ev, struct fm_kv *out, int depth)
{
	int line = line_of(y, &ev->start_mark);

	if (!out->line)
		out->line = line;
	if (++y->nodes > FM_MAX_NODES)
		return diag_add(y->d, y->file, line,
		                "front matter: more than %d values; is this really front matter?",
		                FM_MAX_NODES);
	if (depth > FM_MAX_DEPTH)
		return diag_add(y->d, y->file, line, "front matter: nested deeper than %d levels",
		                FM_MAX_DEPTH);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		out->val = strdup((const char *)ev->data.scalar.value);
		out->kind = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_kind(out->val)
		                                                             : FM_STRING;
		if (ev->data.scalar.tag &&
		    strcmp((const char *)ev->data.scalar.tag, YAML_STR_TAG) == 0)
			out->kind = FM_STRING;
		return 0;
	case YAML_MAPPING_START_EVENT:
		out->kind = FM_MAP;
		out->val = strdup("");
		return mapping(y, out, depth);
	case YAML_SEQUENCE_START_EVENT:
		out->kind = FM_LIST;
		out->val = strdup("");
		return sequence(y, out, depth);
	case YAML_ALIAS_EVENT:
		return diag_add(y->d, y->file, line,
		                "front matter: aliases (*%s) are not supported: write the value "
		                "out",
		                (const char *)ev->data.alias.anchor);
	default:
		return diag_add(y->d, y->file, line, "front matter: unexpected YAML here");
	}
}

/* (text) is all YAML, its first line being the file's line (line0). */
static int parse_yaml(const char *text, size_t len, const char *file, int line0,
                      struct frontmatter *fm, struct diag *d)
{
	struct yp y = {.file = file, .line0 = line0, .d = d};
	struct fm_kv root = {0};
	yaml_event_t ev;
	int rc = 0, docs = 0;
	bool done = false;

	if (!yaml_parser_initialize(&y.parser))
		abort();
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)text, len);
	yaml_parser_set_encoding(&y.parser, YAML_UTF8_ENCODING);
	while (rc == 0 && !done) {
		if (next(&y, &ev) != 0) {
			rc = -1;
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				rc = diag_add(
				        d, file, line_of(&y, &ev.start_mark),
				        "front matter: a second YAML document ('---' inside the "
				        "front matter?)");
			break;
		case YAML_MAPPING_START_EVENT:
			root.kind = FM_MAP;
			rc = mapping(&y, &root, 0);
			break;
		case YAML_SCALAR_EVENT:
			/* An empty document is a null scalar: no keys. */
			if (ev.data.scalar.length == 0 &&
			    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
				break;
			/* fall through */
		case YAML_SEQUENCE_START_EVENT:
		case YAML_ALIAS_EVENT:
			rc = diag_add(d, file, line_of(&y, &ev.start_mark),
			              "front matter: expected 'key: value' lines");
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&y.parser);
	if (rc != 0) {
		kv_free(&root);
		return -1;
	}
	fm->v = root.sub;
	fm->n = root.n_sub;
	return 0;
}

int fm_parse_yaml(const char *text, size_t len, const char *file, struct frontmatter *fm,
                  struct diag *d)
{
	memset(fm, 0, sizeof *fm);
	fm->body = text + len;
	return parse_yaml(text, len, file, 1, fm, d);
}

int fm_parse(const char *text, size_t len, const char *file, struct frontmatter *fm, struct diag *d)
{
	const char *p = text, *end = text + len, *start;
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
	start = p;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if (is_fence(p, e)) {
			if (parse_yaml(start, (size_t)(p - start), file, 2, fm, d) != 0)
				return -1;
			fm->body = nl ? nl + 1 : end;
			fm->body_len = (size_t)(end - fm->body);
			fm->body_line = line + 1;
			fm->end_line = line;
			return 0;
		}
		p = nl ? nl + 1 : end;
		line++;
	}
	return diag_add(d, file, 1,
	                "front matter is not terminated: add a line '---' after its last key");
}

const struct fm_kv *fm_get(const struct frontmatter *fm, const char *key)
{
	size_t i;

	for (i = 0; i < fm->n; i++)
		if (strcmp(fm->v[i].key, key) == 0)
			return &fm->v[i];
	return NULL;
}

const struct fm_kv *fm_member(const struct fm_kv *map, const char *key)
{
	size_t i;

	if (!map || map->kind != FM_MAP)
		return NULL;
	for (i = 0; i < map->n_sub; i++)
		if (strcmp(map->sub[i].key, key) == 0)
			return &map->sub[i];
	return NULL;
}

int fm_scalar(const struct fm_kv *v)
{
	return v->kind != FM_MAP && v->kind != FM_LIST;
}

void fm_js(const struct fm_kv *v, struct sbuf *out)
{
	size_t i;

	switch (v->kind) {
	case FM_STRING:
		sb_json(out, v->val, strlen(v->val));
		break;
	case FM_BOOL:
		sb_str(out, v->val[0] == 't' || v->val[0] == 'T' ? "true" : "false");
		break;
	case FM_NULL:
		sb_str(out, "null");
		break;
	case FM_NUMBER:
		sb_str(out, v->val);
		break;
	case FM_MAP:
	case FM_LIST:
		sb_str(out, v->kind == FM_MAP ? "{" : "[");
		for (i = 0; i < v->n_sub; i++) {
			if (i)
				sb_str(out, ", ");
			if (v->kind == FM_MAP) {
				sb_json(out, v->sub[i].key, strlen(v->sub[i].key));
				sb_str(out, ": ");
			}
			fm_js(&v->sub[i], out);
		}
		sb_str(out, v->kind == FM_MAP ? "}" : "]");
		break;
	}
}

void fm_free(struct frontmatter *fm)
{
	size_t i;

	for (i = 0; i < fm->n; i++)
		kv_free(&fm->v[i]);
	free(fm->v);
	fm->v = NULL;
	fm->n = 0;
}
