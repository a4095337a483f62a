/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/httpdate: the three date forms of RFC 9110 5.6.7. */
#include <string.h>

#include "lib/httpdate.h"
#include "tests/unit/check.h"

static void parse_ok(const char *s, uint64_t want)
{
	uint64_t got = 0;
	size_t n = strlen(s);
	const char *g = guard_place(s, n);
	bool ok = httpdate_parse(g, n, &got);

	CHECK(ok && got == want, "parse \"%s\" = %llu (got %d, %llu)", s, (unsigned long long)want,
	      ok, (unsigned long long)got);
}

static void parse_bad(const char *s)
{
	uint64_t got = 7;
	size_t n = strlen(s);
	const char *g = guard_place(s, n);

	CHECK(!httpdate_parse(g, n, &got) && got == 7, "reject \"%s\"", s);
}

int main(void)
{
	char out[HTTPDATE_LEN + 1] = {0};

	httpdate_format(784111777, out);
	CHECK(strcmp(out, "Sun, 06 Nov 1994 08:49:37 GMT") == 0, "format RFC example: %s", out);
	httpdate_format(0, out);
	CHECK(strcmp(out, "Thu, 01 Jan 1970 00:00:00 GMT") == 0, "format epoch: %s", out);
	httpdate_format(951782400, out);
	CHECK(strcmp(out, "Tue, 29 Feb 2000 00:00:00 GMT") == 0, "format leap day: %s", out);

	parse_ok("Sun, 06 Nov 1994 08:49:37 GMT", 784111777);
	parse_ok("Sunday, 06-Nov-94 08:49:37 GMT", 784111777);
	parse_ok("Sun Nov  6 08:49:37 1994", 784111777);
	parse_ok("Tue, 29 Feb 2000 00:00:00 GMT", 951782400);
	parse_ok("Thu, 01 Jan 1970 00:00:00 GMT", 0);
	parse_bad("");
	parse_bad("Sun, 06 Nov 1994 08:49:37");
	parse_bad("Sun, 06 Nov 1994 08:49:37 GMT ");
	parse_bad("Sun, 6 Nov 1994 08:49:37 GMT");
	parse_bad("Sun, 30 Feb 1994 08:49:37 GMT");
	parse_bad("Sun, 06 Nov 1969 08:49:37 GMT");
	parse_bad("Sun, 06 Nox 1994 08:49:37 GMT");
	parse_bad("Sun, 06 Nov 1994 24:49:37 GMT");
	parse_bad("yesterday");

	for (uint64_t t = 0; t < 4102444800u; t += 86399u * 37u) {
		uint64_t back = 0;
		httpdate_format(t, out);
		if (!httpdate_parse(out, HTTPDATE_LEN, &back) || back != t) {
			CHECK(false, "round trip of %llu via %s", (unsigned long long)t, out);
			return check_done();
		}
	}
	CHECK(true, "round trip of every 37th day 1970-2100");
	return check_done();
}
