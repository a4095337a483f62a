/* SPDX-License-Identifier: MIT */
/* The media-type table. */
#include "tools/store/mime.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *ext;
	const char *type;
} table[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        /* RFC 9239: text/javascript for both classic scripts and modules. */
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"ico", "image/vnd.microsoft.icon"},
        {"bmp", "image/bmp"},
        {"woff2", "font/woff2"},
        {"woff", "font/woff"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"mp4", "video/mp4"},
        {"m4v", "video/mp4"},
        {"webm", "video/webm"},
        {"ogv", "video/ogg"},
        {"ogg", "audio/ogg"},
        {"oga", "audio/ogg"},
        {"mp3", "audio/mpeg"},
        {"m4a", "audio/mp4"},
        {"wav", "audio/wav"},
        {"vtt", "text/vtt; charset=utf-8"},
        {"pdf", "application/pdf"},
        {"md", "text/markdown; charset=utf-8"},
        {"txt", "text/plain; charset=utf-8"},
        {"csv", "text/csv; charset=utf-8"},
        {"xml", "application/xml"},
        {"wasm", "application/wasm"},
};

const char *mime_type(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	size_t i;

	if (dot)
		for (i = 0; i < sizeof table / sizeof table[0]; i++)
			if (strcasecmp(dot + 1, table[i].ext) == 0)
				return table[i].type;
	return "application/octet-stream";
}

/* Whether the essence (type/subtype, before any ';' parameters) of (type) is
 * (want), ignoring case (RFC 9110 8.3.1). */
static bool essence_is(const char *type, size_t n, const char *want)
{
	return n == strlen(want) && strncasecmp(type, want, n) == 0;
}

bool mime_compressible(const char *type)
{
	/* Formats that are text or sparse binary; everything else (images, video,
	 * audio, woff/woff2, PDF, archives) carries its own compression. */
	static const char *const yes[] = {
	        "application/json",
	        "application/xml",
	        "application/wasm",
	        "font/ttf",
	        "font/otf",
	        "image/svg+xml",
	        "image/bmp",
	        "image/vnd.microsoft.icon",
	        "application/manifest+json",
	};
	size_t n = strcspn(type, "; \t"), i;

	if (n > 5 && strncasecmp(type, "text/", 5) == 0)
		return true;
	/* RFC 6839: +json and +xml name JSON and XML underneath. */
	if ((n > 5 && strncasecmp(type + n - 5, "+json", 5) == 0) ||
	    (n > 4 && strncasecmp(type + n - 4, "+xml", 4) == 0))
		return true;
	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (essence_is(type, n, yes[i]))
			return true;
	return false;
}
