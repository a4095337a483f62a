/* SPDX-License-Identifier: MIT */
/* The media-type table. */
#include "tools/mime.h"

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

bool mime_compressible(const char *type)
{
	static const char *const yes[] = {
	        "text/",         "application/json", "application/manifest+json",
	        "image/svg+xml", "application/xml",  "application/wasm",
	        "font/ttf",      "font/otf",         "image/vnd.microsoft.icon",
	};
	size_t i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (strncmp(type, yes[i], strlen(yes[i])) == 0)
			return true;
	return false;
}
