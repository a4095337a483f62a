/* SPDX-License-Identifier: MIT */
/* Fuzz target: the deck compiler's intake of untrusted text: front matter, the
 * Markdown renderer with attribute comments, UTF-8 checks and the URL scanner. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tools/deck/frontmatter.h"
#include "tools/deck/htmlscan.h"
#include "tools/deck/mdrender.h"
#include "tools/util/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_ref(void *ctx, const struct html_ref *r)
{
	size_t *len = ctx;

	if (r->off + r->len > *len)
		abort(); /* a reference outside the text */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct frontmatter fm;
	struct md_out out = {0};
	struct diag d = {0};

	memcpy(text, data, size);
	text[size] = 0;
	text_utf8_check(text, size, "fuzz", &d);
	if (fm_parse(text, size, "fuzz", &fm, &d) == 0) {
		mdrender(fm.body, fm.body_len, &out);
		fm_free(&fm);
	}
	if (out.html.p) {
		size_t len = out.html.len;
		html_scan(out.html.p, len, count_ref, &len);
	}
	html_scan(text, size, count_ref, &size);
	sb_free(&out.html);
	sb_free(&out.section_attrs);
	free(text);
	return 0;
}
