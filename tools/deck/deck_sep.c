/* SPDX-License-Identifier: MIT */
/* Splitting Markdown into slides and notes with reveal.js's separators.
 *
 * reveal-md and reveal.js's Markdown plugin take the separators as JavaScript
 * regular expressions: the slide separators with the flags "mg" over the whole
 * text, the notes separator with "mgi" over each slide (notes run from its first
 * match to the end of the slide). We translate them to POSIX extended regular
 * expressions (regcomp with REG_NEWLINE, so ^ and $ match at line ends and . does
 * not match a newline, as in JavaScript). Understood: literal characters, . [...]
 * [^...] ^ $ * + ? {n,m} | ( ) (?:...), the escapes \n \r \t \f \v \s \S \d \D \w
 * \W \b \B \xHH \uHHHH and escaped punctuation. Refused with an error naming
 * them: lookaround, named groups, back-references and lazy quantifiers, which
 * POSIX does not have. Lines end in "\n" only: the deck compiler drops the CR of
 * CRLF before splitting, so patterns written for "\r?\n" work too.
 *
 * One difference on purpose: a separator never matches inside fenced code (a
 * "---" line in a code block is content), where reveal.js would split. */
#include "tools/deck/deck_int.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/util/text.h"

static bool ere_special(char c)
{
	return c && strchr(".[]()*+?{}|^$\\", c) != NULL;
}

static void lit(struct sbuf *o, char c)
{
	if (ere_special(c))
		sb_put(o, "\\", 1);
	sb_put(o, &c, 1);
}

