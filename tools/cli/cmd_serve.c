/* SPDX-License-Identifier: MIT */
/* `unideck serve DIR|FILE`: preview decks with live reload, or serve a built store. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app/app.h"
#include "app/relaynet.h"
#include "app/tls_redirect.h"
#include "lib/hex.h"
#include "lib/ipv4addr.h"
#include "net/net.h"
#include "platform/hosted/hsock.h"
#include "tools/cli/acme_host.h"
#include "tools/cli/cli.h"
#include "tools/cli/relayks.h"
#include "tools/cli/tapnet.h"
#include "tools/cli/watch.h"
#include "tools/store/build.h"
#include "tools/util/tls_files.h"

static const char help[] =
        "usage: unideck serve DIR|FILE [--host ADDR] [--port N] [options]\n"
        "\n"
        "Given a folder of decks, build it in memory and serve it; rebuild whenever a\n"
        "file changes, and open decks reload themselves. A broken deck shows its error\n"
        "in the browser until it is fixed. Given a store made by `unideck build`,\n"
        "serve that. One thread, epoll, kernel sockets; Ctrl-C stops it.\n"
        "\n"
        "  --host ADDR            address to listen on (default 127.0.0.1; :: for all)\n"
        "  -p, --port N           port (default 8080; 0 picks a free one)\n"
        "  -q, --quiet            print only the address and errors\n"
        "  --without-notes        leave speaker notes out\n"
        "  --header-timeout SEC   time allowed for a request's head (default 10)\n"
        "  --idle-timeout SEC     keep-alive idle time (default 60)\n"
        "  --send-timeout SEC     time a client may stall a response (default 60)\n"
        "\n"
        "HTTPS (TLS 1.2, ECDHE, AES-GCM and ChaCha20-Poly1305, by BearSSL):\n"
        "  --cert FILE            certificate chain, PEM, leaf first (with --key: HTTPS on\n"
        "                         --port, default 8443; 443 with --net)\n"
        "  --key FILE             its private key, PEM (PKCS#8, EC or RSA); never logged\n"
        "  --http-port N          also plain HTTP on N: a 308 to https:// for everything but\n"
        "                         /.well-known/acme-challenge/ (ACME HTTP-01)\n"
        "  --acme-webroot DIR     answer those challenges from DIR/.well-known/acme-challenge/\n"
        "                         (where certbot --webroot writes them)\n"
        "  --no-hsts              no Strict-Transport-Security header on HTTPS responses\n"
        "  --compress-html        send HTML gzip or br over HTTPS too (off by default:\n"
        "                         BREACH, CVE-2013-3587; other files are compressed)\n"
        "  --tls-conns N          TLS connections at most (default 1024)\n"
        "\n"
        "On our own TCP/IP stack instead of kernel sockets (root; the TAP device must\n"
        "exist and be up: ip tuntap add dev NAME mode tap; ip link set NAME up):\n"
        "  --net tap:NAME         frames through TAP device NAME\n"
        "  --ip A.B.C.D/N         a static address (with --gw G for a default route)\n"
        "  --dhcp                 ask a DHCP server for an address instead\n"
        "  --ip6 ADDR/N           IPv6 too (or only): a static address, beside a\n"
        "                         link-local one (with --gw6 G for a default router);\n"
        "                         without it, SLAAC takes what a router advertises\n"
        "  --mac MAC              our MAC address (default: random, locally administered)\n"
        "  --flows N              TCP connections at most (default 1024)\n"
        "  --pcap FILE            record every frame in and out\n"
        "  --stats                print every counter when stopped (kernel sockets too)\n"
        "  (the port defaults to 80 there)\n"
        "\n"
        "Live follow across instances (README, \"Live follow across instances\"):\n"
        "  --upstream URL         relay http://HOST[:PORT]/'s follow state to our followers\n"
        "                         (HOST: IPv4, [IPv6] or a name); wants the origin's --token,\n"
        "                         which checks every update; presenting here is refused (421)\n"
        "  --dns A.B.C.D          with --net: a name server for the upstream's name (up to\n"
        "                         3; default: DHCP's); on kernel sockets the system's\n"
        "                         resolver is asked\n"
        "\n"
        "Certificates by ACME (RFC 8555), obtained and renewed by unideck itself:\n"
        "  --acme URL             the ACME directory (https://...), e.g. Let's Encrypt's\n"
        "  --domain NAME[,NAME]   the names to certify; HTTPS on --port (default 8443),\n"
        "                         HTTP-01 answered on --http-port (default 80)\n"
        "  --acme-ca FILE         trust anchors (PEM) for the ACME server's HTTPS\n"
        "                         (default " ACME_HOST_DEFAULT_CA ")\n"
        "  --state DIR|FILE       where the account key and certificate persist\n"
        "                         (DIR/acme.state; mode 0600; without it, memory only)\n";

#define MAX_RETIRED 16

/* One store in memory: a memfd mapping, so sendfile() can read from it. */
struct mstore {
	struct store st;
	uint8_t *map;
	size_t len;
	int fd;
};

