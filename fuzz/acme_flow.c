/* SPDX-License-Identifier: MIT */
/* Fuzz target: the ACME client's state machine fed hostile server answers.
 * The input is a sequence of responses: status (2 bytes), Retry-After (1 byte),
 * flags (1 byte: Location, Replay-Nonce present), body length (2 bytes), body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/acme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct acme cl;
static struct acme_rng rng;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t seed[32] = {42};
	const char *names[] = {"a.example", "b.example"};
	struct acme_config cfg = {"https://ca/dir", names, 2, NULL, NULL};
	uint64_t now = 1000000, wake;
	struct acme_request q;
	size_t off = 0;
	int rounds = 0;

	acme_rng_init(&rng, seed, sizeof seed);
	if (!acme_init(&cl, &cfg, &rng))
		abort();
	while (off + 6 <= size && rounds++ < 64) {
		struct acme_response r;
		size_t blen = (size_t)data[off + 4] << 8 | data[off + 5];
		uint8_t *body;
		enum acme_step s = acme_poll(&cl, now, &q, &wake);
		if (s == ACME_STEP_WAIT) {
			if (wake == UINT64_MAX)
				break;
			now = wake;
			continue;
		}
		if (s != ACME_STEP_SEND)
			continue;
		if (!q.url || strlen(q.url) >= ACME_URL_MAX)
			abort();
		memset(&r, 0, sizeof r);
		r.status = data[off] << 8 | data[off + 1];
		r.retry_after_s = data[off + 2];
		r.location = data[off + 3] & 1 ? "https://ca/x/1" : NULL;
		r.nonce = data[off + 3] & 2 ? "nonce" : NULL;
		off += 6;
		if (blen > size - off)
			blen = size - off;
		body = malloc(blen ? blen : 1);
		memcpy(body, data + off, blen);
		r.body = body;
		r.body_len = blen;
		off += blen;
		acme_input(&cl, now, &r);
		if (cl.phase == ACME_PH_CHALLENGE) {
			const char *ka;
			size_t kl;
			acme_challenge_lookup(&cl, cl.chall[cl.cur_authz].token,
			                      strlen(cl.chall[cl.cur_authz].token), &ka, &kl);
		}
		free(body);
	}
	return 0;
}
