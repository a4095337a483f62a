/* SPDX-License-Identifier: MIT */
/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed hash short enough to run
 * per packet, for values an outsider must not predict or correlate: IPv4 and
 * IPv6 identifications (RFC 7739), bucket choices. The key is the caller's
 * (16 random bytes from ops.random at start-up); the input is borrowed. */
#ifndef UD_NET_HASH_H
#define UD_NET_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t net_siphash(const uint8_t key[16], const void *p, size_t len);

#endif
