/* SPDX-License-Identifier: MIT */
/* The TAP server, a driver of app/server.c's loop: see tools/cli/tapnet.h. */
#include "tools/cli/tapnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "app/server.h"
#include "lib/ipv4addr.h"
#include "net/stack.h"
#include "platform/hosted/pcapw.h"
#include "platform/hosted/plat.h"
#include "platform/hosted/tap.h"
#include "platform/platform.h"

struct tapnet {
	struct server sv; /* large (the app it does not use): calloc'd, never touched */
	struct tapnet_cfg cfg;
	struct hsock_hooks hooks;
	void *mem;
	int sigfd;
	bool stop, dev_open;
	FILE *pcap;
	unsigned shown6; /* IPv6 addresses printed (bits, net_address6 order) */
};

bool tapnet_parse_ip6(const char *s, uint8_t a[16], uint8_t *prefix_len, bool want_prefix)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned p = 128;
	char tail;

	if (n >= sizeof buf || (want_prefix != (slash != NULL)))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET6, buf, a) != 1)
		return false;
	if (slash && (sscanf(slash + 1, "%u%c", &p, &tail) != 1 || p == 0 || p > 128))
		return false;
	if (prefix_len)
		*prefix_len = (uint8_t)p;
	return true;
}

void tapnet_show_addrs6(struct tapnet *t, const char *what, const char *scheme, int port)
{
	uint8_t a[2][16];
	size_t n = net_address6(t->sv.s, a, 2), i;

	for (i = 0; i < n; i++) {
		char text[INET6_ADDRSTRLEN], zone[40] = "", ps[8] = "";
		bool ll = a[i][0] == 0xfe && (a[i][1] & 0xc0) == 0x80;
		if (t->shown6 & (1u << i) || !inet_ntop(AF_INET6, a[i], text, sizeof text))
			continue;
		t->shown6 |= 1u << i;
		if (ll)
			snprintf(zone, sizeof zone, "%%25%s", t->cfg.ifname);
		if (port != (strcmp(scheme, "https") == 0 ? 443 : 80))
			snprintf(ps, sizeof ps, ":%d", port);
		printf("serving %s at %s://[%s%s]%s/ on our own TCP/IP stack (IPv6%s)\n", what,
		       scheme, text, zone, ps, ll ? ", link-local" : "");
		fflush(stdout);
	}
}

bool tapnet_parse_ip(const char *s, uint32_t *addr, uint8_t *prefix_len, bool want_prefix)
{
	return ipv4_parse(s, strlen(s), want_prefix ? IPV4_PREFIX_REQUIRED : IPV4_NO_PREFIX, addr,
	                  prefix_len);
}

static bool parse_mac(const char *s, uint8_t mac[6])
{
	unsigned m[6];
	char tail;
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5], &tail) != 6)
		return false;
	for (i = 0; i < 6; i++) {
		if (m[i] > 255)
			return false;
		mac[i] = (uint8_t)m[i];
	}
	return !(mac[0] & 1);
}

static void on_signal(void *ctx)
{
	struct tapnet *t = ctx;
	struct signalfd_siginfo si;

	while (read(t->sigfd, &si, sizeof si) > 0)
		t->stop = true;
}

/* The options as the server's: what kmain reads from its command line. */
static void server_opts_of(const struct tapnet_cfg *cfg, const uint8_t mac[6],
                           struct server_opts *o)
{
	struct plat_net_info ni;

	plat_net_info(&ni);
	memset(o, 0, sizeof *o);
	memcpy(o->net.mac, mac, 6);
	o->net.mtu = ni.mtu;
	o->net.tso_max = ni.tso_max;
	o->net.dhcp = cfg->dhcp;
	o->net.addr = cfg->addr;
	o->net.prefix_len = cfg->prefix_len;
	o->net.gateway = cfg->gateway;
	o->net.ipv6 = !cfg->no_ipv6;
	o->net.slaac = !cfg->prefix6;
	memcpy(o->net.addr6, cfg->addr6, 16);
	o->net.prefix6 = cfg->prefix6;
	memcpy(o->net.gw6, cfg->gw6, 16);
	snprintf(o->net.hostname, sizeof o->net.hostname, "unideck");
	o->net.tcp_flows = cfg->flows ? cfg->flows : 1024;
	o->port = cfg->port;
	o->tls = cfg->tls;
	if (cfg->tls && cfg->plain) {
		o->http_port = cfg->http_port;
		o->plain = cfg->plain;
	}
}

