/* SPDX-License-Identifier: MIT */
/* A pcap writer (nanosecond timestamps, Ethernet link type): the simulated link
 * and the TAP transport record frames with it, for tcpdump -r or Wireshark. */
#ifndef UD_HOSTED_PCAPW_H
#define UD_HOSTED_PCAPW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "platform/platform.h"

/* Create (path) and write the file header; NULL with errno on failure. */
FILE *pcapw_open(const char *path);
/* One frame gathered from (iov, n), at (t_ns) since the epoch of the capture. */
void pcapw_frame(FILE *f, uint64_t t_ns, const struct plat_iov *iov, size_t n);

#endif
