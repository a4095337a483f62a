/* SPDX-License-Identifier: MIT */
/* plat_panic for the hosted builds (the unideck command, the simulation, unit
 * tests and fuzz targets): the failed invariant on stderr, then abort(), so a
 * sanitiser or a debugger shows where. */
#include <stdio.h>
#include <stdlib.h>

#include "platform/platform.h"

_Noreturn void plat_panic(const char *file, int line, const char *what)
{
	fprintf(stderr, "unideck: %s:%d: assertion failed: %s\n", file, line, what);
	fflush(stderr);
	abort();
}
