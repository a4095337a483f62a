/* SPDX-License-Identifier: MIT */
/* Fuzz target: the HTTP request parser, path decoding and header grammars. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_request req;
	struct http_range g[HTTP_MAX_RANGES];
	struct http_accept a;
	char path[HTTP_MAX_PATH];
	size_t used, n, i;
	int status;

	if (http_parse_head(data, size, &req, &used, &status) == HTTP_PARSE_OK) {
		if (used > size)
			abort();
		http_semantics(&req);
		http_path_decode(&req, path, sizeof path);
		for (i = 0; i < req.n_headers; i++) {
			struct http_view v = req.headers[i].value;
			http_range_parse(v, 1000, g, HTTP_MAX_RANGES, &n);
			http_range_parse(v, 0, g, HTTP_MAX_RANGES, &n);
			http_accept_parse(v, &a);
			http_etag_match(v, "\"abc\"", 5, i & 1);
			http_list_has(v, "close");
		}
	}
	return 0;
}
