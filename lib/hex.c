/* SPDX-License-Identifier: MIT */
#include "lib/hex.h"

const char hex_digits[16] = "0123456789abcdef";

void hex_encode(char *out, const void *in, size_t n)
{
	const uint8_t *b = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_digits[b[i] >> 4];
		out[2 * i + 1] = hex_digits[b[i] & 15];
	}
	out[2 * n] = 0;
}
