/* SPDX-License-Identifier: MIT */
/* Imported decks' iframes from other sites become links (cmd_import_frames.h). */
#include "tools/cli/cmd_import_frames.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/deck/htmlscan.h"
#include "tools/util/text.h"

struct frames {
	const char *file, *all; /* the whole text */
	const char *src;        /* the part being scanned: all + base */
	size_t base, len, copied;
	struct sbuf *out;
	int replaced;
	/* the outside <iframe> being replaced, until its end tag */
	bool open;
	bool markdown; /* (src) is Markdown: its code shows tags, never runs them */
};

/* Whether (off) of the Markdown (md) is code: inside a fenced block (``` or
 * ~~~ at a line's start, after blanks) or a code span (an odd number of
 * backticks before it on its line). CommonMark 4.5 and 6.1, simplified:
 * enough not to turn an iframe shown as code into a link. */
static bool md_code_at(const char *md, size_t off)
{
	size_t i = 0, line = 0, ticks = 0;
	bool fenced = false;

	while (i < off) {
		size_t k = i;
		while (k < off && (md[k] == ' ' || md[k] == '\t'))
			k++;
		if (k + 3 <= off && (!strncmp(md + k, "```", 3) || !strncmp(md + k, "~~~", 3)))
			fenced = !fenced;
		line = i;
		while (i < off && md[i] != '\n')
			i++;
		if (i < off)
			i++; /* past the line end: (off) is on a later line */
		else
			break;
	}
	if (fenced)
		return true;
	for (i = line; i < off; i++)
		if (md[i] == '`')
			ticks++;
	return ticks % 2 == 1;
}

static bool outside(const char *v, size_t n)
{
	return (n >= 2 && v[0] == '/' && v[1] == '/') ||
	       (n >= 5 && strncasecmp(v, "http:", 5) == 0) ||
	       (n >= 6 && strncasecmp(v, "https:", 6) == 0);
}

/* A width or height attribute as CSS: "600" is 600px, "50%" stays. */
static void size_css(struct sbuf *b, const char *prop, const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > 12)
		return;
	for (i = 0; i < n; i++)
		if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.' || v[i] == '%'))
			return;
	sb_printf(b, "%s:%.*s%s;", prop, (int)n, v, v[n - 1] == '%' ? "" : "px");
}

static int on_tag(void *ctx, const struct html_tag *t)
{
	struct frames *f = ctx;
	size_t vs, ve, ws, we, hs, he;
	char *url, *href;
	size_t n;

	if ((strcmp(t->name, "script") == 0 || strcmp(t->name, "textarea") == 0) && !t->closing &&
	    t->body_end > t->body) {
		/* reveal.js's in-page Markdown: its HTML is the page's once rendered */
		struct frames in = *f;
		in.src = f->src + t->body;
		in.base = f->base + t->body;
		in.open = false;
		in.markdown = true; /* reveal.js's template: Markdown */
		html_tags(in.src, t->body_end - t->body, on_tag, &in);
		f->copied = in.copied;
		f->replaced = in.replaced;
		return 0;
	}
	if (strcmp(t->name, "iframe") != 0)
		return 0;
	if (t->closing) {
		if (f->open) {
			f->open = false;
			f->copied = f->base + t->end; /* its fallback content goes with it */
		}
		return 0;
	}
	if (f->open || !html_attr(f->src, t, "src", &vs, &ve) ||
	    (f->markdown && md_code_at(f->src, t->off)))
		return 0;
	url = text_html_decode(f->src + vs, ve - vs, &n);
	if (!outside(url, n)) {
		free(url);
		return 0;
	}
	fprintf(stderr,
	        "%s:%d: warning: <iframe> of '%s' (a page outside the server) replaced by a "
	        "link to it, since decks load nothing from outside: download the video or "
	        "page into the deck's folder to show it offline\n",
	        f->file, text_line_of(f->all, f->base + t->off), url);
	href = url[0] == '/' ? NULL : url; /* scheme-relative: the link says https */
	sb_put(f->out, f->all + f->copied, f->base + t->off - f->copied);
	sb_str(f->out, "<a class=\"unideck-outside\" target=\"_blank\" rel=\"noopener\" href=\"");
	if (!href)
		sb_str(f->out, "https:");
	sb_html(f->out, url, n);
	sb_str(f->out, "\" style=\"display:inline-block;box-sizing:border-box;");
	if (html_attr(f->src, t, "width", &ws, &we))
		size_css(f->out, "width", f->src + ws, we - ws);
	if (html_attr(f->src, t, "height", &hs, &he))
		size_css(f->out, "height", f->src + hs, he - hs);
	sb_str(f->out, "border:2px dashed currentColor;padding:1em;font-size:0.6em;"
	               "word-break:break-all\">Online only (outside this server): ");
	if (!href)
		sb_str(f->out, "https:");
	sb_html(f->out, url, n);
	sb_str(f->out, "</a>");
	free(url);
	f->copied = f->base + t->end;
	f->open = true;
	f->replaced++;
	return 0;
}

int import_offline_frames(const char *file, const char *src, size_t len, struct sbuf *out)
{
	struct frames f = {0};

	f.file = file;
	f.markdown = strlen(file) > 3 && strcmp(file + strlen(file) - 3, ".md") == 0;
	f.all = src;
	f.src = src;
	f.len = len;
	f.out = out;
	html_tags(src, len, on_tag, &f);
	/* An <iframe> never closed: what follows it stays (the browser would have
	 * taken it as the frame's fallback text, which shows nothing). */
	if (f.copied < len)
		sb_put(out, src + f.copied, len - f.copied);
	return f.replaced;
}
