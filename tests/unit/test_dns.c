/* SPDX-License-Identifier: MIT */
/* Unit tests of the stub resolver's wire functions (net/dns.h): host names to
 * wire form, the query, and the answer checks: ID, QR and opcode, TC, the
 * question echoed, RCODEs, compression pointers (backward only: loops and
 * forward pointers refused), CNAME chains and their cap, records running past
 * the message, and every truncation of a good answer. Each message is placed
 * to end at a guard page: an over-read faults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"
#include "tests/unit/check.h"

static uint8_t qn[DNS_MAX_NAME];
static size_t qlen;

struct msg {
	uint8_t b[1024];
	size_t n;
};

static void u16(struct msg *m, unsigned v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void u32(struct msg *m, unsigned long v)
{
	u16(m, (unsigned)(v >> 16));
	u16(m, (unsigned)(v & 0xffff));
}

static void raw(struct msg *m, const void *p, size_t n)
{
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

/* A header and the question for (qn, qtype). */
static void head(struct msg *m, unsigned id, unsigned flags, unsigned an, unsigned qtype)
{
	m->n = 0;
	u16(m, id);
	u16(m, flags);
	u16(m, 1);
	u16(m, an);
	u16(m, 0);
	u16(m, 0);
	raw(m, qn, qlen);
	u16(m, qtype);
	u16(m, 1);
}

/* An A record owned by a pointer to offset 12 (the question's name). */
static void a_rec(struct msg *m, const uint8_t ip[4])
{
	u16(m, 0xc000 | 12);
	u16(m, DNS_TYPE_A);
	u16(m, 1);
	u32(m, 300);
	u16(m, 4);
	raw(m, ip, 4);
}

static enum dns_parse parse(const struct msg *m, unsigned id, unsigned qtype, uint8_t out[16])
{
	uint32_t ttl;

	return dns_parse_answer(guard_place(m->b, m->n), m->n, (uint16_t)id, qn, qlen,
	                        (uint16_t)qtype, out, &ttl);
}

static void test_names(void)
{
	uint8_t w[DNS_MAX_NAME];
	size_t n;
	char long_label[80], long_name[300];

	CHECK(dns_encode_name("Origin.Example.", 15, w, &n) && n == 16 &&
	              memcmp(w,
	                     "\x06origin\x07"
	                     "example\x00",
	                     16) == 0,
	      "a name to wire form, lowercased, the trailing dot taken");
	CHECK(!dns_encode_name("a..b", 4, w, &n), "an empty label is refused");
	CHECK(!dns_encode_name("", 0, w, &n) && !dns_encode_name(".", 1, w, &n),
	      "the empty name and the root are refused");
	CHECK(!dns_encode_name("a b", 3, w, &n) && !dns_encode_name("a\0b", 3, w, &n),
	      "spaces and NULs are refused");
	memset(long_label, 'a', 64);
	CHECK(!dns_encode_name(long_label, 64, w, &n), "a 64-byte label is refused");
	CHECK(dns_encode_name(long_label, 63, w, &n), "a 63-byte label is fine");
	memset(long_name, 'a', sizeof long_name);
	for (n = 10; n < sizeof long_name; n += 11)
		long_name[n] = '.';
	CHECK(!dns_encode_name(long_name, 254, w, &n), "a name past 253 bytes is refused");
	n = dns_build_query(w, 12, 7, qn, qlen, DNS_TYPE_A);
	CHECK(n == 0, "a query that does not fit: 0");
}

