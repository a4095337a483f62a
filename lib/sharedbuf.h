/* SPDX-License-Identifier: MIT */
/* A buffer that many send queues reference at once: a live-follow event,
 * written once and queued to every follower (app/app.c), however many.
 *
 * The owner fills (p, len) and may write those bytes again only while (refs)
 * is 0. A sender that keeps the reference past its call (a TCP send queue
 * until the bytes are acknowledged, a socket queue until the kernel took
 * them) counts it with shared_hold() and gives it back with shared_release()
 * exactly once, whatever becomes of the connection: acknowledged, reset or
 * freed. A sender that copies the bytes at once (TLS, which encrypts per
 * connection) takes no reference. Single-threaded, like all of the core. */
#ifndef UD_LIB_SHAREDBUF_H
#define UD_LIB_SHAREDBUF_H

#include <stdint.h>

#include "lib/assert.h"

struct shared_buf {
	const uint8_t *p;
	uint32_t len;
	uint32_t refs; /* references queued and not yet given back */
};

static inline void shared_hold(struct shared_buf *b)
{
	b->refs++;
}

static inline void shared_release(struct shared_buf *b)
{
	UD_ASSERT(b->refs > 0); /* a reference given back twice */
	b->refs--;
}

#endif
