/* SPDX-License-Identifier: MIT */
/* Build-time JavaScript: run one of unideck's Node scripts (tools/deck/NAME.mjs in the
 * data folder) as a filter, for the engines that only exist in JavaScript
 * (KaTeX, Marp, Mermaid's driver).
 *
 * node_run() starts `node DATA/tools/deck/SCRIPT ARGS...` with (in) on its stdin and
 * collects its stdout into (out) and its stderr into (err), within (timeout)
 * seconds. Both pipes are drained while the input is written, so a script may
 * answer as it reads. Returns the script's exit status, or -1 when Node could
 * not be run or the time ran out (the reason is then in err). */
#ifndef UD_TOOLS_NODE_H
#define UD_TOOLS_NODE_H

#include <stddef.h>

#include "tools/util/sbuf.h"

/* The node binary ($NODE, else node or nodejs on PATH), or NULL. */
const char *node_binary(void);
int node_run(const char *data_dir, const char *script, const char *const args[], const char *in,
             size_t in_len, struct sbuf *out, struct sbuf *err, int timeout);

#endif
