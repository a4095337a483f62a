/* SPDX-License-Identifier: MIT */
/* A small strict JSON parser (RFC 8259) for ACME's responses: tokens, no copies.
 *
 * json_parse() validates the whole text and fills a caller-supplied token array
 * (no allocation). Each token is a view (offset, length) into the caller's
 * buffer, which must outlive the tokens. Strings are kept with their escapes;
 * json_str() decodes one into a caller buffer (UTF-8, surrogate pairs joined).
 *
 * Caps (named, enforced while parsing): JSON_MAX_LEN bytes of text,
 * JSON_MAX_DEPTH nested containers, and the token array's size (at most
 * JSON_MAX_TOKENS). Anything over a cap, any syntax error, a lone surrogate, a
 * control character in a string, a byte sequence that is not UTF-8, or bytes
 * after the value is JSON_INVALID or JSON_TOO_BIG, never a partial result.
 * Duplicate object keys are allowed by the RFC; json_get() returns the first. */
#ifndef UD_ACME_JSON_H
#define UD_ACME_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_LEN    65536u
#define JSON_MAX_DEPTH  16u
#define JSON_MAX_TOKENS 1024u

enum json_type {
	JSON_OBJECT = 1,
	JSON_ARRAY,
	JSON_STRING, /* a member name is a string token too */
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL,
};

struct json_tok {
	uint8_t type;   /* enum json_type */
	uint32_t start; /* strings: after the opening quote */
	uint32_t len;   /* strings: up to the closing quote, escapes as sent */
	uint32_t next;  /* index of the token after this one's whole subtree */
	uint32_t count; /* object: members; array: elements */
};

enum json_result {
	JSON_OK = 0,
	JSON_INVALID,
	JSON_TOO_BIG, /* a cap: length, depth or tokens */
};

struct json_doc {
	const char *text;
	const struct json_tok *tok;
	uint32_t n;
};

/* Parse (p, len) into (tok, cap); on JSON_OK (doc) views them. */
enum json_result json_parse(const char *p, size_t len, struct json_tok *tok, size_t cap,
                            struct json_doc *doc);
const char *json_result_str(enum json_result r);

/* The value of member (key) of the object at token (obj), or -1 (also when
 * (obj) is not an object). Keys are compared after decoding. */
int json_get(const struct json_doc *d, int obj, const char *key);
/* The (i)th element of the array at (arr), or -1. */
int json_at(const struct json_doc *d, int arr, uint32_t i);
/* Decode the string at (t) into (buf, cap) with a terminating NUL; the decoded
 * length, or -1 when (t) is not a string or it does not fit. */
int json_str(const struct json_doc *d, int t, char *buf, size_t cap);
/* json_get() then json_str(); -1 when absent, not a string or too long. */
int json_get_str(const struct json_doc *d, int obj, const char *key, char *buf, size_t cap);
/* Whether the string at (t) equals (s) after decoding. */
bool json_str_eq(const struct json_doc *d, int t, const char *s);

#endif
