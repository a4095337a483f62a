/* SPDX-License-Identifier: MIT */
/* The unikernel's main: the deck server on our TCP/IP stack, on virtio-net,
 * serving the store linked into the image: the same file on every VM target
 * (pvh, arm64), which reaches the platform only through platform/platform.h.
 * It reads its arguments and hands them to the server (app/server.h), which
 * owns the loop.
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
 *   port=N         the HTTP port (default 80; 443 with TLS)
 *   http_port=N    with TLS: plain HTTP answering 308 to https (default 80;
 *                  0: none)
 *   redirect_port=N  with TLS: the HTTPS port the 308 names (default: port=;
 *                  `unideck run` sets its --port, which forwards to 443)
 *   hsts=0|1       with TLS: Strict-Transport-Security on every response
 *                  (default 1)
 *   tls_conns=N    with TLS: TLS connections at most (default: what a third
 *                  of the heap holds, ktls.h)
 *   tls_handshakes=N  with TLS: handshakes in progress at most (default 128;
 *                  at the cap the oldest gives way)
 *   token=T        the presenter token (default: random, printed at start)
 *   upstream=URL   relay live follow from http://HOST[:PORT]/ (app/relay.h):
 *                  wants the origin's token=; presenting here is refused
 *   dns=A.B.C.D    a name server for upstream='s host (up to 3, comma-
 *                  separated; default: DHCP's option 6)
 *   flows=N        TCP connections at most (default: from the memory there is)
 *   stats=S        a line of counters on the console every S seconds: HTTP,
 *                  TCP (store bytes sent by reference and copied), virtio-net
 *                  (frames, interrupts, notifications); then a line a network
 *                  layer (net_stats_brief): IPv4 and ARP, and with IPv6, IPv6
 *                  (reassembly, ICMPv6 errors sent and rate limited) and
 *                  neighbour discovery (NS/NA in and out, DAD, the cache full
 *                  or recycled), by the names `serve --stats` prints
 *   probe          exit 42 at once: `unideck run`'s check that KVM can boot us
 *   selftest=ready        exit 0 once serving (boot-time measurements, tests)
 *   selftest=fault-store  write to the store: the fault report and W^X, proven
 *                         on the real image
 *
 * HTTPS: when the loader gives a boot module (`unideck run --cert --key`), the
 * image serves HTTPS with it (app/ktls.h): the key is parsed into kernel
 * memory and the module wiped; without entropy, or with a module that does
 * not load, the image stops with a line saying why rather than serve plain
 * HTTP in its place.
 *
 * Memory: everything is carved once from plat_heap() (server_setup): the TLS
 * server and its connections first when there is TLS, then the stack with its
 * flow table, the HTTP connection table and the HTTP buffer pool. Nothing is
 * allocated afterwards. */
#include "app/ktls.h"
#include "app/server.h"
#include "lib/cmdline.h"
#include "lib/hex.h"
#include "lib/ipv4addr.h"
#include "lib/mem.h"
#include "net/ip6text.h"
#include "platform/platform.h"

#define EXIT_PROBE     42
#define EXIT_NO_NIC    10
#define EXIT_NO_STORE  11
#define EXIT_NO_MEMORY 12
#define EXIT_BAD_ARGS  13
#define EXIT_TLS       14
/* A receive ring per flow with data unread: what a server receives is
 * requests, so 8 KiB (the window offered) is plenty, and a burst of
 * connections each with a request in finds rings for four times as many as
 * at 32 KiB. */
#define RX_BUF         (8u * 1024u)
#define COPY_BUF       16384u /* http/stream.h's STREAM_MIN_COPY */
#define MAX_FLOWS      16384u
#define MIN_RINGS      16u
#define MAX_RINGS      4096u
#define MAX_HTTP_BUFS  1024u
#define MIN_FLOWS      16u
#define MAX_STATS_S    86400u

static struct server the_server; /* large (the subscriber table): in bss */
static struct ktls the_tls;
static char token[64];
static bool exit_when_ready;

/* (key)'s value from the loader's command line, else the built-in one. */
static bool arg(const char *key, const char **v, size_t *n)
{
	return cmdline_get(plat_cmdline(), key, v, n) || cmdline_get(plat_image_args(), key, v, n);
}

static bool word(const char *key)
{
	const char *v;
	size_t n;

	return arg(key, &v, &n) && n == 0;
}

