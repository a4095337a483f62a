/* SPDX-License-Identifier: MIT */
/* The byte stream the HTTP layer runs over: a kernel socket or a connection of
 * our own TCP stack (net/tcp), through the same five operations.
 *
 * A transport embeds struct stream in its connection object and passes a pointer
 * to it; the operations recover their context from that pointer.
 *
 * Sending comes in two kinds, so that store bytes are never copied:
 * - send_copy(): the transport copies the bytes before returning (headers, Date,
 *   anything on the caller's stack).
 * - send_ref(): the bytes are immutable for the life of the process or of the
 *   store they point into (the transport keeps the store alive while referenced);
 *   the transport keeps only (p, len), sends from it, and retransmits from it.
 * - send_shared() (optional: NULL when the transport has none): a shared buffer
 *   (lib/sharedbuf.h), one event queued to many connections. The transport
 *   holds a reference (shared_hold) for as long as it needs the bytes, up to
 *   their acknowledgement, and gives it back (shared_release) exactly once,
 *   also when the connection is reset or freed. It counts as a reference in
 *   can_send(). A transport that must transform bytes per connection (TLS)
 *   leaves it NULL, and the HTTP layer copies instead.
 * All may be called only after can_send() said there is room for exactly those
 * calls: (copy_bytes) in all over (copies) send_copy() calls, and (refs)
 * send_ref() calls. A transport counts every call as one entry of its queue
 * (it may merge some, never fewer than it granted), so asking for fewer calls
 * than are then made is the caller's bug; a transport that finds its queue
 * full anyway must fail that one connection (reset it), never the process.
 * Queued bytes go out in the order queued. Nothing here blocks.
 *
 * Every transport accepts at least STREAM_MIN_COPY bytes to copy together with
 * STREAM_MIN_PIECES calls (copies and references) when its queue is empty, so a
 * response of that size can always be sent eventually.
 */
#ifndef UD_HTTP_STREAM_H
#define UD_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sharedbuf.h"

#define STREAM_MIN_COPY   16384u
#define STREAM_MIN_PIECES 24u

struct stream;

struct stream_ops {
	/* Copy up to (cap) received bytes into (buf); return how many (0: none
	 * waiting). Sets *eof once the peer has finished sending and all its bytes
	 * have been returned. */
	size_t (*recv)(struct stream *s, uint8_t *buf, size_t cap, bool *eof);
	/* True when (copy_bytes) bytes in (copies) send_copy() calls and (refs)
	 * send_ref() calls fit in the send queue now. */
	bool (*can_send)(struct stream *s, size_t copy_bytes, unsigned copies, unsigned refs);
	void (*send_copy)(struct stream *s, const void *p, size_t len);
	void (*send_ref)(struct stream *s, const void *p, size_t len);
	/* Bytes queued that the network has not yet taken. */
	uint64_t (*unsent)(struct stream *s);
	/* Finish: graceful sends all queued bytes then FIN; otherwise reset now.
	 * The HTTP layer does not touch the stream again after this. It may be
	 * called while another connection is being polled (an eviction): the
	 * transport then finishes this one on its own later. */
	void (*close)(struct stream *s, bool graceful);
	/* Poll this connection soon (on this or the next loop turn) although its
	 * socket may say nothing: a buffer it waited for is free. */
	void (*wake)(struct stream *s);
	void (*send_shared)(struct stream *s, struct shared_buf *b);
};

struct stream {
	const struct stream_ops *ops;
};

#endif