static int hexval(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A code point as UTF-8 into (buf); returns its length. */
static size_t utf8(unsigned cp, char *buf)
{
	if (cp < 0x80) {
		buf[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		buf[0] = (char)(0xc0 | cp >> 6);
		buf[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	buf[0] = (char)(0xe0 | cp >> 12);
	buf[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	buf[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* A character escape (after the backslash at s[0]) that stands for one
 * character; returns its bytes' length, 0 when it is not one. (*adv) is how far
 * the escape reaches past the backslash. */
static size_t char_escape(const char *s, char *buf, size_t *adv)
{
	static const char from[] = "nrtfv0", to[] = "\n\r\t\f\v";
	const char *k = strchr(from, s[0]);
	int v;

	*adv = 1;
	if (s[0] && k && s[0] != '0') {
		buf[0] = to[k - from];
		return 1;
	}
	if (s[0] == 'x' && (v = hexval(s + 1, 2)) >= 0) {
		*adv = 3;
		return utf8((unsigned)v, buf);
	}
	if (s[0] == 'u' && (v = hexval(s + 1, 4)) >= 0) {
		*adv = 5;
		return utf8((unsigned)v, buf);
	}
	return 0;
}

/* A bracket expression from s (after '['); returns the length consumed. */
static size_t bracket(const char *s, struct sbuf *o, const char **why)
{
	struct sbuf body = {0};
	bool neg = false, rbr = false, dash = false, caret = false;
	size_t i = 0;

	if (s[i] == '^')
		neg = true, i++;
	while (s[i] && s[i] != ']') {
		char c = s[i], buf[4];
		size_t n, adv;
		if (c == '\\') {
			char e = s[i + 1];
			if (e == 's' || e == 'd' || e == 'w') {
				sb_str(&body, e == 's'   ? "[:space:]"
				              : e == 'd' ? "0-9"
				                         : "[:alnum:]_");
				i += 2;
				continue;
			}
			if (e == 'S' || e == 'D' || e == 'W' || e == 'b' || e == 'B') {
				*why = "\\S, \\D, \\W or \\b inside [...]";
				sb_free(&body);
				return 0;
			}
			n = char_escape(s + i + 1, buf, &adv);
			if (n == 0) { /* an escaped character stands for itself */
				if (!e) {
					*why = "a trailing backslash";
					sb_free(&body);
					return 0;
				}
				buf[0] = e;
				n = 1;
				adv = 1;
			}
			i += 1 + adv;
		} else {
			buf[0] = c;
			n = 1;
			i++;
		}
		if (n == 1 && buf[0] == ']')
			rbr = true;
		else if (n == 1 && buf[0] == '-' &&
		         (body.len == 0 || s[i] == ']' || s[i - 2] == '\\'))
			dash = true;
		else if (n == 1 && buf[0] == '^')
			caret = true;
		else
			sb_put(&body, buf, n);
	}
	if (s[i] != ']') {
		*why = "an unterminated [";
		sb_free(&body);
		return 0;
	}
	if (!rbr && !body.len && !dash && !caret) {
		*why = "an empty []";
		sb_free(&body);
		return 0;
	}
	sb_str(o, neg ? "[^" : "[");
	if (rbr)
		sb_put(o, "]", 1);
	if (body.p)
		sb_put(o, body.p, body.len);
	if (caret)
		sb_put(o, "^", 1);
	if (dash)
		sb_put(o, "-", 1);
	sb_put(o, "]", 1);
	sb_free(&body);
	return i + 1;
}

/* Whether s starts a valid {n}, {n,} or {n,m}. */
static bool interval(const char *s)
{
	size_t i = 1;

	if (!(s[i] >= '0' && s[i] <= '9'))
		return false;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i] == ',') {
		i++;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return s[i] == '}';
}

/* JavaScript regular expression syntax to POSIX ERE; NULL (*why) when it uses
 * something POSIX lacks. */
static int js_to_ere(const char *js, struct sbuf *o, const char **why)
{
	size_t i = 0;

	while (js[i]) {
		char c = js[i], buf[4];
		size_t n, adv;
		switch (c) {
		case '\\': {
			char e = js[i + 1];
			static const struct {
				char e;
				const char *ere;
			} cls[] = {{'s', "[[:space:]]"},  {'S', "[^[:space:]]"},
			           {'d', "[0-9]"},        {'D', "[^0-9]"},
			           {'w', "[[:alnum:]_]"}, {'W', "[^[:alnum:]_]"},
			           {'b', "\\b"},          {'B', "\\B"}};
			size_t k;
			for (k = 0; k < sizeof cls / sizeof cls[0]; k++)
				if (cls[k].e == e)
					break;
			if (k < sizeof cls / sizeof cls[0]) {
				sb_str(o, cls[k].ere);
				i += 2;
				break;
			}
			if (e >= '1' && e <= '9') {
				*why = "a back-reference";
				return -1;
			}
			if (!e) {
				*why = "a trailing backslash";
				return -1;
			}
			n = char_escape(js + i + 1, buf, &adv);
			if (n == 0) {
				buf[0] = e;
				n = 1;
				adv = 1;
			}
			if (n == 1)
				lit(o, buf[0]);
			else
				sb_put(o, buf, n);
			i += 1 + adv;
			break;
		}
		case '[':
			n = bracket(js + i + 1, o, why);
			if (n == 0)
				return -1;
			i += 1 + n;
			break;
		case '(':
			if (js[i + 1] == '?') {
				if (js[i + 2] == ':') {
					sb_put(o, "(", 1);
					i += 3;
					break;
				}
				*why = js[i + 2] == '<' && js[i + 3] != '=' && js[i + 3] != '!'
				               ? "a named group"
				               : "a lookahead or lookbehind";
				return -1;
			}
			sb_put(o, "(", 1);
			i++;
			break;
		case '{':
			if (interval(js + i)) {
				const char *close = strchr(js + i, '}');
				sb_put(o, js + i, (size_t)(close - js - i) + 1);
				i = (size_t)(close - js) + 1;
			} else {
				sb_str(o, "\\{");
				i++;
				break;
			}
			/* fall through: a quantifier's laziness */
			if (js[i] == '?') {
				*why = "a lazy quantifier";
				return -1;
			}
			break;
		case '*':
		case '+':
		case '?':
			sb_put(o, &c, 1);
			i++;
			if (js[i] == '?') {
				*why = "a lazy quantifier (*?, +? or ?\?)";
				return -1;
			}
			break;
		case '}':
			sb_str(o, "\\}");
			i++;
			break;
		default:
			sb_put(o, &c, 1);
			i++;
			break;
		}
	}
	return 0;
}

static int compile(regex_t *re, const char *js, int flags, const char *what, const char *file,
                   int line, struct diag *d)
{
	struct sbuf ere = {0};
	const char *why = NULL;
	char err[256];
	int rc;

	if (!js[0])
		return diag_add(d, file, line, "%s is empty", what);
	if (js_to_ere(js, &ere, &why) != 0) {
		sb_free(&ere);
		return diag_add(d, file, line,
		                "%s '%s' uses %s, which unideck's regular expressions (POSIX "
		                "extended) do not have",
		                what, js, why);
	}
	rc = regcomp(re, ere.p, REG_EXTENDED | REG_NEWLINE | flags);
	if (rc != 0) {
		regerror(rc, re, err, sizeof err);
		sb_free(&ere);
		return diag_add(d, file, line, "%s '%s' is not a regular expression: %s", what, js,
		                err);
	}
	if (regexec(re, "", 0, NULL, 0) == 0) {
		regfree(re);
		sb_free(&ere);
		return diag_add(d, file, line,
		                "%s '%s' matches empty text, so it would split everywhere", what,
		                js);
	}
	sb_free(&ere);
	return 0;
}

int seps_compile(struct seps *s, const struct sep_src *src, const char *file, struct diag *d)
{
	struct sbuf both = {0};
	int rc = 0;

	memset(s, 0, sizeof *s);
	rc |= compile(&s->sep, src->sep, 0, "separator", file, src->sep_line, d);
	if (rc == 0)
		s->n_re |= 1;
	if (src->vsep) {
		if (compile(&s->vsep, src->vsep, 0, "verticalSeparator", file, src->vsep_line, d) ==
		    0)
			s->n_re |= 2;
		else
			rc = -1;
	}
	if (compile(&s->notes, src->notes, REG_ICASE, "notesSeparator", file, src->notes_line, d) ==
	    0)
		s->n_re |= 4;
	else
		rc = -1;
	if (rc == 0) {
		/* The split regex: either separator, as reveal.js joins them. */
		const char *why = NULL;
		sb_put(&both, "(", 1);
		js_to_ere(src->sep, &both, &why);
		if (src->vsep) {
			sb_str(&both, ")|(");
			js_to_ere(src->vsep, &both, &why);
		}
		sb_put(&both, ")", 1);
		if (regcomp(&s->any, both.p, REG_EXTENDED | REG_NEWLINE) == 0)
			s->n_re |= 8;
		else
			rc = diag_add(d, file, src->sep_line,
			              "the separators do not combine into one regular expression");
	}
	sb_free(&both);
	if (rc != 0)
		seps_free(s);
	return rc;
}

void seps_free(struct seps *s)
{
	if (s->n_re & 1)
		regfree(&s->sep);
	if (s->n_re & 2)
		regfree(&s->vsep);
	if (s->n_re & 4)
		regfree(&s->notes);
	if (s->n_re & 8)
		regfree(&s->any);
	s->n_re = 0;
}

/* The byte ranges of fenced code blocks in (p, n): ``` or ~~~ fences, up to
 * three spaces in, closed by a fence of the same kind at least as long. */
struct ranges {
	size_t (*v)[2];
	size_t n;
};

static size_t fence_len(const char *s, const char *e, char *ch)
{
	const char *p = s;
	size_t n = 0;

	while (p < e && *p == ' ' && p - s < 3)
		p++;
	if (p < e && (*p == '`' || *p == '~')) {
		*ch = *p;
		while (p + n < e && p[n] == *ch)
			n++;
	}
	return n >= 3 ? n : 0;
}

static void code_ranges(const char *text, size_t len, struct ranges *r)
{
	const char *p = text, *end = text + len, *open = NULL;
	char open_ch = 0, ch;
	size_t open_len = 0, f;

	memset(r, 0, sizeof *r);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		if ((f = fence_len(p, e, &ch)) != 0) {
			if (!open_len) {
				open_len = f;
				open_ch = ch;
				open = p;
			} else if (ch == open_ch && f >= open_len) {
				r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
				if (!r->v)
					abort();
				r->v[r->n][0] = (size_t)(open - text);
				r->v[r->n][1] = (size_t)(e - text);
				r->n++;
				open_len = 0;
			}
		}
		p = nl ? nl + 1 : end;
	}
	if (open_len) { /* an unclosed fence runs to the end */
		r->v = realloc(r->v, (r->n + 1) * sizeof *r->v);
		if (!r->v)
			abort();
		r->v[r->n][0] = (size_t)(open - text);
		r->v[r->n][1] = len;
		r->n++;
	}
}

/* Whether the match [so, eo) of (text) lies in fenced code: its first byte that
 * is not a line end does. */
static bool in_code(const struct ranges *r, const char *text, size_t so, size_t eo)
{
	size_t at = so, i;

	while (at < eo && (text[at] == '\n' || text[at] == '\r'))
		at++;
	if (at == eo)
		at = so;
	for (i = 0; i < r->n; i++)
		if (at >= r->v[i][0] && at < r->v[i][1])
			return true;
	return false;
}

static void push(struct slides *out, const char *p, size_t len, int line, bool horizontal)
{
	out->v = realloc(out->v, (out->n + 1) * sizeof *out->v);
	if (!out->v)
		abort();
	out->v[out->n].p = p;
	out->v[out->n].len = len;
	out->v[out->n].line = line;
	out->v[out->n].horizontal = horizontal;
	out->n++;
}

void seps_split(const struct seps *s, const char *text, size_t len, int line0, struct slides *out)
{
	struct ranges code;
	size_t pos = 0, start = 0, counted = 0;
	bool horizontal = true;
	int line = line0;

	code_ranges(text, len, &code);
	while (pos < len) {
		regmatch_t m[1];
		size_t so, eo;
		m[0].rm_so = (regoff_t)pos;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(&s->any, text, 1, m, REG_STARTEND) != 0)
			break;
		so = (size_t)m[0].rm_so;
		eo = (size_t)m[0].rm_eo;
		if (eo == so) { /* cannot happen (compile refuses), but never loop */
			pos = so + 1;
			continue;
		}
		if (in_code(&code, text, so, eo)) {
			pos = so + 1;
			continue;
		}
		for (; counted < start; counted++)
			line += text[counted] == '\n';
		push(out, text + start, so - start, line, horizontal);
		{
			/* Which separator: the match tested against the horizontal
			 * one, as reveal.js tests it. */
			regmatch_t h[1];
			h[0].rm_so = (regoff_t)so;
			h[0].rm_eo = (regoff_t)eo;
			horizontal =
			        !(s->n_re & 2) || regexec(&s->sep, text, 1, h, REG_STARTEND) == 0;
		}
		start = pos = eo;
	}
	for (; counted < start; counted++)
		line += text[counted] == '\n';
	push(out, text + start, len - start, line, horizontal);
	free(code.v);
}

const char *seps_notes(const struct seps *s, const char *p, size_t len, const char **text)
{
	struct ranges code;
	size_t pos = 0;
	const char *found = NULL;
	char *copy = strndup(p, len);

	if (!copy)
		abort();
	code_ranges(copy, len, &code);
	while (pos < len) {
		regmatch_t m[1];
		m[0].rm_so = (regoff_t)pos;
		m[0].rm_eo = (regoff_t)len;
		if (regexec(&s->notes, copy, 1, m, REG_STARTEND) != 0)
			break;
		if (m[0].rm_eo > m[0].rm_so &&
		    !in_code(&code, copy, (size_t)m[0].rm_so, (size_t)m[0].rm_eo)) {
			found = p + m[0].rm_so;
			*text = p + m[0].rm_eo;
			break;
		}
		pos = (size_t)m[0].rm_so + 1;
	}
	free(code.v);
	free(copy);
	return found;
}