struct tapnet *tapnet_open(const struct tapnet_cfg *cfg, struct http_server *srv,
                           const struct hsock_hooks *hooks, char *err, size_t errlen)
{
	struct tapnet *t = calloc(1, sizeof *t);
	struct server_hooks sh;
	struct server_opts o;
	uint8_t mac[6];
	sigset_t mask;
	size_t len;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cfg = *cfg;
	t->hooks = *hooks;
	t->sigfd = -1;
	if (cfg->mac) {
		if (!parse_mac(cfg->mac, mac)) {
			snprintf(err, errlen,
			         "--mac wants a unicast address like 02:00:00:00:00:01");
			goto fail;
		}
	} else {
		plat_random(mac, 6);
		mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	}
	if (cfg->pcap && !(t->pcap = pcapw_open(cfg->pcap))) {
		snprintf(err, errlen, "%s: %s", cfg->pcap, strerror(errno));
		goto fail;
	}
	if (!tap_open(cfg->ifname, mac, t->pcap, err, errlen))
		goto fail;
	t->dev_open = true;
	server_opts_of(cfg, mac, &o);
	len = server_size(&o);
	t->mem = aligned_alloc(64, (len + 63) / 64 * 64);
	if (!t->mem) {
		snprintf(err, errlen, "out of memory for %u flows", o.net.tcp_flows);
		goto fail;
	}
	plat_hosted_quiet(cfg->quiet);
	if (!cfg->quiet)
		printf("net: tap %s, mac %02x:%02x:%02x:%02x:%02x:%02x, %s\n", cfg->ifname, mac[0],
		       mac[1], mac[2], mac[3], mac[4], mac[5],
		       cfg->dhcp ? "asking DHCP for an address" : "static address");
	fflush(stdout);
	memset(&sh, 0, sizeof sh);
	sh.tick = hooks->tick;
	sh.conn_gone = hooks->conn_gone;
	sh.ctx = hooks->ctx;
	switch (server_setup_ext(&t->sv, &o, srv, &sh, t->mem, len)) {
	case SERVER_OK:
		break;
	case SERVER_ENOMEM:
		snprintf(err, errlen, "out of memory for %u flows", o.net.tcp_flows);
		goto fail;
	case SERVER_EPORT:
		if (o.http_port && o.http_port == cfg->port)
			snprintf(err, errlen, "--http-port %u is the HTTPS port too", cfg->port);
		else
			snprintf(err, errlen, "cannot listen on port %u", cfg->port);
		goto fail;
	case SERVER_EURL: /* server_setup_ext takes no upstream: the driver runs the relay */
		snprintf(err, errlen, "the upstream URL is not one the relay takes");
		goto fail;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	t->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sigfd < 0 || !tap_watch(t->sigfd, on_signal, t) ||
	    (hooks->extra_fd >= 0 && !tap_watch(hooks->extra_fd, hooks->on_extra, hooks->ctx))) {
		snprintf(err, errlen, "cannot watch signals and files: %s", strerror(errno));
		goto fail;
	}
	return t;
fail:
	tapnet_close(t);
	return NULL;
}

struct net_stack *tapnet_stack(struct tapnet *t)
{
	return t->sv.s;
}

struct netsrv *tapnet_netsrv(struct tapnet *t)
{
	return t->sv.ns;
}

bool tapnet_references(const struct tapnet *t, const void *p, size_t len)
{
	return tcp_references(t->sv.s, p, len);
}

void tapnet_stop(struct tapnet *t)
{
	t->stop = true;
}

int tapnet_run(struct tapnet *t)
{
	server_loop(&t->sv, &t->stop);
	if (tap_error()) {
		fprintf(stderr, "tap %s: %s\n", t->cfg.ifname, strerror(tap_error()));
		return 1;
	}
	return 0;
}

static void print_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

void tapnet_dump_stats(struct tapnet *t, void *file)
{
	const struct netsrv *ns = t->sv.ns;
	struct tap_stats ts;

	net_stats_dump(t->sv.s, print_line, file);
	if (ns)
		fprintf(file,
		        "http.accepted %llu\nhttp.refused %llu\nhttp.closed %llu\nhttp.resets "
		        "%llu\n",
		        (unsigned long long)ns->stats.accepted,
		        (unsigned long long)ns->stats.refused, (unsigned long long)ns->stats.closed,
		        (unsigned long long)ns->stats.resets);
	if (ns && ns->tls)
		fprintf(file, "tls.refused_reset %llu\ntls.deferred %llu\ntls.held %llu\n",
		        (unsigned long long)ns->stats.tls_refused,
		        (unsigned long long)ns->stats.tls_deferred,
		        (unsigned long long)ns->stats.tls_held);
	if (t->sv.rns)
		fprintf(file, "plain.accepted %llu\nplain.refused %llu\nplain.closed %llu\n",
		        (unsigned long long)t->sv.rns->stats.accepted,
		        (unsigned long long)t->sv.rns->stats.refused,
		        (unsigned long long)t->sv.rns->stats.closed);
	if (t->sv.http) {
		const struct http_stats *h = &t->sv.http->stats;
		fprintf(file,
		        "http.requests %llu\nhttp.timeout_header %llu\nhttp.timeout_idle %llu\n"
		        "http.timeout_send %llu\nhttp.uri_too_long %llu\nhttp.header_too_large "
		        "%llu\n"
		        "http.bad_request %llu\nhttp.bytes_ref %llu\nhttp.bytes_copied %llu\n",
		        (unsigned long long)h->requests, (unsigned long long)h->timeout_header,
		        (unsigned long long)h->timeout_idle, (unsigned long long)h->timeout_send,
		        (unsigned long long)h->uri_too_long,
		        (unsigned long long)h->header_too_large, (unsigned long long)h->bad_request,
		        (unsigned long long)h->bytes_ref, (unsigned long long)h->bytes_copied);
	}
	tap_stats(&ts);
	fprintf(file,
	        "tap.tx_full %llu\ntap.tso_refused %llu\ntap.rx_too_long %llu\ntap.rx_short %llu\n",
	        (unsigned long long)ts.tx_full, (unsigned long long)ts.tso_refused,
	        (unsigned long long)ts.rx_too_long, (unsigned long long)ts.rx_short);
}

void tapnet_close(struct tapnet *t)
{
	if (!t)
		return;
	if (t->dev_open)
		tap_close();
	if (t->sigfd >= 0)
		close(t->sigfd);
	if (t->pcap)
		fclose(t->pcap);
	free(t->mem);
	free(t);
}
