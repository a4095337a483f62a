/* SPDX-License-Identifier: MIT */
/* Build-time Mermaid: ```mermaid code blocks of a page replaced by their SVG. */
#include "tools/deck/mermaid.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/deck/math.h"
#include "tools/deck/node.h"
#include "tools/deck/pdf.h"
#include "tools/util/text.h"

#define MERMAID_TIMEOUT 180 /* seconds for one page's diagrams */

static const char open_tag[] = "<pre><code class=\"language-mermaid\"";

struct diagram {
	size_t start, end; /* the <pre> element in the page */
	char *text;
};

static size_t find(const char *page, size_t len, struct diagram **out)
{
	struct diagram *v = NULL;
	size_t n = 0, at = 0;

	for (;;) {
		const char *o = memmem(page + at, len - at, open_tag, sizeof open_tag - 1);
		const char *gt, *close;
		if (!o)
			break;
		gt = memchr(o + sizeof open_tag - 1, '>',
		            (size_t)(page + len - o - sizeof open_tag + 1));
		close = gt ? memmem(gt, (size_t)(page + len - gt), "</code></pre>", 13) : NULL;
		if (!close)
			break;
		v = realloc(v, (n + 1) * sizeof *v);
		if (!v)
			abort();
		v[n].start = (size_t)(o - page);
		v[n].end = (size_t)(close + 13 - page);
		v[n].text = math_unescape(gt + 1, (size_t)(close - gt - 1));
		n++;
		at = v[n - 1].end;
	}
	*out = v;
	return n;
}

/* The line of the diagram's first line in the source, else 0. */
static int diagram_line(const char *src, size_t src_len, const char *text)
{
	const char *nl = strchr(text, '\n');
	size_t k = nl ? (size_t)(nl - text) : strlen(text);
	const char *at = k ? memmem(src, src_len, text, k) : NULL;

	return at ? text_line_of(src, (size_t)(at - src)) : 0;
}

/* Mermaid's "Parse error on line N": the line within the diagram, else 0. */
static int error_line(const char *msg)
{
	const char *at = strstr(msg, "on line ");

	return at ? atoi(at + 8) : 0;
}

static bool dark_theme(const char *t)
{
	static const char *const dark[] = {"black", "night",   "league",        "moon",
	                                   "blood", "dracula", "black-contrast"};
	size_t i;

	for (i = 0; t && i < sizeof dark / sizeof dark[0]; i++)
		if (strcmp(t, dark[i]) == 0)
			return true;
	return false;
}

int mermaid_page(const struct deck_opts *o, const char *file, const char *src, size_t src_len,
                 const char *theme, struct sbuf *page, struct diag *d)
{
	struct sbuf in = {0}, res = {0}, err = {0}, html = {0};
	struct diagram *v = NULL;
	size_t n = find(page->p ? page->p : "", page->len, &v), i, from = 0;
	const char *chromium = n ? pdf_chromium() : NULL, *args[3], *r, *rend;
	int rc = 0, st;

	if (n && !chromium)
		for (i = 0; i < n; i++)
			diag_warn(file, diagram_line(src, src_len, v[i].text),
			          "mermaid diagram shown as code: drawing it needs Chromium, which "
			          "is "
			          "not installed (scripts/deps.sh installs it)");
	if (n && chromium) {
		for (i = 0; i < n; i++)
			sb_put(&in, v[i].text, strlen(v[i].text) + 1);
		args[0] = chromium;
		args[1] = dark_theme(theme) ? "dark" : "default";
		args[2] = NULL;
		st = node_run(o->data_dir, "mermaid.mjs", args, in.p, in.len, &res, &err,
		              MERMAID_TIMEOUT);
		if (st != 0)
			rc = diag_fail(d, file, diagram_line(src, src_len, v[0].text),
			               "mermaid: the diagrams could not be drawn (%s)",
			               err.p ? err.p : "no message");
		r = res.p;
		rend = res.p + res.len;
		for (i = 0; i < n && rc == 0; i++) {
			const char *z = r < rend ? memchr(r, 0, (size_t)(rend - r)) : NULL;
			int line = diagram_line(src, src_len, v[i].text);
			if (!z) {
				rc = diag_fail(d, file, line,
				               "mermaid answered %zu of %zu diagrams", i, n);
				break;
			}
			if (*r == 'E') {
				int in_line = error_line(r + 1), lines = 0;
				const char *q;
				for (q = v[i].text; *q; q++)
					lines += *q == '\n' || (q[1] == 0 && *q != '\n');
				/* At the end of input Mermaid counts lines past the last. */
				if (in_line > lines)
					in_line = lines;
				rc = diag_fail(d, file, line && in_line ? line + in_line - 1 : line,
				               "mermaid: %s", r + 1);
				break;
			}
			sb_put(&html, page->p + from, v[i].start - from);
			sb_str(&html, "<div class=\"unideck-mermaid\">");
			sb_put(&html, r + 1, (size_t)(z - r - 1));
			sb_str(&html, "</div>");
			from = v[i].end;
			r = z + 1;
		}
		if (rc == 0) {
			sb_put(&html, page->p + from, page->len - from);
			sb_free(page);
			*page = html;
			html = (struct sbuf){0};
		}
	}
	for (i = 0; i < n; i++)
		free(v[i].text);
	free(v);
	sb_free(&in);
	sb_free(&res);
	sb_free(&err);
	sb_free(&html);
	return rc;
}