static bool on_ready(void *ctx, uint32_t a)
{
	struct server *sv = ctx;
	uint64_t us = plat_uptime_ns() / 1000;

	if (sv->tls) {
		if (sv->port == 443)
			plat_log("unideck: serving at https://%u.%u.%u.%u/ (%lu us after entry)\n",
			         a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, us);
		else
			plat_log("unideck: serving at https://%u.%u.%u.%u:%u/ (%lu us after "
			         "entry)\n",
			         a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, (unsigned)sv->port,
			         us);
		if (sv->http_port)
			plat_log("unideck: redirecting http://%u.%u.%u.%u:%u/ to https (308)\n",
			         a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255,
			         (unsigned)sv->http_port);
	} else if (sv->port == 80)
		plat_log("unideck: serving at http://%u.%u.%u.%u/ (%lu us after entry)\n", a >> 24,
		         a >> 16 & 255, a >> 8 & 255, a & 255, us);
	else
		plat_log("unideck: serving at http://%u.%u.%u.%u:%u/ (%lu us after entry)\n",
		         a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255, (unsigned)sv->port, us);
	plat_log("unideck: present a deck at /DECK/#present=%s\n", token);
	return exit_when_ready;
}

/* Rings of (bytes) for a pool that gets 15% of the (heap), MIN_RINGS to
 * MAX_RINGS, and never more than the (flows). */
static uint32_t rings_for(size_t heap, uint32_t bytes, uint32_t flows)
{
	size_t u = heap / 100 * 15 / server_per_ring(bytes);

	u = u > MAX_RINGS ? MAX_RINGS : u < MIN_RINGS ? MIN_RINGS : u;
	return (uint32_t)(u > flows ? flows : u);
}

