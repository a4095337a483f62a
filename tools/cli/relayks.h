/* SPDX-License-Identifier: MIT */
/* The follow relay (app/relay.h) for `unideck serve` on kernel sockets: its
 * upstream is a non-blocking TCP socket, a name is resolved by the system's
 * resolver without blocking the loop (getaddrinfo_a), and the socket's
 * readiness reaches the relay through one epoll descriptor that also carries
 * the preview watcher's, handed to hsock as its extra descriptor. */
#ifndef UD_TOOLS_RELAYKS_H
#define UD_TOOLS_RELAYKS_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/relay.h"

struct relayks {
	struct stream st;
	int fd;    /* the upstream socket, or -1 */
	int ep;    /* the epoll descriptor hsock watches */
	int watch; /* the preview watcher's descriptor, or -1 */
	bool connected, failed, want_out;
	void (*on_watch)(void *ctx);
	void *ctx;
	struct gaicb gai;
	struct addrinfo hints;
	char name[RELAY_HOST_MAX + 1];
	bool gai_busy;
	struct relay relay;
};

/* Set up the epoll descriptor; (watch_fd) -1 for none. False with errno. */
bool relayks_init(struct relayks *k, int watch_fd, void (*on_watch)(void *ctx), void *ctx);
/* The descriptor for hsock_hooks.extra_fd, and its handler for on_extra. */
int relayks_fd(const struct relayks *k);
void relayks_on_ready(struct relayks *k, uint64_t now);
void relayks_start(struct relayks *k, struct app *a, uint64_t now);

#endif
