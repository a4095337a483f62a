/* SPDX-License-Identifier: MIT */
/* Running unideck's build-time Node scripts as filters. */
#include "tools/deck/node.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *node_binary(void)
{
	static char found[PATH_MAX];
	static const char *const names[] = {"node", "nodejs"};
	const char *env = getenv("NODE"), *path = getenv("PATH");
	size_t i;

	if (env && *env)
		return access(env, X_OK) == 0 ? env : NULL;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *p = path ? path : "/usr/bin:/bin";
		while (*p) {
			const char *e = strchr(p, ':');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			snprintf(found, sizeof found, "%.*s/%s", (int)n, p, names[i]);
			if (n && access(found, X_OK) == 0)
				return found;
			p += n + (e ? 1 : 0);
		}
	}
	return NULL;
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Write (in) and read both outputs until the child closes them. */
static int pump(int wr, int rd, int er, const char *in, size_t in_len, struct sbuf *out,
                struct sbuf *err, int timeout)
{
	int64_t end = now_ms() + (int64_t)timeout * 1000;
	size_t done = 0;
	char buf[65536];

	if (in_len == 0) {
		close(wr);
		wr = -1;
	}
	while (rd >= 0 || er >= 0) {
		struct pollfd p[3];
		int n = 0, k, left = (int)(end - now_ms());
		if (left <= 0)
			break;
		if (wr >= 0)
			p[n++] = (struct pollfd){wr, POLLOUT, 0};
		if (rd >= 0)
			p[n++] = (struct pollfd){rd, POLLIN, 0};
		if (er >= 0)
			p[n++] = (struct pollfd){er, POLLIN, 0};
		if (poll(p, (nfds_t)n, left > 1000 ? 1000 : left) < 0 && errno != EINTR)
			break;
		for (k = 0; k < n; k++) {
			ssize_t got;
			if (!p[k].revents)
				continue;
			if (p[k].fd == wr) {
				got = write(wr, in + done,
				            in_len - done > 65536 ? 65536 : in_len - done);
				if (got > 0)
					done += (size_t)got;
				if (got < 0 || done == in_len) {
					close(wr);
					wr = -1;
				}
				continue;
			}
			got = read(p[k].fd, buf, sizeof buf);
			if (got > 0) {
				sb_put(p[k].fd == rd ? out : err, buf, (size_t)got);
			} else {
				close(p[k].fd);
				if (p[k].fd == rd)
					rd = -1;
				else
					er = -1;
			}
		}
	}
	if (wr >= 0)
		close(wr);
	if (rd >= 0 || er >= 0) { /* out of time */
		if (rd >= 0)
			close(rd);
		if (er >= 0)
			close(er);
		return -1;
	}
	return 0;
}

int node_run(const char *data_dir, const char *script, const char *const args[], const char *in,
             size_t in_len, struct sbuf *out, struct sbuf *err, int timeout)
{
	const char *node = node_binary();
	char path[PATH_MAX + 64], *argv[16];
	int to[2], from[2], errp[2], status, rc, i, n = 0;
	pid_t pid;

	if (!node) {
		sb_str(err, "Node.js is not installed (scripts/deps.sh build installs it)");
		return -1;
	}
	snprintf(path, sizeof path, "%s/tools/deck/%s", data_dir, script);
	argv[n++] = (char *)(uintptr_t)node;
	argv[n++] = path;
	for (i = 0; args && args[i] && n < 15; i++)
		argv[n++] = (char *)(uintptr_t)args[i];
	argv[n] = NULL;
	if (pipe(to) != 0 || pipe(from) != 0 || pipe(errp) != 0) {
		sb_printf(err, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		sb_printf(err, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		dup2(errp[1], 2);
		close(to[1]);
		close(from[0]);
		close(errp[0]);
		execv(node, argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	close(errp[1]);
	signal(SIGPIPE, SIG_IGN);
	rc = pump(to[1], from[0], errp[0], in, in_len, out, err, timeout);
	if (rc != 0) {
		kill(pid, SIGKILL);
		sb_printf(err, "%s %s did not finish within %d s", node, script, timeout);
	}
	waitpid(pid, &status, 0);
	if (rc != 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
