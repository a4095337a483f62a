/* SPDX-License-Identifier: MIT */
/* Unit tests of acme/json: RFC 8259 acceptance and rejection, the caps, member
 * lookup and string decoding, each input ending at a guard page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acme/json.h"
#include "tests/unit/check.h"

static struct json_tok tok[JSON_MAX_TOKENS];

static enum json_result parse(const char *s, size_t n, struct json_doc *d)
{
	return json_parse(guard_place(s, n), n, tok, JSON_MAX_TOKENS, d);
}

static void valid(const char *s)
{
	struct json_doc d;
	enum json_result r = parse(s, strlen(s), &d);

	CHECK(r == JSON_OK, "accepts %s (%s)", s, json_result_str(r));
}

static void invalid(const char *s, size_t n, enum json_result want, const char *name)
{
	struct json_doc d;
	enum json_result r = parse(s, n, &d);

	CHECK(r == want, "refuses %s: %s (got %s)", name, json_result_str(want),
	      json_result_str(r));
}

static void test_grammar(void)
{
	static const char *ok[] = {
	        "{}",
	        "[]",
	        "0",
	        "-0",
	        "1.5e10",
	        "-12.25E-3",
	        "\"\"",
	        "true",
	        "false",
	        "null",
	        " { \"a\" : [ 1 , 2 , { } ] } ",
	        "\"\\u00e9\\ud83d\\ude00\\n\\/\"",
	        "\"\xc3\xa9\"",
	        "[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]",
	        "{\"a\":1,\"a\":2}",
	};
	static const struct {
		const char *s, *name;
	} bad[] = {
	        {"", "empty text"},
	        {"{", "an open object"},
	        {"{\"a\"}", "a member without a value"},
	        {"{\"a\":1,}", "a trailing comma in an object"},
	        {"[1,]", "a trailing comma in an array"},
	        {"[1 2]", "elements without a comma"},
	        {"{a:1}", "an unquoted key"},
	        {"{1:1}", "a number as a key"},
	        {"'a'", "single quotes"},
	        {"01", "a leading zero"},
	        {"1.", "a fraction without digits"},
	        {".5", "a number without an integer part"},
	        {"1e", "an exponent without digits"},
	        {"+1", "a plus sign"},
	        {"-", "a lone minus"},
	        {"tru", "a cut keyword"},
	        {"nul", "a cut null"},
	        {"True", "a capitalised keyword"},
	        {"\"abc", "an unterminated string"},
	        {"\"a\tb\"", "a raw tab in a string"},
	        {"\"\\x\"", "an unknown escape"},
	        {"\"\\u12\"", "a short \\u escape"},
	        {"\"\\ud800\"", "a lone high surrogate"},
	        {"\"\\udc00\"", "a lone low surrogate"},
	        {"\"\\ud800\\u0041\"", "a high surrogate before a non-surrogate"},
	        {"\"\xc3\"", "a cut UTF-8 sequence"},
	        {"\"\xc0\xaf\"", "an overlong UTF-8 sequence"},
	        {"\"\xed\xa0\x80\"", "a UTF-8 surrogate"},
	        {"\"\xf4\x90\x80\x80\"", "a code point above U+10FFFF"},
	        {"\"\xff\"", "a byte that is never UTF-8"},
	        {"{} {}", "two values"},
	        {"{}x", "bytes after the value"},
	        {"[1]]", "an extra bracket"},
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		valid(ok[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		invalid(bad[i].s, strlen(bad[i].s), JSON_INVALID, bad[i].name);
	invalid("\"a\0b\"", 5, JSON_INVALID, "a NUL in a string");
	invalid("[1]\0", 4, JSON_INVALID, "a NUL after the value");
}

static void test_caps(void)
{
	static char deep[64], big[JSON_MAX_LEN + 2], many[JSON_MAX_TOKENS * 2 + 8];
	struct json_doc d;
	struct json_tok few[4];
	size_t i;

	memset(deep, '[', JSON_MAX_DEPTH);
	memset(deep + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
	CHECK(parse(deep, 2 * JSON_MAX_DEPTH, &d) == JSON_OK, "JSON_MAX_DEPTH levels are accepted");
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	CHECK(parse(deep, 2 * JSON_MAX_DEPTH + 2, &d) == JSON_TOO_BIG,
	      "one level more than JSON_MAX_DEPTH is refused as over a cap");
	big[0] = '"';
	memset(big + 1, 'a', JSON_MAX_LEN);
	big[JSON_MAX_LEN + 1] = '"';
	CHECK(parse(big, JSON_MAX_LEN + 2, &d) == JSON_TOO_BIG,
	      "text longer than JSON_MAX_LEN is refused");
	many[0] = '[';
	for (i = 0; i < JSON_MAX_TOKENS; i++) {
		many[1 + 2 * i] = '0';
		many[2 + 2 * i] = ',';
	}
	many[2 * JSON_MAX_TOKENS] = ']';
	CHECK(parse(many, 2 * JSON_MAX_TOKENS + 1, &d) == JSON_TOO_BIG,
	      "JSON_MAX_TOKENS elements plus their array are over the token cap");
	CHECK(json_parse("[1,2,3,4]", 9, few, 4, &d) == JSON_TOO_BIG,
	      "the caller's token array is a cap too");
	CHECK(json_parse("[1,2,3]", 7, few, 4, &d) == JSON_OK && d.n == 4,
	      "exactly the caller's token count fits");
}

static void test_lookup(void)
{
	static const char doc[] =
	        "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.example\"},"
	        "\"challenges\":[{\"type\":\"dns-01\",\"url\":\"https://x/1\",\"token\":\"t1\"},"
	        "{\"type\":\"http-01\",\"url\":\"https://x/2\",\"token\":\"t2\"}],"
	        "\"k\\u0065y\":\"caf\\u00e9 \\\"q\\\"\",\"n\":[],\"dup\":1,\"dup\":2}";
	struct json_doc d;
	char buf[64];
	int ch, e;

	CHECK(parse(doc, sizeof doc - 1, &d) == JSON_OK, "an ACME authorization parses");
	CHECK(json_get_str(&d, 0, "status", buf, sizeof buf) == 7 && strcmp(buf, "pending") == 0,
	      "a string member by name");
	CHECK(json_get_str(&d, json_get(&d, 0, "identifier"), "value", buf, sizeof buf) > 0 &&
	              strcmp(buf, "a.example") == 0,
	      "a member of a nested object");
	ch = json_get(&d, 0, "challenges");
	CHECK(ch >= 0 && d.tok[ch].type == JSON_ARRAY && d.tok[ch].count == 2, "an array member");
	e = json_at(&d, ch, 1);
	CHECK(json_str_eq(&d, json_get(&d, e, "type"), "http-01"),
	      "the second element, past the first's subtree");
	CHECK(json_at(&d, ch, 2) == -1, "an index past the end is -1");
	CHECK(json_get_str(&d, 0, "key", buf, sizeof buf) > 0 &&
	              strcmp(buf, "caf\xc3\xa9 \"q\"") == 0,
	      "escaped keys and values are decoded (\\u00e9 to UTF-8)");
	CHECK(json_get_str(&d, 0, "key", buf, 5) == -1, "a value longer than the buffer is -1");
	CHECK(json_get(&d, 0, "missing") == -1, "a missing member is -1");
	CHECK(json_get(&d, ch, "type") == -1, "json_get on an array is -1");
	CHECK(json_get_str(&d, 0, "n", buf, sizeof buf) == -1, "a non-string is not a string");
	CHECK(doc[d.tok[json_get(&d, 0, "dup")].start] == '1', "a duplicate key gives the first");
	CHECK(parse("\"\\ud83d\\ude00\"", 14, &d) == JSON_OK &&
	              json_str(&d, 0, buf, sizeof buf) == 4 &&
	              memcmp(buf, "\xf0\x9f\x98\x80", 4) == 0,
	      "a surrogate pair decodes to one 4-byte UTF-8 sequence");
}

int main(void)
{
	test_grammar();
	test_caps();
	test_lookup();
	return check_done();
}
