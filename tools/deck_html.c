/* SPDX-License-Identifier: MIT */
/* Raw reveal.js decks: served as written, with the runtime's paths resolved. */
#include "tools/deck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tools/text.h"

/* Count the slides: <section> elements that hold no <section> themselves (the
 * others only group a vertical stack). */
static size_t count_slides(const char *p, size_t n)
{
	bool parent[64] = {false};
	size_t i, slides = 0;
	int depth = 0;

	for (i = 0; i + 9 < n; i++) {
		char after;
		if (p[i] != '<')
			continue;
		after = p[i + 8];
		if (strncasecmp(p + i, "<section", 8) == 0 &&
		    (after == '>' || after == ' ' || after == '\n' || after == '\t')) {
			if (depth > 0 && depth <= 64)
				parent[depth - 1] = true;
			if (depth < 64)
				parent[depth] = false;
			depth++;
		} else if (strncasecmp(p + i, "</section", 9) == 0 && depth > 0) {
			depth--;
			if (depth >= 64 || !parent[depth])
				slides++;
		}
	}
	return slides;
}

/* Remove <aside class="notes">...</aside> for a public build. */
static void strip_notes(struct sbuf *page)
{
	struct sbuf out = {0};
	const char *p = page->p, *end = page->p + page->len;

	for (;;) {
		const char *a = strstr(p, "<aside"), *close, *gt;
		if (!a)
			break;
		gt = strchr(a, '>');
		close = gt ? strstr(gt, "</aside>") : NULL;
		if (!gt || !close || !memmem(a, (size_t)(gt - a), "notes", 5)) {
			sb_put(&out, p, (size_t)(a + 6 - p));
			p = a + 6;
			continue;
		}
		sb_put(&out, p, (size_t)(a - p));
		p = close + 8;
	}
	sb_put(&out, p, (size_t)(end - p));
	sb_free(page);
	*page = out;
}

/* unideck's deck script (live follow) and, in previews, the live-reload one go
 * before </body>, or at the end. */
static void add_scripts(const struct deck *dk, struct sbuf *page)
{
	struct sbuf s = {0}, out = {0};
	char *body;

	sb_str(&s, "<script src=\"/_unideck/deck.js\"></script>\n");
	deck_dev_scripts(dk->o, &s);
	body = strstr(page->p, "</body>");
	if (body) {
		sb_put(&out, page->p, (size_t)(body - page->p));
		sb_put(&out, s.p, s.len);
		sb_str(&out, body);
	} else {
		sb_put(&out, page->p, page->len);
		sb_put(&out, s.p, s.len);
	}
	sb_free(page);
	sb_free(&s);
	*page = out;
}

/* The first <title> of the page, for the index. */
static void page_title(struct deck *dk, const char *p)
{
	const char *t = strstr(p, "<title>"), *e = t ? strstr(t, "</title>") : NULL;
	size_t n;

	if (!t || !e)
		return;
	t += 7;
	n = (size_t)(e - t);
	if (n >= sizeof dk->info.title)
		n = sizeof dk->info.title - 1;
	memcpy(dk->info.title, t, n);
	dk->info.title[n] = 0;
}

int deck_html(struct deck *dk, struct bset *out, struct diag *d)
{
	struct sbuf page = {0};
	struct bfile *f;
	uint8_t *data;
	size_t len, plen;
	char *src = text_read_file(dk->file, &len, d);
	char url[200];
	int rc;

	if (!src)
		return -1;
	snprintf(dk->info.title, sizeof dk->info.title, "%s", dk->info.slug);
	rc = text_utf8_check(src, len, dk->file, d);
	if (rc == 0)
		rc = deck_check_refs(dk, src, len, src, len, 1, &page, d);
	if (rc == 0) {
		if (dk->o->without_notes)
			strip_notes(&page);
		add_scripts(dk, &page);
		page_title(dk, page.p);
		dk->info.n_slides = count_slides(page.p, page.len);
		snprintf(url, sizeof url, "/%s/index.html", dk->info.slug);
		data = (uint8_t *)sb_take(
		        &page, &plen); /* before the call: argument order is unspecified */
		f = bset_add(out, url, data, plen);
		f->type = strdup("text/html; charset=utf-8");
		f->flags = STORE_E_HTML | STORE_E_DECK;
		f->cache = STORE_CACHE_REVALIDATE;
		f->mtime = dk->mtime;
		f->src = strdup(dk->file);
		dk->info.n_files++;
		dk->info.bytes += plen;
	}
	sb_free(&page);
	free(src);
	return rc;
}
