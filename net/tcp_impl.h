/* SPDX-License-Identifier: MIT */
/* TCP's internal state, embedded in struct net_stack (net/stack.h).
 * (Placeholder until net/tcp*.c lands: the TCP work replaces this file.) */
#ifndef UD_NET_TCP_IMPL_H
#define UD_NET_TCP_IMPL_H

#include <stdint.h>

struct tcp_state {
	uint64_t placeholder;
};

#endif
