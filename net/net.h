/* SPDX-License-Identifier: MIT */
/* The TCP/IP stack: Ethernet, ARP, IPv4, ICMP, UDP, DHCP and TCP, with no I/O of
 * its own. Frames come in through net_input(), go out through the ops the caller
 * supplies, and time is whatever the caller says it is, so the same code runs on
 * TAP, on virtio-net and in simulation (two instances in one process).
 *
 * Ownership and memory: the caller allocates net_stack_size(cfg) bytes (the
 * struct, net/stack.h, followed by the TCP flow table) and keeps them alive;
 * net_init() carves every pool from them and nothing allocates afterwards. A frame passed to net_input() is borrowed
 * for the call. Frames given to ops->send are gathered from parts borrowed for the
 * duration of that call, except parts marked stable (content-store bytes, which
 * live as long as the process).
 *
 * Driving it (one loop, DESIGN.md): for each received frame net_input(); then
 * next = net_poll(now) runs timers and sends what is due; the app reads and
 * writes flows (net/tcp.h); net_poll() again; sleep until min(next, a frame).
 *
 * Every dropped packet increments a named counter in struct net_stats. */
#ifndef UD_NET_H
#define UD_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/platform.h" /* struct plat_iov: the gather list for frames */

enum net_result {
	NET_OK = 0,
	NET_EAGAIN,   /* no room now (send queue, device queue, pool) */
	NET_EINVAL,   /* a bad argument */
	NET_EUNREACH, /* no route, or address not resolved */
	NET_ENOMEM,   /* a pool or a cap is exhausted */
	NET_ECLOSED,  /* the flow is closed or was reset */
};

/* A TCP segment larger than the MTU for the device to cut into MSS-sized
 * frames (TCP segmentation offload): the frame is one Ethernet + IPv4 + TCP
 * header for all of them and the whole payload; the TCP checksum field holds
 * the pseudo-header sum (virtio's NEEDS_CSUM, which Linux's TAP and virtio-net
 * devices take). */
struct net_gso {
	uint16_t mss;         /* payload bytes per frame */
	uint16_t hdr_len;     /* Ethernet, IPv4 and TCP headers */
	uint16_t csum_start;  /* the TCP header's offset in the frame */
	uint16_t csum_offset; /* the checksum field's offset in the TCP header */
};

struct net_ops {
	void *ctx;
	/* Transmit one frame gathered from (iov, n). Returns false when the device
	 * has no room (the stack counts the drop and, for TCP, retransmits later). */
	bool (*send)(void *ctx, const struct plat_iov *iov, size_t n);
	/* Fill (buf) with unpredictable bytes (ISN secrets, DHCP xids, ports). */
	void (*random)(void *ctx, void *buf, size_t len);
	/* Log a line (no newline), or NULL. */
	void (*log)(void *ctx, const char *msg, size_t len);
	/* Transmit one large TCP segment to be cut by the device (see struct
	 * net_gso), or NULL when the device cannot. */
	bool (*send_gso)(void *ctx, const struct plat_iov *iov, size_t n, const struct net_gso *g);
};

/* An IPv4 or IPv6 address: IPv6's 16 bytes in network order, IPv4 as the
 * IPv4-mapped ::ffff:a.b.c.d (RFC 4291 2.5.5.2), so one type keys every TCP
 * flow whichever family carries it. */
struct net_ip {
	uint8_t b[16];
};

struct net_config {
	uint8_t mac[6];
	uint16_t mtu;       /* IP MTU; 1500 on Ethernet */
	bool dhcp;          /* ask for an address; else the static one below */
	uint32_t addr;      /* IPv4 address, host byte order (0: none yet) */
	uint8_t prefix_len; /* netmask as a prefix length */
	uint32_t gateway;   /* 0: none */
	char hostname[32];  /* sent in DHCP; may be empty */
	/* IPv6 (net/ipv6.h): on with (ipv6); a link-local address always, and
	 * (addr6)/(prefix6) when prefix6 is not 0, with (gw6) as the default
	 * router when not all zero. (secret6): RFC 7217's secret key for the
	 * interface identifiers; all zero takes a random one. */
	bool ipv6;
	bool slaac; /* without a static addr6: a stable privacy address (RFC 7217)
	             * for each router-advertised /64, the router as default */
	uint8_t addr6[16];
	uint8_t prefix6;
	uint8_t gw6[16];
	uint8_t secret6[16];
	/* TCP sizing; 0 takes the default (net/tcp_impl.h). A flow costs its
	 * struct (about 1.4 KiB); rings are lent from two pools only while data
	 * moves (net/tcp_impl.h), so memory is about flows * 1.4 KiB +
	 * tcp_rx_rings * tcp_rx_buf + tcp_copy_rings * tcp_tx_copy. */
	uint32_t tcp_flows;
	uint32_t tcp_rx_buf;     /* bytes per receive ring: the largest window offered */
	uint32_t tcp_tx_copy;    /* bytes per copy ring (headers); at least 16 KiB */
	uint32_t tcp_rx_rings;   /* receive rings shared by all flows */
	uint32_t tcp_copy_rings; /* copy rings shared by all flows */
	/* The largest IPv4 datagram ops.send_gso takes (at most 65535); 0: no
	 * segmentation offload. */
	uint32_t tso_max;
};

struct net_stack; /* net/stack.h */

/* Bytes the stack needs, struct and TCP flow table together, for (cfg). */
size_t net_stack_size(const struct net_config *cfg);
void net_init(struct net_stack *s, const struct net_config *cfg, const struct net_ops *ops,
              uint64_t now);
void net_input(struct net_stack *s, const uint8_t *frame, size_t len, uint64_t now);
/* Run timers and send what is due; returns the monotonic time at which it wants
 * to be called again at the latest. */
uint64_t net_poll(struct net_stack *s, uint64_t now);

/* Every counter, as "layer.name value" lines through (out). */
void net_stats_dump(const struct net_stack *s, void (*out)(void *ctx, const char *line), void *ctx);
/* The network layer's counters an operator watches (reassembly, ARP and
 * neighbour discovery with their caches, the ICMP error buckets), one line a
 * layer: "ip6 rx 12, rx_frags 4, reasm_ok 2, ...", by net_stats_dump's names;
 * the ip6 and nd6 lines only with IPv6. */
void net_stats_brief(const struct net_stack *s, void (*out)(void *ctx, const char *line),
                     void *ctx);

/* Our IPv6 addresses, link-local first, then the global one (when there is
 * one and it passed duplicate address detection); returns how many were
 * written (at most (cap)). */
size_t net_address6(const struct net_stack *s, uint8_t (*addrs)[16], size_t cap);

/* The address in use (after DHCP, the leased one); false while unconfigured. */
bool net_address(const struct net_stack *s, uint32_t *addr, uint8_t *prefix_len, uint32_t *gateway);

/* Cut a large TCP frame (struct net_gso) into frames of at most g->mss payload
 * bytes and pass each to (send), referencing the payload rather than copying it:
 * for a device that cannot, or cannot this once. False when no frame went. */
bool net_gso_cut(const struct plat_iov *iov, size_t n, const struct net_gso *g,
                 bool (*send)(void *ctx, const struct plat_iov *iov, size_t n), void *ctx);

/* Turn segmentation offload off (the device refused a large frame); what was
 * refused is retransmitted in MSS-sized frames. */
void net_disable_tso(struct net_stack *s);

#endif
