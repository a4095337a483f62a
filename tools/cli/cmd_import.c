/* SPDX-License-Identifier: MIT */
/* `unideck import mirage-decks DIR -o OUT`: the MirageOS deck archive as decks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cli/cli.h"
#include "tools/cli/cmd_import_frames.h"
#include "tools/cli/cmd_import_ml.h"
#include "tools/util/sbuf.h"
#include "tools/util/text.h"

static const char help[] =
        "usage: unideck import mirage-decks DIR -o OUT [--force]\n"
        "\n"
        "Turn a checkout of the mirage-decks repository (DIR) into unideck decks under\n"
        "OUT (usually decks/). The deck list comes from DIR/src/slides.ml and the\n"
        "speakers from DIR/src/people.ml. Each deck's page is made as the original\n"
        "server made it (src/reveal240.ml: the slides of slides/NAME/index.html in\n"
        "reveal.js 2.4.0's frame; src/reveal262.ml: slides/NAME/content.md through\n"
        "reveal.js 2.6.2's Markdown with the archive's separators) into\n"
        "OUT/NAME/index.html, beside the deck's own files and a deck.yaml with its\n"
        "title, author, date and venue. The shared files of DIR/assets/ (reveal.js\n"
        "copies, CSS, images), which the pages load from the site's root, go to\n"
        "OUT/_site/, served at /.\n"
        "\n"
        "Nothing is written when a target exists already (every one is named), unless\n"
        "--force is given.\n";

static const char site_title[] = "openmirage.org | decks | ";

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static int mkdirs(const char *path)
{
	char tmp[PATH_MAX];
	size_t i;

	snprintf(tmp, sizeof tmp, "%s", path);
	for (i = 1; tmp[i]; i++)
		if (tmp[i] == '/') {
			tmp[i] = 0;
			if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
				return -1;
			tmp[i] = '/';
		}
	return mkdir(tmp, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;
	int rc = 0;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	if (n < 0)
		rc = -1;
	close(in);
	if (close(out) != 0)
		rc = -1;
	return rc;
}

/* Copy the tree (from) into (to), leaving out (skip) at its top (may be NULL).
 * Returns the number of files copied, -1 on a failure (named on stderr). */
static long copy_tree(const char *from, const char *to, const char *skip)
{
	DIR *dp = opendir(from);
	struct dirent *e;
	long n = 0, k;

	if (!dp || mkdirs(to) != 0) {
		cli_error("import", 1, "cannot copy %s to %s: %s", from, to, strerror(errno));
		if (dp)
			closedir(dp);
		return -1;
	}
	while ((e = readdir(dp)) != NULL) {
		char src[PATH_MAX * 2], dst[PATH_MAX * 2];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    (skip && !strcmp(e->d_name, skip)))
			continue;
		snprintf(src, sizeof src, "%s/%s", from, e->d_name);
		snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
		if (is_dir(src)) {
			k = copy_tree(src, dst, NULL);
			if (k < 0) {
				closedir(dp);
				return -1;
			}
			n += k;
		} else if (copy_file(src, dst) != 0) {
			cli_error("import", 1, "cannot copy %s to %s: %s", src, dst,
			          strerror(errno));
			closedir(dp);
			return -1;
		} else {
			n++;
		}
	}
	closedir(dp);
	return n;
}

static void css(struct sbuf *b, const char *href, const char *extra)
{
	sb_str(b, "<link rel=\"stylesheet\" href=\"");
	sb_html(b, href, strlen(href));
	sb_printf(b, "\"%s>\n", extra);
}