struct serve {
	const char *src;
	bool is_dir, quiet;
	struct build_opts bo;
	struct http_server srv;
	struct app app;
	struct hsock *h;
	struct tapnet *tap;   /* --net: our own stack instead of h */
	const char *upstream; /* --upstream URL, or NULL */
	struct relaynet *rn;  /* --upstream on our stack (--net) */
	struct relayks *rk;   /* --upstream on kernel sockets */
	uint32_t dns[DNS_MAX_SERVERS];
	size_t n_dns;
	bool shown_addr, stats;
	int port;
	const char *token;
	struct mstore cur;
	struct acme_host *acme; /* --acme: the ACME worker, or NULL */
	uint64_t acme_seen;     /* certificates of the worker installed */
	char acme_ka[ACME_HOST_KEYAUTH_MAX];
	struct mstore retired[MAX_RETIRED];
	size_t n_retired;
	struct watch *w;
	uint64_t rebuild_at;
	void *pool;
	/* --cert: TLS on the main port, and with --http-port a plain server that
	 * redirects (its own HTTP server and buffers) */
	struct tls_server *tls;
	struct http_server rsrv;
	struct tls_redirect redir;
	const char *scheme;
	int http_port;
	const char *challenges; /* who answers ACME HTTP-01 on the plain port */
};

#define HSTS_HEADER   "Strict-Transport-Security: max-age=63072000\r\n"
#define REDIRECT_BUFS 64u /* input buffers of the plain redirect server */

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void mstore_drop(struct mstore *m)
{
	if (m->map)
		munmap(m->map, m->len);
	if (m->fd >= 0)
		close(m->fd);
	memset(m, 0, sizeof *m);
	m->fd = -1;
}

/* The build writes the store straight into a new memfd mapping (struct
 * build_opts.alloc), so its bytes exist once, where sendfile() can read them. */
