/* SPDX-License-Identifier: MIT */
/* Recursive inotify watches over a decks folder. */
#include "tools/cli/watch.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define WATCH_MASK                                                                                 \
	(IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |        \
	 IN_DELETE_SELF | IN_MODIFY)

struct wdir {
	int wd;
	char *path;
};

struct watch {
	int fd;
	struct wdir *v;
	size_t n, cap;
};

static void add_tree(struct watch *w, const char *path)
{
	int wd = inotify_add_watch(w->fd, path, WATCH_MASK | IN_ONLYDIR);
	DIR *dir;
	struct dirent *e;

	if (wd < 0)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct wdir *v = realloc(w->v, cap * sizeof *v);
		if (!v)
			return;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n].wd = wd;
	w->v[w->n].path = strdup(path);
	w->n++;
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir)) != NULL) {
		char sub[PATH_MAX];
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		add_tree(w, sub);
	}
	closedir(dir);
}

struct watch *watch_open(const char *dir, struct diag *d)
{
	struct watch *w = calloc(1, sizeof *w);

	if (!w) {
		diag_fail(d, dir, 0, "out of memory");
		return NULL;
	}
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		diag_fail(d, dir, 0, "cannot watch for changes: %s", strerror(errno));
		free(w);
		return NULL;
	}
	add_tree(w, dir);
	return w;
}

int watch_fd(const struct watch *w)
{
	return w->fd;
}

static const char *dir_of(const struct watch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i].wd == wd)
			return w->v[i].path;
	return NULL;
}

static bool ignorable(const char *name, size_t len)
{
	return len == 0 || name[0] == '.' || name[len - 1] == '~' ||
	       (len == 4 && strcmp(name, "4913") == 0); /* vim's probe file */
}

bool watch_read(struct watch *w)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool relevant = false;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof buf)) > 0) {
		char *p = buf;
		while (p < buf + n) {
			struct inotify_event *ev = (struct inotify_event *)(void *)p;
			size_t len = ev->len ? strlen(ev->name) : 0;
			if ((ev->mask & (IN_Q_OVERFLOW | IN_DELETE_SELF)) ||
			    !ignorable(ev->name, len))
				relevant = true;
			if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO)) &&
			    !ignorable(ev->name, len)) {
				const char *parent = dir_of(w, ev->wd);
				char sub[PATH_MAX];
				if (parent) {
					snprintf(sub, sizeof sub, "%s/%s", parent, ev->name);
					add_tree(w, sub);
				}
			}
			p += sizeof *ev + ev->len;
		}
	}
	return relevant;
}

void watch_close(struct watch *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->v[i].path);
	free(w->v);
	close(w->fd);
	free(w);
}
