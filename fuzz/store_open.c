/* SPDX-License-Identifier: MIT */
/* Fuzz target: store_open on arbitrary bytes (`unideck serve FILE` and inspect
 * read store files from disk), then every lookup of what it accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store st;
	struct store_entry e, again;
	volatile uint8_t sink = 0;
	uint32_t i;
	int r;

	if (store_open(&st, data, size) != STORE_OK)
		return 0;
	for (i = 0; i < st.n_entries; i++) {
		store_entry_at(&st, i, &e);
		if (!store_lookup(&st, e.path, e.path_len, &again) || again.path != e.path)
			abort(); /* an accepted store must find its own paths */
		for (r = 0; r < STORE_ENC_COUNT; r++) {
			if (!(e.enc_mask & (1u << r)))
				continue;
			if (e.rep[r].body_len)
				sink ^= e.rep[r].body[e.rep[r].body_len - 1];
			if (e.rep[r].hdr_len)
				sink ^= (uint8_t)e.rep[r].hdr[e.rep[r].hdr_len - 1];
			sink ^= (uint8_t)e.rep[r].etag[e.rep[r].etag_len - 1];
		}
	}
	(void)sink;
	return 0;
}
