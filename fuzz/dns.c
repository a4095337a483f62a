/* SPDX-License-Identifier: MIT */
/* Fuzz target: the stub resolver's answer parser (net/dns.h). The first byte
 * picks the question's type (A or AAAA) and whether the ID in the input is the
 * one asked (so the rest of the parser is reached); the rest is the message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "net/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t qn[DNS_MAX_NAME], out[16], *m;
	size_t ql;
	uint32_t ttl = 0;
	uint16_t qtype, id;
	enum dns_parse r;

	if (size < 1)
		return 0;
	qtype = (data[0] & 1) ? DNS_TYPE_AAAA : DNS_TYPE_A;
	dns_encode_name("origin.test", 11, qn, &ql);
	m = malloc(size - 1 ? size - 1 : 1); /* exactly the message: ASan sees over-reads */
	memcpy(m, data + 1, size - 1);
	id = size >= 3 && (data[0] & 2) ? (uint16_t)(m[0] << 8 | m[1]) : 0x1234;
	r = dns_parse_answer(m, size - 1, id, qn, ql, qtype, out, &ttl);
	if (r == DNS_P_OK && (size - 1 < 12 + ql + 4 + 10 || ttl > 0x7fffffffu))
		abort();
	free(m);
	return 0;
}
