/* SPDX-License-Identifier: MIT */
/* HTTP over our TCP: see app/netsrv.h. */
#include "app/netsrv.h"

#include "http/tls.h"
#include "lib/assert.h"
#include "lib/mem.h"
/* For the flow's remote address alone: net/tcp.h has no accessor for it yet
 * (a tcp_peer() there would be the better home; net/ belongs to another
 * change of issue 14). */
#include "net/tcp_impl.h"

/* Room in the flow worth another TLS round: a piece of a record. */
#define NETSRV_TLS_ROOM 2048u

static struct nsconn *of(struct stream *st)
{
	return (struct nsconn *)(void *)((uint8_t *)st - offsetof(struct nsconn, st));
}

static size_t op_recv(struct stream *st, uint8_t *buf, size_t cap, bool *eof)
{
	return tcp_read(of(st)->f, buf, cap, eof);
}

static bool op_can_send(struct stream *st, size_t copy_bytes, unsigned copies, unsigned refs)
{
	/* tcp_can_write counts one chunk for the copied bytes: each further copy
	 * is a chunk of its own, like a reference. */
	return tcp_can_write(of(st)->f, copy_bytes, refs + (copies > 1 ? copies - 1 : 0));
}

static void op_send_copy(struct stream *st, const void *p, size_t len)
{
	tcp_write_copy(of(st)->f, p, len);
}

static void op_send_ref(struct stream *st, const void *p, size_t len)
{
	tcp_write_ref(of(st)->f, p, len);
}

static void op_send_shared(struct stream *st, struct shared_buf *b)
{
	tcp_write_shared(of(st)->f, b);
}

static uint64_t op_unsent(struct stream *st)
{
	/* Until acknowledged: a peer that stops reading stalls this, which is what
	 * the send timeout and the follow fan-out's back-pressure look at. */
	return tcp_unacked(of(st)->f);
}

static void op_wake(struct stream *st)
{
	struct nsconn *c = of(st);
	struct netsrv *ns = c->ns;

	if (!c->woken) {
		c->woken = true;
		c->next_woken = ns->woken_head;
		ns->woken_head = (int32_t)(c - ns->conns);
	}
}

static void op_close(struct stream *st, bool graceful)
{
	struct nsconn *c = of(st);

	if (graceful) {
		tcp_close(c->f);
	} else {
		c->ns->stats.resets++;
		tcp_abort(c->f);
	}
	c->f = NULL;
	c->done = true;
	op_wake(st); /* released by its next step, which may not come otherwise */
}

static const struct stream_ops flow_ops = {
        op_recv,   op_can_send, op_send_copy, op_send_ref,
        op_unsent, op_close,    op_wake,      op_send_shared,
};

size_t netsrv_size(uint32_t max_conns)
{
	return (sizeof(struct netsrv) + 63) / 64 * 64 + (size_t)max_conns * sizeof(struct nsconn);
}

bool netsrv_init(struct netsrv *ns, struct net_stack *s, struct http_server *srv, uint16_t port,
                 unsigned backlog, uint32_t max_conns)
{
	memset(ns, 0, sizeof *ns);
	ns->s = s;
	ns->srv = srv;
	ns->max_conns = max_conns;
	ns->next_deadline = UINT64_MAX;
	ns->conns =
	        (struct nsconn *)(void *)((uint8_t *)ns + (sizeof(struct netsrv) + 63) / 64 * 64);
	ns->free_head = -1;
	ns->woken_head = -1;
	ns->l = tcp_listen(s, port, backlog);
	if (ns->l)
		tcp_listener_set_user(ns->l, ns);
	return ns->l != NULL;
}

void netsrv_set_tls(struct netsrv *ns, struct tls_server *ts)
{
	ns->tls = ts;
}

uint32_t netsrv_open(const struct netsrv *ns)
{
	return ns->n_conns;
}

static void release(struct netsrv *ns, struct nsconn *c)
{
	if (ns->conn_gone)
		ns->conn_gone(ns->ctx, &c->hc);
	http_conn_fini(ns->srv, &c->hc);
	if (c->tls) {
		tls_conn_free(c->tls);
		c->tls = NULL;
	}
	if (c->f) {
		tcp_set_user(c->f, NULL);
		tcp_abort(c->f);
		c->f = NULL;
	}
	c->used = false;
	c->next_free = ns->free_head;
	ns->free_head = (int32_t)(c - ns->conns);
	UD_ASSERT(ns->n_conns > 0);
	ns->n_conns--;
	ns->stats.closed++;
}

