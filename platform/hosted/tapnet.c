/* SPDX-License-Identifier: MIT */
/* The stack on a TAP device: see platform/hosted/tapnet.h. */
#include "platform/hosted/tapnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "app/netsrv.h"
#include "lib/ipv4addr.h"
#include "net/stack.h"
#include "platform/hosted/pcapw.h"
#include "platform/platform.h"

#define FRAME_MAX 1600u
#define RX_BATCH  256
/* The device is opened with IFF_VNET_HDR: every frame, both ways, starts with
 * a virtio-net header, which lets us hand Linux 64 KiB TCP segments to cut
 * (segmentation offload, checksums included). */
#define VNET_HDR  sizeof(struct virtio_net_hdr)

struct tapnet {
	struct tapnet_cfg cfg;
	int fd, ep, sigfd;
	bool stop;
	FILE *pcap;
	struct net_stack *s;
	struct netsrv *ns;
	struct http_server *srv;
	struct hsock_hooks hooks;
	uint64_t tx_full, tso_refused;
	unsigned shown6; /* IPv6 addresses printed (bits, net_address6 order) */
};

/* One frame, after its virtio-net header (all zero: nothing for Linux to do). */
static bool tap_write(struct tapnet *t, const struct virtio_net_hdr *h, const struct plat_iov *iov,
                      size_t n)
{
	struct iovec v[17];
	size_t i;

	if (n > 16)
		return false;
	v[0].iov_base = (void *)(uintptr_t)h;
	v[0].iov_len = VNET_HDR;
	for (i = 0; i < n; i++) {
		v[i + 1].iov_base = (void *)(uintptr_t)iov[i].p;
		v[i + 1].iov_len = iov[i].len;
	}
	if (t->pcap)
		pcapw_frame(t->pcap, plat_clock_wall_ns(), iov, n);
	if (writev(t->fd, v, (int)n + 1) < 0) {
		if (errno == EINVAL && h->gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			/* This kernel will not take our large frames: send MSS-sized
			 * ones from now on (what was refused goes again at the RTO). */
			t->tso_refused++;
			net_disable_tso(t->s);
		}
		t->tx_full++;
		return false;
	}
	return true;
}

static bool tap_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	static const struct virtio_net_hdr none;

	return tap_write(ctx, &none, iov, n);
}

static bool tap_send_gso(void *ctx, const struct plat_iov *iov, size_t n, const struct net_gso *g)
{
	struct virtio_net_hdr h;

	/* Linux's TAP takes the header in the host's byte order (little-endian
	 * on x86) unless told otherwise (TUNSETVNETBE/LE). */
	memset(&h, 0, sizeof h);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	/* The family from the frame's Ethernet type (its first part holds the
	 * Ethernet header). */
	h.gso_type = iov[0].len >= 14 && ((const uint8_t *)iov[0].p)[12] == 0x86 &&
	                             ((const uint8_t *)iov[0].p)[13] == 0xdd
	                     ? VIRTIO_NET_HDR_GSO_TCPV6
	                     : VIRTIO_NET_HDR_GSO_TCPV4;
	h.hdr_len = g->hdr_len;
	h.gso_size = g->mss;
	h.csum_start = g->csum_start;
	h.csum_offset = g->csum_offset;
	return tap_write(ctx, &h, iov, n);
}

static void tap_random(void *ctx, void *buf, size_t len)
{
	uint8_t *b = buf;

	(void)ctx;
	while (len) {
		ssize_t k = getrandom(b, len, 0);
		if (k <= 0)
			abort(); /* getrandom cannot fail for these sizes once booted */
		b += k;
		len -= (size_t)k;
	}
}

static void tap_log(void *ctx, const char *msg, size_t len)
{
	struct tapnet *t = ctx;

	if (!t->cfg.quiet) {
		printf("%.*s\n", (int)len, msg);
		fflush(stdout);
	}
}

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

