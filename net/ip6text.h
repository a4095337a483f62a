/* SPDX-License-Identifier: MIT */
/* IPv6 addresses as text (RFC 4291 2.2, RFC 5952 for output), freestanding,
 * for the image's command line and console: parse "X:Y::Z" or "X:Y::Z/N"
 * from (s, n); format into (out), at least NET_IP6_TEXT bytes. */
#ifndef UD_NET_IP6TEXT_H
#define UD_NET_IP6TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NET_IP6_TEXT 40

/* (plen) NULL: no prefix allowed; else one is required (1 to 128). */
bool net_ip6_parse(const char *s, size_t n, uint8_t a[16], uint8_t *plen);
void net_ip6_format(const uint8_t a[16], char *out);

#endif
