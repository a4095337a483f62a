/* SPDX-License-Identifier: MIT */
/* Fuzz target: what a follow relay reads from its upstream after the response
 * head, an event stream (http/client.h's parser) whose events' data go to
 * follow_parse (app/app.h). Views must stay inside the event's data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "http/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hcl_stats st;
static struct hcl_sse e;

static bool inside(struct http_view v, struct hcl_view d)
{
	return v.len == 0 || (v.p >= d.p && v.p + v.len <= d.p + d.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	size_t i = 0;

	memcpy(p, data, size);
	hcl_sse_init(&e, &st);
	while (i < size) {
		size_t used = 0;
		if (hcl_sse_feed(&e, p + i, size - i, &used) == HCL_SSE_EVENT) {
			struct follow_update u;
			if (e.data.len > HCL_SSE_MAX_EVENT)
				abort();
			if (follow_parse(e.data.p, e.data.len, &u) &&
			    (!inside(u.deck, e.data) || !inside(u.nonce, e.data) ||
			     !inside(u.mac, e.data)))
				abort();
		}
		if (used == 0 || used > size - i)
			abort();
		i += used;
	}
	free(p);
	return 0;
}