/* <head> as both of the archive's frames have it. */
static void head(struct sbuf *b, const struct mdeck *dk)
{
	struct sbuf t = {0};

	sb_printf(&t, "%s [ %s ] %s", site_title, dk->permalink, dk->title);
	sb_str(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<title>");
	sb_html(b, t.p, t.len);
	sb_str(b, "</title>\n<meta charset=\"utf-8\">\n<meta name=\"description\" content=\"");
	sb_html(b, dk->venue, strlen(dk->venue));
	sb_str(b, "\">\n<meta name=\"author\" content=\"");
	sb_html(b, dk->speakers, strlen(dk->speakers));
	sb_str(b, "\">\n<meta name=\"apple-mobile-web-app-capable\" content=\"yes\">\n"
	          "<meta name=\"apple-mobile-web-app-status-bar-style\" "
	          "content=\"black-translucent\">\n"
	          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0, "
	          "maximum-scale=1.0, user-scalable=no\">\n");
	sb_free(&t);
}

/* src/reveal240.ml's frame around the deck's own sections. */
static void page240(struct sbuf *b, const struct mdeck *dk, const char *sections, size_t n)
{
	head(b, dk);
	css(b, "/reveal-2.4.0/css/reveal.min.css", "");
	css(b, "/reveal-2.4.0/lib/css/zenburn.css", "");
	css(b, "/reveal-2.4.0/css/print/pdf.css", " media=\"print\"");
	css(b, "/reveal-2.4.0/css/theme/horizon.css", " id=\"theme\" media=\"all\"");
	css(b, "/css/site.css", " media=\"all\"");
	sb_printf(b, "<base href=\"/%s/\">\n</head>\n<body>\n", dk->permalink);
	sb_str(b, "<div class=\"reveal\"><div class=\"slides\">\n");
	sb_put(b, sections, n);
	sb_str(b,
	       "\n<div id=\"footer\"><a id=\"index\" href=\"/\"><img src=\"/img/home.png\" "
	       "alt=\"Home\"></a><div id=\"slide-number\"></div></div>\n</div></div>\n"
	       "<script src=\"/reveal-2.4.0/lib/js/head.min.js\"> </script>\n"
	       "<script src=\"/reveal-2.4.0/js/reveal.min.js\"> </script>\n"
	       "<script type=\"text/javascript\">\n"
	       "Reveal.initialize({\n"
	       "  controls: true, progress: true, history: true, center: false, margin: 0.07,\n"
	       "  theme: Reveal.getQueryHash().theme,\n"
	       "  transition: Reveal.getQueryHash().transition || 'fade',\n"
	       "  dependencies: [\n"
	       "    { src: '/reveal-2.4.0/lib/js/classList.js',\n"
	       "      condition: function () { return !document.body.classList; } },\n"
	       "    { src: '/reveal-2.4.0/plugin/markdown/marked.js',\n"
	       "      condition: function () { return !!document.querySelector('[data-markdown]'); "
	       "} },\n"
	       "    { src: '/reveal-2.4.0/plugin/markdown/markdown.js',\n"
	       "      condition: function () { return !!document.querySelector('[data-markdown]'); "
	       "} },\n"
	       "    { src: '/reveal-2.4.0/plugin/highlight/highlight.js', async: true,\n"
	       "      callback: function () { hljs.initHighlightingOnLoad(); } },\n"
	       "    { src: '/reveal-2.4.0/plugin/zoom-js/zoom.js', async: true,\n"
	       "      condition: function () { return !!document.body.classList; } },\n"
	       "    { src: '/reveal-2.4.0/plugin/notes/notes.js', async: true,\n"
	       "      condition: function () { return !!document.body.classList; } }\n"
	       "  ]\n"
	       "});\n"
	       "var slideNumber = document.querySelector('#slide-number');\n"
	       "var updateSlideNumber = function (event) {\n"
	       "  slideNumber.textContent = (event.indexh > 0)\n"
	       "    ? event.indexh + '\\u2014' + (event.indexv + 1) : '';\n"
	       "};\n"
	       "Reveal.addEventListener('ready', updateSlideNumber);\n"
	       "Reveal.addEventListener('slidechanged', updateSlideNumber);\n"
	       "</script>\n</body>\n</html>\n");
}

/* src/reveal262.ml's frame: content.md through reveal.js 2.6.2's Markdown,
 * slides split on a blank line then "----", stacks on a blank line. */
static void page262(struct sbuf *b, const struct mdeck *dk)
{
	const char *theme = dk->theme[0] ? dk->theme : "horizon";
	char href[128];

	head(b, dk);
	css(b, "/css/site.css", " media=\"all\"");
	css(b, "/reveal.js-2.6.2/css/reveal.min.css", "");
	css(b, "/highlight.js-8.2/styles/zenburn.css", "");
	snprintf(href, sizeof href, "/reveal.js-2.6.2/css/theme/%s.css", theme);
	css(b, href, " id=\"theme\"");
	sb_printf(b, "<base href=\"/%s/\">\n</head>\n<body>\n", dk->permalink);
	sb_str(b, "<div class=\"reveal\"><div class=\"slides\">\n"
	          "<section data-markdown=\"content.md\" data-separator=\"^\\n\\n----\\n\" "
	          "data-vertical=\"^\\n\\n\" data-notes=\"^Note:\" "
	          "data-charset=\"iso-8859-15\"></section>\n"
	          "<div id=\"footer\"><a id=\"index\" href=\"/\"><img src=\"/img/home.png\" "
	          "alt=\"Home\"></a><a id=\"print-pdf\" href=\"?print-pdf\"><img "
	          "src=\"/img/print.png\" alt=\"Print\"></a></div>\n</div></div>\n"
	          "<script src=\"/js/vendor/jquery-2.0.3.min.js\"> </script>\n"
	          "<script src=\"/reveal.js-2.6.2/lib/js/head.min.js\"> </script>\n"
	          "<script src=\"/reveal.js-2.6.2/js/reveal.min.js\"> </script>\n"
	          "<script src=\"/reveal.js-2.6.2/js/init.js\"> </script>\n</body>\n</html>\n");
}

/* A YAML double-quoted scalar. */
static void yq(struct sbuf *b, const char *key, const char *v)
{
	sb_printf(b, "%s: \"", key);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			sb_put(b, "\\", 1);
		if (*v == '\n')
			sb_str(b, "\\n");
		else
			sb_put(b, v, 1);
	}
	sb_str(b, "\"\n");
}

