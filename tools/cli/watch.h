/* SPDX-License-Identifier: MIT */
/* Watching a folder tree for changes (inotify), for the preview server.
 *
 * watch_open() watches (dir) and every folder below it, adding folders as they
 * appear. watch_fd() is readable when something happened; watch_read() drains the
 * events and returns true when any of them concerns a file that could change a
 * build (editor backups and swap files, names starting '.' or ending '~', do not). */
#ifndef UD_TOOLS_WATCH_H
#define UD_TOOLS_WATCH_H

#include <stdbool.h>

#include "tools/util/diag.h"

struct watch;

struct watch *watch_open(const char *dir, struct diag *d);
int watch_fd(const struct watch *w);
bool watch_read(struct watch *w);
void watch_close(struct watch *w);

#endif