static void test_answers(void)
{
	static const uint8_t ip[4] = {10, 77, 0, 11}, ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	uint8_t out[16], q[DNS_MSG_MAX];
	struct msg m;
	size_t n, k;
	bool all_short_refused = true;

	dns_encode_name("origin.test", 11, qn, &qlen);
	n = dns_build_query(q, sizeof q, 0xbeef, qn, qlen, DNS_TYPE_A);
	CHECK(n == 12 + qlen + 4 && q[0] == 0xbe && q[1] == 0xef && q[2] == 0x01 && q[5] == 1 &&
	              memcmp(q + 12, qn, qlen) == 0,
	      "the query: ID, RD, one question");

	head(&m, 0xbeef, 0x8180, 1, DNS_TYPE_A);
	a_rec(&m, ip);
	memset(out, 0, sizeof out);
	CHECK(parse(&m, 0xbeef, DNS_TYPE_A, out) == DNS_P_OK && memcmp(out, ip, 4) == 0,
	      "an A answer through a compression pointer");
	CHECK(parse(&m, 0xbeee, DNS_TYPE_A, out) == DNS_P_WRONG_ID, "another ID: not ours");
	for (k = 0; k < m.n; k++) {
		struct msg t = m;
		t.n = k;
		if (parse(&t, 0xbeef, DNS_TYPE_A, out) == DNS_P_OK)
			all_short_refused = false;
	}
	CHECK(all_short_refused, "every truncation of the answer is refused");

	/* The question must be ours: name (case-insensitively), type, class. */
	{
		struct msg t = m;
		t.b[13] = 'O'; /* "Origin": 0x20 mixing is still the same name */
		CHECK(parse(&t, 0xbeef, DNS_TYPE_A, out) == DNS_P_OK,
		      "the question's case is ignored");
		t.b[14] = 'x';
		CHECK(parse(&t, 0xbeef, DNS_TYPE_A, out) == DNS_P_QUESTION,
		      "another name: refused");
		CHECK(parse(&m, 0xbeef, DNS_TYPE_AAAA, out) == DNS_P_QUESTION,
		      "another type: refused");
		t = m;
		t.b[12 + qlen + 3] = 3; /* class CH */
		CHECK(parse(&t, 0xbeef, DNS_TYPE_A, out) == DNS_P_QUESTION,
		      "another class: refused");
		t = m;
		t.b[5] = 2;
		CHECK(parse(&t, 0xbeef, DNS_TYPE_A, out) == DNS_P_QUESTION,
		      "two questions: refused");
	}
	head(&m, 1, 0x0100, 1, DNS_TYPE_A);
	a_rec(&m, ip);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_NOT_ANSWER, "a query (QR 0) is no answer");
	head(&m, 1, 0x8180 | (2 << 11), 1, DNS_TYPE_A);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_NOT_ANSWER, "another opcode is no answer");
	head(&m, 1, 0x8380, 1, DNS_TYPE_A);
	a_rec(&m, ip);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_TRUNCATED, "TC: truncated");
	head(&m, 1, 0x8183, 0, DNS_TYPE_A);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_NXDOMAIN, "RCODE 3: NXDOMAIN");
	head(&m, 1, 0x8182, 0, DNS_TYPE_A);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_SERVFAIL, "RCODE 2: another server");
	head(&m, 1, 0x8185, 0, DNS_TYPE_A);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_SERVFAIL, "RCODE 5: another server");
	head(&m, 1, 0x8180, 0, DNS_TYPE_A);
	CHECK(parse(&m, 1, DNS_TYPE_A, out) == DNS_P_NODATA, "no answer records: no data");

	/* An AAAA answer; and an A record in an AAAA answer is not taken. */
	head(&m, 2, 0x8180, 2, DNS_TYPE_AAAA);
	a_rec(&m, ip);
	u16(&m, 0xc00c);
	u16(&m, DNS_TYPE_AAAA);
	u16(&m, 1);
	u32(&m, 60);
	u16(&m, 16);
	raw(&m, ip6, 16);
	CHECK(parse(&m, 2, DNS_TYPE_AAAA, out) == DNS_P_OK && memcmp(out, ip6, 16) == 0,
	      "an AAAA answer, the A record beside it skipped");

	/* A CNAME chain: origin.test -> www.test (its own labels) -> A. */
	head(&m, 3, 0x8180, 2, DNS_TYPE_A);
	{
		size_t target;
		u16(&m, 0xc00c);
		u16(&m, DNS_TYPE_CNAME);
		u16(&m, 1);
		u32(&m, 60);
		u16(&m, 6);
		target = m.n;
		raw(&m, "\x03www\xc0\x13", 6); /* www + pointer to "test" in the question */
		u16(&m, 0xc000 | (unsigned)target);
		u16(&m, DNS_TYPE_A);
		u16(&m, 1);
		u32(&m, 60);
		u16(&m, 4);
		raw(&m, ip, 4);
	}
	CHECK(parse(&m, 3, DNS_TYPE_A, out) == DNS_P_OK && memcmp(out, ip, 4) == 0,
	      "a CNAME chain is followed");
	/* An A record for some other name is not an answer. */
	head(&m, 4, 0x8180, 1, DNS_TYPE_A);
	raw(&m, "\x05other\x00", 7);
	u16(&m, DNS_TYPE_A);
	u16(&m, 1);
	u32(&m, 60);
	u16(&m, 4);
	raw(&m, ip, 4);
	CHECK(parse(&m, 4, DNS_TYPE_A, out) == DNS_P_NODATA,
	      "an A record for another name is not taken");

	/* Hostile names. */
	head(&m, 5, 0x8180, 1, DNS_TYPE_A);
	{
		size_t at = m.n;
		u16(&m, 0xc000 | (unsigned)at); /* a pointer to itself */
		u16(&m, DNS_TYPE_A);
		u16(&m, 1);
		u32(&m, 60);
		u16(&m, 4);
		raw(&m, ip, 4);
	}
	CHECK(parse(&m, 5, DNS_TYPE_A, out) == DNS_P_BAD_NAME, "a pointer to itself: refused");
	head(&m, 5, 0x8180, 1, DNS_TYPE_A);
	{
		size_t at = m.n;
		u16(&m, 0xc000 | (unsigned)(at + 2)); /* forward */
		raw(&m, "\x01x\x00", 3);
	}
	CHECK(parse(&m, 5, DNS_TYPE_A, out) == DNS_P_BAD_NAME, "a forward pointer: refused");
	/* A label, then a pointer back to the start of its own name: a loop. */
	head(&m, 5, 0x8180, 1, DNS_TYPE_A);
	{
		size_t p1 = m.n;
		raw(&m, "\x01y", 2);
		u16(&m, 0xc000 | (unsigned)p1);
	}
	CHECK(parse(&m, 5, DNS_TYPE_A, out) == DNS_P_BAD_NAME, "a pointer loop: refused");
	head(&m, 5, 0x8180, 1, DNS_TYPE_A);
	raw(&m, "\x41x", 2); /* label type 0x40 */
	CHECK(parse(&m, 5, DNS_TYPE_A, out) == DNS_P_BAD_NAME, "an extended label type: refused");
	/* A name longer than 255 bytes made of pointers to earlier labels. */
	{
		size_t i, first;
		head(&m, 6, 0x8180, 1, DNS_TYPE_A);
		first = m.n;
		for (i = 0; i < 5; i++)
			raw(&m,
			    "\x3f"
			    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			    64);
		raw(&m, "\x00", 1);
		(void)first;
		CHECK(parse(&m, 6, DNS_TYPE_A, out) == DNS_P_BAD_NAME,
		      "an owner name past 255 bytes: refused");
	}
	head(&m, 7, 0x8180, 1, DNS_TYPE_A);
	u16(&m, 0xc00c);
	u16(&m, DNS_TYPE_A);
	u16(&m, 1);
	u32(&m, 60);
	u16(&m, 400); /* rdlength past the end */
	raw(&m, ip, 4);
	CHECK(parse(&m, 7, DNS_TYPE_A, out) == DNS_P_BAD, "RDLENGTH past the message: refused");
	head(&m, 8, 0x8180, 1, DNS_TYPE_A);
	u16(&m, 0xc00c);
	u16(&m, DNS_TYPE_A);
	u16(&m, 1);
	u32(&m, 60);
	u16(&m, 3);
	raw(&m, ip, 3);
	CHECK(parse(&m, 8, DNS_TYPE_A, out) == DNS_P_NODATA, "an A record of 3 bytes is not taken");

	/* More CNAMEs than DNS_MAX_CNAMES, each to the next label down. */
	head(&m, 9, 0x8180, DNS_MAX_CNAMES + 2, DNS_TYPE_A);
	{
		size_t i, owner = 12;
		for (i = 0; i < DNS_MAX_CNAMES + 1; i++) {
			size_t here;
			u16(&m, 0xc000 | (unsigned)owner);
			u16(&m, DNS_TYPE_CNAME);
			u16(&m, 1);
			u32(&m, 60);
			u16(&m, 4);
			here = m.n;
			raw(&m, "\x01z", 2);
			u16(&m, 0xc000 | (unsigned)owner);
			owner = here;
		}
		a_rec(&m, ip);
	}
	CHECK(parse(&m, 9, DNS_TYPE_A, out) == DNS_P_BAD_NAME,
	      "a CNAME chain past the cap: refused");
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	dns_encode_name("origin.test", 11, qn, &qlen);
	test_names();
	test_answers();
	return check_done();
}
