/* SPDX-License-Identifier: MIT */
/* Fuzz target: ACME's JSON parser and every accessor over what it accepts, and
 * the state file decoder and PEM chain check over the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme/acme.h"
#include "acme/json.h"
#include "acme/state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct json_tok tok[JSON_MAX_TOKENS];
static struct acme_state st;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_doc d;
	struct acme_chain_info info;
	char buf[512];
	uint32_t i;
	char *copy = malloc(size ? size : 1);

	/* A copy of exactly (size) bytes, so ASan sees any over-read. */
	memcpy(copy, data, size);
	if (json_parse(copy, size, tok, JSON_MAX_TOKENS, &d) == JSON_OK) {
		for (i = 0; i < d.n; i++) {
			uint32_t k;
			int n = json_str(&d, (int)i, buf, sizeof buf);
			if (n >= (int)sizeof buf || (n >= 0 && d.tok[i].type != JSON_STRING))
				abort();
			if (d.tok[i].next <= i || d.tok[i].next > d.n)
				abort(); /* the subtree links must go forward and stay in range */
			json_get(&d, (int)i, "type");
			json_get_str(&d, (int)i, "status", buf, sizeof buf);
			json_str_eq(&d, (int)i, "valid");
			for (k = 0; k < d.tok[i].count && k < 4; k++)
				if (json_at(&d, (int)i, k) < 0 && d.tok[i].type == JSON_ARRAY)
					abort();
		}
	}
	acme_state_decode((const uint8_t *)copy, size, &st);
	acme_chain_check(copy, size, NULL, &info);
	free(copy);
	return 0;
}