/* HTTP's turn, through TLS when the connection has it; once HTTP is done,
 * TLS's alone (its last records and close_notify still going out). */
static enum http_conn_state poll_http(struct netsrv *ns, struct nsconn *c, uint64_t now)
{
	enum http_conn_state r = HTTP_CONN_DONE;

	if (!c->tls)
		return http_conn_poll(ns->srv, &c->hc, now);
	tls_conn_begin(c->tls, now);
	if (!c->http_done)
		r = http_conn_poll(ns->srv, &c->hc, now);
	tls_conn_end(c->tls);
	if (r == HTTP_CONN_DONE)
		c->http_done = true;
	return r;
}

static void step_conn(struct netsrv *ns, struct nsconn *c, uint64_t now)
{
	enum http_conn_state r = poll_http(ns, c, now);

	/* TLS records wait that the flow had no room for: while it takes more,
	 * make and send more (an ACK that opens room steps us again). */
	for (int rounds = 0; !c->done && c->tls && tls_conn_more(c->tls) &&
	                     tcp_can_write(c->f, NETSRV_TLS_ROOM, 1) && rounds < 64;
	     rounds++)
		r = poll_http(ns, c, now);
	/* With TLS the connection ends when TLS has closed the flow (c->done):
	 * until then it drains, under TLS's drain deadline. */
	if (c->done || (r == HTTP_CONN_DONE && !c->tls)) {
		release(ns, c);
		return;
	}
	if (c->http_done) {
		c->deadline = tls_conn_deadline(c->tls);
		if (c->deadline < ns->next_deadline)
			ns->next_deadline = c->deadline;
		return;
	}
	c->deadline = http_conn_deadline(&c->hc);
	if (c->tls && tls_conn_deadline(c->tls) < c->deadline)
		c->deadline = tls_conn_deadline(c->tls);
	if (c->deadline < ns->next_deadline)
		ns->next_deadline = c->deadline;
}

/* Whether a TLS listener may take one more connection in this step; when no
 * handshake can give way, the newcomers stay in the backlog (issue 17: a flood
 * must not push out a client that is about to answer). */
static bool tls_may_accept(struct netsrv *ns, unsigned taken, uint64_t now)
{
	if (!ns->tls)
		return true;
	if (taken >= NETSRV_TLS_ACCEPT_BATCH)
		return false; /* the rest next step: accept_due stays */
	if (tls_server_admits(ns->tls, now)) {
		if (ns->tls_waiting) {
			ns->tls_waiting = false;
			ns->draining = true;
		}
		return true;
	}
	if (!ns->tls_waiting) {
		ns->tls_waiting = true;
		ns->stats.tls_deferred++;
	}
	return false;
}

static void accept_all(struct netsrv *ns, uint64_t now)
{
	struct tcp_flow *f;
	unsigned taken = 0;

	for (;;) {
		if (!tls_may_accept(ns, taken, now))
			return; /* accept_due stays set: tried again next step */
		if (!(f = tcp_accept(ns->l))) {
			ns->accept_due = false;
			ns->draining = false;
			return;
		}
		taken++;
		if (ns->draining)
			ns->stats.tls_held++;
		struct nsconn *c = NULL;
		bool woken = false; /* the woken list may still hold a reused slot */
		int32_t next_woken = -1;

		ns->stats.accepted++;
		if (ns->free_head >= 0) {
			c = &ns->conns[ns->free_head];
			ns->free_head = c->next_free;
			woken = c->woken;
			next_woken = c->next_woken;
		} else if (ns->fresh < ns->max_conns) {
			c = &ns->conns[ns->fresh++];
		}
		if (!c) {
			ns->stats.refused++;
			tcp_abort(f);
			continue;
		}
		memset(c, 0, sizeof *c);
		c->woken = woken;
		c->next_woken = next_woken;
		c->st.ops = &flow_ops;
		c->f = f;
		c->ns = ns;
		struct tls_conn *victim = NULL;
		if (ns->tls && !(c->tls = tls_conn_open(ns->tls, &c->st, now, &victim))) {
			ns->stats.tls_refused++;
			tcp_abort(f);
			c->next_free = ns->free_head;
			ns->free_head = (int32_t)(c - ns->conns);
			continue;
		}
		c->used = true;
		ns->n_conns++;
		tcp_set_user(f, c);
		if (c->tls)
			tls_conn_set_user(c->tls, c);
		http_conn_init(ns->srv, &c->hc, c->tls ? tls_conn_stream(c->tls) : &c->st, now);
		/* The handshake given up for this one reads its end now. */
		if (victim) {
			struct nsconn *v = tls_conn_user(victim);
			if (v && v->used)
				step_conn(ns, v, now);
		}
		/* The client's address for per-client caps: 16 bytes, IPv4 as
		 * ::ffff:a.b.c.d, so each address family counts apart. */
		http_conn_set_peer(&c->hc, f->raddr.b, sizeof f->raddr.b);
		step_conn(ns, c, now);
	}
}

