/* SPDX-License-Identifier: MIT */
/* The unikernel's main: the deck server on our TCP/IP stack, on virtio-net,
 * serving the store linked into the image. Linked only into the PVH image
 * (platform/pvh/kernel.mk); the hosted builds leave it out.
 *
 * Kernel command line (besides the platform's log=, tsc_khz=, ...), read first
 * from the loader, then from the arguments built into the image (`unideck build
 * -o IMAGE.elf --token T --append ...`), so the loader's win:
 *   ip=A.B.C.D/N   a static address (default: DHCP, which QEMU user networking
 *   gw=A.B.C.D     and most clouds offer); the default route
 *   dhcp           ask for an address even with ip= given
 *   ip6=ADDR/N     a static IPv6 address (beside a link-local one, always)
 *   gw6=ADDR       the default IPv6 router
 *   slaac=0|1      without ip6=: take an address from router advertisements
 *                  (RFC 4862, RFC 7217 identifiers; default 1)
 *   port=N         the HTTP port (default 80)
 *   token=T        the presenter token (default: random, printed at start)
 *   flows=N        TCP connections at most (default: from the memory there is)
 *   stats=S        a line of counters on the console every S seconds: HTTP,
 *                  TCP (store bytes sent by reference and copied), virtio-net
 *                  (frames, interrupts, notifications)
 *   probe          exit 42 at once: `unideck run`'s check that KVM can boot us
 *   selftest=ready        exit 0 once serving (boot-time measurements, tests)
 *   selftest=fault-store  write to the store: the fault report and W^X, proven
 *                         on the real image
 *
 * Memory: everything is carved once from plat_heap(): the stack with its flow
 * table, the HTTP connection table and the HTTP buffer pool. Nothing is
 * allocated afterwards. */
#include "app/app.h"
#include "app/netsrv.h"
#include "lib/mem.h"
#include "net/ip6text.h"
#include "net/stack.h"
#include "platform/platform.h"
#include "platform/pvh/boot.h"
#include "platform/pvh/clock.h"
#include "platform/pvh/cmdline.h"
#include "platform/pvh/image.h"
#include "platform/pvh/kprintf.h"
#include "platform/pvh/vnet.h"

#define EXIT_PROBE     42
#define EXIT_NO_NIC    10
#define EXIT_NO_STORE  11
#define EXIT_NO_MEMORY 12
#define EXIT_BAD_ARGS  13
#define RX_BUF         (32u * 1024u)
#define HTTP_BUFS      64u
#define MAX_FLOWS      4096u
#define MIN_FLOWS      16u
#define MAX_STATS_S    86400u

static struct app the_app; /* large (the subscriber table): in bss */
static struct http_server srv;
static uint8_t frame[2048];

/* (key)'s value from the loader's command line, else the built-in one. */
static bool arg(const char *key, const char **v, size_t *n)
{
	return cmdline_get(plat_cmdline(), key, v, n) || cmdline_get(image_args(), key, v, n);
}

static bool word(const char *key)
{
	const char *v;
	size_t n;

	return arg(key, &v, &n) && n == 0;
}

/* "A.B.C.D" with an optional "/N" when (prefix) is given. */
static bool parse_ip(const char *s, size_t n, uint32_t *addr, uint8_t *prefix)
{
	uint32_t a = 0, part = 0;
	unsigned dots = 0, digits = 0;
	size_t i;

	for (i = 0; i < n && s[i] != '/'; i++) {
		if (s[i] == '.') {
			if (!digits || ++dots > 3)
				return false;
			a = a << 8 | part;
			part = 0;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			part = part * 10 + (uint32_t)(s[i] - '0');
			digits++;
			if (part > 255)
				return false;
		} else {
			return false;
		}
	}
	if (dots != 3 || !digits)
		return false;
	*addr = a << 8 | part;
	if (!prefix)
		return i == n;
	*prefix = 32;
	if (i < n) {
		uint64_t p;
		if (!cmdline_u64(s + i + 1, n - i - 1, &p) || p < 1 || p > 32)
			return false;
		*prefix = (uint8_t)p;
	}
	return true;
}

