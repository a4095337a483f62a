/* SPDX-License-Identifier: MIT */
/* `unideck get`: fetch a URL over our own TCP/IP stack on a TAP device. A
 * diagnostic client (is the network there, does our TCP talk to that server)
 * and the test of the stack's active open against Linux. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/net.h"
#include "net/tcp.h"
#include "tools/cli/cli.h"
#include "tools/cli/tapnet.h"

static const char help[] =
        "usage: unideck get --net tap:NAME (--ip A.B.C.D/N [--gw G] | --dhcp) URL [-o FILE]\n"
        "\n"
        "Fetch http://A.B.C.D[:PORT]/PATH with HTTP/1.0 over our own TCP/IP stack on\n"
        "the TAP device NAME, and write the response body to FILE (default: stdout).\n"
        "Prints the status line and the byte count on stderr; exits 0 on a 2xx status.\n"
        "\n"
        "  --timeout SEC          give up after SEC seconds (default 60)\n"
        "  --pcap FILE            record every frame in and out\n"
        "  --mac MAC              our MAC address (default: random)\n";

struct get {
	struct tapnet *t;
	uint32_t addr;
	uint16_t port;
	char req[1200];
	size_t req_len;
	struct tcp_flow *f;
	bool sent, in_body, done, failed;
	FILE *out;
	char head[8192];
	size_t head_len;
	uint64_t body, deadline;
	int status;
};

static uint64_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void take(struct get *g, const uint8_t *p, size_t n)
{
	if (g->in_body) {
		g->body += n;
		fwrite(p, 1, n, g->out);
		return;
	}
	while (n && !g->in_body) {
		char *end;
		if (g->head_len == sizeof g->head) {
			g->failed = true;
			return;
		}
		g->head[g->head_len++] = (char)*p++;
		n--;
		if (g->head_len >= 4 && memcmp(g->head + g->head_len - 4, "\r\n\r\n", 4) == 0) {
			g->in_body = true;
			g->head[g->head_len] = 0;
			end = strstr(g->head, "\r\n");
			if (sscanf(g->head, "HTTP/%*d.%*d %d", &g->status) != 1)
				g->failed = true;
			fprintf(stderr, "%.*s\n", (int)(end - g->head), g->head);
		}
	}
	if (n)
		take(g, p, n);
}

static uint64_t tick(void *ctx, uint64_t now)
{
	struct get *g = ctx;
	struct net_stack *s = tapnet_stack(g->t);
	uint8_t buf[16384];
	bool eof = false;
	size_t n;

	if (now > g->deadline) {
		fprintf(stderr, "unideck get: timed out\n");
		g->failed = true;
		tapnet_stop(g->t);
		return now;
	}
	if (!g->f) {
		if (!net_address(s, NULL, NULL, NULL))
			return now + 10000000ull;
		g->f = tcp_connect(s, g->addr, g->port, now);
		if (!g->f) {
			fprintf(stderr, "unideck get: cannot open a connection\n");
			g->failed = true;
			tapnet_stop(g->t);
		}
		return now + 1000000ull;
	}
	if (tcp_failed(g->f)) {
		fprintf(stderr, "unideck get: connection refused or reset\n");
		g->failed = true;
		tapnet_stop(g->t);
		return now;
	}
	if (!g->sent && tcp_established(g->f) && tcp_can_write(g->f, g->req_len, 0)) {
		tcp_write_copy(g->f, g->req, g->req_len);
		g->sent = true;
	}
	while ((n = tcp_read(g->f, buf, sizeof buf, &eof)) > 0)
		take(g, buf, n);
	if (eof) {
		g->done = true;
		tapnet_stop(g->t);
	}
	/* Driven by the loop's own wake-ups too; poll the flow at least each ms. */
	return now + 1000000ull;
}

