/* SPDX-License-Identifier: MIT */
/* Unit tests of the deck compiler: front matter, slides, notes, attribute
 * comments, code, escaping, runtime selection and the index page. Runs from the
 * repository root (the data folder is "."). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/check.h"
#include "tools/deck/deck_int.h"
#include "tools/deck/frontmatter.h"
#include "tools/deck/htmlscan.h"
#include "tools/deck/mdrender.h"
#include "tools/util/text.h"

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
	struct sbuf js = {0};
	const struct fm_kv *ro;
	const char *t = "---\ntitle: \"A: b\"\n# comment\nn: 3\nb: true\ns: it's # note\nq: 'a "
	                "''b'''\nz: ~\nrevealOptions:\n  transition: 'fade'\n  controls: False\n"
	                "  width: 1280\nlist: [1, \"two\"]\n---\nbody";

	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) == 0 && fm.n == 8, "parses eight keys (%s)",
	      d.msg);
	CHECK(!strcmp(fm_get(&fm, "title")->val, "A: b") && fm_get(&fm, "title")->kind == FM_STRING,
	      "a quoted value keeps its colon");
	CHECK(fm_get(&fm, "n")->kind == FM_NUMBER && fm_get(&fm, "b")->kind == FM_BOOL &&
	              fm_get(&fm, "z")->kind == FM_NULL,
	      "typed values: number, boolean, null");
	CHECK(!strcmp(fm_get(&fm, "s")->val, "it's"), "a comment after a bare value");
	CHECK(!strcmp(fm_get(&fm, "q")->val, "a 'b'"), "single quotes double to escape");
	CHECK(fm.body_line == 15 && !strcmp(fm.body, "body"), "the body and its first line (%d)",
	      fm.body_line);
	ro = fm_get(&fm, "revealOptions");
	CHECK(ro && ro->kind == FM_MAP && ro->n_sub == 3 && ro->line == 9 &&
	              fm_member(ro, "width")->line == 12,
	      "a nested mapping, with the line of each key");
	fm_js(ro, &js);
	CHECK(js.p && !strcmp(js.p,
	                      "{\"transition\": \"fade\", \"controls\": false, \"width\": 1280}"),
	      "as JavaScript (%s)", js.p);
	sb_free(&js);
	fm_js(fm_get(&fm, "list"), &js);
	CHECK(js.p && !strcmp(js.p, "[1, \"two\"]"), "a list (%s)", js.p);
	sb_free(&js);
	fm_free(&fm);
	t = "no front matter\n";
	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) == 0 && fm.n == 0 && fm.body == t,
	      "no front matter is fine");
	{
		static const struct {
			const char *text, *what;
			int line;
		} bad[] = {
		        {"---\na: \"open\nb: 1\n---\n", "an unterminated quote", 2},
		        {"---\na: 1\nb: 2\na: 3\n---\n", "a key given twice", 4},
		        {"---\na: &x 1\nb: *x\n---\n", "an alias", 3},
		        {"---\na: 1\n  b: 2\n---\n", "a bad indentation", 3},
		        {"---\ntitle: x\n# no end\n", "no closing ---", 1},
		        {"---\n- a\n- b\n---\n", "a list at the top", 2},
		        {"---\nnot a key\n---\n", "a line that is not key: value", 2},
		};
		size_t i;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			struct diag e = {0};
			int rc = fm_parse(bad[i].text, strlen(bad[i].text), "f", &fm, &e);
			CHECK(rc != 0 && e.line == bad[i].line && e.n == 1,
			      "%s is an error on line %d (line %d: %s)", bad[i].what, bad[i].line,
			      e.line, e.msg);
			if (rc == 0)
				fm_free(&fm);
		}
	}
	{
		/* A few lines of nested lists: refused by the depth cap. */
		char deep[200] = "---\na: ";
		struct diag e = {0};
		int i;
		for (i = 0; i < 40; i++)
			strcat(deep, "[");
		strcat(deep, "\n---\n");
		CHECK(fm_parse(deep, strlen(deep), "f", &fm, &e) != 0 && strstr(e.msg, "nested"),
		      "nesting past the cap is refused (%s)", e.msg);
	}
	t = "---\na: 0123\nb: -1.5e3\nc: 1.\nd: .5\ne: 1e\n---\n";
	CHECK(fm_parse(t, strlen(t), "f", &fm, &d) == 0 && fm_get(&fm, "a")->kind == FM_STRING &&
	              fm_get(&fm, "b")->kind == FM_NUMBER && fm_get(&fm, "c")->kind == FM_NUMBER &&
	              fm_get(&fm, "d")->kind == FM_NUMBER && fm_get(&fm, "e")->kind == FM_STRING,
	      "numbers as JavaScript reads them; 0123 and 1e are strings");
	fm_free(&fm);
	CHECK(fm_parse_yaml("date: 2025-01-02\nvenue: Here\n", 29, "deck.yaml", &fm, &d) == 0 &&
	              fm.n == 2 && fm_get(&fm, "venue")->line == 2,
	      "a whole YAML file (deck.yaml)");
	fm_free(&fm);
}