static bool k_send(void *ctx, const struct plat_iov *iov, size_t n)
{
	(void)ctx;
	return plat_net_send(iov, n) == PLAT_OK;
}

/* A large TCP frame to the device; one it cannot take is cut here. */
static bool k_send_gso(void *ctx, const struct plat_iov *iov, size_t n, const struct net_gso *g)
{
	enum plat_result r =
	        plat_net_send_tso(iov, n, g->mss, g->hdr_len, g->csum_start, g->csum_offset);

	if (r == PLAT_OK)
		return true;
	if (r == PLAT_AGAIN)
		return false;
	return net_gso_cut(iov, n, g, k_send, ctx);
}

static void k_random(void *ctx, void *buf, size_t len)
{
	(void)ctx;
	plat_random(buf, len);
}

static void k_log(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	kprintf("%.*s\n", (int)len, msg);
}

static void conn_gone(void *ctx, struct http_conn *c)
{
	app_conn_gone(ctx, c);
}

/* Carve (len) bytes, 64-aligned, from the heap; NULL when it is used up. */
static void *carve(uint8_t **heap, size_t *left, size_t len)
{
	uint8_t *p = (uint8_t *)(((uintptr_t)*heap + 63) & ~(uintptr_t)63);
	size_t skip = (size_t)(p - *heap);

	len = (len + 63) & ~(size_t)63;
	if (skip + len > *left)
		return NULL;
	*heap = p + len;
	*left -= skip + len;
	return p;
}

static void hex(char *out, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = 0;
}

/* stats=S: what an operator watching the console wants to know, in one line. */
static void print_stats(const struct net_stack *s)
{
	const struct http_stats *h = &srv.stats;
	const struct tcp_stats *t = &s->tcp.stats;
	struct vnet_stats v;

	vnet_get_stats(&v);
	kprintf("stats: http %lu requests (%lu 2xx, %lu 304, %lu 4xx, %lu 5xx), %lu connections "
	        "open; tcp %lu accepted, %lu segments, %lu large, %lu retransmitted, store bytes "
	        "%lu by reference, %lu copied; net rx %lu frames, %lu interrupts; tx %lu frames, "
	        "%lu notifications, %lu bytes copied\n",
	        h->requests, h->status_2xx, h->status_304, h->status_4xx, h->status_5xx,
	        h->conns_opened - h->conns_closed, t->accepted, t->tx_segs, t->tso_sends,
	        t->rexmits, t->bytes_ref, t->bytes_copied, v.rx_frames, v.rx_irqs, v.tx_frames,
	        v.tx_notifies, v.tx_copied);
}