int cmd_get(int argc, char **argv)
{
	static struct get g;
	struct tapnet_cfg cfg;
	struct hsock_hooks hooks;
	const char *url = NULL, *outp = NULL, *v;
	char host[64], path[1024], err[512];
	unsigned port = 80;
	bool ip_set = false;
	double timeout = 60;
	int i, r;

	memset(&cfg, 0, sizeof cfg);
	memset(&hooks, 0, sizeof hooks);
	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		if ((r = cli_value("get", argc, argv, &i, "--net", 0, &v)) != 0) {
			if (r > 0 && (strncmp(v, "tap:", 4) != 0 || !v[4]))
				return cli_error("get", 2, "--net takes tap:NAME, not '%s'", v);
			cfg.ifname = r > 0 ? v + 4 : NULL;
		} else if ((r = cli_value("get", argc, argv, &i, "--ip", 0, &v)) != 0) {
			if (r > 0 && !tapnet_parse_ip(v, &cfg.addr, &cfg.prefix_len, true))
				return cli_error("get", 2, "--ip takes A.B.C.D/N, not '%s'", v);
			ip_set = true;
		} else if ((r = cli_value("get", argc, argv, &i, "--gw", 0, &v)) != 0) {
			if (r > 0 && !tapnet_parse_ip(v, &cfg.gateway, NULL, false))
				return cli_error("get", 2, "--gw takes A.B.C.D, not '%s'", v);
		} else if ((r = cli_value("get", argc, argv, &i, "--mac", 0, &v)) != 0) {
			cfg.mac = v;
		} else if ((r = cli_value("get", argc, argv, &i, "--pcap", 0, &v)) != 0) {
			cfg.pcap = v;
		} else if ((r = cli_value("get", argc, argv, &i, "--output", 'o', &v)) != 0) {
			outp = v;
		} else if ((r = cli_value("get", argc, argv, &i, "--timeout", 0, &v)) != 0) {
			timeout = r > 0 ? strtod(v, NULL) : 0;
			if (r > 0 && !(timeout > 0 && timeout < 86400))
				return cli_error("get", 2, "--timeout takes seconds, not '%s'", v);
		} else if (cli_flag(argv[i], "--dhcp", 0)) {
			cfg.dhcp = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_error("get", 2, "unknown option %s (see unideck get --help)",
			                 argv[i]);
		} else if (!url) {
			url = argv[i];
		} else {
			return cli_error("get", 2, "one URL at a time");
		}
		if (r < 0)
			return 2;
	}
	if (!url || !cfg.ifname || ip_set == cfg.dhcp)
		return cli_error("get", 2,
		                 "usage: unideck get --net tap:NAME (--ip A/N | --dhcp) URL");
	path[0] = '/';
	path[1] = 0;
	if (sscanf(url, "http://%63[0-9.]:%u%1023s", host, &port, path) < 2 &&
	    sscanf(url, "http://%63[0-9.]%1023s", host, path) < 1)
		return cli_error("get", 2, "'%s' is not http://A.B.C.D[:PORT]/PATH", url);
	if (!tapnet_parse_ip(host, &g.addr, NULL, false) || port < 1 || port > 65535 ||
	    path[0] != '/')
		return cli_error("get", 2, "'%s' is not http://A.B.C.D[:PORT]/PATH", url);
	g.port = (uint16_t)port;
	g.req_len = (size_t)snprintf(
	        g.req, sizeof g.req,
	        "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: unideck-get\r\n\r\n", path, host);
	g.out = outp ? fopen(outp, "wb") : stdout;
	if (!g.out)
		return cli_error("get", 1, "%s: %s", outp, strerror(errno));
	g.deadline = mono() + (uint64_t)(timeout * 1e9);
	cfg.quiet = true;
	cfg.flows = 4;
	hooks.tick = tick;
	hooks.ctx = &g;
	hooks.extra_fd = -1;
	g.t = tapnet_open(&cfg, NULL, &hooks, err, sizeof err);
	if (!g.t)
		return cli_error("get", 1, "%s", err);
	tapnet_run(g.t);
	if (g.f)
		tcp_close(g.f);
	tapnet_close(g.t);
	if (outp)
		fclose(g.out);
	else
		fflush(stdout);
	fprintf(stderr, "%llu bytes\n", (unsigned long long)g.body);
	return g.done && !g.failed && g.status >= 200 && g.status < 300 ? 0 : 1;
}