/* Splitting with reveal-md's separators. */
static void test_separators(void)
{
	struct seps s;
	struct slides sl = {0};
	struct diag d = {0};
	struct sep_src src = {"<!--s-->", "<!--v-->", "^Note:", 1, 2, 3};
	const char *md =
	        "# one\n\nNote: n1\n<!--s-->\n# two\n<!--v-->\n# down\n\n```\n<!--s-->\n```\n"
	        "<!--s-->\n# three\n";
	const char *text = NULL, *n;

	CHECK(seps_compile(&s, &src, "f", &d) == 0, "custom separators compile (%s)", d.msg);
	seps_split(&s, md, strlen(md), 10, &sl);
	CHECK(sl.n == 4 && sl.v[0].horizontal && sl.v[1].horizontal && !sl.v[2].horizontal &&
	              sl.v[3].horizontal,
	      "four slides, the third below the second; none inside fenced code (%zu)", sl.n);
	CHECK(sl.n == 4 && sl.v[1].line == 13 && sl.v[3].line == 21,
	      "each slide knows its line (%d, %d)", sl.n == 4 ? sl.v[1].line : 0,
	      sl.n == 4 ? sl.v[3].line : 0);
	n = sl.n ? seps_notes(&s, sl.v[0].p, sl.v[0].len, &text) : NULL;
	CHECK(n && text && !strncmp(text, " n1\n", 4), "notes start at the notes separator");
	CHECK(sl.n > 1 && !seps_notes(&s, sl.v[1].p, sl.v[1].len, &text),
	      "and end with their slide");
	free(sl.v);
	seps_free(&s);
	{
		/* reveal-md's defaults, with the newlines in the pattern. */
		struct sep_src rm = {
		        "\\r?\\n---\\r?\\n", "\\r?\\n----\\r?\\n", "^\\s*notes?:", 1, 1, 1};
		const char *t2 = "a\n---\nb\n----\nc\n";
		memset(&sl, 0, sizeof sl);
		CHECK(seps_compile(&s, &rm, "f", &d) == 0,
		      "reveal-md's default separators compile");
		seps_split(&s, t2, strlen(t2), 1, &sl);
		CHECK(sl.n == 3 && sl.v[1].horizontal && !sl.v[2].horizontal,
		      "and split horizontally and vertically (%zu)", sl.n);
		free(sl.v);
		seps_free(&s);
	}
	{
		static const struct {
			const char *re, *want;
		} bad[] = {
		        {"(?=x)", "lookahead"},       {"a*?", "lazy"},
		        {"(a)\\1", "back-reference"}, {"x*", "matches empty"},
		        {"[abc", "unterminated"},
		};
		size_t i;
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			struct sep_src b = {bad[i].re, NULL, "^Note:", 7, 0, 0};
			struct diag e = {0};
			int rc = seps_compile(&s, &b, "f", &e);
			CHECK(rc != 0 && e.line == 7 && strstr(e.msg, bad[i].want),
			      "'%s' is refused, naming why and the line (%s)", bad[i].re, e.msg);
			if (rc == 0)
				seps_free(&s);
		}
	}
}

