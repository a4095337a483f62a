/* SPDX-License-Identifier: MIT */
/* What the hosted target (Linux) offers beside platform.h, for its drivers
 * (tools/cli/tapnet.c): the TAP device is in platform/hosted/tap.h. */
#ifndef UD_HOSTED_PLAT_H
#define UD_HOSTED_PLAT_H

#include <stdbool.h>

/* Drop plat_log's lines (the stack's own messages) from now on, or not;
 * plat_console_write and plat_panic still write. */
void plat_hosted_quiet(bool quiet);

#endif