int kmain(void)
{
	const char *v, *tv;
	size_t tn;
	struct plat_net_info ni;
	struct server_opts o;
	struct store st;
	const uint8_t *blob;
	uint8_t *heap, raw[16];
	size_t left, n, blob_len;
	uint64_t u, port = 80, stats_s = 0, http_port = 80, tls_conns = 0, tls_hs = 0;
	uint64_t redirect_port = 0;
	enum store_result r;
	bool hsts = true;
	size_t tls_used = 0;
	char err[160];

	if (word("probe"))
		return EXIT_PROBE;
	if (arg("selftest", &v, &n) && n == 11 && memcmp(v, "fault-store", 11) == 0 &&
	    plat_image_store(&blob, &blob_len)) {
		plat_log("unideck: selftest: writing to the store, which must fault\n");
		*(volatile uint8_t *)(uintptr_t)blob = 0;
		plat_log("unideck: selftest: the store is writable!\n");
		return 1;
	}
	exit_when_ready = arg("selftest", &v, &n) && n == 5 && memcmp(v, "ready", 5) == 0;
	plat_net_info(&ni);
	if (!ni.present) {
		plat_log("unideck: no network device: give the VM one virtio-net NIC (QEMU: "
		         "-netdev user,id=n0 -device virtio-net-device,netdev=n0 on microvm "
		         "and arm64 virt, virtio-net-pci on q35)\n");
		return EXIT_NO_NIC;
	}
	if (!plat_image_store(&blob, &blob_len)) {
		plat_log("unideck: this image has no decks in it: build one with "
		         "`unideck build DECKS -o IMAGE.elf`\n");
		return EXIT_NO_STORE;
	}
	if ((r = store_open(&st, blob, blob_len)) != STORE_OK) {
		plat_log("unideck: the store in this image does not open: %s\n",
		         store_result_str(r));
		return EXIT_NO_STORE;
	}

	memset(&o, 0, sizeof o);
	memcpy(o.net.mac, ni.mac, 6);
	o.net.mtu = ni.mtu ? ni.mtu : 1500;
	o.net.tso_max = ni.tso_max;
	o.net.dhcp = true;
	if (arg("ip", &v, &n)) {
		if (!ipv4_parse(v, n, IPV4_PREFIX_OPTIONAL, &o.net.addr, &o.net.prefix_len)) {
			plat_log("unideck: ip=%.*s: want A.B.C.D/N\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		o.net.dhcp = word("dhcp");
	}
	if (arg("gw", &v, &n) && !ipv4_parse(v, n, IPV4_NO_PREFIX, &o.net.gateway, NULL)) {
		plat_log("unideck: gw=%.*s: want A.B.C.D\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	o.net.ipv6 = true;
	o.net.slaac = true;
	if (arg("ip6", &v, &n)) {
		if (!net_ip6_parse(v, n, o.net.addr6, &o.net.prefix6)) {
			plat_log("unideck: ip6=%.*s: want an IPv6 address/N\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		o.net.slaac = false;
	}
	if (arg("gw6", &v, &n) && !net_ip6_parse(v, n, o.net.gw6, NULL)) {
		plat_log("unideck: gw6=%.*s: want an IPv6 address\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	if (arg("slaac", &v, &n)) {
		if (n != 1 || (v[0] != '0' && v[0] != '1')) {
			plat_log("unideck: slaac=%.*s: want 0 or 1\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		o.net.slaac = o.net.slaac && v[0] == '1';
	}
	if (arg("http_port", &v, &n) && (!cmdline_u64(v, n, &http_port) || http_port > 65535)) {
		plat_log("unideck: http_port=%.*s: want 0 to 65535\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	if (arg("redirect_port", &v, &n) &&
	    (!cmdline_u64(v, n, &redirect_port) || !redirect_port || redirect_port > 65535)) {
		plat_log("unideck: redirect_port=%.*s: want 1 to 65535\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	if (arg("hsts", &v, &n)) {
		if (n != 1 || (v[0] != '0' && v[0] != '1')) {
			plat_log("unideck: hsts=%.*s: want 0 or 1\n", (int)n, v);
			return EXIT_BAD_ARGS;
		}
		hsts = v[0] == '1';
	}
	if (arg("tls_conns", &v, &n) &&
	    (!cmdline_u64(v, n, &tls_conns) || tls_conns < 1 || tls_conns > KTLS_CONNS_MAX)) {
		plat_log("unideck: tls_conns=%.*s: want 1 to %u\n", (int)n, v, KTLS_CONNS_MAX);
		return EXIT_BAD_ARGS;
	}
	if (arg("tls_handshakes", &v, &n) &&
	    (!cmdline_u64(v, n, &tls_hs) || tls_hs < 1 || tls_hs > KTLS_CONNS_MAX)) {
		plat_log("unideck: tls_handshakes=%.*s: want 1 to %u\n", (int)n, v, KTLS_CONNS_MAX);
		return EXIT_BAD_ARGS;
	}
	if (arg("port", &v, &n) && (!cmdline_u64(v, n, &port) || !port || port > 65535)) {
		plat_log("unideck: port=%.*s: want 1 to 65535\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	if (arg("stats", &v, &n) &&
	    (!cmdline_u64(v, n, &stats_s) || !stats_s || stats_s > MAX_STATS_S)) {
		plat_log("unideck: stats=%.*s: want seconds, 1 to %u\n", (int)n, v, MAX_STATS_S);
		return EXIT_BAD_ARGS;
	}
	memcpy(o.net.hostname, "unideck", 8);
	o.net.tcp_rx_buf = RX_BUF;
	o.net.tcp_tx_copy = COPY_BUF;
	if (arg("token", &v, &n) && n) {
		if (!app_token_ok(v, n) || n >= sizeof token) {
			plat_log("unideck: token= wants " APP_TOKEN_RULE "\n");
			return EXIT_BAD_ARGS;
		}
		memcpy(token, v, n);
		token[n] = 0;
	} else {
		plat_random(raw, sizeof raw);
		hex_encode(token, raw, sizeof raw);
	}

	if (arg("upstream", &v, &n)) {
		static struct relay probe; /* only to check the URL here */
		enum relay_url_result ur = relay_parse_url(&probe, v, n);
		if (ur != RELAY_URL_OK) {
			plat_log("unideck: upstream=%.*s: %s\n", (int)n, v, relay_url_error(ur));
			return EXIT_BAD_ARGS;
		}
		if (!arg("token", &tv, &tn) || !tn) {
			plat_log("unideck: upstream= wants the origin's token=: a relay checks "
			         "every "
			         "update's MAC with it\n");
			return EXIT_BAD_ARGS;
		}
		o.upstream = v;
		o.upstream_len = n;
	}
	if (arg("dns", &v, &n)) {
		size_t i = 0;
		while (i < n) {
			size_t e = i;
			while (e < n && v[e] != ',')
				e++;
			if (o.n_dns == DNS_MAX_SERVERS ||
			    !ipv4_parse(v + i, e - i, IPV4_NO_PREFIX, &o.dns[o.n_dns++], NULL)) {
				plat_log("unideck: dns=%.*s: want A.B.C.D[,A.B.C.D] (at most %u)\n",
				         (int)n, v, DNS_MAX_SERVERS);
				return EXIT_BAD_ARGS;
			}
			i = e + 1;
		}
	}

	plat_heap((void **)&heap, &left);
	/* TLS first: its connections (most of their memory the engines' record
	 * buffers) from the start of the heap. */
	switch (ktls_setup(&the_tls, heap, left, (uint32_t)tls_conns, (uint32_t)tls_hs,
	                   10000000000ull, 10000000000ull, &tls_used, err, sizeof err)) {
	case KTLS_OK:
		tls_used = (tls_used + 63) & ~(size_t)63;
		heap += tls_used;
		left -= tls_used;
		o.tls = the_tls.ts;
		o.headers = hsts ? KTLS_HSTS_HEADER : NULL;
		o.http_port = (uint16_t)http_port;
		o.redirect_port = (uint16_t)redirect_port;
		if (!arg("port", &v, &n))
			port = 443;
		if (o.http_port == port) {
			plat_log("unideck: http_port=%u is the HTTPS port too\n", (unsigned)port);
			return EXIT_BAD_ARGS;
		}
		plat_log("unideck: TLS: %s, TLS 1.2, %u connections at most (%lu KiB each), %u "
		         "handshakes in progress, entropy from %s, %s\n",
		         tls_server_key_desc(the_tls.ts), the_tls.max_conns,
		         (uint64_t)ktls_per_conn() / 1024, the_tls.max_handshakes,
		         plat_entropy_source(), hsts ? "HSTS on" : "HSTS off");
		break;
	case KTLS_NONE:
		break;
	case KTLS_EMODULE:
	case KTLS_ENOENTROPY:
	case KTLS_ECERT:
	case KTLS_ENOMEM:
		plat_log("unideck: TLS: %s\n", err);
		return EXIT_TLS;
	}
	/* Flows: 55% of the heap, at most MAX_FLOWS, unless flows= says; a flow
	 * costs its structs only, since the rings are lent while data moves
	 * from pools that get 15% each (net/tcp_impl.h); the HTTP input buffers get
	 * 8% (64 at least: slow heads share them, the oldest losing its buffer
	 * to a newcomer). The rest is the stack's state and slack. */
	u = left / 20 * 11 / server_per_flow();
	if (arg("flows", &v, &n) && !cmdline_u64(v, n, &u)) {
		plat_log("unideck: flows=%.*s: want a number\n", (int)n, v);
		return EXIT_BAD_ARGS;
	}
	o.net.tcp_flows = (uint32_t)(u > MAX_FLOWS ? MAX_FLOWS : u < MIN_FLOWS ? MIN_FLOWS : u);
	o.net.tcp_rx_rings = rings_for(left, RX_BUF, o.net.tcp_flows);
	o.net.tcp_copy_rings = rings_for(left, COPY_BUF, o.net.tcp_flows);
	o.port = (uint16_t)port;
	u = left / 100 * 8 / HTTP_BUF_LEN;
	o.http_bufs = (uint32_t)(u > MAX_HTTP_BUFS      ? MAX_HTTP_BUFS
	                         : u < SERVER_HTTP_BUFS ? SERVER_HTTP_BUFS
	                                                : u);
	o.header_timeout_ns = 10000000000ull;
	o.idle_timeout_ns = 60000000000ull;
	o.send_timeout_ns = 60000000000ull;
	o.stats_every_ns = stats_s * 1000000000ull;
	o.token = token;
	o.token_len = strlen(token);
	switch (server_setup(&the_server, &o, &st, heap, left)) {
	case SERVER_OK:
		break;
	case SERVER_ENOMEM:
		plat_log("unideck: %u connections do not fit in memory: give the VM more "
		         "(--mem) or ask for fewer (flows=)\n",
		         o.net.tcp_flows);
		return EXIT_NO_MEMORY;
	case SERVER_EPORT:
		plat_log("unideck: cannot listen on port %u\n", (unsigned)port);
		return EXIT_BAD_ARGS;
	case SERVER_EURL:
		plat_log("unideck: upstream= is not a URL to relay from\n");
		return EXIT_BAD_ARGS;
	}
	plat_log("unideck: %u paths in a %lu KiB store, %u connections, %u+%u rings, %s\n",
	         st.n_entries, (uint64_t)blob_len / 1024, o.net.tcp_flows, o.net.tcp_rx_rings,
	         o.net.tcp_copy_rings,
	         o.net.dhcp ? "asking DHCP for an address" : "static address");
	server_run(&the_server, on_ready, &the_server);
	return 0;
}