struct seen {
	int decks;
	size_t slides[4];
	struct deck_info info; /* the last one */
};

static void on_deck(void *ctx, const struct deck_info *info)
{
	struct seen *s = ctx;

	if (s->decks < 4)
		s->slides[s->decks] = info->n_slides;
	s->decks++;
}

static void on_info(void *ctx, const struct deck_info *info)
{
	on_deck(ctx, info);
	((struct seen *)ctx)->info = *info;
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

/* Run decks_compile on (sub) of the test folder with stderr captured in
 * (*warnings) (malloc'd). */
static int compile_dir(const char *sub, struct bset *s, struct diag *d, char **warnings)
{
	struct deck_opts o = {0};
	char dir[128], log[128];
	int saved = dup(2), fd, rc;
	size_t len;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/%s", root, sub);
	snprintf(log, sizeof log, "%s/%s.log", root, sub);
	fflush(stderr);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	o.data_dir = ".";
	o.epoch = -1;
	bset_init(s);
	rc = decks_compile(dir, &o, s, d);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(log, "r");
	*warnings = calloc(1, 65536);
	len = f ? fread(*warnings, 1, 65535, f) : 0;
	(*warnings)[len] = 0;
	if (f)
		fclose(f);
	return rc;
}

/* Separators from every short string of regular-expression characters we
 * draw: each either compiles and splits, or is refused with its line; none
 * may crash, read past its text (ASan) or loop. */
static void test_separator_noise(void)
{
	static const char alpha[] = "\\[]()^$.*+?{}|-,:=!<0123nrtsdwbxuS a\n";
	const char *text = "a\n---\nb [x] (y) {2}\n\\n\n---\nc";
	unsigned seed = 12345, i, compiled = 0, refused = 0, bad = 0;

	for (i = 0; i < 20000; i++) {
		char re[12];
		struct sep_src src;
		struct seps s;
		struct diag d = {0};
		size_t k, n;
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % (sizeof re - 1);
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			re[k] = alpha[(seed >> 16) % (sizeof alpha - 1)];
		}
		re[n] = 0;
		memset(&src, 0, sizeof src);
		src.sep = re;
		src.notes = "^Note:";
		src.sep_line = 3;
		if (seps_compile(&s, &src, "f", &d) == 0) {
			struct slides sl = {0};
			seps_split(&s, text, strlen(text), 1, &sl);
			bad += sl.n == 0;
			free(sl.v);
			seps_free(&s);
			compiled++;
		} else {
			bad += d.line != 3;
			refused++;
		}
	}
	CHECK(bad == 0 && compiled > 1000 && refused > 1000,
	      "20000 random separators: %u compile and split, %u are refused at their line, %u "
	      "misbehave",
	      compiled, refused, bad);
}

