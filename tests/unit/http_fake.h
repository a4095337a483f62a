/* SPDX-License-Identifier: MIT */
/* Test doubles for the HTTP layer: a scripted stream and a small store.
 *
 * The fake stream hands the server input in chunks of (chunk) bytes (0: all at
 * once), records everything sent (copies and references alike) in (out), and
 * offers as much send room as the test sets. It checks that every send was
 * granted by the can_send before it (overrun counts those that were not). */
#ifndef UD_TESTS_HTTP_FAKE_H
#define UD_TESTS_HTTP_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct fake {
	struct stream st;
	const uint8_t *in;
	size_t in_len, in_off, chunk;
	bool eof;
	uint8_t *out;
	size_t out_len, out_cap;
	size_t room_copy;
	unsigned room_refs;
	unsigned room_pieces; /* queue entries: every copy and reference takes one */
	/* What the last yes from can_send granted; a send beyond it is counted in
	 * overrun (a transport's queue would overflow: issue 14's abort). */
	size_t grant_copy;
	unsigned grant_copies, grant_refs;
	unsigned overrun;
	unsigned wakes;  /* wake() calls */
	uint64_t unsent; /* what unsent() reports */
	bool stalled;    /* a peer that reads nothing: every byte sent adds to unsent */
	uint64_t copied, refd;
	bool closed, graceful;
};

void fake_init(struct fake *f, const void *in, size_t len);
void fake_free(struct fake *f);
/* The store: /index.html, /d/index.html, /d/a.txt (compressible, with gzip and
 * br), /d/v.mp4 (1000 bytes, identity only). Built once with the real writer. */
const struct store *fake_store(void);
/* A server with a buffer pool of (bufs) buffers, the fake store, and timeouts
 * of 10 s (header), 60 s (idle), 30 s (send). */
void fake_server(struct http_server *srv, size_t bufs);
/* Release the pool memory fake_server allocated. */
void fake_server_free(struct http_server *srv);
/* Run one connection on (f) until it stops making progress; returns its state. */
enum http_conn_state fake_run(struct http_server *srv, struct http_conn *c, struct fake *f,
                              uint64_t now);
/* The output as a NUL-terminated string (bodies may hold NULs: use out_len). */
const char *fake_text(struct fake *f);
/* How many times (needle) occurs in the output. */
int fake_count(const struct fake *f, const char *needle);

#endif
