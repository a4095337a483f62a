/* SPDX-License-Identifier: MIT */
/* The follow relay (app/relay.h) on our own TCP/IP stack: its upstream is a
 * flow of net/tcp.h, its names resolve through net/dns.h (servers from dns=,
 * else from DHCP option 6), and netsrv hands it the readiness of its flow.
 * What the VM images and `serve --net tap` use.
 *
 * relaynet_start() after the stack and the HTTP glue (netsrv) are set up;
 * relaynet_poll() once per loop turn (and from netsrv when its flow has news). */
#ifndef UD_APP_RELAYNET_H
#define UD_APP_RELAYNET_H

#include "app/netsrv.h"
#include "app/relay.h"
#include "net/dns.h"

struct relaynet {
	struct stream st;
	struct net_stack *s;
	struct tcp_flow *f;
	struct dns dns;
	uint32_t dns_fixed[DNS_MAX_SERVERS]; /* from dns=; none: DHCP's */
	size_t n_dns_fixed;
	void (*log)(void *ctx, const char *msg, size_t len);
	void *log_ctx;
	struct relay relay;
};

/* (r->relay) must hold the URL already (relay_parse_url). (servers) are the
 * dns= servers, or none. (log) takes console lines. */
void relaynet_start(struct relaynet *r, struct app *a, struct net_stack *s, struct netsrv *ns,
                    const uint32_t *servers, size_t n_servers,
                    void (*log)(void *ctx, const char *msg, size_t len), void *log_ctx,
                    uint64_t now);
uint64_t relaynet_poll(struct relaynet *r, uint64_t now);

#endif
