/* SPDX-License-Identifier: MIT */
/* The follow relay on kernel sockets (tools/cli/relayks.h). */
#include "tools/cli/relayks.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

static struct relayks *of(struct stream *st)
{
	return (struct relayks *)(void *)((uint8_t *)st - offsetof(struct relayks, st));
}

static size_t op_recv(struct stream *st, uint8_t *buf, size_t cap, bool *eof)
{
	struct relayks *k = of(st);
	ssize_t n;

	if (k->fd < 0)
		return 0;
	n = read(k->fd, buf, cap);
	if (n > 0)
		return (size_t)n;
	if (n == 0)
		*eof = true;
	else if (errno != EAGAIN && errno != EINTR)
		k->failed = true;
	return 0;
}

static bool op_can_send(struct stream *st, size_t copy_bytes, unsigned copies, unsigned refs)
{
	(void)copies;
	(void)refs;
	/* Only the request goes this way, on a fresh connection whose send
	 * buffer (tens of KiB) is empty. */
	return of(st)->fd >= 0 && copy_bytes <= STREAM_MIN_COPY;
}

static void op_send(struct stream *st, const void *p, size_t len)
{
	struct relayks *k = of(st);

	if (k->fd >= 0 && send(k->fd, p, len, MSG_NOSIGNAL) != (ssize_t)len)
		k->failed = true; /* a short write of a request this small: give up */
}

static uint64_t op_unsent(struct stream *st)
{
	(void)st;
	return 0;
}

static void op_close(struct stream *st, bool graceful)
{
	struct relayks *k = of(st);

	(void)graceful;
	if (k->fd >= 0) {
		epoll_ctl(k->ep, EPOLL_CTL_DEL, k->fd, NULL);
		close(k->fd);
		k->fd = -1;
	}
}

static void op_wake(struct stream *st)
{
	(void)st;
}

static const struct stream_ops sock_ops = {
        op_recv, op_can_send, op_send, op_send, op_unsent, op_close, op_wake, NULL,
};

static struct stream *d_open(void *ctx, const uint8_t addr[16], uint16_t port, uint64_t now)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct relayks *k = ctx;
	struct sockaddr_storage ss;
	socklen_t sl;
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP, .data.ptr = &k->fd};
	int one = 1;

	(void)now;
	op_close(&k->st, false);
	memset(&ss, 0, sizeof ss);
	if (memcmp(addr, mapped, 12) == 0) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, addr + 12, 4);
		sl = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, addr, 16);
		sl = sizeof *a;
	}
	k->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (k->fd < 0)
		return NULL;
	setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	k->connected = k->failed = false;
	if (connect(k->fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
		close(k->fd);
		k->fd = -1;
		return NULL;
	}
	k->want_out = true;
	epoll_ctl(k->ep, EPOLL_CTL_ADD, k->fd, &ev);
	return &k->st;
}

static enum relay_conn d_state(void *ctx, struct stream *st)
{
	struct relayks *k = ctx;
	int err = 0;
	socklen_t el = sizeof err;

	(void)st;
	if (k->fd < 0 || k->failed)
		return RELAY_CONN_FAILED;
	if (k->connected)
		return RELAY_CONN_UP;
	if (getsockopt(k->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
		k->failed = true;
		return RELAY_CONN_FAILED;
	}
	{
		struct sockaddr_storage peer;
		socklen_t pl = sizeof peer;
		if (getpeername(k->fd, (struct sockaddr *)&peer, &pl) != 0)
			return RELAY_CONN_PENDING; /* ENOTCONN: still connecting */
	}
	k->connected = true;
	if (k->want_out) {
		/* Connected: only input matters from now on (no busy EPOLLOUT). */
		struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = &k->fd};
		epoll_ctl(k->ep, EPOLL_CTL_MOD, k->fd, &ev);
		k->want_out = false;
	}
	return RELAY_CONN_UP;
}

static bool d_resolve_start(void *ctx, const char *name, size_t len, bool aaaa, uint64_t now)
{
	struct relayks *k = ctx;
	struct gaicb *list[1] = {&k->gai};

	(void)now;
	if (k->gai_busy) {
		gai_cancel(&k->gai);
		if (gai_error(&k->gai) == EAI_INPROGRESS)
			return false; /* the old lookup still runs: try at the next round */
		k->gai_busy = false;
	}
	if (k->gai.ar_result) {
		freeaddrinfo(k->gai.ar_result);
		k->gai.ar_result = NULL;
	}
	if (len >= sizeof k->name)
		return false;
	memcpy(k->name, name, len);
	k->name[len] = 0;
	memset(&k->hints, 0, sizeof k->hints);
	k->hints.ai_family = aaaa ? AF_INET6 : AF_INET;
	k->hints.ai_socktype = SOCK_STREAM;
	memset(&k->gai, 0, sizeof k->gai);
	k->gai.ar_name = k->name;
	k->gai.ar_request = &k->hints;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0)
		return false;
	k->gai_busy = true;
	return true;
}

static int d_resolve_result(void *ctx, uint8_t addr[16], const char **why)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	struct relayks *k = ctx;
	int e;

	if (!k->gai_busy)
		return -1;
	e = gai_error(&k->gai);
	if (e == EAI_INPROGRESS)
		return 0;
	k->gai_busy = false;
	if (e != 0 || !k->gai.ar_result) {
		*why = gai_strerror(e);
		return -1;
	}
	if (k->gai.ar_result->ai_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)k->gai.ar_result->ai_addr;
		memcpy(addr, mapped, 12);
		memcpy(addr + 12, &a->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *a =
		        (const struct sockaddr_in6 *)k->gai.ar_result->ai_addr;
		memcpy(addr, &a->sin6_addr, 16);
	}
	return 1;
}

static void d_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	if (getrandom(buf, len, 0) != (ssize_t)len)
		memset(buf, 0, len);
}

static void d_log(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	printf("%.*s\n", (int)len, msg);
	fflush(stdout);
}

bool relayks_init(struct relayks *k, int watch_fd, void (*on_watch)(void *ctx), void *ctx)
{
	k->st.ops = &sock_ops;
	k->fd = -1;
	k->watch = watch_fd;
	k->on_watch = on_watch;
	k->ctx = ctx;
	k->ep = epoll_create1(EPOLL_CLOEXEC);
	if (k->ep < 0)
		return false;
	if (watch_fd >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &k->watch};
		if (epoll_ctl(k->ep, EPOLL_CTL_ADD, watch_fd, &ev) != 0)
			return false;
	}
	return true;
}

int relayks_fd(const struct relayks *k)
{
	return k->ep;
}

void relayks_on_ready(struct relayks *k, uint64_t now)
{
	struct epoll_event ev[4];
	int n = epoll_wait(k->ep, ev, 4, 0), i;

	for (i = 0; i < n; i++) {
		if (ev[i].data.ptr == &k->watch && k->on_watch)
			k->on_watch(k->ctx);
		else if (ev[i].data.ptr == &k->fd)
			relay_poll(&k->relay, now);
	}
}

void relayks_start(struct relayks *k, struct app *a, uint64_t now)
{
	struct relay_dialer d = {d_open, d_state, d_resolve_start, d_resolve_result, d_random,
	                         d_log,  k};

	relay_start(&k->relay, a, &d, now);
}
