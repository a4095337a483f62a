/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the unideck subcommands: options, paths, messages.
 *
 * Options are GNU-style: "--name VALUE", "--name=VALUE", a short "-o VALUE",
 * and "--" ends them. Errors go to stderr prefixed "unideck CMD:" and the
 * command exits 2 for usage errors, 1 for failures. */
#ifndef UD_TOOLS_CLI_H
#define UD_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* If argv[*i] is option (name) (or its short form (shrt), 0 for none) taking a
 * value, store the value, advance *i past it and return 1; return -1 when the
 * value is missing (after printing a message); 0 when argv[*i] is another word. */
int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name, char shrt,
              const char **value);
/* Whether argv[i] is the flag (name) (or its short form (shrt)). */
bool cli_flag(char *arg, const char *name, char shrt);
/* Print "unideck CMD: message" to stderr; returns (code). */
int cli_error(const char *cmd, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* The folder holding node_modules/reveal.js and runtime/: $UNIDECK_DATA, else
 * the repository the binary was built in (…/build/..), else /usr/share/unideck. */
const char *cli_data_dir(void);
/* Parse a port number 0..65535; false when it is not one. */
bool cli_port(const char *s, int *port);

/* The subcommands, one file each (tools/cmd_*.c; inspect in tools/cli/inspect.c). */
int cmd_serve(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_new(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_import(int argc, char **argv);
int inspect_main(int argc, char **argv);

#endif