void tapnet_show_addrs6(struct tapnet *t, const char *what, int port)
{
	uint8_t a[2][16];
	size_t n = net_address6(t->s, a, 2), i;

	for (i = 0; i < n; i++) {
		char text[INET6_ADDRSTRLEN], zone[40] = "", ps[8] = "";
		bool ll = a[i][0] == 0xfe && (a[i][1] & 0xc0) == 0x80;
		if (t->shown6 & (1u << i) || !inet_ntop(AF_INET6, a[i], text, sizeof text))
			continue;
		t->shown6 |= 1u << i;
		if (ll)
			snprintf(zone, sizeof zone, "%%25%s", t->cfg.ifname);
		if (port != 80)
			snprintf(ps, sizeof ps, ":%d", port);
		printf("serving %s at http://[%s%s]%s/ on our own TCP/IP stack (IPv6%s)\n", what,
		       text, zone, ps, ll ? ", link-local" : "");
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

static int open_tap(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (strlen(name) >= IFNAMSIZ) {
		snprintf(err, errlen, "tap:%s: interface names are at most %d bytes", name,
		         IFNAMSIZ - 1);
		close(fd);
		return -1;
	}
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		snprintf(err, errlen,
		         "tap:%s: %s (create it first: ip tuntap add dev %s mode tap; ip link set "
		         "%s up)",
		         name, strerror(errno), name, name);
		close(fd);
		return -1;
	}
	return fd;
}

struct tapnet *tapnet_open(const struct tapnet_cfg *cfg, struct http_server *srv,
                           const struct hsock_hooks *hooks, char *err, size_t errlen)
{
	struct tapnet *t = calloc(1, sizeof *t);
	struct net_config nc;
	struct net_ops ops = {NULL, NULL, NULL, NULL, NULL};
	struct epoll_event e = {.events = EPOLLIN};
	sigset_t mask;
	size_t sz;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->cfg = *cfg;
	t->srv = srv;
	t->hooks = *hooks;
	t->fd = t->ep = t->sigfd = -1;
	memset(&nc, 0, sizeof nc);
	if (cfg->mac) {
		if (!parse_mac(cfg->mac, nc.mac)) {
			snprintf(err, errlen,
			         "--mac wants a unicast address like 02:00:00:00:00:01");
			goto fail;
		}
	} else {
		tap_random(NULL, nc.mac, 6);
		nc.mac[0] =
		        (uint8_t)((nc.mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	}
	nc.mtu = 1500;
	nc.dhcp = cfg->dhcp;
	nc.addr = cfg->addr;
	nc.prefix_len = cfg->prefix_len;
	nc.gateway = cfg->gateway;
	nc.ipv6 = !cfg->no_ipv6;
	nc.slaac = !cfg->prefix6;
	memcpy(nc.addr6, cfg->addr6, 16);
	nc.prefix6 = cfg->prefix6;
	memcpy(nc.gw6, cfg->gw6, 16);
	snprintf(nc.hostname, sizeof nc.hostname, "unideck");
	nc.tcp_flows = cfg->flows ? cfg->flows : 1024;
	if ((t->fd = open_tap(cfg->ifname, err, errlen)) < 0)
		goto fail;
	if (cfg->pcap && !(t->pcap = pcapw_open(cfg->pcap))) {
		snprintf(err, errlen, "%s: %s", cfg->pcap, strerror(errno));
		goto fail;
	}
	sz = net_stack_size(&nc);
	t->s = aligned_alloc(64, (sz + 63) / 64 * 64);
	if (!t->s) {
		snprintf(err, errlen, "out of memory for %u flows", nc.tcp_flows);
		goto fail;
	}
	ops.ctx = t;
	ops.send = tap_send;
	ops.random = tap_random;
	ops.log = tap_log;
	ops.send_gso = tap_send_gso;
	nc.tso_max = 65535;
	if (!cfg->quiet)
		printf("net: tap %s, mac %02x:%02x:%02x:%02x:%02x:%02x, %s\n", cfg->ifname,
		       nc.mac[0], nc.mac[1], nc.mac[2], nc.mac[3], nc.mac[4], nc.mac[5],
		       cfg->dhcp ? "asking DHCP for an address" : "static address");
	net_init(t->s, &nc, &ops, plat_clock_monotonic_ns());
	if (srv) {
		sz = netsrv_size(nc.tcp_flows);
		t->ns = aligned_alloc(64, (sz + 63) / 64 * 64);
		if (!t->ns || !netsrv_init(t->ns, t->s, srv, cfg->port, 1024, nc.tcp_flows)) {
			snprintf(err, errlen, "cannot listen on port %u", cfg->port);
			goto fail;
		}
		t->ns->conn_gone = hooks->conn_gone;
		t->ns->ctx = hooks->ctx;
	}
	t->ep = epoll_create1(EPOLL_CLOEXEC);
	e.data.ptr = &t->fd;
	epoll_ctl(t->ep, EPOLL_CTL_ADD, t->fd, &e);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	t->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	e.data.ptr = &t->sigfd;
	epoll_ctl(t->ep, EPOLL_CTL_ADD, t->sigfd, &e);
	if (hooks->extra_fd >= 0) {
		e.data.ptr = &t->hooks.extra_fd;
		epoll_ctl(t->ep, EPOLL_CTL_ADD, hooks->extra_fd, &e);
	}
	return t;
fail:
	tapnet_close(t);
	return NULL;
}

struct net_stack *tapnet_stack(struct tapnet *t)
{
	return t->s;
}

bool tapnet_references(const struct tapnet *t, const void *p, size_t len)
{
	return tcp_references(t->s, p, len);
}

void tapnet_stop(struct tapnet *t)
{
	t->stop = true;
}

/* Take every frame waiting; false when the device failed. */
static bool drain(struct tapnet *t)
{
	static uint8_t buf[VNET_HDR + FRAME_MAX];
	int i;

	for (i = 0; i < RX_BATCH; i++) {
		ssize_t n = read(t->fd, buf, sizeof buf);
		uint64_t now;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
		if ((size_t)n <= VNET_HDR)
			continue;
		/* No offloads were asked for (TUNSETOFFLOAD), so Linux sends whole
		 * frames with their checksums done: the header says nothing. */
		n -= (ssize_t)VNET_HDR;
		now = plat_clock_monotonic_ns();
		if (t->pcap) {
			struct plat_iov v = {buf + VNET_HDR, (size_t)n, 0};
			pcapw_frame(t->pcap, plat_clock_wall_ns(), &v, 1);
		}
		net_input(t->s, buf + VNET_HDR, (size_t)n, now);
	}
	return true;
}

int tapnet_run(struct tapnet *t)
{
	struct epoll_event ev[8];
	uint64_t next_tick = 0;

	while (!t->stop) {
		uint64_t now = plat_clock_monotonic_ns(), wake = UINT64_MAX, d;
		int n, i, timeout_ms;

		if (t->srv)
			http_server_tick(t->srv, plat_clock_wall_ns());
		if (t->hooks.tick && now >= next_tick)
			next_tick = t->hooks.tick(t->hooks.ctx, now);
		if (t->ns && (d = netsrv_step(t->ns, now)) < wake)
			wake = d;
		if ((d = net_poll(t->s, now)) < wake)
			wake = d;
		/* Output the poll made ready (an ACK opening room) is taken at once. */
		if (t->ns && (d = netsrv_step(t->ns, now)) < wake)
			wake = d;
		if ((d = net_poll(t->s, now)) < wake)
			wake = d;
		if (next_tick < wake)
			wake = next_tick;
		now = plat_clock_monotonic_ns();
		timeout_ms = wake <= now ? 0
		             : wake == UINT64_MAX || wake - now > 1000000000ull
		                     ? 1000
		                     : (int)((wake - now + 999999) / 1000000);
		n = epoll_wait(t->ep, ev, 8, timeout_ms);
		for (i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;
			if (p == &t->fd) {
				if (!drain(t)) {
					fprintf(stderr, "tap %s: %s\n", t->cfg.ifname,
					        strerror(errno));
					return 1;
				}
			} else if (p == &t->sigfd) {
				struct signalfd_siginfo si;
				while (read(t->sigfd, &si, sizeof si) > 0)
					t->stop = true;
			} else if (p == &t->hooks.extra_fd) {
				t->hooks.on_extra(t->hooks.ctx);
			}
		}
	}
	return 0;
}

static void print_line(void *ctx, const char *line)
{
	fprintf(ctx, "%s\n", line);
}

void tapnet_dump_stats(struct tapnet *t, void *file)
{
	net_stats_dump(t->s, print_line, file);
	if (t->ns)
		fprintf(file,
		        "http.accepted %llu\nhttp.refused %llu\nhttp.closed %llu\nhttp.resets "
		        "%llu\n",
		        (unsigned long long)t->ns->stats.accepted,
		        (unsigned long long)t->ns->stats.refused,
		        (unsigned long long)t->ns->stats.closed,
		        (unsigned long long)t->ns->stats.resets);
	if (t->srv) {
		const struct http_stats *h = &t->srv->stats;
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
	fprintf(file, "tap.tx_full %llu\ntap.tso_refused %llu\n", (unsigned long long)t->tx_full,
	        (unsigned long long)t->tso_refused);
}

void tapnet_close(struct tapnet *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	if (t->ep >= 0)
		close(t->ep);
	if (t->sigfd >= 0)
		close(t->sigfd);
	if (t->pcap)
		fclose(t->pcap);
	free(t->ns);
	free(t->s);
	free(t);
}
