/* SPDX-License-Identifier: MIT */
/* Unit tests of the deck compiler: front matter, slides, notes, attribute
 * comments, code, escaping, runtime selection and the index page. Runs from the
 * repository root (the data folder is "."). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tools/deck.h"
#include "tools/frontmatter.h"
#include "tools/mdrender.h"

static char root[64];

static void write_file(const char *rel, const char *text)
{
	char path[256], dir[256], *slash;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", root, rel);
	snprintf(dir, sizeof dir, "%s", path);
	for (slash = strchr(dir + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(dir, 0777);
		*slash = '/';
	}
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *render(const char *md, char **section)
{
	struct md_out o = {0};

	if (mdrender(md, strlen(md), &o) != 0) {
		*section = strdup("");
		return strdup("(failed)");
	}
	*section = o.section_attrs.p ? o.section_attrs.p : strdup("");
	return o.html.p ? o.html.p : strdup("");
}

static void md_case(const char *name, const char *md, const char *want, const char *want_section)
{
	char *sec, *html = render(md, &sec);

	CHECK(strstr(html, want) != NULL && (!want_section || strstr(sec, want_section)),
	      "%s (got %s | section:%s)", name, html, sec);
	free(html);
	free(sec);
}

static void test_markdown(void)
{
	md_case("a heading", "# Hi", "<h1>Hi</h1>", NULL);
	md_case(".element after a list item goes to the <li>",
	        "- a <!-- .element: class=\"fragment\" -->\n- b", "<li class=\"fragment\">a </li>",
	        NULL);
	md_case(".element after an image goes to the <img>",
	        "![x](a.png) <!-- .element: width=\"10\" -->",
	        "<img src=\"a.png\" alt=\"x\" width=\"10\">", NULL);
	md_case(".element after text goes to the nearest element before it, as reveal.js does",
	        "Some *text* here <!-- .element: style=\"color:red\" -->",
	        "<p>Some <em style=\"color:red\">text</em> here </p>", NULL);
	md_case(".element after plain text goes to the paragraph",
	        "Plain text <!-- .element: class=\"x\" -->", "<p class=\"x\">Plain text </p>",
	        NULL);
	md_case(".element on its own line goes to the block before it",
	        "para\n\n<!-- .element: class=\"x\" -->\n", "<p class=\"x\">para</p>", NULL);
	md_case(".element as the first thing goes to the slide",
	        "<!-- .element: data-state=\"s\" -->\n\n# t", "<h1>t</h1>", " data-state=\"s\"");
	md_case("a comment after a code block styles its <pre>",
	        "```js\nx\n```\n<!-- .element: class=\"big\" -->", "<pre class=\"big\"><code",
	        NULL);
	md_case("classes merge",
	        "- a <!-- .element: class=\"x\" --> <!-- .element: class=\"y\" -->",
	        "<li class=\"x y\">", NULL);
	md_case("fenced code with line steps", "```c [1-2|3]\nint a;\n```",
	        "<pre><code class=\"language-c\" data-trim data-line-numbers=\"1-2|3\">int "
	        "a;\n</code></pre>",
	        NULL);
	md_case("code is escaped", "```\n<b>&amp;</b>\n```", "&lt;b&gt;&amp;amp;&lt;/b&gt;", NULL);
	md_case("text is escaped", "a < b & \"c\"", "a &lt; b &amp; &quot;c&quot;", NULL);
	md_case("raw HTML passes through", "<video src=\"v.mp4\" controls></video>",
	        "<video src=\"v.mp4\" controls></video>", NULL);
	md_case("tables", "| a | b |\n|:---|---:|\n| 1 | 2 |", "<th align=\"left\">a</th>", NULL);
	md_case("task lists", "- [x] done", "<input type=\"checkbox\" disabled checked>", NULL);
	md_case("strikethrough", "~~old~~", "<del>old</del>", NULL);
	md_case("link attributes are escaped", "[a](/x?a=1&b=\"2\")",
	        "href=\"/x?a=1&amp;b=&quot;2&quot;\"", NULL);
	md_case("an attribute value with quotes is escaped",
	        "x <!-- .element: title='say \"hi\"' -->", "title=\"say &quot;hi&quot;\"", NULL);
}

static void test_front_matter(void)
{
	struct frontmatter fm;
	struct diag d = {0};
	const char *t = "---\ntitle: \"A: b\"\n# comment\nn: 3\nb: true\ns: it's # note\nq: 'a "
	                "''b'''\n---\nbody";

	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) == 0 && fm.n == 5, "parses five keys");
	CHECK(!strcmp(fm_get(&fm, "title")->val, "A: b") && fm_get(&fm, "title")->kind == FM_STRING,
	      "a quoted value keeps its colon");
	CHECK(fm_get(&fm, "n")->kind == FM_NUMBER && fm_get(&fm, "b")->kind == FM_BOOL,
	      "typed values");
	CHECK(!strcmp(fm_get(&fm, "s")->val, "it's"), "a comment after a bare value");
	CHECK(!strcmp(fm_get(&fm, "q")->val, "a 'b'"), "single quotes double to escape");
	CHECK(fm.body_line == 9 && !strcmp(fm.body, "body"), "the body and its first line");
	fm_free(&fm);
	t = "no front matter\n";
	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) == 0 && fm.n == 0 && fm.body == t,
	      "no front matter is fine");
	t = "---\na: [1, 2]\n---\n";
	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) != 0 && d.line == 2,
	      "lists are refused with a line");
	t = "---\na: \"open\n---\n";
	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) != 0 && d.line == 2, "an unterminated quote");
}

struct seen {
	int decks;
	size_t slides[4];
};

static void on_deck(void *ctx, const struct deck_info *info)
{
	struct seen *s = ctx;

	if (s->decks < 4)
		s->slides[s->decks] = info->n_slides;
	s->decks++;
}

static const struct bfile *find(const struct bset *s, const char *path)
{
	return bset_find(s, path);
}

static bool body_has(const struct bfile *f, const char *s)
{
	return f && memmem(f->data, f->len, s, strlen(s)) != NULL;
}

static void test_compile(void)
{
	struct deck_opts o = {0};
	struct seen seen = {0};
	struct bset s, s2;
	struct diag d = {0};
	const struct bfile *page;
	size_t i;

	write_file("decks/b-talk/deck.md",
	           "---\ntitle: B <talk>\ndate: 2025-03-01\ntheme: beige\nslideNumber: true\n"
	           "controls: false\nkeyboard: \"</script>\"\n---\n"
	           "# One\n\n---\n\n## Two\n\n```js\n---\nnot a separator\n```\n\n----\n\n"
	           "## Down\n\nNote: secret *note*\n\n---\n\n"
	           "<!-- .slide: data-background-image=\"bg.png\" -->\n## Three\n");
	write_file("decks/b-talk/bg.png", "png");
	write_file("decks/a-talk/deck.md", "---\ntitle: A\ndate: 2026-01-01\n---\n# Only\n");
	write_file("decks/undated/deck.md", "# Nothing\n");
	write_file("decks/notadeck/readme.txt", "hello");
	o.data_dir = ".";
	o.epoch = -1;
	o.on_deck = on_deck;
	o.ctx = &seen;
	bset_init(&s);
	{
		char dir[128];
		snprintf(dir, sizeof dir, "%s/decks", root);
		CHECK(decks_compile(dir, &o, &s, &d) == 0, "compiles (%s)", d.msg);
		CHECK(seen.decks == 3 && seen.slides[1] == 4,
		      "three decks; b-talk has 4 slides (%zu)", seen.slides[1]);
		page = find(&s, "/b-talk/index.html");
		CHECK(page && (page->flags & STORE_E_DECK), "the deck page");
		CHECK(body_has(page,
		               "<pre><code class=\"language-js\" data-trim>---\nnot a separator"),
		      "--- inside fenced code is content, not a separator");
		CHECK(body_has(page, "<section>\n<section>\n<h2>Two</h2>") &&
		              body_has(page, "</section>\n<section>\n<h2>Down</h2>"),
		      "---- makes a vertical stack");
		CHECK(body_has(page, "<aside class=\"notes\">\n<p>secret <em>note</em></p>"),
		      "notes are rendered Markdown in an aside");
		CHECK(body_has(page, "<section data-background-image=\"bg.png\">"),
		      ".slide attributes");
		CHECK(body_has(page, "<title>B &lt;talk&gt;</title>"),
		      "the title is escaped in HTML");
		CHECK(body_has(page, "keyboard: \"\\u003c/script\\u003e\"") &&
		              body_has(page, "slideNumber: true") &&
		              body_has(page, "controls: false"),
		      "front matter options pass through to Reveal.initialize, script-safe");
		CHECK(body_has(page, "RevealHighlight") &&
		              find(&s, "/_reveal/6.0.2/plugin/highlight.js"),
		      "a deck with code loads the highlight plugin");
		CHECK(!body_has(find(&s, "/a-talk/index.html"), "highlight"),
		      "one without code does not");
		CHECK(find(&s, "/_reveal/6.0.2/theme/beige.css") &&
		              !find(&s, "/_reveal/6.0.2/theme/sky.css") &&
		              !find(&s, "/_reveal/6.0.2/plugin/markdown.js"),
		      "only the runtime files in use");
		CHECK(!body_has(find(&s, "/_reveal/6.0.2/theme/beige.css"), "fonts.googleapis.com"),
		      "web-font imports are removed from themes");
		CHECK(find(&s, "/b-talk/bg.png") && !find(&s, "/b-talk/deck.md") &&
		              !find(&s, "/notadeck/readme.txt"),
		      "assets are served, sources and non-decks are not");
		page = find(&s, "/index.html");
		CHECK(page && body_has(page, "<h2>2026</h2>") && body_has(page, "<h2>Undated</h2>"),
		      "the index groups by year");
		CHECK(page &&
		              (char *)memmem(page->data, page->len, "/a-talk/", 8) <
		                      (char *)memmem(page->data, page->len, "/b-talk/", 8) &&
		              (char *)memmem(page->data, page->len, "/b-talk/", 8) <
		                      (char *)memmem(page->data, page->len, "/undated/", 9),
		      "newest first, undated last");
		bset_init(&s2);
		o.on_deck = NULL;
		decks_compile(dir, &o, &s2, &d);
		bset_sort(&s);
		bset_sort(&s2);
		{
			bool same = s.n == s2.n;
			for (i = 0; same && i < s.n; i++)
				same = !strcmp(s.v[i].path, s2.v[i].path) &&
				       s.v[i].len == s2.v[i].len &&
				       !memcmp(s.v[i].data, s2.v[i].data, s.v[i].len);
			CHECK(same, "compiling twice gives the same set");
		}
		bset_free(&s2);
		o.without_notes = true;
		bset_init(&s2);
		decks_compile(dir, &o, &s2, &d);
		CHECK(!body_has(bset_find(&s2, "/b-talk/index.html"), "secret"),
		      "without_notes strips notes");
		bset_free(&s2);
		o.dev = true;
		bset_init(&s2);
		decks_compile(dir, &o, &s2, &d);
		CHECK(body_has(bset_find(&s2, "/b-talk/index.html"), "/_unideck/live.js") &&
		              body_has(bset_find(&s2, "/index.html"), "/_unideck/live.js"),
		      "preview builds load the live-reload script on every page");
		bset_free(&s2);
	}
	bset_free(&s);
}

int main(void)
{
	char cmd[128];

	snprintf(root, sizeof root, "/tmp/unideck-deck-XXXXXX");
	if (!mkdtemp(root))
		return 2;
	test_markdown();
	test_front_matter();
	test_compile();
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
