/* SPDX-License-Identifier: MIT */
/* Lower-case hexadecimal: the one encoder for tokens, nonces and MACs. */
#ifndef UD_LIB_HEX_H
#define UD_LIB_HEX_H

#include <stddef.h>
#include <stdint.h>

extern const char hex_digits[16]; /* "0123456789abcdef" */

/* (n) bytes of (in) as 2n hex digits and a NUL: (out) holds 2n + 1 bytes. */
void hex_encode(char *out, const void *in, size_t n);

#endif
