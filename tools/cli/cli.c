/* SPDX-License-Identifier: MIT */
/* Option parsing, error messages and the data folder for the unideck command. */
#include "tools/cli/cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/util/diag.h"

int cli_value(const char *cmd, int argc, char **argv, int *i, const char *name, char shrt,
              const char **value)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (strncmp(a, name, n) == 0 && a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (strcmp(a, name) != 0 && !(shrt && a[0] == '-' && a[1] == shrt && a[2] == 0))
		return 0;
	if (*i + 1 >= argc || !argv[*i + 1]) {
		cli_error(cmd, 2, "%s needs a value", a);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

bool cli_flag(char *arg, const char *name, char shrt)
{
	return strcmp(arg, name) == 0 || (shrt && arg[0] == '-' && arg[1] == shrt && arg[2] == 0);
}

int cli_error(const char *cmd, int code, const char *fmt, ...)
{
	va_list ap;
	int c = diag_colour(stderr);

	fprintf(stderr, "%sunideck%s%s:%s ", c ? "\033[1;31m" : "", cmd ? " " : "", cmd ? cmd : "",
	        c ? "\033[0m" : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

static bool has_reveal(const char *dir)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof p, "%s/node_modules/reveal.js/package.json", dir);
	return access(p, R_OK) == 0;
}

const char *cli_data_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("UNIDECK_DATA");
	ssize_t n;
	char *slash;
	int up;

	if (env && env[0])
		return env;
	n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n > 0) {
		dir[n] = 0;
		/* build/unideck, build/rel/unideck, build/san/unideck: look upwards. */
		for (up = 0; up < 3; up++) {
			slash = strrchr(dir, '/');
			if (!slash)
				break;
			*slash = 0;
			if (has_reveal(dir))
				return dir;
		}
	}
	return "/usr/share/unideck";
}

bool cli_port(const char *s, int *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!s[0] || *end || v < 0 || v > 65535)
		return false;
	*port = (int)v;
	return true;
}
