/* SPDX-License-Identifier: MIT */
/* The hosted target's network device: a Linux TAP device behind platform.h's
 * plat_net_* calls, and plat_yield_until() as an epoll wait on it, so the
 * loop that runs in a VM (app/server.c) runs in a Linux process unchanged.
 *
 * One device per process, opened by tap_open() (a second open fails): the
 * process is the machine and the TAP device its NIC. It is opened with
 * IFF_VNET_HDR, so every frame both ways starts with a virtio-net header, and
 * large TCP frames (plat_net_send_tso) go to Linux to cut, checksums
 * included. A kernel that refuses them (EINVAL) is remembered: from then on
 * plat_net_send_tso answers PLAT_EINVAL and the caller cuts. A frame longer
 * than the caller's buffer, or shorter than its header, is dropped and
 * counted (rx_too_long, rx_short), never cut.
 *
 * plat_yield_until() sleeps in epoll_wait (to the millisecond, rounded up)
 * until a frame is waiting, a watched descriptor is readable (its callback
 * then runs, from within plat_yield_until), or the deadline. Without a device
 * it sleeps on the watched descriptors alone. */
#ifndef UD_HOSTED_TAP_H
#define UD_HOSTED_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TAP_WATCH_MAX 4

struct tap_stats {
	uint64_t tx_full;     /* a frame Linux would not take now (PLAT_AGAIN) */
	uint64_t tso_refused; /* large frames this kernel refused (EINVAL) */
	uint64_t rx_too_long, rx_short;
};

/* Open TAP device (ifname), which must exist, as the process's NIC with
 * address (mac) and IP MTU 1500. Every frame in and out is also written to
 * (pcap) when not NULL (borrowed until tap_close). False with a message. */
bool tap_open(const char *ifname, const uint8_t mac[6], FILE *pcap, char *err, size_t errlen);
void tap_close(void);
/* Run (fn)(ctx) from plat_yield_until() whenever (fd) is readable. */
bool tap_watch(int fd, void (*fn)(void *ctx), void *ctx);
/* The device failed (read or epoll errors other than "try again"): its errno,
 * or 0. */
int tap_error(void);
void tap_stats(struct tap_stats *st);

#endif
