/* SPDX-License-Identifier: MIT */
/* The TAP server: our own TCP/IP stack in a Linux process, a thin driver of
 * the VM image's loop (app/server.c) over the hosted target's network device
 * (platform/hosted/tap.c, platform.h's plat_net_* on /dev/net/tun).
 *
 * tapnet_open() turns the options into the server's (struct server_opts),
 * opens the device and sets the server up around the caller's HTTP server
 * (server_setup_ext), so the deck server runs on app/netsrv.c exactly as in
 * the VM image; without one (srv NULL) the caller drives the stack from its
 * tick hook (the `unideck get` client). tapnet_run() is server_loop(), with
 * SIGINT, SIGTERM and the hooks' extra descriptor watched by the device's
 * plat_yield_until(). The TAP device must exist and be up on the Linux side
 * (`ip tuntap add dev NAME mode tap`); Linux's own stack is then our peer on
 * it. One per process (the device is the process's NIC).
 *
 * tapnet_run() returns on SIGINT or SIGTERM, or after tapnet_stop(); 1 when the
 * device failed. */
#ifndef UD_TOOLS_CLI_TAPNET_H
#define UD_TOOLS_CLI_TAPNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "platform/hosted/hsock.h"

struct tapnet_cfg {
	const char *ifname;
	bool dhcp;
	uint32_t addr; /* host byte order, with prefix_len; when not dhcp */
	uint8_t prefix_len;
	uint32_t gateway;
	uint16_t port;    /* HTTP port (80) when serving */
	uint32_t flows;   /* TCP flows (and HTTP connections) */
	const char *pcap; /* record every frame here, or NULL */
	const char *mac;  /* "02:..." or NULL for a random local one */
	bool quiet;
	/* IPv6 (net/ipv6.h), on unless (no_ipv6): a link-local address, and
	 * the static (addr6)/(prefix6) with router (gw6) when given, else
	 * SLAAC from whatever router advertises a prefix. */
	bool no_ipv6;
	bool ipv6; /* set by --ip6/--gw6 (on anyway unless no_ipv6) */
	uint8_t addr6[16], gw6[16];
	uint8_t prefix6;        /* 0: no static address */
	struct tls_server *tls; /* HTTPS on (port) (http/tls.h), or NULL */
	/* With (tls): plain HTTP on (http_port), when not 0, answered by
	 * (plain) (a tls_redirect server: the 308 and ACME's HTTP-01 path). */
	uint16_t http_port;
	struct http_server *plain;
};

struct tls_server;
struct tapnet;

struct tapnet *tapnet_open(const struct tapnet_cfg *cfg, struct http_server *srv,
                           const struct hsock_hooks *hooks, char *err, size_t errlen);
struct net_stack *tapnet_stack(struct tapnet *t);
/* The HTTP glue on the stack (NULL without a server): the follow relay hooks
 * its upstream flow's readiness there (app/relaynet.h). */
struct netsrv *tapnet_netsrv(struct tapnet *t);
/* Whether any queued TCP reference still points into [p, p + len). */
bool tapnet_references(const struct tapnet *t, const void *p, size_t len);
int tapnet_run(struct tapnet *t);
void tapnet_stop(struct tapnet *t);
/* Print every counter of the stack (and the HTTP glue, TLS's hold on
 * accepts among them) to (f). */
void tapnet_dump_stats(struct tapnet *t, void *file);
void tapnet_close(struct tapnet *t);

/* Print "serving WHAT at SCHEME://[ADDR]:PORT/ ..." once for each IPv6 address
 * as it becomes usable (after duplicate address detection); link-local ones
 * with the interface as their zone (RFC 6874: %25NAME). */
void tapnet_show_addrs6(struct tapnet *t, const char *what, const char *scheme, int port);
/* "X:Y::Z" or "X:Y::Z/N" to 16 bytes; false when malformed. */
bool tapnet_parse_ip6(const char *s, uint8_t a[16], uint8_t *prefix_len, bool want_prefix);
/* "A.B.C.D" or "A.B.C.D/N" to host order; false when malformed. */
bool tapnet_parse_ip(const char *s, uint32_t *addr, uint8_t *prefix_len, bool want_prefix);

#endif