/* Whether (u), a flow's user pointer, is one of our connections. */
static bool is_conn(const struct netsrv *ns, const void *u)
{
	uintptr_t p = (uintptr_t)u, lo = (uintptr_t)ns->conns;

	return p >= lo && p < lo + (uintptr_t)ns->max_conns * sizeof(struct nsconn);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* When (ns) or its peer wants to take connections again: at once after a
 * full batch, when a handshake slot can next be had while held back. */
static uint64_t accept_one_at(const struct netsrv *ns, uint64_t now)
{
	if (!ns->accept_due)
		return UINT64_MAX;
	if (ns->tls && ns->tls_waiting)
		return tls_server_admit_at(ns->tls, now);
	return now;
}

static uint64_t accept_at(const struct netsrv *ns, uint64_t now)
{
	return min_u64(accept_one_at(ns, now),
	               ns->peer ? accept_one_at(ns->peer, now) : UINT64_MAX);
}

void netsrv_pair(struct netsrv *a, struct netsrv *b)
{
	a->peer = b;
	b->peer = a;
}

uint64_t netsrv_step(struct netsrv *ns, uint64_t now)
{
	struct tcp_flow *f;
	struct tcp_listener *l;
	uint32_t i;

	while (tcp_ready_next(ns->s, &f, &l)) {
		struct netsrv *o = NULL;
		void *u = f ? tcp_user(f) : NULL;
		if (u)
			o = is_conn(ns, u)                     ? ns
			    : ns->peer && is_conn(ns->peer, u) ? ns->peer
			                                       : NULL;
		/* A listener's user is its netsrv: ours or our peer's. Taken
		 * after every flow's news (below): a handshake whose answer
		 * has come in is then no longer one that owes us. */
		if (l && tcp_listener_user(l))
			((struct netsrv *)tcp_listener_user(l))->accept_due = true;
		else if (o)
			step_conn(o, (struct nsconn *)u, now);
		else if (u) {
			/* Whoever of the pair the relay hooked (app/relaynet.c). */
			struct netsrv *h = ns->on_flow || !ns->peer ? ns : ns->peer;
			if (h->on_flow)
				h->on_flow(h->flow_ctx, f, now);
		}
	}
	/* Woken by the HTTP layer (a buffer came free) or closed from another's
	 * poll (an eviction). Taken as a list first: steps may wake others,
	 * who wait for the next turn. */
	{
		int32_t k = ns->woken_head;
		ns->woken_head = -1;
		while (k >= 0) {
			struct nsconn *c = &ns->conns[k];
			k = c->next_woken;
			c->woken = false;
			if (c->used)
				step_conn(ns, c, now);
		}
		if (ns->woken_head >= 0)
			ns->next_deadline = now; /* the caller's loop comes back at once */
	}
	if (now >= ns->next_deadline) {
		ns->next_deadline = UINT64_MAX;
		for (i = 0; i < ns->fresh; i++) {
			struct nsconn *c = &ns->conns[i];
			if (!c->used)
				continue;
			if (now >= c->deadline)
				step_conn(ns, c, now);
			else if (c->deadline < ns->next_deadline)
				ns->next_deadline = c->deadline;
		}
	}
	if (ns->accept_due)
		accept_all(ns, now);
	if (ns->peer && ns->peer->accept_due)
		accept_all(ns->peer, now);
	return min_u64(ns->next_deadline, accept_at(ns, now));
}