static int write_text(const char *path, const struct sbuf *b)
{
	FILE *f = fopen(path, "wb");
	int rc;

	if (!f)
		return -1;
	rc = fwrite(b->p, 1, b->len, f) == b->len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* The deck's content.md (md, in the archive), copied into (to): its iframes
 * from other sites become links (cmd_import_frames.h). */
static int offline_frames_in(const char *md, const char *to)
{
	char path[PATH_MAX * 3];
	struct sbuf framed = {0};
	struct diag d = {0};
	size_t len;
	char *text = text_read_file(md, &len, &d);
	int rc = 0;

	if (!text) {
		diag_print(stderr, &d);
		return -1;
	}
	if (import_offline_frames(md, text, len, &framed) > 0) {
		snprintf(path, sizeof path, "%s/content.md", to);
		if (write_text(path, &framed) != 0)
			rc = cli_error("import", 1, "cannot write %s: %s", path, strerror(errno));
	}
	sb_free(&framed);
	free(text);
	return rc;
}

static int import_deck(const char *root, const char *out, const struct mdeck *dk, long *files)
{
	char from[PATH_MAX * 2], to[PATH_MAX * 2], path[PATH_MAX * 3];
	struct sbuf page = {0}, meta = {0};
	struct diag d = {0};
	long n;
	int rc = 0;

	snprintf(from, sizeof from, "%s/slides/%s", root, dk->permalink);
	snprintf(to, sizeof to, "%s/%s", out, dk->permalink);
	n = copy_tree(from, to, "index.html");
	if (n < 0)
		return -1;
	*files += n;
	if (dk->style == 240) {
		size_t len;
		char *sections;
		snprintf(path, sizeof path, "%s/index.html", from);
		sections = text_read_file(path, &len, &d);
		if (!sections) {
			diag_print(stderr, &d);
			return -1;
		}
		{
			struct sbuf framed = {0};
			import_offline_frames(path, sections, len, &framed);
			page240(&page, dk, framed.p ? framed.p : "", framed.len);
			sb_free(&framed);
		}
		free(sections);
	} else {
		snprintf(path, sizeof path, "%s/content.md", from);
		if (!exists(path))
			fprintf(stderr,
			        "unideck import: %s: warning: no content.md, so the deck has no "
			        "slides\n",
			        from);
		else if (offline_frames_in(path, to) != 0)
			rc = -1;
		page262(&page, dk);
	}
	yq(&meta, "title", dk->title);
	yq(&meta, "author", dk->speakers);
	sb_printf(&meta, "date: %s\n", dk->date);
	yq(&meta, "venue", dk->venue);
	snprintf(path, sizeof path, "%s/index.html", to);
	if (write_text(path, &page) != 0)
		rc = cli_error("import", 1, "cannot write %s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/deck.yaml", to);
	if (rc == 0 && write_text(path, &meta) != 0)
		rc = cli_error("import", 1, "cannot write %s: %s", path, strerror(errno));
	*files += 2;
	sb_free(&page);
	sb_free(&meta);
	return rc;
}

static bool slug_ok(const char *s)
{
	size_t i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static int import_mirage(const char *root, const char *out, bool force)
{
	struct mdeck *v = NULL;
	struct diag d = {0};
	size_t n = 0, i, made = 0;
	char path[PATH_MAX * 2];
	long files = 0, k;
	int clash = 0, rc = 0;

	if (ml_read_decks(root, &v, &n, &d) != 0) {
		diag_print(stderr, &d);
		return 1;
	}
	snprintf(path, sizeof path, "%s/assets", root);
	if (!is_dir(path)) {
		free(v);
		return cli_error("import", 1,
		                 "%s: no assets/ folder: is this a mirage-decks checkout?", root);
	}
	/* Check everything before writing anything. */
	snprintf(path, sizeof path, "%s/_site", out);
	if (!force && exists(path)) {
		cli_error("import", 1, "%s exists already (--force replaces it)", path);
		clash++;
	}
	for (i = 0; i < n; i++) {
		char src[PATH_MAX * 2];
		if (!slug_ok(v[i].permalink)) {
			fprintf(stderr,
			        "%s/src/slides.ml:%d: error: permalink '%s' cannot be a deck's "
			        "address "
			        "(lower-case letters, digits and '-')\n",
			        root, v[i].line, v[i].permalink);
			clash++;
			continue;
		}
		snprintf(src, sizeof src, "%s/slides/%s", root, v[i].permalink);
		if (!is_dir(src)) {
			fprintf(stderr,
			        "%s/src/slides.ml:%d: warning: deck '%s' has no folder slides/%s: "
			        "skipped\n",
			        root, v[i].line, v[i].permalink, v[i].permalink);
			v[i].style = 0;
			continue;
		}
		snprintf(path, sizeof path, "%s/%s", out, v[i].permalink);
		if (!force && exists(path)) {
			cli_error("import", 1, "%s exists already (--force replaces it)", path);
			clash++;
		}
	}
	if (clash) {
		free(v);
		return 1;
	}
	snprintf(path, sizeof path, "%s/assets", root);
	{
		char site[PATH_MAX * 2];
		snprintf(site, sizeof site, "%s/_site", out);
		k = copy_tree(path, site, NULL);
		if (k < 0)
			rc = 1;
		else
			files += k;
	}
	for (i = 0; i < n && rc == 0; i++) {
		if (!v[i].style)
			continue;
		if (import_deck(root, out, &v[i], &files) != 0)
			rc = 1;
		else
			made++;
	}
	if (rc == 0)
		printf("imported %zu decks of %zu (%ld files) and the shared assets into "
		       "%s/_site\n",
		       made, n, files, out);
	free(v);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	const char *out = NULL, *kind = NULL, *dir = NULL, *v;
	bool force = false;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		if ((r = cli_value("import", argc, argv, &i, "--output", 'o', &v)) != 0) {
			if (r < 0)
				return 2;
			out = v;
		} else if (cli_flag(argv[i], "--force", 0)) {
			force = true;
		} else if (argv[i][0] == '-') {
			return cli_error("import", 2,
			                 "unknown option %s (see unideck import --help)", argv[i]);
		} else if (!kind) {
			kind = argv[i];
		} else if (!dir) {
			dir = argv[i];
		} else {
			return cli_error("import", 2,
			                 "too many arguments (see unideck import --help)");
		}
	}
	if (!kind || !dir || !out)
		return cli_error("import", 2, "usage: unideck import mirage-decks DIR -o OUT");
	if (strcmp(kind, "mirage-decks") != 0)
		return cli_error("import", 2, "unideck imports mirage-decks, not '%s'", kind);
	return import_mirage(dir, out, force);
}