static void test_other_tools(void)
{
	struct bset s;
	struct diag d = {0};
	char *warn;
	const struct bfile *page;

	write_file("rmd/talk/x.css", "p { color: red }\n");
	write_file("rmd/talk/s.js", "1;\n");
	write_file("rmd/talk/deck.md",
	           "---\ntitle: T\nseparator: <!--s-->\nverticalSeparator: <!--v-->\n"
	           "revealOptions:\n  controls: false\n  zzz: 1\nyyy: 2\ncss: [x.css]\n"
	           "scripts: s.js\n---\n"
	           "# a\n<!--s-->\n# b\n<!--v-->\n# c\n<!--s-->\n# d\n---\nstill d\n");
	CHECK(compile_dir("rmd", &s, &d, &warn) == 0, "a reveal-md deck compiles (%s)", d.msg);
	page = find(&s, "/talk/index.html");
	CHECK(body_has(page, "  controls: false,\n"), "revealOptions go to Reveal.initialize");
	CHECK(body_has(page, "<link rel=\"stylesheet\" href=\"x.css\">") &&
	              body_has(page, "<script src=\"s.js\"></script>"),
	      "css: and scripts: (reveal-md's) load the deck's files");
	CHECK(!body_has(page, "zzz") && !body_has(page, "yyy"), "unknown keys do not");
	CHECK(strstr(warn, "talk/deck.md:7: warning: unknown key 'revealOptions.zzz'") &&
	              strstr(warn, "talk/deck.md:8: warning: unknown key 'yyy'"),
	      "they are warnings naming them and their lines (%s)", warn);
	CHECK(body_has(page, "<section>\n<section>\n<h1>b</h1>") && body_has(page, "still d"),
	      "custom separators make the stack; --- is no separator then");
	free(warn);
	warn = NULL;
	bset_free(&s);

	write_file("many/a/deck.md",
	           "---\ntheme: nope\n---\n# a\n\n![x](m1.png)\n\n![y](m2.png)\n\n"
	           "![z](/nowhere.png)\n");
	write_file("many/b/deck.md", "---\ndate: tomorrow\n---\n# b\n\n![x](http://x.org/a.png)\n");
	memset(&d, 0, sizeof d);
	CHECK(compile_dir("many", &s, &d, &warn) != 0 && d.n == 6,
	      "every error of every deck in one run (%u)", d.n);
	CHECK(strstr(d.more, "a/deck.md\t6\t'm1.png' does not exist") &&
	              strstr(d.more, "a/deck.md\t10\t'/nowhere.png' does not exist") &&
	              strstr(d.more, "b/deck.md\t6\t'http://x.org/a.png' is loaded from outside"),
	      "each at its line (%s)", d.more);
	CHECK(!find(&s, "/a/index.html") && !find(&s, "/b/index.html"),
	      "and a deck with errors has no page");
	free(warn);
	warn = NULL;
	bset_free(&s);

	write_file("site/_site/img/logo.png", "png");
	write_file("site/_site/css/s.css", "a { background: url(../img/logo.png) }\n");
	write_file("site/raw/index.html",
	           "<html><head><title>Raw | Site</title><meta name=\"author\" content=\"A &amp; "
	           "B\"><link rel=\"stylesheet\" href=\"/css/s.css\"></head><body><div "
	           "class=\"slides\"><section><img src=\"/img/logo.png\"></section>"
	           "<section data-markdown><script type=\"text/template\">\n# 1\n---\n# 2\n"
	           "</script></section><section data-markdown data-separator=\"^--$\" "
	           "data-vertical=\"^-$\"><script type=\"text/template\">\n# a\n--\n# b\n-\n"
	           "# c\n</script></section><section data-visibility=\"hidden\"><section>h1"
	           "</section><section>h2</section></section><section "
	           "data-visibility=\"uncounted\">u</section><script>x = "
	           "'<section></section>'</script></div></body>"
	           "</html>\n");
	write_file("site/raw/deck.yaml", "date: 2020-02-02\nvenue: V\n");
	{
		struct seen seen = {0};
		struct deck_opts o = {0};
		char dir[128];
		memset(&d, 0, sizeof d);
		snprintf(dir, sizeof dir, "%s/site", root);
		o.data_dir = ".";
		o.epoch = -1;
		o.on_deck = on_info;
		o.ctx = &seen;
		bset_init(&s);
		CHECK(decks_compile(dir, &o, &s, &d) == 0, "a raw deck with _site/ compiles (%s)",
		      d.msg);
		CHECK(seen.decks == 1 && seen.slides[0] == 6,
		      "a script template counts its slides (with reveal.js 2.x's data-vertical "
		      "too); <section> in a script, hidden and uncounted slides do not (%zu)",
		      seen.slides[0]);
		CHECK(!strcmp(seen.info.title, "Raw") && !strcmp(seen.info.author, "A & B") &&
		              !strcmp(seen.info.date, "2020-02-02") &&
		              !strcmp(seen.info.venue, "V"),
		      "title, author, date and venue (%s, %s, %s, %s)", seen.info.title,
		      seen.info.author, seen.info.date, seen.info.venue);
		CHECK(find(&s, "/img/logo.png") && find(&s, "/css/s.css") &&
		              !find(&s, "/raw/deck.yaml"),
		      "_site/ is served at /, deck.yaml is not served");
		bset_free(&s);
	}
	write_file("site/_site/raw/x.png", "x");
	memset(&d, 0, sizeof d);
	CHECK(compile_dir("site", &s, &d, &warn) != 0 && strstr(d.msg, "a deck has that address"),
	      "_site/ may not shadow a deck (%s)", d.msg);
	free(warn);
	warn = NULL;
	bset_free(&s);
}

