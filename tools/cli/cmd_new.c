/* SPDX-License-Identifier: MIT */
/* `unideck new NAME`: start a deck from a template. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tools/cli/cli.h"

static const char help[] =
        "usage: unideck new NAME [--dir DIR] [--title TITLE] [--author NAME]\n"
        "\n"
        "Create DIR/NAME/deck.md (DIR defaults to decks) from a template with front\n"
        "matter, a few slides, a vertical stack, speaker notes and a fragment.\n"
        "NAME becomes the deck's address, /NAME/: lower-case letters, digits and '-'.\n";

static bool slug_ok(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '-' || strlen(s) > 100)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

static int write_template(FILE *f, const char *title, const char *author)
{
	char date[16];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	return fprintf(f,
	               "---\n"
	               "title: %s\n"
	               "author: %s\n"
	               "date: %s\n"
	               "venue: \n"
	               "theme: black\n"
	               "transition: slide\n"
	               "---\n"
	               "\n"
	               "# %s\n"
	               "\n"
	               "%s\n"
	               "\n"
	               "Note: Speaker notes go after a line that starts with Note:.\n"
	               "Press S during the talk to open the speaker view.\n"
	               "\n"
	               "---\n"
	               "\n"
	               "## A slide\n"
	               "\n"
	               "- Slides are separated by a line of three dashes\n"
	               "- This point appears on the next key press <!-- .element: "
	               "class=\"fragment\" -->\n"
	               "\n"
	               "---\n"
	               "\n"
	               "## Going down\n"
	               "\n"
	               "Four dashes start a vertical stack.\n"
	               "\n"
	               "----\n"
	               "\n"
	               "## Code\n"
	               "\n"
	               "```c [1|2]\n"
	               "int main(void)\n"
	               "{\n"
	               "\treturn 0;\n"
	               "}\n"
	               "```\n"
	               "\n"
	               "---\n"
	               "\n"
	               "## Thank you\n",
	               title, author, date, title, author) < 0
	               ? -1
	               : 0;
}

int cmd_new(int argc, char **argv)
{
	const char *dir = "decks", *title = NULL, *author = "Your Name", *name = NULL, *v;
	char path[4096];
	FILE *f;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		if ((r = cli_value("new", argc, argv, &i, "--dir", 0, &v)) != 0) {
			if (r < 0)
				return 2;
			dir = v;
		} else if ((r = cli_value("new", argc, argv, &i, "--title", 0, &v)) != 0) {
			if (r < 0)
				return 2;
			title = v;
		} else if ((r = cli_value("new", argc, argv, &i, "--author", 0, &v)) != 0) {
			if (r < 0)
				return 2;
			author = v;
		} else if (argv[i][0] == '-') {
			return cli_error("new", 2, "unknown option %s (see unideck new --help)",
			                 argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			return cli_error("new", 2, "one deck at a time (got %s and %s)", name,
			                 argv[i]);
		}
	}
	if (!name)
		return cli_error("new", 2, "which deck? usage: unideck new NAME");
	if (!slug_ok(name))
		return cli_error("new", 2,
		                 "'%s' cannot be a deck's address: use lower-case letters, "
		                 "digits and '-', not starting with '-'",
		                 name);
	if (!title)
		title = name;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return cli_error("new", 1, "cannot create %s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (mkdir(path, 0777) != 0)
		return cli_error("new", 1, "cannot create %s: %s", path,
		                 errno == EEXIST ? "it exists already" : strerror(errno));
	snprintf(path, sizeof path, "%s/%s/deck.md", dir, name);
	f = fopen(path, "wx");
	if (!f)
		return cli_error("new", 1, "cannot create %s: %s", path, strerror(errno));
	if (write_template(f, title, author) != 0 || fclose(f) != 0)
		return cli_error("new", 1, "cannot write %s", path);
	printf("created %s\npreview it with: unideck serve %s\n", path, dir);
	return 0;
}
