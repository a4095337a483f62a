/* SPDX-License-Identifier: MIT */
/* The index page: every deck, newest first, grouped by year. */
#include "tools/deck/deck_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char style[] =
        "<style>\n"
        ":root{color-scheme:light dark;--fg:#1d1d1f;--muted:#5f6368;--bg:#fbfbfd;--card:#fff;"
        "--line:#e3e3e8;--accent:#0b57d0}\n"
        "@media (prefers-color-scheme:dark){:root{--fg:#ececf1;--muted:#a0a4ab;--bg:#121214;"
        "--card:#1c1c20;--line:#2c2c33;--accent:#8ab4f8}}\n"
        "*{box-sizing:border-box}\n"
        "body{margin:0;font:17px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
        "color:var(--fg);background:var(--bg)}\n"
        "main{max-width:46rem;margin:0 auto;padding:3rem 1.25rem}\n"
        "h1{font-size:2rem;margin:0 0 .25rem}\n"
        "header p{color:var(--muted);margin:0 0 2rem}\n"
        "h2{font-size:1rem;color:var(--muted);letter-spacing:.08em;margin:2rem 0 .5rem;"
        "border-bottom:1px solid var(--line);padding-bottom:.25rem}\n"
        "ul{list-style:none;margin:0;padding:0}\n"
        "li{margin:.5rem 0}\n"
        "li.deck{padding:.9rem 1rem;border:1px solid var(--line);border-radius:.6rem;"
        "background:var(--card)}\n"
        "li.deck:hover,li.deck:focus-within{border-color:var(--accent)}\n"
        "a{color:var(--accent)}\n"
        "a.title{display:block;font-weight:600;font-size:1.1rem;text-decoration:none}\n"
        ".meta{color:var(--muted);font-size:.95rem}\n"
        "footer{margin-top:3rem;color:var(--muted);font-size:.85rem}\n"
        "</style>\n";

static int newest_first(const void *a, const void *b)
{
	const struct deck_info *x = a, *y = b;

	/* Undated decks go last; ties by address. */
	if (!x->date[0] != !y->date[0])
		return x->date[0] ? -1 : 1;
	if (strcmp(x->date, y->date) != 0)
		return strcmp(y->date, x->date);
	return strcmp(x->slug, y->slug);
}

static void esc(struct sbuf *b, const char *s)
{
	sb_html(b, s, strlen(s));
}

static void one(struct sbuf *b, const struct deck_info *k, bool pdf)
{
	sb_str(b, "<li class=\"deck\"><a class=\"title\" href=\"/");
	esc(b, k->slug);
	sb_str(b, "/\">");
	esc(b, k->title);
	sb_str(b, "</a><div class=\"meta\">");
	esc(b, k->author);
	if (k->author[0] && (k->venue[0] || k->date[0]))
		sb_str(b, " &middot; ");
	esc(b, k->venue);
	if (k->venue[0] && k->date[0])
		sb_str(b, " &middot; ");
	if (k->date[0]) {
		sb_str(b, "<time datetime=\"");
		esc(b, k->date);
		sb_str(b, "\">");
		esc(b, k->date);
		sb_str(b, "</time>");
	}
	sb_printf(b, " &middot; %zu slide%s", k->n_slides, k->n_slides == 1 ? "" : "s");
	if (pdf) {
		sb_str(b, " &middot; <a class=\"pdf\" href=\"/");
		esc(b, k->slug);
		sb_str(b, "/");
		esc(b, k->slug);
		sb_str(b, ".pdf\">PDF</a>");
	}
	sb_str(b, "</div></li>\n");
}

void deck_index(const struct deck_info *decks, size_t n, const struct deck_opts *o, int64_t mtime,
                struct bset *out)
{
	struct deck_info *v = malloc((n ? n : 1) * sizeof *v);
	struct sbuf b = {0};
	char year[8] = "";
	struct bfile *f;
	uint8_t *data;
	size_t i, len;

	if (!v)
		abort();
	if (n) /* (memcpy and qsort may not be given the NULL of no decks) */
		memcpy(v, decks, n * sizeof *v);
	if (n > 1)
		qsort(v, n, sizeof *v, newest_first);
	sb_str(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	           "<title>Decks</title>\n"
	           "<meta name=\"description\" content=\"Slide decks served by unideck\">\n"
	           "<meta property=\"og:title\" content=\"Decks\">\n"
	           "<meta property=\"og:type\" content=\"website\">\n");
	sb_str(&b, style);
	sb_printf(&b, "</head>\n<body>\n<main>\n<header><h1>Decks</h1><p>%zu deck%s</p></header>\n",
	          n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		char y[8];
		snprintf(y, sizeof y, "%.4s", v[i].date[0] ? v[i].date : "");
		if (i == 0 || strcmp(y, year) != 0) {
			if (i)
				sb_str(&b, "</ul>\n</section>\n");
			snprintf(year, sizeof year, "%s", y);
			sb_printf(&b, "<section>\n<h2>%s</h2>\n<ul>\n", y[0] ? y : "Undated");
		}
		{
			/* A PDF is linked when it was made (a deck whose print
			 * failed has none). */
			char pdf[300];
			snprintf(pdf, sizeof pdf, "/%s/%s.pdf", v[i].slug, v[i].slug);
			one(&b, &v[i], o->pdf && bset_find(out, pdf) != NULL);
		}
	}
	if (n)
		sb_str(&b, "</ul>\n</section>\n");
	sb_str(&b, "<footer>Served by unideck " UD_VERSION ".</footer>\n</main>\n");
	deck_dev_scripts(o, &b);
	sb_str(&b, "</body>\n</html>\n");
	data = (uint8_t *)sb_take(&b, &len); /* before the call: argument order is unspecified */
	f = bset_add(out, "/index.html", data, len);
	f->type = strdup("text/html; charset=utf-8");
	f->flags = STORE_E_HTML;
	f->cache = STORE_CACHE_REVALIDATE;
	f->mtime = mtime;
	free(v);
}

void decks_index(const struct deck_info *decks, size_t n, const struct deck_opts *o, int64_t mtime,
                 struct bset *out)
{
	deck_index(decks, n, o, mtime, out);
}