int kmain(void)
{
	const char *v;
	struct plat_net_info ni;
	struct net_config cfg;
	struct net_ops ops = {NULL, k_send, k_random, k_log, k_send_gso};
	struct http_config hc;
	struct store st;
	struct net_stack *s;
	struct netsrv *ns;
	const uint8_t *blob;
	uint8_t *heap, nonce[16], raw[12];
	size_t left, n, blob_len;
	uint64_t u, port = 80, stats_s = 0, stats_next = 0;
	char token[64];
	bool announced = false, exit_when_ready;
	unsigned shown6 = 0; /* IPv6 addresses printed, by net_address6 index */
	void *pool;
	enum store_result r;

	if (word("probe"))
		return EXIT_PROBE;
	if (arg("selftest", &v, &n) && n == 11 && memcmp(v, "fault-store", 11) == 0 &&
	    image_store(&blob, &blob_len)) {
		kprintf("unideck: selftest: writing to the store, which must fault\n");
		*(volatile uint8_t *)(uintptr_t)blob = 0;
		kprintf("unideck: selftest: the store is writable!\n");
		return 1;
	}
	exit_when_ready = arg("selftest", &v, &n) && n == 5 && memcmp(v, "ready", 5) == 0;
	plat_net_info(&ni);
	if (!ni.present) {
		kprintf("unideck: no network device: give the VM one virtio-net NIC (QEMU: "
		        "-netdev user,id=n0 -device virtio-net-device,netdev=n0 on microvm, "
		        "virtio-net-pci on q35)\n");
		return EXIT_NO_NIC;
	}
	if (!image_store(&blob, &blob_len)) {
		kprintf("unideck: this image has no decks in it: build one with "
		        "`unideck build DECKS -o IMAGE.elf`\n");
		return EXIT_NO_STORE;
	}
	if ((r = store_open(&st, blob, blob_len)) != STORE_OK) {
		kprintf("unideck: the store in this image does not open: %s\n",
		        store_result_str(r));
		return EXIT_NO_STORE;
	}

	memset(&cfg, 0, sizeof cfg);
	memcpy(cfg.mac, ni.mac, 6);
	cfg.mtu = ni.mtu ? ni.mtu : 1500;
	cfg.tso_max = ni.tso_max;
	cfg.dhcp = true;
	if (arg("ip", &v, &n)) {
		if (!parse_ip(v, n, &cfg.addr, &cfg.prefix_len)) {
			kprintf("unideck: ip=%.*s: want A.B.C.D/N\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		cfg.dhcp = word("dhcp");
	}
	if (arg("gw", &v, &n) && !parse_ip(v, n, &cfg.gateway, NULL)) {
		kprintf("unideck: gw=%.*s: want A.B.C.D\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	cfg.ipv6 = true;
	cfg.slaac = true;
	if (arg("ip6", &v, &n)) {
		if (!net_ip6_parse(v, n, cfg.addr6, &cfg.prefix6)) {
			kprintf("unideck: ip6=%.*s: want an IPv6 address/N\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		cfg.slaac = false;
	}
	if (arg("gw6", &v, &n) && !net_ip6_parse(v, n, cfg.gw6, NULL)) {
		kprintf("unideck: gw6=%.*s: want an IPv6 address\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	if (arg("slaac", &v, &n)) {
		if (n != 1 || (v[0] != '0' && v[0] != '1')) {
			kprintf("unideck: slaac=%.*s: want 0 or 1\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		cfg.slaac = cfg.slaac && v[0] == '1';
	}
	if (arg("port", &v, &n) && (!cmdline_u64(v, n, &port) || !port || port > 65535)) {
		kprintf("unideck: port=%.*s: want 1 to 65535\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	if (arg("stats", &v, &n) &&
	    (!cmdline_u64(v, n, &stats_s) || !stats_s || stats_s > MAX_STATS_S)) {
		kprintf("unideck: stats=%.*s: want seconds, 1 to %u\n", (int)n, v, MAX_STATS_S);
		return EXIT_BAD_ARGS;
	}
	memcpy(cfg.hostname, "unideck", 8);
	cfg.tcp_rx_buf = RX_BUF;

	plat_heap((void **)&heap, &left);
	/* Flows: half the heap, at most MAX_FLOWS, unless flows= says. */
	{
		size_t per =
		        sizeof(struct tcp_flow) + RX_BUF + TCP_DEFAULT_COPY + sizeof(struct nsconn);
		u = left / 2 / per;
		if (arg("flows", &v, &n) && !cmdline_u64(v, n, &u)) {
			kprintf("unideck: flows=%.*s: want a number\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		cfg.tcp_flows = (uint32_t)(u > MAX_FLOWS   ? MAX_FLOWS
		                           : u < MIN_FLOWS ? MIN_FLOWS
		                                           : u);
	}
	/* What set-up and the first connections write lies together at the
	 * start: the server's state and first connections, the first HTTP
	 * buffers, the stack's own state, its hash heads and first flows and
	 * their buffers; the rest of the flows' buffers (most of the heap) after.
	 * Each page first touched is a fault for the hypervisor to fill, and each
	 * new 2 MiB a huge page to find and clear: up to 4.7 ms apiece on a busy
	 * host, where the first request used to wait for two. */
	ns = carve(&heap, &left, netsrv_size(cfg.tcp_flows));
	pool = carve(&heap, &left, (size_t)HTTP_BUFS * HTTP_BUF_LEN);
	s = carve(&heap, &left, net_stack_size(&cfg));
	if (!s || !ns || !pool) {
		kprintf("unideck: %u connections do not fit in memory: give the VM more "
		        "(--mem) or ask for fewer (flows=)\n",
		        cfg.tcp_flows);
		return EXIT_NO_MEMORY;
	}

	memset(&hc, 0, sizeof hc);
	hc.header_timeout_ns = 10000000000ull;
	hc.idle_timeout_ns = 60000000000ull;
	hc.send_timeout_ns = 60000000000ull;
	hc.route = app_route;
	hc.app = &the_app;
	http_server_init(&srv, &hc, &st, pool, (size_t)HTTP_BUFS * HTTP_BUF_LEN);
	plat_random(nonce, sizeof nonce);
	app_init(&the_app, &srv, nonce);
	if (arg("token", &v, &n) && n) {
		if (n < 8 || n >= sizeof token) {
			kprintf("unideck: token= wants 8 to %u characters\n",
			        (unsigned)sizeof token - 1);
			return EXIT_BAD_ARGS;
		}
		memcpy(token, v, n);
		token[n] = 0;
	} else {
		plat_random(raw, sizeof raw);
		hex(token, raw, sizeof raw);
	}
	app_set_token(&the_app, token, strlen(token));

	net_init(s, &cfg, &ops, plat_clock_monotonic_ns());
	if (!netsrv_init(ns, s, &srv, (uint16_t)port, 1024, cfg.tcp_flows)) {
		kprintf("unideck: cannot listen on port %u\n", (unsigned)port);
		return EXIT_BAD_ARGS;
	}
	ns->conn_gone = conn_gone;
	ns->ctx = &the_app;
	kprintf("unideck: %u paths in a %lu KiB store, %u connections, %s\n", st.n_entries,
	        (uint64_t)blob_len / 1024, cfg.tcp_flows,
	        cfg.dhcp ? "asking DHCP for an address" : "static address");

	for (;;) {
		uint64_t now, next, d;
		size_t len;

		while (plat_net_recv(frame, sizeof frame, &len) == PLAT_OK)
			net_input(s, frame, len, plat_clock_monotonic_ns());
		now = plat_clock_monotonic_ns();
		http_server_tick(&srv, plat_clock_wall_ns());
		next = app_tick(&the_app, now);
		if ((d = netsrv_step(ns, now)) < next)
			next = d;
		if ((d = net_poll(s, now)) < next)
			next = d;
		/* What the poll made ready (ACKs opening room) is taken at once. */
		if ((d = netsrv_step(ns, now)) < next)
			next = d;
		if ((d = net_poll(s, now)) < next)
			next = d;
		if (stats_s) {
			if (now >= stats_next) {
				if (stats_next)
					print_stats(s);
				stats_next = now + stats_s * 1000000000ull;
			}
			if (stats_next < next)
				next = stats_next;
		}
		{
			/* Each IPv6 address once it passed DAD, as a bracketed URL. */
			uint8_t a6[2][16];
			size_t k, n6 = net_address6(s, a6, 2);
			for (k = 0; k < n6; k++) {
				char txt[NET_IP6_TEXT], pt6[8] = "";
				bool ll = a6[k][0] == 0xfe && (a6[k][1] & 0xc0) == 0x80;
				if (shown6 & (1u << k))
					continue;
				shown6 |= 1u << k;
				net_ip6_format(a6[k], txt);
				if (port != 80)
					ksnprintf(pt6, sizeof pt6, ":%u", (unsigned)port);
				kprintf("unideck: IPv6: serving at http://[%s]%s/%s\n", txt, pt6,
				        ll ? " (link-local: a client adds %25ITS-INTERFACE)" : "");
			}
		}
		if (!announced) {
			uint32_t a;
			uint8_t pl;
			if (net_address(s, &a, &pl, NULL)) {
				uint64_t khz = clock_tsc_khz(), t;
				uint32_t lo, hi;
				__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
				t = (uint64_t)hi << 32 | lo;
				announced = true;
				char pt[8] = "";
				if (port != 80)
					ksnprintf(pt, sizeof pt, ":%u", (unsigned)port);
				kprintf("unideck: serving at http://%u.%u.%u.%u%s/ (%lu us after "
				        "entry)\n",
				        a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, pt,
				        khz ? (t - boot_entry_tsc()) * 1000 / khz : 0);
				kprintf("unideck: present a deck at /DECK/?present=%s\n", token);
				if (exit_when_ready)
					return 0;
			}
		}
		plat_yield_until(next);
	}
}
