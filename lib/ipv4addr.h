/* SPDX-License-Identifier: MIT */
/* Dotted-quad IPv4 addresses with an optional "/N" prefix length, from command
 * lines and options (untrusted text: every byte checked, no libc). */
#ifndef UD_LIB_IPV4ADDR_H
#define UD_LIB_IPV4ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ipv4_prefix {
	IPV4_NO_PREFIX,       /* "A.B.C.D" only */
	IPV4_PREFIX_OPTIONAL, /* "A.B.C.D" (then /32) or "A.B.C.D/N" */
	IPV4_PREFIX_REQUIRED, /* "A.B.C.D/N" */
};

/* (s, n): each part 0-255 in at most three digits, N from 1 to 32. The address
 * in host order; (*prefix) is written unless IPV4_NO_PREFIX (it may then be
 * NULL). False on anything else, with nothing written. */
bool ipv4_parse(const char *s, size_t n, enum ipv4_prefix want, uint32_t *addr, uint8_t *prefix);

#endif
