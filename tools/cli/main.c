/* SPDX-License-Identifier: MIT */
/* The unideck command: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "tools/cli/cli.h"

static const char usage[] =
        "usage: unideck COMMAND [ARGS]\n"
        "\n"
        "Serve slide decks from a unikernel of their own.\n"
        "\n"
        "Commands:\n"
        "  new NAME              start a deck: decks/NAME/deck.md from a template\n"
        "  serve DIR|FILE        preview decks at http://127.0.0.1:8080, rebuilding on\n"
        "                        every change; or serve a built store\n"
        "  build DIR -o FILE     build every deck in DIR into one content store, or,\n"
        "                        when FILE ends in .elf, into a bootable image\n"
        "  run IMAGE             boot an image under QEMU (KVM when it works)\n"
        "  inspect FILE          list what a store holds: paths, sizes, encodings, ETags\n"
        "  export FILE DIR       write a store out as files, for any other web server\n"
        "  import mirage-decks DIR -o OUT  turn a mirage-decks checkout into decks\n"
        "  get URL --net tap:N   fetch a URL over our own TCP/IP stack (diagnostics)\n"
        "  help [COMMAND]        this text, or a command's own\n"
        "\n"
        "Options:\n"
        "  -h, --help            show help (also after a command: unideck serve --help)\n"
        "  --version             print the version\n"
        "\n"
        "Environment: NO_COLOR disables colour; UNIDECK_DATA names the folder holding\n"
        "node_modules/reveal.js and runtime/; SOURCE_DATE_EPOCH clamps timestamps.\n";

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
        {"new", cmd_new},          {"serve", cmd_serve},   {"build", cmd_build},
        {"inspect", inspect_main}, {"export", cmd_export}, {"run", cmd_run},
        {"get", cmd_get},          {"import", cmd_import},
};

int main(int argc, char **argv)
{
	size_t i;
	const char *cmd;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("unideck %s\n", UD_VERSION);
		return 0;
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(cmd, "help") == 0) {
		if (argc < 3) {
			fputs(usage, stdout);
			return 0;
		}
		for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[2], commands[i].name) == 0) {
				char help[] = "--help";
				char *av[] = {argv[2], help, NULL};
				return commands[i].fn(2, av);
			}
		return cli_error(NULL, 2, "no command '%s' (see unideck --help)", argv[2]);
	}
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	return cli_error(NULL, 2, "no command '%s' (see unideck --help)", cmd);
}
