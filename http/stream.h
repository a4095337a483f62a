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
 * Both may be called only after can_send() said there is room for them; queued
 * bytes go out in the order queued. Nothing here blocks.
 *
 * Every transport accepts at least STREAM_MIN_COPY bytes to copy together with
 * STREAM_MIN_REFS references when its queue is empty, so a response of that size
 * can always be sent eventually.
 */
#ifndef UD_HTTP_STREAM_H
#define UD_HTTP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STREAM_MIN_COPY 16384u
#define STREAM_MIN_REFS 24u

struct stream;

struct stream_ops {
	/* Copy up to (cap) received bytes into (buf); return how many (0: none
	 * waiting). Sets *eof once the peer has finished sending and all its bytes
	 * have been returned. */
	size_t (*recv)(struct stream *s, uint8_t *buf, size_t cap, bool *eof);
	/* True when (copy_bytes) bytes to copy and (refs) references fit in the send
	 * queue now. */
	bool (*can_send)(struct stream *s, size_t copy_bytes, unsigned refs);
	void (*send_copy)(struct stream *s, const void *p, size_t len);
	void (*send_ref)(struct stream *s, const void *p, size_t len);
	/* Bytes queued that the network has not yet taken. */
	uint64_t (*unsent)(struct stream *s);
	/* Finish: graceful sends all queued bytes then FIN; otherwise reset now.
	 * The HTTP layer does not touch the stream again after this. */
	void (*close)(struct stream *s, bool graceful);
};

struct stream {
	const struct stream_ops *ops;
};

#endif
