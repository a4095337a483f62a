/* SPDX-License-Identifier: MIT */
/* Ethernet II framing: parse a received frame, write the header of one to send.
 *
 * No VLAN tags (802.1Q frames are dropped and counted by the caller), no FCS
 * (devices strip it). */
#ifndef UD_NET_ETH_H
#define UD_NET_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETH_HLEN      14u
#define ETH_P_IPV4    0x0800u
#define ETH_P_ARP     0x0806u
#define ETH_P_IPV6    0x86ddu
#define ETH_P_VLAN    0x8100u
#define ETH_MIN_FRAME 60u /* without FCS: shorter frames are padded on send */

struct eth_hdr {
	uint8_t dst[6], src[6];
	uint16_t type;
};

/* Parse the header of (p, len); false when the frame is too short. */
bool eth_parse(const uint8_t *p, size_t len, struct eth_hdr *h);
/* Write a header into (out) (ETH_HLEN bytes). */
void eth_write(uint8_t *out, const uint8_t dst[6], const uint8_t src[6], uint16_t type);

static inline bool eth_is_broadcast(const uint8_t m[6])
{
	return (m[0] & m[1] & m[2] & m[3] & m[4] & m[5]) == 0xff;
}

static inline bool eth_is_multicast(const uint8_t m[6])
{
	return (m[0] & 1) != 0;
}

#endif
