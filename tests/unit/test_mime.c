/* SPDX-License-Identifier: MIT */
/* Unit tests of tools/mime: media types by extension and the compression rule. */
#include <stdio.h>
#include <string.h>

#include "tests/unit/check.h"
#include "tools/store/mime.h"

static const struct {
	const char *path, *type;
	bool compress;
} cases[] = {
        {"/d/index.html", "text/html; charset=utf-8", true},
        {"/d/old.htm", "text/html; charset=utf-8", true},
        {"/d/a.css", "text/css; charset=utf-8", true},
        /* RFC 9239 3: text/javascript for classic scripts and modules alike. */
        {"/d/a.js", "text/javascript; charset=utf-8", true},
        {"/d/a.mjs", "text/javascript; charset=utf-8", true},
        {"/d/a.json", "application/json", true},
        {"/d/a.js.map", "application/json", true},
        {"/d/a.svg", "image/svg+xml", true},
        {"/d/a.png", "image/png", false},
        {"/d/a.jpg", "image/jpeg", false},
        {"/d/a.jpeg", "image/jpeg", false},
        {"/d/a.gif", "image/gif", false},
        {"/d/a.webp", "image/webp", false},
        {"/d/a.avif", "image/avif", false},
        /* ICO files are mostly uncompressed bitmaps. */
        {"/favicon.ico", "image/vnd.microsoft.icon", true},
        {"/f/a.woff2", "font/woff2", false},
        {"/f/a.woff", "font/woff", false},
        {"/f/a.ttf", "font/ttf", true},
        {"/f/a.otf", "font/otf", true},
        {"/m/a.mp4", "video/mp4", false},
        {"/m/a.webm", "video/webm", false},
        {"/m/a.ogv", "video/ogg", false},
        {"/m/a.ogg", "audio/ogg", false},
        {"/m/a.mp3", "audio/mpeg", false},
        {"/m/a.m4a", "audio/mp4", false},
        {"/m/a.wav", "audio/wav", false},
        {"/m/a.vtt", "text/vtt; charset=utf-8", true},
        /* PDF streams are deflated already; recompressing gains little. */
        {"/d/d.pdf", "application/pdf", false},
        {"/d/deck.md", "text/markdown; charset=utf-8", true},
        {"/robots.txt", "text/plain; charset=utf-8", true},
        {"/feed.xml", "application/xml", true},
        {"/x.wasm", "application/wasm", true},
        {"/D/UPPER.HTML", "text/html; charset=utf-8", true},
        {"/x.Woff2", "font/woff2", false},
        {"/noext", "application/octet-stream", false},
        {"/a.b/noext", "application/octet-stream", false},
        {"/trailing.", "application/octet-stream", false},
        {"/x.unknown", "application/octet-stream", false},
        {"/x.tar.gz", "application/octet-stream", false},
        {"", "application/octet-stream", false},
};

int main(void)
{
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *t = mime_type(cases[i].path);
		CHECK(strcmp(t, cases[i].type) == 0, "mime_type(\"%s\") is %s (got %s)",
		      cases[i].path, cases[i].type, t);
		CHECK(mime_compressible(t) == cases[i].compress, "%s is %scompressed", t,
		      cases[i].compress ? "" : "not ");
	}
	CHECK(mime_compressible("text/x-anything") && mime_compressible("application/json") &&
	              !mime_compressible("application/jsonx") &&
	              mime_compressible("application/ld+json") && mime_compressible("Text/CSS") &&
	              mime_compressible("application/json; charset=utf-8") &&
	              !mime_compressible(""),
	      "every text/ type is compressed; prefixes of other types are not");
	return check_done();
}
