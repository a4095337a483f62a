/* SPDX-License-Identifier: MIT */
/* The relay on our TCP/IP stack (app/relaynet.h). */
#include "app/relaynet.h"

#include "lib/mem.h"
#include "net/stack.h"
#include "net/tcp.h"

static struct relaynet *of(struct stream *st)
{
	return (struct relaynet *)(void *)((uint8_t *)st - offsetof(struct relaynet, st));
}

static size_t op_recv(struct stream *st, uint8_t *buf, size_t cap, bool *eof)
{
	struct relaynet *r = of(st);

	return r->f ? tcp_read(r->f, buf, cap, eof) : 0;
}

static bool op_can_send(struct stream *st, size_t copy_bytes, unsigned copies, unsigned refs)
{
	struct relaynet *r = of(st);

	return r->f && tcp_can_write(r->f, copy_bytes, refs + (copies > 1 ? copies - 1 : 0));
}

static void op_send_copy(struct stream *st, const void *p, size_t len)
{
	tcp_write_copy(of(st)->f, p, len);
}

static void op_send_ref(struct stream *st, const void *p, size_t len)
{
	tcp_write_ref(of(st)->f, p, len);
}

static uint64_t op_unsent(struct stream *st)
{
	struct relaynet *r = of(st);

	return r->f ? tcp_unacked(r->f) : 0;
}

static void op_close(struct stream *st, bool graceful)
{
	struct relaynet *r = of(st);

	if (!r->f)
		return;
	tcp_set_user(r->f, NULL);
	if (graceful)
		tcp_close(r->f);
	else
		tcp_abort(r->f);
	r->f = NULL;
}

static void op_wake(struct stream *st)
{
	(void)st; /* the relay polls itself every turn */
}

static const struct stream_ops flow_ops = {
        op_recv, op_can_send, op_send_copy, op_send_ref, op_unsent, op_close, op_wake, NULL,
};

static struct stream *d_open(void *ctx, const uint8_t addr[16], uint16_t port, uint64_t now)
{
	struct relaynet *r = ctx;

	if (r->f)
		op_close(&r->st, false);
	r->f = tcp_connect6(r->s, addr, port, now);
	if (!r->f)
		return NULL;
	tcp_set_user(r->f, r);
	return &r->st;
}

static enum relay_conn d_state(void *ctx, struct stream *st)
{
	struct relaynet *r = ctx;

	(void)st;
	if (!r->f || tcp_failed(r->f))
		return RELAY_CONN_FAILED;
	return tcp_established(r->f) ? RELAY_CONN_UP : RELAY_CONN_PENDING;
}

static bool d_resolve_start(void *ctx, const char *name, size_t len, bool aaaa, uint64_t now)
{
	struct relaynet *r = ctx;

	/* dns= wins; else whatever the current DHCP lease named. */
	if (r->n_dns_fixed)
		dns_set_servers(&r->dns, r->dns_fixed, r->n_dns_fixed);
	else
		dns_set_servers(&r->dns, r->s->dhcp.dns, r->s->dhcp.n_dns);
	return dns_query(&r->dns, name, len, aaaa ? DNS_TYPE_AAAA : DNS_TYPE_A, now);
}

static int d_resolve_result(void *ctx, uint8_t addr[16], const char **why)
{
	struct relaynet *r = ctx;

	if (r->dns.state == DNS_DONE) {
		if (r->dns.qtype == DNS_TYPE_A) {
			static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
			                                   0, 0, 0, 0, 0xff, 0xff};
			memcpy(addr, mapped, 12);
			memcpy(addr + 12, r->dns.addr, 4);
		} else {
			memcpy(addr, r->dns.addr, 16);
		}
		return 1;
	}
	if (r->dns.state == DNS_FAILED) {
		*why = r->dns.why;
		return -1;
	}
	return 0;
}

static void d_random(void *ctx, void *buf, size_t len)
{
	struct relaynet *r = ctx;

	r->s->ops.random(r->s->ops.ctx, buf, len);
}

static void d_log(void *ctx, const char *msg, size_t len)
{
	struct relaynet *r = ctx;

	if (r->log)
		r->log(r->log_ctx, msg, len);
}

static void on_flow(void *ctx, struct tcp_flow *f, uint64_t now)
{
	struct relaynet *r = ctx;

	if (f == r->f)
		relay_poll(&r->relay, now);
}

void relaynet_start(struct relaynet *r, struct app *a, struct net_stack *s, struct netsrv *ns,
                    const uint32_t *servers, size_t n_servers,
                    void (*log)(void *ctx, const char *msg, size_t len), void *log_ctx,
                    uint64_t now)
{
	struct relay_dialer d = {d_open, d_state, d_resolve_start, d_resolve_result, d_random,
	                         d_log,  r};
	size_t i;

	r->st.ops = &flow_ops;
	r->s = s;
	r->f = NULL;
	r->log = log;
	r->log_ctx = log_ctx;
	dns_init(&r->dns, s);
	r->n_dns_fixed = 0;
	for (i = 0; i < n_servers && i < DNS_MAX_SERVERS; i++)
		r->dns_fixed[r->n_dns_fixed++] = servers[i];
	ns->on_flow = on_flow;
	ns->flow_ctx = r;
	relay_start(&r->relay, a, &d, now);
}

uint64_t relaynet_poll(struct relaynet *r, uint64_t now)
{
	uint64_t a = relay_poll(&r->relay, now), b = dns_poll(&r->dns, now);

	return a < b ? a : b;
}