static void *memfd_alloc(void *ctx, size_t len)
{
	struct mstore *m = ctx;
	void *p;

	m->fd = memfd_create("unideck-store", MFD_CLOEXEC);
	if (m->fd < 0 || ftruncate(m->fd, (off_t)(len ? len : 1)) != 0)
		return NULL;
	p = mmap(NULL, len ? len : 1, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	m->map = p;
	m->len = len;
	return p;
}

/* Seal the built mapping read-only and open it as a store. */
static int mstore_open(struct mstore *m, struct diag *d)
{
	enum store_result r;

	mprotect(m->map, m->len, PROT_READ);
	r = store_open(&m->st, m->map, m->len);
	if (r != STORE_OK)
		return diag_fail(d, NULL, 0, "the new store does not open: %s",
		                 store_result_str(r));
	return 0;
}

/* Free retired stores that no queued response points into any more. */
static void reap(struct serve *s)
{
	size_t i = 0;

	while (i < s->n_retired) {
		struct mstore *m = &s->retired[i];
		if (s->tap ? tapnet_references(s->tap, m->map, m->len)
		           : hsock_references(s->h, m->map, m->len)) {
			i++;
			continue;
		}
		mstore_drop(m);
		s->retired[i] = s->retired[--s->n_retired];
	}
}

static void show_error(struct serve *s, const struct diag *d)
{
	char msg[APP_ERR_MAX];

	diag_print(stderr, d);
	/* Every error of the build, as many as the page holds. */
	app_set_error(&s->app, msg, diag_format(d, msg, sizeof msg));
}

/* Build the folder and, when it builds, serve the result from now on. */
static int rebuild(struct serve *s, bool first)
{
	struct build_totals t;
	struct diag d = {0};
	struct mstore m = {.fd = -1};
	uint8_t *blob = NULL;
	size_t len = 0;
	uint64_t t0 = mono_ms();

	memset(&d, 0, sizeof d);
	s->bo.progress = first && !s->quiet ? stdout : NULL;
	s->bo.alloc = memfd_alloc;
	s->bo.alloc_ctx = &m;
	if (build_store(s->src, &s->bo, &blob, &len, &t, &d) != 0 || mstore_open(&m, &d) != 0) {
		mstore_drop(&m);
		show_error(s, &d);
		return -1;
	}
	if (s->cur.map) {
		reap(s);
		if (s->n_retired == MAX_RETIRED) {
			/* Every slot pins a store some slow client still reads: keep serving
			 * the old one rather than free memory under it. */
			mstore_drop(&m);
			fprintf(stderr,
			        "unideck serve: too many old stores in use; rebuild later\n");
			return -1;
		}
		s->retired[s->n_retired++] = s->cur;
	}
	s->cur = m;
	http_server_set_store(&s->srv, &s->cur.st);
	if (s->h)
		hsock_set_store_file(s->h, s->cur.map, s->cur.len, s->cur.fd);
	if (!first) {
		app_reloaded(&s->app);
		if (!s->quiet)
			printf("rebuilt in %llu ms: %zu decks, %zu files\n",
			       (unsigned long long)(mono_ms() - t0), t.decks, t.files);
		fflush(stdout);
	}
	return 0;
}

static void acme_install(struct serve *s);

static uint64_t on_tick(void *ctx, uint64_t now)
{
	struct serve *s = ctx;
	uint64_t next;

	if (s->acme)
		acme_install(s);
	if (s->n_retired)
		reap(s);
	if (s->rebuild_at && now >= s->rebuild_at) {
		s->rebuild_at = 0;
		rebuild(s, false);
	}
	next = app_tick(&s->app, now);
	if (s->rn) {
		uint64_t r = relaynet_poll(s->rn, now);
		if (r < next)
			next = r;
	}
	if (s->rk) {
		uint64_t r = relay_poll(&s->rk->relay, now);
		if (r < next)
			next = r;
	}
	if (s->tap)
		tapnet_show_addrs6(s->tap, s->src, s->scheme, s->port);
	if (s->tap && !s->shown_addr) {
		uint32_t addr;
		if (net_address(tapnet_stack(s->tap), &addr, NULL, NULL)) {
			char url[64];
			s->shown_addr = true;
			snprintf(url, sizeof url, "%s://%u.%u.%u.%u", s->scheme, addr >> 24,
			         addr >> 16 & 255, addr >> 8 & 255, addr & 255);
			if (s->port != (s->tls ? 443 : 80))
				snprintf(url + strlen(url), sizeof url - strlen(url), ":%d",
				         s->port);
			printf("serving %s at %s/ on our own TCP/IP stack (Ctrl-C stops)\n", s->src,
			       url);
			if (s->acme)
				printf("tls: the certificate comes from ACME, TLS 1.2 (the ACME "
				       "client talks through this host's sockets)\n");
			else if (s->tls)
				printf("tls: %s certificate, TLS 1.2%s\n",
				       tls_server_key_desc(s->tls),
				       s->http_port > 0
				               ? ""
				               : "; no plain HTTP port (--http-port N adds one)");
			if (s->http_port > 0)
				printf("redirecting http://%u.%u.%u.%u:%d/ to https (ACME HTTP-01 "
				       "challenges %s)\n",
				       addr >> 24, addr >> 16 & 255, addr >> 8 & 255, addr & 255,
				       s->http_port, s->challenges);
			if (!s->quiet)
				printf("present a deck at %s/DECK/#present=%s\n", url, s->token);
			fflush(stdout);
		}
	}
	if (s->rebuild_at && s->rebuild_at < next)
		next = s->rebuild_at;
	return next < now + 1000000000ull ? next : now + 1000000000ull;
}

static void relay_log(void *ctx, const char *msg, size_t len)
{
	(void)ctx;
	printf("%.*s\n", (int)len, msg);
	fflush(stdout);
}

/* The follow and relay counters, "name value" a line like the others. */
static void dump_follow_stats(const struct serve *s, FILE *f)
{
	const struct app_stats *a = &s->app.stats;

	fprintf(f,
	        "follow.updates %llu\nfollow.forged %llu\nfollow.replayed %llu\nfollow.bad %llu\n"
	        "follow.deferred %llu\nfollow.events_resent %llu\n"
	        "follow.events_sent %llu\nfollow.events_dropped %llu\nfollow.event_copies %llu\n"
	        "follow.slots_full %llu\nfollow.events_held %llu\nrelay.posts_refused "
	        "%llu\nrelay.applied %llu\nrelay.forged %llu\nrelay.stale %llu\nrelay.unknown_deck "
	        "%llu\n",
	        (unsigned long long)a->follow_updates, (unsigned long long)a->follow_forged,
	        (unsigned long long)a->follow_replayed, (unsigned long long)a->follow_bad,
	        (unsigned long long)a->follow_deferred, (unsigned long long)a->events_resent,
	        (unsigned long long)a->events_sent, (unsigned long long)a->events_dropped,
	        (unsigned long long)a->event_copies, (unsigned long long)a->slots_full,
	        (unsigned long long)a->events_held, (unsigned long long)a->relay_posts_refused,
	        (unsigned long long)a->relay_applied, (unsigned long long)a->relay_forged,
	        (unsigned long long)a->relay_stale, (unsigned long long)a->relay_unknown_deck);
	if (s->rn || s->rk) {
		static const struct dns_stats none;
		const struct relay_stats *r = s->rn ? &s->rn->relay.stats : &s->rk->relay.stats;
		const struct dns_stats *d = s->rn ? &s->rn->dns.stats : &none;
		fprintf(f,
		        "relay.connects %llu\nrelay.connect_failed %llu\nrelay.lost %llu\n"
		        "relay.idle_timeouts %llu\nrelay.bad_status %llu\nrelay.bad_response %llu\n"
		        "relay.hellos %llu\nrelay.events %llu\nrelay.bad_events %llu\nrelay.bytes "
		        "%llu\nrelay.resolved %llu\nrelay.resolve_failed %llu\ndns.queries %llu\n"
		        "dns.sent %llu\ndns.timeouts %llu\ndns.answers %llu\ndns.rx_wrong_src "
		        "%llu\n"
		        "dns.rx_wrong_id %llu\ndns.rx_wrong_question %llu\ndns.rx_bad_name %llu\n",
		        (unsigned long long)r->connects, (unsigned long long)r->connect_failed,
		        (unsigned long long)r->lost, (unsigned long long)r->idle_timeouts,
		        (unsigned long long)r->bad_status, (unsigned long long)r->bad_response,
		        (unsigned long long)r->hellos, (unsigned long long)r->events,
		        (unsigned long long)r->bad_events, (unsigned long long)r->bytes,
		        (unsigned long long)r->resolved, (unsigned long long)r->resolve_failed,
		        (unsigned long long)d->queries, (unsigned long long)d->sent,
		        (unsigned long long)d->timeouts, (unsigned long long)d->answers,
		        (unsigned long long)d->rx_wrong_src, (unsigned long long)d->rx_wrong_id,
		        (unsigned long long)d->rx_wrong_question,
		        (unsigned long long)d->rx_bad_name);
	}
}

static void on_watch(void *ctx);

/* The relay's epoll descriptor (kernel sockets): the upstream or the watcher. */
static void on_relay_ready(void *ctx)
{
	struct serve *s = ctx;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	relayks_on_ready(s->rk, (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
}

static void on_watch(void *ctx)
{
	struct serve *s = ctx;
	struct timespec ts;

	if (!watch_read(s->w))
		return;
	/* Editors save in bursts (temp file, rename, chmod): wait for quiet. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	s->rebuild_at = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + 120000000ull;
}

static void on_conn_gone(void *ctx, struct http_conn *c)
{
	struct serve *s = ctx;

	app_conn_gone(&s->app, c);
}

static int load_file(struct serve *s, struct diag *d)
{
	if (store_load_file(s->src, &s->cur.st, (void **)&s->cur.map, &s->cur.len, &s->cur.fd, d) !=
	    0)
		return -1;
	if (s->h)
		hsock_set_store_file(s->h, s->cur.map, s->cur.len, s->cur.fd);
	return 0;
}

/* With --acme, the plain server's HTTP-01 path (RFC 8555 8.3) answers the key
 * authorization the ACME worker published for the token (tls_challenge_fn). */
static bool acme_challenge(void *ctx, const char *token, size_t len, const uint8_t **body,
                           size_t *body_len)
{
	struct serve *s = ctx;

	*body_len = acme_host_challenge(s->acme, token, len, s->acme_ka, sizeof s->acme_ka);
	*body = (const uint8_t *)s->acme_ka;
	return *body_len > 0;
}

/* A certificate the ACME worker took (first, or renewed) goes into the TLS
 * server. Called from the loop's tick. */
static void acme_install(struct serve *s)
{
	static char chain[ACME_HOST_CHAIN_MAX], key[1024];
	size_t cl, kl;
	char why[256];
	uint64_t seen = s->acme_seen;
	int rc;

	if (!acme_host_cert(s->acme, &s->acme_seen, chain, sizeof chain, &cl, key, sizeof key, &kl))
		return;
	rc = tls_server_set_cert(s->tls, (const uint8_t *)chain, cl, (const uint8_t *)key, kl, why,
	                         sizeof why);
	if (rc == TLS_CERT_BUSY)
		s->acme_seen = seen; /* the next tick takes it again */
	else if (rc != 0)
		fprintf(stderr,
		        "unideck serve: acme: the TLS server refused the certificate (the one "
		        "before stays in use): %s\n",
		        why);
	else
		printf("tls: serving the ACME certificate, %s\n", tls_server_key_desc(s->tls));
	fflush(stdout);
	tls_wipe(key, sizeof key);
}

/* A TLS server that has no certificate until ACME gives one (handshakes fail
 * until then; the plain port redirects and answers challenges). */
static struct tls_server *tls_empty(const struct tls_config *tc)
{
	size_t sz = tls_server_size(tc->max_conns);
	void *mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return mem == MAP_FAILED ? NULL : tls_server_init(mem, sz, tc);
}

static int parse_secs(const char *v, uint64_t *ns)
{
	char *end;
	double x = strtod(v, &end);

	if (!v[0] || *end || !(x > 0) || x > 86400)
		return -1;
	*ns = (uint64_t)(x * 1e9);
	return 0;
}

struct serve_args {
	const char *host;
	int port;
	bool port_set;
	const char *token;
	struct http_config cfg;
	struct tapnet_cfg net;
	bool ip_set;
	struct acme_host_opts acme;
	const char *cert, *key, *webroot;
	int http_port;
	bool no_hsts, compress_html;
	uint32_t tls_conns;
};

static int parse_args(struct serve *s, struct serve_args *a, int argc, char **argv)
{
	const char *v;
	uint64_t *tp;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		tp = NULL;
		if ((r = cli_value("serve", argc, argv, &i, "--host", 0, &v)) != 0) {
			a->host = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--port", 'p', &v)) != 0) {
			if (r > 0 && !cli_port(v, &a->port))
				return cli_error("serve", 2, "--port takes 0 to 65535, not '%s'",
				                 v);
			a->port_set = true;
		} else if ((r = cli_value("serve", argc, argv, &i, "--net", 0, &v)) != 0) {
			if (r > 0 && (strncmp(v, "tap:", 4) != 0 || !v[4]))
				return cli_error("serve", 2, "--net takes tap:NAME, not '%s'", v);
			a->net.ifname = r > 0 ? v + 4 : NULL;
		} else if ((r = cli_value("serve", argc, argv, &i, "--ip", 0, &v)) != 0) {
			if (r > 0 && !tapnet_parse_ip(v, &a->net.addr, &a->net.prefix_len, true))
				return cli_error("serve", 2, "--ip takes A.B.C.D/N, not '%s'", v);
			a->ip_set = true;
		} else if ((r = cli_value("serve", argc, argv, &i, "--ip6", 0, &v)) != 0) {
			if (r > 0 && !tapnet_parse_ip6(v, a->net.addr6, &a->net.prefix6, true))
				return cli_error("serve", 2, "--ip6 takes ADDR/N, not '%s'", v);
			a->net.ipv6 = true;
		} else if ((r = cli_value("serve", argc, argv, &i, "--gw6", 0, &v)) != 0) {
			if (r > 0 && !tapnet_parse_ip6(v, a->net.gw6, NULL, false))
				return cli_error("serve", 2,
				                 "--gw6 takes an IPv6 address, not '%s'", v);
			a->net.ipv6 = true;
		} else if ((r = cli_value("serve", argc, argv, &i, "--gw", 0, &v)) != 0) {
			if (r > 0 && !tapnet_parse_ip(v, &a->net.gateway, NULL, false))
				return cli_error("serve", 2, "--gw takes A.B.C.D, not '%s'", v);
		} else if ((r = cli_value("serve", argc, argv, &i, "--mac", 0, &v)) != 0) {
			a->net.mac = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--pcap", 0, &v)) != 0) {
			a->net.pcap = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--flows", 0, &v)) != 0) {
			char *end;
			unsigned long n = strtoul(v, &end, 10);
			if (*end || n < 1 || n > 65536)
				return cli_error("serve", 2, "--flows takes 1 to 65536, not '%s'",
				                 v);
			a->net.flows = (uint32_t)n;
		} else if ((r = cli_value("serve", argc, argv, &i, "--cert", 0, &v)) != 0) {
			a->cert = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--key", 0, &v)) != 0) {
			a->key = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--acme-webroot", 0, &v)) != 0) {
			a->webroot = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--http-port", 0, &v)) != 0) {
			if (r > 0 && !cli_port(v, &a->http_port))
				return cli_error("serve", 2,
				                 "--http-port takes 0 to 65535, not '%s'", v);
			if (r > 0 && a->http_port == 0)
				a->http_port = -1; /* any free port */
		} else if ((r = cli_value("serve", argc, argv, &i, "--tls-conns", 0, &v)) != 0) {
			char *end;
			unsigned long n = strtoul(v, &end, 10);
			if (*end || n < 1 || n > 65536)
				return cli_error("serve", 2,
				                 "--tls-conns takes 1 to 65536, not '%s'", v);
			a->tls_conns = (uint32_t)n;
		} else if (cli_flag(argv[i], "--no-hsts", 0)) {
			a->no_hsts = true;
		} else if (cli_flag(argv[i], "--compress-html", 0)) {
			a->compress_html = true;
		} else if (cli_flag(argv[i], "--dhcp", 0)) {
			a->net.dhcp = true;
		} else if (cli_flag(argv[i], "--stats", 0)) {
			s->stats = true;
		} else if ((r = cli_value("serve", argc, argv, &i, "--upstream", 0, &v)) != 0) {
			static struct relay probe; /* the URL is checked here, used at start */
			enum relay_url_result u = RELAY_URL_OK;
			if (r > 0 && (u = relay_parse_url(&probe, v, strlen(v))) != RELAY_URL_OK)
				return cli_error("serve", 2, "--upstream %s: %s", v,
				                 relay_url_error(u));
			s->upstream = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--dns", 0, &v)) != 0) {
			if (r > 0 &&
			    (s->n_dns == DNS_MAX_SERVERS ||
			     !ipv4_parse(v, strlen(v), IPV4_NO_PREFIX, &s->dns[s->n_dns++], NULL)))
				return cli_error("serve", 2,
				                 "--dns takes A.B.C.D, at most %u times",
				                 DNS_MAX_SERVERS);
		} else if ((r = cli_value("serve", argc, argv, &i, "--token", 0, &v)) != 0) {
			a->token = v;
			if (r > 0 && !app_token_ok(v, strlen(v)))
				return cli_error("serve", 2, "--token wants " APP_TOKEN_RULE);
		} else if ((r = cli_value("serve", argc, argv, &i, "--header-timeout", 0, &v)) !=
		           0) {
			tp = &a->cfg.header_timeout_ns;
		} else if ((r = cli_value("serve", argc, argv, &i, "--idle-timeout", 0, &v)) != 0) {
			tp = &a->cfg.idle_timeout_ns;
		} else if ((r = cli_value("serve", argc, argv, &i, "--send-timeout", 0, &v)) != 0) {
			tp = &a->cfg.send_timeout_ns;
		} else if ((r = cli_value("serve", argc, argv, &i, "--acme", 0, &v)) != 0) {
			a->acme.directory = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--domain", 0, &v)) != 0) {
			a->acme.domains = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--acme-ca", 0, &v)) != 0) {
			a->acme.ca_file = v;
		} else if ((r = cli_value("serve", argc, argv, &i, "--state", 0, &v)) != 0) {
			a->acme.state = v;
		} else if (cli_flag(argv[i], "--quiet", 'q')) {
			s->quiet = true;
		} else if (cli_flag(argv[i], "--without-notes", 0)) {
			s->bo.deck.without_notes = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_error("serve", 2, "unknown option %s (see unideck serve --help)",
			                 argv[i]);
		} else if (!s->src) {
			s->src = argv[i];
		} else {
			return cli_error("serve", 2, "one folder or store at a time");
		}
		if (r < 0)
			return 2;
		if (tp && parse_secs(v, tp) != 0)
			return cli_error("serve", 2, "%s takes seconds, not '%s'", argv[i - 1], v);
	}
	if (!s->src)
		return cli_error("serve", 2, "usage: unideck serve DIR|FILE (see --help)");
	if (a->net.ifname && a->ip_set && a->net.dhcp)
		return cli_error("serve", 2, "--ip and --dhcp exclude each other");
	if (a->net.ifname && !a->ip_set && !a->net.dhcp && !a->net.prefix6)
		return cli_error("serve", 2,
		                 "--net wants an address: --ip A.B.C.D/N, --dhcp or --ip6 ADDR/N");
	if (!a->net.ifname &&
	    (a->ip_set || a->net.dhcp || a->net.gateway || a->net.pcap || a->net.ipv6))
		return cli_error(
		        "serve", 2,
		        "--ip, --gw, --ip6, --gw6, --dhcp and --pcap go with --net tap:NAME");
	if (!a->acme.directory != !a->acme.domains)
		return cli_error("serve", 2, "--acme and --domain go together");
	if (!a->acme.directory && (a->acme.ca_file || a->acme.state))
		return cli_error("serve", 2, "--acme-ca and --state go with --acme");
	if (a->acme.directory && (a->cert || a->webroot))
		return cli_error("serve", 2,
		                 "--acme obtains the certificate itself: not with --cert, --key or "
		                 "--acme-webroot");
	if (s->upstream && !a->token)
		return cli_error("serve", 2,
		                 "--upstream wants the origin's --token: a relay checks every "
		                 "update's MAC with it before passing it on");
	if (s->n_dns && (!s->upstream || !a->net.ifname))
		return cli_error("serve", 2,
		                 "--dns goes with --upstream and --net (on kernel sockets the "
		                 "system's resolver is asked)");
	if (!a->cert != !a->key)
		return cli_error("serve", 2, "--cert and --key go together");
	/* Our stack has no "any free port" to offer, and the plain port cannot
	 * be the HTTPS one. */
	if (a->net.ifname && a->http_port < 0)
		return cli_error("serve", 2, "--net wants an --http-port from 1 to 65535");
	if (!a->cert && !a->acme.directory &&
	    (a->http_port || a->webroot || a->no_hsts || a->tls_conns || a->compress_html))
		return cli_error("serve", 2,
		                 "--http-port, --acme-webroot, --no-hsts, --compress-html and "
		                 "--tls-conns go with --cert and --key or --acme");
	if (a->webroot && !a->http_port)
		return cli_error("serve", 2,
		                 "--acme-webroot answers on the plain port: add --http-port N");
	/* ACME's HTTP-01 comes to port 80 (RFC 8555 8.3): that is where the plain
	 * server answers it unless --http-port says otherwise. */
	if (a->acme.directory && !a->http_port)
		a->http_port = 80;
	if ((a->cert || a->acme.directory) && !a->port_set)
		a->port = a->net.ifname ? 443 : 8443;
	if (a->net.ifname && !a->port_set && !a->cert && !a->acme.directory)
		a->port = 80;
	if (a->net.ifname && a->port == 0)
		return cli_error("serve", 2, "--net wants a port from 1 to 65535");
	if (a->net.ifname && a->http_port == a->port)
		return cli_error("serve", 2, "--http-port %d is the HTTPS port too", a->port);
	return -1;
}

int cmd_serve(int argc, char **argv)
{
	static struct serve s; /* large (the app's subscriber table): not on the stack */
	struct serve_args a;
	struct hsock_hooks hooks = {0};
	struct stat sb;
	struct diag d = {0};
	char err[512];
	int rc;
	size_t pool_len = (size_t)HSOCK_POOL_BUFS * HTTP_BUF_LEN;

	memset(&a, 0, sizeof a);
	a.host = "127.0.0.1";
	a.port = 8080;
	s.cur.fd = -1;
	s.bo.level = 0;
	s.bo.deck.dev = true;
	s.bo.deck.epoch = -1;
	s.bo.deck.data_dir = cli_data_dir();
	a.cfg.header_timeout_ns = 10000000000ull;
	a.cfg.idle_timeout_ns = 60000000000ull;
	a.cfg.send_timeout_ns = 60000000000ull;
	rc = parse_args(&s, &a, argc, argv);
	if (rc >= 0)
		return rc;
	s.scheme = a.cert || a.acme.directory ? "https" : "http";
	if (a.cert || a.acme.directory) {
		struct tls_config tc = {0};
		tc.max_conns = a.tls_conns ? a.tls_conns : TLS_HOSTED_CONNS;
		tc.max_handshakes = TLS_HOSTED_HANDSHAKES;
		tc.handshake_timeout_ns = a.cfg.header_timeout_ns;
		tc.drain_timeout_ns = a.cfg.send_timeout_ns;
		tc.random = tls_files_random;
		if (a.cert)
			s.tls = tls_files_load(a.cert, a.key, &tc, err, sizeof err);
		else if (!(s.tls = tls_empty(&tc)))
			snprintf(err, sizeof err, "out of memory for %u TLS connections",
			         tc.max_conns);
		if (!s.tls)
			return cli_error("serve", 1, "%s", err);
		if (!a.no_hsts)
			a.cfg.headers = HSTS_HEADER;
		a.cfg.identity_html = !a.compress_html;
	}
	if (stat(s.src, &sb) != 0)
		return cli_error("serve", 1, "%s: %s", s.src, strerror(errno));
	s.is_dir = S_ISDIR(sb.st_mode);

	{
		/* Thousands of followers each hold a socket: take every descriptor
		 * the hard limit allows. */
		struct rlimit rl;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
		}
	}
	s.pool = malloc(pool_len);
	if (!s.pool)
		return cli_error("serve", 1, "out of memory");
	a.cfg.route = app_route;
	a.cfg.app = &s.app;
	if (a.acme.directory) {
		s.acme = acme_host_start(&a.acme, err, sizeof err);
		if (!s.acme)
			return cli_error("serve", 2, "%s", err);
	}
	http_server_init(&s.srv, &a.cfg, NULL, s.pool, pool_len);
	{
		uint8_t nonce[16], raw[APP_TOKEN_MIN / 2];
		static char token[APP_TOKEN_MIN + 1];
		if (getrandom(nonce, sizeof nonce, 0) != sizeof nonce ||
		    getrandom(raw, sizeof raw, 0) != sizeof raw)
			return cli_error("serve", 1, "no randomness: %s", strerror(errno));
		app_init(&s.app, &s.srv, nonce);
		if (!a.token) {
			hex_encode(token, raw, sizeof raw);
			a.token = token;
		}
		app_set_token(&s.app, a.token, strlen(a.token));
		/* Event streams may take the connections less a reserve for pages:
		 * of the flow table on TAP, of the descriptors here. */
		if (a.net.ifname) {
			app_set_conns(&s.app, a.net.flows ? a.net.flows : 1024);
		} else {
			struct rlimit rl;
			uint64_t n = HSOCK_MAX_CONNS;
			if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 32)
				n = rl.rlim_cur > 32 ? rl.rlim_cur - 32 : 0;
			app_set_conns(&s.app, (uint32_t)n);
		}
	}

	hooks.tick = on_tick;
	hooks.on_extra = on_watch;
	hooks.conn_gone = on_conn_gone;
	hooks.ctx = &s;
	hooks.extra_fd = -1;
	if (s.is_dir) {
		s.w = watch_open(s.src, &d);
		if (!s.w) {
			diag_print(stderr, &d);
			return 1;
		}
		hooks.extra_fd = watch_fd(s.w);
	}
	s.port = a.port;
	s.token = a.token;
	if (s.tls && a.http_port) {
		struct http_config rc_cfg = a.cfg;
		size_t rl = (size_t)REDIRECT_BUFS * HTTP_BUF_LEN;
		void *rpool = malloc(rl);
		if (!rpool)
			return cli_error("serve", 1, "out of memory");
		rc_cfg.headers = NULL;
		rc_cfg.route = tls_redirect_route;
		rc_cfg.app = &s.redir;
		s.redir.srv = &s.rsrv;
		s.redir.challenge = a.webroot ? tls_files_challenge : NULL;
		s.redir.ctx = (void *)(uintptr_t)a.webroot;
		if (s.acme) {
			s.redir.challenge = acme_challenge;
			s.redir.ctx = &s;
		}
		http_server_init(&s.rsrv, &rc_cfg, NULL, rpool, rl);
		s.challenges = s.acme      ? "answered by the ACME client"
		               : a.webroot ? "from --acme-webroot"
		                           : "answered 404";
	}
	if (a.net.ifname) {
		a.net.port = (uint16_t)a.port;
		a.net.quiet = s.quiet;
		a.net.tls = s.tls;
		if (s.tls && a.http_port > 0) {
			/* The plain port on our stack, as hsock_listen_plain's. */
			a.net.http_port = (uint16_t)a.http_port;
			a.net.plain = &s.rsrv;
			s.redir.https_port = (uint16_t)a.port;
			s.http_port = a.http_port;
		}
		s.tap = tapnet_open(&a.net, &s.srv, &hooks, err, sizeof err);
		if (!s.tap)
			return cli_error("serve", 1, "%s", err);
		if (s.upstream) {
			struct timespec ts;
			s.rn = calloc(1, sizeof *s.rn);
			if (!s.rn)
				return cli_error("serve", 1, "out of memory");
			relay_parse_url(&s.rn->relay, s.upstream, strlen(s.upstream));
			clock_gettime(CLOCK_MONOTONIC, &ts);
			relaynet_start(s.rn, &s.app, tapnet_stack(s.tap), tapnet_netsrv(s.tap),
			               s.dns, s.n_dns, relay_log, NULL,
			               (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
		}
	} else {
		if (s.upstream) {
			/* One epoll descriptor carries the watcher's and the upstream's. */
			s.rk = calloc(1, sizeof *s.rk);
			if (!s.rk || !relayks_init(s.rk, hooks.extra_fd, on_watch, &s))
				return cli_error("serve", 1, "relay: %s", strerror(errno));
			relay_parse_url(&s.rk->relay, s.upstream, strlen(s.upstream));
			hooks.extra_fd = relayks_fd(s.rk);
			hooks.on_extra = on_relay_ready;
		}
		s.h = hsock_open(a.host, a.port, &s.srv, &hooks, err, sizeof err);
		if (!s.h)
			return cli_error("serve", 1, "%s", err);
		if (s.tls) {
			hsock_set_tls(s.h, s.tls);
			s.redir.https_port = (uint16_t)hsock_port(s.h);
		}
		if (s.tls && a.http_port &&
		    (s.http_port =
		             hsock_listen_plain(s.h, a.host, a.http_port < 0 ? 0 : a.http_port,
		                                &s.rsrv, err, sizeof err)) < 0)
			return cli_error("serve", 1, "--http-port: %s", err);
		if (s.rk) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			relayks_start(s.rk, &s.app,
			              (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
		}
	}
	if (s.is_dir) {
		/* A broken deck at start is shown in the browser like any later one. */
		rebuild(&s, true);
	} else if (load_file(&s, &d) != 0) {
		diag_print(stderr, &d);
		return 1;
	} else {
		http_server_set_store(&s.srv, &s.cur.st);
	}
	if (s.tap) {
		rc = tapnet_run(s.tap);
		acme_host_stop(s.acme);
		if (s.stats)
			tapnet_dump_stats(s.tap, stderr);
		if (s.stats && s.tls)
			tls_files_dump_stats(s.tls, stderr);
		if (s.stats)
			dump_follow_stats(&s, stderr);
		tapnet_close(s.tap);
		if (s.w)
			watch_close(s.w);
		if (!s.quiet)
			printf("\nstopped\n");
		return rc;
	}
	printf("serving %s at %s://%s%s%s:%d/%s\n", s.src, s.scheme, strchr(a.host, ':') ? "[" : "",
	       a.host, strchr(a.host, ':') ? "]" : "", hsock_port(s.h),
	       s.is_dir ? " (rebuilds on change; Ctrl-C stops)" : " (Ctrl-C stops)");
	if (s.tls && s.acme)
		printf("tls: the certificate comes from ACME (%s), TLS 1.2, %s\n", a.acme.directory,
		       a.no_hsts ? "no HSTS" : "HSTS on");
	else if (s.tls)
		printf("tls: %s certificate, TLS 1.2, %s%s\n", tls_server_key_desc(s.tls),
		       a.no_hsts ? "no HSTS" : "HSTS on",
		       s.http_port > 0 ? "" : "; no plain HTTP port (--http-port N adds one)");
	if (s.http_port > 0)
		printf("redirecting http://%s%s%s:%d/ to https (ACME HTTP-01 challenges %s)\n",
		       strchr(a.host, ':') ? "[" : "", a.host, strchr(a.host, ':') ? "]" : "",
		       s.http_port, s.challenges);
	if (!s.quiet)
		printf("present a deck at %s://%s%s%s:%d/DECK/#present=%s\n", s.scheme,
		       strchr(a.host, ':') ? "[" : "", a.host, strchr(a.host, ':') ? "]" : "",
		       hsock_port(s.h), a.token);
	fflush(stdout);
	hsock_run(s.h);
	if (s.stats && s.acme)
		acme_host_dump_stats(s.acme, stderr);
	acme_host_stop(s.acme);
	if (s.stats)
		hsock_dump_stats(s.h, stderr);
	if (s.stats && s.tls)
		tls_files_dump_stats(s.tls, stderr);
	if (s.stats)
		dump_follow_stats(&s, stderr);
	hsock_close(s.h);
	if (s.w)
		watch_close(s.w);
	if (!s.quiet)
		printf("\nstopped\n");
	return 0;
}
