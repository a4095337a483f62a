/* SPDX-License-Identifier: MIT */
/* Fuzz target: the HTTP client's response parser (http/client.h), with every
 * body fed on to the event-stream parser. The first byte chooses how the rest
 * is cut into pieces (1 to 64 bytes, or whole) and whether the request was
 * HEAD and the body capped, so every split point and framing is reached; the
 * parser must never read past a piece, never report more body than it was
 * given, and always end in DONE, NEED or ERROR. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hcl_stats st;
static struct hcl_resp r;
static struct hcl_sse e;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 1, step;
	uint64_t body = 0;
	bool done = false;

	if (size < 1)
		return 0;
	step = (data[0] & 63) + 1;
	if (data[0] & 128)
		step = size;
	hcl_resp_init(&r, &st, (data[0] & 64) != 0 && (data[0] & 128) == 0,
	              (data[0] & 1) ? 100 : 0);
	hcl_sse_init(&e, &st);
	while (off < size && !done) {
		size_t len = size - off < step ? size - off : step, i = 0;
		/* A heap copy of exactly the piece: ASan sees any over-read. */
		uint8_t *p = malloc(len);
		memcpy(p, data + off, len);
		while (i < len && !done) {
			size_t used = 0;
			struct hcl_view b;
			enum hcl_ev ev = hcl_resp_feed(&r, p + i, len - i, &used, &b);
			if (used > len - i)
				abort();
			i += used;
			if (ev == HCL_EV_BODY) {
				size_t j = 0;
				if (b.p < (const char *)p || b.p + b.len > (const char *)p + len)
					abort();
				body += b.len;
				while (j < b.len) {
					size_t u = 0;
					if (hcl_sse_feed(&e, (const uint8_t *)b.p + j, b.len - j,
					                 &u) == HCL_SSE_EVENT &&
					    (e.data.len > HCL_SSE_MAX_EVENT || e.type.len > 64))
						abort();
					if (u == 0 || u > b.len - j)
						abort();
					j += u;
				}
			} else if (ev == HCL_EV_DONE || ev == HCL_EV_ERROR) {
				done = true;
			} else if (ev == HCL_EV_NEED && i != len) {
				abort();
			}
		}
		free(p);
		off += len;
	}
	if (!done)
		hcl_resp_eof(&r);
	if (r.max_body && body > r.max_body)
		abort();
	if (r.n_headers > HCL_MAX_HEADERS)
		abort();
	return 0;
}