static int collect(void *ctx, const struct html_ref *r)
{
	struct sbuf *b = ctx;

	sb_printf(b, "%s:%zu+%zu;", r->attr, r->off, r->len);
	return 0;
}

struct tagcopy {
	struct html_tag t;
	int sections, scripts;
};

static int count_tags(void *ctx, const struct html_tag *t)
{
	struct tagcopy *c = ctx;

	if (!t->closing && !strcmp(t->name, "section")) {
		if (!c->sections)
			c->t = *t;
		c->sections++;
	}
	if (!t->closing && !strcmp(t->name, "script"))
		c->scripts++;
	return 0;
}

static void test_scan(void)
{
	struct sbuf b = {0};
	struct tagcopy c;
	size_t n, vs = 0, ve = 0;
	const char *refs = "a&amp;b&#x41;&#66;&lt;&unknown;&";
	char *v = text_html_decode(refs, strlen(refs), &n);
	const char *css = "@import 'a.css';\nx { background: url( \"b.png\" ) }\n";
	const char *html =
	        "<!-- <section> --><section data-markdown=\"c.md\" data-separator='^--$'>"
	        "<script type=\"text/template\"><section>not a tag</section></script>"
	        "</section><textarea><img src=x.png></textarea><img src=\"y.png\">";

	CHECK(!strcmp(v, "a&bAB<&unknown;&") && n == strlen(v), "character references (%s)", v);
	free(v);
	css_scan(css, strlen(css), collect, &b);
	CHECK(b.p && !strcmp(b.p, "url:39+5;import:9+5;"), "a style sheet's url() and @import (%s)",
	      b.p);
	sb_free(&b);
	memset(&c, 0, sizeof c);
	html_tags(html, strlen(html), count_tags, &c);
	CHECK(c.sections == 1 && c.scripts == 1,
	      "tags: comments and script bodies hold none (%d sections)", c.sections);
	CHECK(html_attr(html, &c.t, "data-separator", &vs, &ve) &&
	              !strncmp(html + vs, "^--$", ve - vs) && ve - vs == 4,
	      "an attribute's value");
	CHECK(!html_attr(html, &c.t, "data-separator-vertical", &vs, &ve), "a missing attribute");
	html_scan(html, strlen(html), collect, &b);
	{
		size_t semis = 0, i;
		for (i = 0; b.p && b.p[i]; i++)
			semis += b.p[i] == ';';
		CHECK(b.p && !strncmp(b.p, "data-markdown:", 14) && strstr(b.p, ";src:") &&
		              semis == 2,
		      "data-markdown is a load; a <textarea>'s text is not (%s)", b.p);
	}
	sb_free(&b);
}

int main(void)
{
	char cmd[128];

	snprintf(root, sizeof root, "/tmp/unideck-deck-XXXXXX");
	if (!mkdtemp(root))
		return 2;
	test_markdown();
	test_scan();
	test_front_matter();
	test_separators();
	test_compile();
	test_other_tools();
	test_separator_noise();
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
