/* SPDX-License-Identifier: MIT */
/* TCP flows: the API of net/tcp.h, the flow table, listeners, readiness. */
#include "lib/assert.h"
#include "lib/mem.h"
#include "net/stack.h"

#define EPHEMERAL_LO 49152u

static uint32_t idx_of(const struct net_stack *s, const struct tcp_flow *f)
{
	return (uint32_t)(f - s->tcp.flows);
}

/* ---- memory and set-up ---- */

/* Hash chains: a power of two, at least twice the flows, so chains stay short. */
static size_t hash_slots(size_t flows)
{
	size_t n = 16;

	while (n < 2 * flows)
		n *= 2;
	return n;
}

/* The hash heads and the flow table (an array) after them, rounded up so the
 * buffers after them are aligned. The heads come first: they are written at
 * set-up, and beside the stack's own state they share its pages, while the
 * flows and buffers are touched only as connections come. */
static size_t table_bytes(size_t flows)
{
	return (flows * sizeof(struct tcp_flow) + hash_slots(flows) * sizeof(int32_t) + 63) / 64 *
	       64;
}

size_t tcp_mem_size(const struct net_config *cfg)
{
	size_t flows = cfg->tcp_flows ? cfg->tcp_flows : TCP_DEFAULT_FLOWS;
	return table_bytes(flows) + tcp_pool_mem(cfg);
}

void tcp_setup(struct net_stack *s, uint8_t *mem)
{
	struct tcp_state *t = &s->tcp;
	uint32_t i;

	t->n_flows = s->cfg.tcp_flows ? s->cfg.tcp_flows : TCP_DEFAULT_FLOWS;
	t->rx_buf = s->cfg.tcp_rx_buf ? s->cfg.tcp_rx_buf : TCP_DEFAULT_RX;
	t->tx_copy = s->cfg.tcp_tx_copy ? s->cfg.tcp_tx_copy : TCP_DEFAULT_COPY;
	t->hash = (int32_t *)(void *)mem;
	t->hash_mask = (uint32_t)hash_slots(t->n_flows) - 1;
	t->flows = (struct tcp_flow *)(void *)(mem + hash_slots(t->n_flows) * sizeof(int32_t));
	for (i = 0; i <= t->hash_mask; i++)
		t->hash[i] = -1;
	tcp_pool_setup(s, mem + table_bytes(t->n_flows));
	t->stats.flows_cap = t->n_flows;
	t->fresh = 0;
	t->free_head = -1;
	t->tw_head = t->tw_tail = -1;
}

void tcp_init(struct net_stack *s, uint64_t now)
{
	struct tcp_state *t = &s->tcp;
	uint16_t r = 0;

	s->ops.random(s->ops.ctx, t->secret, sizeof t->secret);
	s->ops.random(s->ops.ctx, t->hash_key, sizeof t->hash_key);
	s->ops.random(s->ops.ctx, &r, sizeof r);
	t->next_port = (uint16_t)(EPHEMERAL_LO + r % (65536u - EPHEMERAL_LO));
	t->ready_head = t->ready_tail = t->dirty_head = -1;
	t->now = now;
	t->next_deadline = UINT64_MAX;
}

/* ---- flows ---- */

/* The chain of a 4-tuple, keyed by a random key so that a peer cannot choose
 * ports that all land in one chain. */
static uint32_t fold(const struct net_ip *a)
{
	uint32_t h = 0;
	int i;

	for (i = 0; i < 16; i += 4)
		h = (h ^ ((uint32_t)a->b[i] << 24 | (uint32_t)a->b[i + 1] << 16 |
		          (uint32_t)a->b[i + 2] << 8 | a->b[i + 3])) *
		    0x9e3779b1u;
	return h;
}

static uint32_t bucket(const struct net_stack *s, const struct net_ip *raddr, uint16_t rport,
                       const struct net_ip *laddr, uint16_t lport)
{
	uint32_t h = (fold(raddr) ^ s->tcp.hash_key[0]) * 0x9e3779b1u;

	h ^= ((uint32_t)rport << 16 | lport) ^ fold(laddr) ^ s->tcp.hash_key[1];
	h *= 0x85ebca6bu;
	h ^= h >> 16;
	return h & s->tcp.hash_mask;
}

struct tcp_flow *tcp_find(struct net_stack *s, const struct net_ip *raddr, uint16_t rport,
                          const struct net_ip *laddr, uint16_t lport)
{
	int32_t i = s->tcp.hash[bucket(s, raddr, rport, laddr, lport)];

	while (i >= 0) {
		struct tcp_flow *f = &s->tcp.flows[i];
		if (f->used && f->state != TCP_CLOSED && f->rport == rport && f->lport == lport &&
		    net_ip_eq(&f->raddr, raddr) && net_ip_eq(&f->laddr, laddr))
			return f;
		i = f->next_hash;
	}
	return NULL;
}

void tcp_flow_hash(struct net_stack *s, struct tcp_flow *f)
{
	int32_t *head = &s->tcp.hash[bucket(s, &f->raddr, f->rport, &f->laddr, f->lport)];

	f->next_hash = *head;
	*head = (int32_t)idx_of(s, f);
	f->hashed = true;
}

static void unhash(struct net_stack *s, struct tcp_flow *f)
{
	int32_t me = (int32_t)idx_of(s, f);
	int32_t *p = &s->tcp.hash[bucket(s, &f->raddr, f->rport, &f->laddr, f->lport)];

	while (*p >= 0 && *p != me)
		p = &s->tcp.flows[*p].next_hash;
	if (*p == me)
		*p = f->next_hash;
	f->hashed = false;
	f->next_hash = -1;
}

/* Append (f) to the list of flow indexes at (head, tail) linked through the
 * int32_t field at (next_off) of each flow. */
static void append_list(struct net_stack *s, int32_t *head, int32_t *tail, struct tcp_flow *f,
                        size_t next_off)
{
	int32_t me = (int32_t)idx_of(s, f);

	*(int32_t *)(void *)((uint8_t *)f + next_off) = -1;
	if (*tail >= 0)
		*(int32_t *)(void *)((uint8_t *)&s->tcp.flows[*tail] + next_off) = me;
	else
		*head = me;
	*tail = me;
}

void tcp_tw_append(struct net_stack *s, struct tcp_flow *f)
{
	if (f->in_tw)
		tcp_tw_unlink(s, f);
	f->tw_prev = s->tcp.tw_tail;
	append_list(s, &s->tcp.tw_head, &s->tcp.tw_tail, f, offsetof(struct tcp_flow, tw_next));
	f->in_tw = true;
}

void tcp_tw_unlink(struct net_stack *s, struct tcp_flow *f)
{
	if (!f->in_tw)
		return;
	if (f->tw_prev >= 0)
		s->tcp.flows[f->tw_prev].tw_next = f->tw_next;
	else
		s->tcp.tw_head = f->tw_next;
	if (f->tw_next >= 0)
		s->tcp.flows[f->tw_next].tw_prev = f->tw_prev;
	else
		s->tcp.tw_tail = f->tw_prev;
	f->tw_prev = f->tw_next = -1;
	f->in_tw = false;
}

struct tcp_flow *tcp_flow_new(struct net_stack *s, uint64_t now)
{
	struct tcp_state *t = &s->tcp;
	struct tcp_flow *f = NULL;

	if (t->free_head < 0 && t->fresh < t->n_flows) {
		f = &t->flows[t->fresh++]; /* first use of a slot */
	} else {
		if (t->free_head < 0 && t->tw_head >= 0) {
			/* The table is full: the oldest TIME-WAIT goes first (RFC
			 * 6191's spirit; its 4-tuple is unlikely to come back this
			 * soon). The list is in the order flows entered TIME-WAIT,
			 * which all last the same, so its head is the oldest. */
			t->stats.timewait_recycled++;
			tcp_flow_free(s, &t->flows[t->tw_head]);
		}
		if (t->free_head < 0) {
			t->stats.flows_full++;
			return NULL;
		}
		f = &t->flows[t->free_head];
		t->free_head = f->next_free;
	}
	memset(f, 0, sizeof *f); /* no rings: they are lent while data moves */
	f->s = s;
	f->rbuf_cap = s->tcp.rx_buf;
	f->copy_cap = s->tcp.tx_copy;
	f->used = true;
	f->listener = -1;
	f->next_ready = f->next_accept = f->next_dirty = f->next_hash = f->next_free = -1;
	f->next_copy_wait = -1;
	if (++t->stats.flows_open > t->stats.flows_peak)
		t->stats.flows_peak = t->stats.flows_open;
	f->tw_prev = f->tw_next = -1;
	f->mss = 536; /* RFC 9293 3.7.1, until the peer says */
	f->rto_ns = TCP_INIT_RTO_NS;
	f->last_rx = now;
	tcp_flow_init_cc(f);
	return f;
}

static void unlink_list(struct net_stack *s, int32_t *head, int32_t *tail, struct tcp_flow *f,
                        size_t next_off)
{
	int32_t me = (int32_t)idx_of(s, f), *p = head, prev = -1;

	while (*p >= 0) {
		int32_t *nextp = (int32_t *)(void *)((uint8_t *)&s->tcp.flows[*p] + next_off);
		if (*p == me) {
			*p = *nextp;
			if (tail && *tail == me)
				*tail = prev;
			*nextp = -1;
			return;
		}
		prev = *p;
		p = nextp;
	}
}

void tcp_flow_free(struct net_stack *s, struct tcp_flow *f)
{
	if (f->on_ready)
		unlink_list(s, &s->tcp.ready_head, &s->tcp.ready_tail, f,
		            offsetof(struct tcp_flow, next_ready));
	if (f->on_dirty)
		unlink_list(s, &s->tcp.dirty_head, NULL, f, offsetof(struct tcp_flow, next_dirty));
	if (f->listener >= 0) {
		struct tcp_listener *l = &s->tcp.l[f->listener];
		if (f->in_acceptq)
			unlink_list(s, &l->accept_head, &l->accept_tail, f,
			            offsetof(struct tcp_flow, next_accept));
		if (l->pending)
			l->pending--;
	}
	if (f->hashed)
		unhash(s, f);
	tcp_tw_unlink(s, f);
	tcp_pool_drop(s, f);
	tcp_queue_drop(f); /* shared buffers it still referenced go back */
	if (f->used) {
		s->tcp.stats.flows_open--;
		f->next_free = s->tcp.free_head;
		s->tcp.free_head = (int32_t)idx_of(s, f);
	}
	f->used = false;
	f->state = TCP_CLOSED;
	f->on_ready = f->on_dirty = f->in_acceptq = false;
	f->listener = -1;
}

void tcp_flow_done(struct net_stack *s, struct tcp_flow *f)
{
	f->state = TCP_CLOSED;
	tcp_tw_unlink(s, f);
	f->t_rexmit = f->t_delack = f->t_persist = f->t_keepalive = f->t_timewait = 0;
	/* Flows from a listener not yet accepted were never the app's. */
	if (f->released || f->listener >= 0) {
		tcp_flow_free(s, f);
		return;
	}
	tcp_mark_ready(s, f);
}

void tcp_mark_ready(struct net_stack *s, struct tcp_flow *f)
{
	if (f->on_ready || f->released || f->in_acceptq || (f->listener >= 0))
		return;
	f->on_ready = true;
	append_list(s, &s->tcp.ready_head, &s->tcp.ready_tail, f,
	            offsetof(struct tcp_flow, next_ready));
}

void tcp_mark_dirty(struct net_stack *s, struct tcp_flow *f)
{
	if (f->on_dirty)
		return;
	f->on_dirty = true;
	f->next_dirty = s->tcp.dirty_head;
	s->tcp.dirty_head = (int32_t)idx_of(s, f);
}

void tcp_set_timer(struct net_stack *s, uint64_t *timer, uint64_t when)
{
	*timer = when;
	if (when && when < s->tcp.next_deadline)
		s->tcp.next_deadline = when;
}

/* ---- listeners ---- */

struct tcp_listener *tcp_listener_for(struct net_stack *s, uint16_t port)
{
	size_t i;

	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		if (s->tcp.l[i].used && s->tcp.l[i].port == port)
			return &s->tcp.l[i];
	return NULL;
}

struct tcp_listener *tcp_listen(struct net_stack *s, uint16_t port, unsigned backlog)
{
	size_t i;

	if (tcp_listener_for(s, port))
		return NULL;
	for (i = 0; i < TCP_MAX_LISTENERS; i++) {
		struct tcp_listener *l = &s->tcp.l[i];
		if (l->used)
			continue;
		memset(l, 0, sizeof *l);
		l->s = s;
		l->used = true;
		l->port = port;
		l->backlog = (uint16_t)(backlog ? (backlog > 4096 ? 4096 : backlog) : 64);
		l->accept_head = l->accept_tail = -1;
		return l;
	}
	return NULL;
}

void tcp_listener_ready(struct net_stack *s, struct tcp_listener *l)
{
	(void)s;
	l->on_ready = true;
}

void tcp_accept_push(struct net_stack *s, struct tcp_flow *f)
{
	struct tcp_listener *l = &s->tcp.l[f->listener];

	f->in_acceptq = true;
	append_list(s, &l->accept_head, &l->accept_tail, f, offsetof(struct tcp_flow, next_accept));
	tcp_listener_ready(s, l);
}

struct tcp_flow *tcp_accept(struct tcp_listener *l)
{
	struct net_stack *s = l->s;
	struct tcp_flow *f;

	if (l->accept_head < 0)
		return NULL;
	f = &s->tcp.flows[l->accept_head];
	l->accept_head = f->next_accept;
	if (l->accept_head < 0)
		l->accept_tail = -1;
	f->next_accept = -1;
	f->in_acceptq = false;
	f->listener = -1;
	if (l->pending)
		l->pending--;
	s->tcp.stats.accepted++;
	/* It may have news already (data, even a FIN): the app looks at once. */
	tcp_mark_ready(s, f);
	return f;
}

bool tcp_ready_next(struct net_stack *s, struct tcp_flow **f, struct tcp_listener **l)
{
	size_t i;

	*f = NULL;
	*l = NULL;
	for (i = 0; i < TCP_MAX_LISTENERS; i++)
		if (s->tcp.l[i].used && s->tcp.l[i].on_ready) {
			s->tcp.l[i].on_ready = false;
			if (s->tcp.l[i].accept_head >= 0) {
				*l = &s->tcp.l[i];
				return true;
			}
		}
	if (s->tcp.ready_head < 0)
		return false;
	*f = &s->tcp.flows[s->tcp.ready_head];
	s->tcp.ready_head = (*f)->next_ready;
	if (s->tcp.ready_head < 0)
		s->tcp.ready_tail = -1;
	(*f)->next_ready = -1;
	(*f)->on_ready = false;
	return true;
}

/* ---- connecting ---- */

static uint16_t ephemeral_port(struct net_stack *s, const struct net_ip *addr,
                               const struct net_ip *src, uint16_t port)
{
	uint32_t tries;

	for (tries = 0; tries < 65536u - EPHEMERAL_LO; tries++) {
		uint16_t p = s->tcp.next_port;
		s->tcp.next_port = (uint16_t)(p == 65535 ? EPHEMERAL_LO : p + 1u);
		if (!tcp_find(s, addr, port, src, p) && !tcp_listener_for(s, p))
			return p;
	}
	return 0;
}

static struct tcp_flow *connect_ip(struct net_stack *s, const struct net_ip *addr, uint16_t port,
                                   uint64_t now)
{
	struct net_ip src;
	struct tcp_flow *f;
	uint16_t lport;

	if (!port || !l3_source(s, addr, &src))
		return NULL;
	lport = ephemeral_port(s, addr, &src, port);
	if (!lport || !(f = tcp_flow_new(s, now)))
		return NULL;
	s->tcp.now = now;
	f->laddr = src;
	f->lport = lport;
	f->raddr = *addr;
	f->rport = port;
	tcp_flow_hash(s, f);
	f->iss = tcp_isn(s, &f->laddr, f->lport, &f->raddr, port, now);
	f->snd_una = f->snd_nxt = f->snd_max = f->snd_end = f->iss;
	f->state = TCP_SYN_SENT;
	while (f->rcv_wscale < 14 && (f->rbuf_cap >> f->rcv_wscale) > 0xffffu)
		f->rcv_wscale++;
	s->tcp.stats.connects++;
	tcp_send_syn(s, f, false, now);
	return f;
}

struct tcp_flow *tcp_connect(struct net_stack *s, uint32_t addr, uint16_t port, uint64_t now)
{
	struct net_ip a = net_ip4(addr);

	if (!s->addr || !addr)
		return NULL;
	return connect_ip(s, &a, port, now);
}

struct tcp_flow *tcp_connect6(struct net_stack *s, const uint8_t addr[16], uint16_t port,
                              uint64_t now)
{
	struct net_ip a;

	memcpy(a.b, addr, 16);
	if (net_ip_is4(&a))
		return tcp_connect(s, net_ip_get4(&a), port, now);
	return connect_ip(s, &a, port, now);
}

/* ---- reading and writing ---- */

size_t tcp_read(struct tcp_flow *f, uint8_t *buf, size_t cap, bool *eof)
{
	struct net_stack *s = f->s;
	uint32_t before = tcp_rcv_window(f), n = 0;

	while (n < cap && f->r_len) {
		uint32_t run = f->rbuf_cap - f->r_head, k;
		if (run > f->r_len)
			run = f->r_len;
		k = (uint32_t)(cap - n) < run ? (uint32_t)(cap - n) : run;
		memcpy(buf + n, f->rbuf + f->r_head, k);
		n += k;
		f->r_head = (f->r_head + k) % f->rbuf_cap;
		f->r_len -= k;
	}
	*eof = f->r_len == 0 && (f->peer_fin || f->failed || f->state == TCP_CLOSED);
	if (n)
		tcp_pool_progress(f, s->tcp.now);
	tcp_pool_idle(s, f); /* all read: the ring goes back */
	/* A window that opens by a segment or half the ring is worth saying
	 * (RFC 9293 3.8.6.2.2, receiver-side silly window avoidance). */
	if (n && (before < f->mss || tcp_rcv_window(f) - before >= f->rbuf_cap / 2) &&
	    f->state >= TCP_ESTABLISHED) {
		f->ack_now = true;
		tcp_mark_dirty(s, f);
	}
	return n;
}

/* Contiguous room for (n) copied bytes; where they would go, or -1. */
static int64_t copy_room(const struct tcp_flow *f, uint32_t n)
{
	if (f->copy_used == 0)
		return n <= f->copy_cap ? 0 : -1;
	if (f->copy_end > f->copy_start) {
		if (f->copy_cap - f->copy_end >= n)
			return (int64_t)f->copy_end;
		return f->copy_start >= n ? 0 : -1; /* wrap to the front */
	}
	/* Wrapped: live bytes are [start, wrap point) and [0, end); end == start
	 * means full. */
	return f->copy_start - f->copy_end >= n ? (int64_t)f->copy_end : -1;
}

static bool can_queue(const struct tcp_flow *f)
{
	return f->used && !f->fin_queued && !f->failed &&
	       (f->state == TCP_SYN_SENT || f->state == TCP_SYN_RCVD ||
	        f->state == TCP_ESTABLISHED || f->state == TCP_CLOSE_WAIT);
}

bool tcp_can_write(struct tcp_flow *f, size_t copy_bytes, unsigned refs)
{
	unsigned segs = refs + (copy_bytes ? 1u : 0u);

	if (!can_queue(f) || f->q_n + segs > TCP_SNDQ ||
	    (copy_bytes && copy_room(f, (uint32_t)copy_bytes) < 0))
		return false;
	/* Copies need a ring: lent now, or the flow waits for one. */
	return !copy_bytes || tcp_pool_copy(f->s, f, f->s->tcp.now);
}

static void queue(struct tcp_flow *f, const uint8_t *p, size_t len, bool copied)
{
	struct tcp_chunk *c;

	if (!len)
		return;
	UD_ASSERT(len < TCP_CHUNK_MAX); /* what a chunk's length holds */
	c = &f->q[(f->q_head + f->q_n) % TCP_SNDQ];
	f->q_n++;
	c->seq = f->snd_end;
	c->len = (uint32_t)len;
	c->p = p;
	c->copied = copied;
	c->shared = false;
	f->snd_end += (uint32_t)len;
	tcp_mark_dirty(f->s, f);
}

void tcp_write_copy(struct tcp_flow *f, const void *p, size_t len)
{
	int64_t at = copy_room(f, (uint32_t)len);

	if (!len)
		return;
	/* The caller asked tcp_can_write first. */
	UD_ASSERT(at >= 0 && f->copy && can_queue(f) && f->q_n < TCP_SNDQ);
	if (f->copy_used == 0)
		f->copy_start = (uint32_t)at;
	memcpy(f->copy + at, p, len);
	f->copy_end = (uint32_t)at + (uint32_t)len;
	f->copy_used += (uint32_t)len;
	f->s->tcp.stats.bytes_copied += len;
	queue(f, f->copy + at, len, true);
}

void tcp_write_ref(struct tcp_flow *f, const void *p, size_t len)
{
	if (!len || !can_queue(f) || f->q_n == TCP_SNDQ)
		return;
	f->s->tcp.stats.bytes_ref += len;
	queue(f, p, len, false);
}

uint64_t tcp_unacked(const struct tcp_flow *f)
{
	return seq_lt(f->snd_una, f->snd_end) ? f->snd_end - f->snd_una : 0;
}

uint64_t tcp_unsent(const struct tcp_flow *f)
{
	return seq_lt(f->snd_max, f->snd_end) ? f->snd_end - f->snd_max : 0;
}

void tcp_set_keepalive(struct tcp_flow *f, uint64_t idle_ns, uint64_t intvl_ns, unsigned probes)
{
	f->keepalive_ns = idle_ns;
	f->keepalive_intvl_ns = intvl_ns ? intvl_ns : idle_ns;
	f->keepalive_max = (uint8_t)(probes ? (probes > 255 ? 255 : probes) : 9);
	f->keepalive_probes = 0;
	tcp_set_timer(f->s, &f->t_keepalive, idle_ns ? f->last_rx + idle_ns : 0);
}

bool tcp_established(const struct tcp_flow *f)
{
	return f->used && !f->failed && f->state >= TCP_ESTABLISHED && f->state != TCP_TIME_WAIT;
}

bool tcp_failed(const struct tcp_flow *f)
{
	return f->failed;
}

void tcp_shutdown(struct tcp_flow *f)
{
	if (!can_queue(f))
		return;
	f->fin_queued = true;
	tcp_mark_dirty(f->s, f);
}

void tcp_close(struct tcp_flow *f)
{
	struct net_stack *s = f->s;

	f->released = true;
	if (f->on_ready)
		unlink_list(s, &s->tcp.ready_head, &s->tcp.ready_tail, f,
		            offsetof(struct tcp_flow, next_ready));
	f->on_ready = false;
	if (f->state == TCP_CLOSED || f->state == TCP_SYN_SENT || f->failed) {
		tcp_flow_free(s, f);
		return;
	}
	if (f->r_len) {
		/* Nobody will read what is unread: it is consumed (as what comes
		 * later is, tcp_in.c), the window opens, and the ring goes back. */
		f->r_head = (f->r_head + f->r_len) % f->rbuf_cap;
		f->r_len = 0;
		f->ack_now = true;
		tcp_mark_dirty(s, f);
		tcp_pool_idle(s, f);
	}
	if (f->state == TCP_FIN_WAIT_2 && !f->t_timewait)
		tcp_set_timer(s, &f->t_timewait, s->tcp.now + TCP_FIN_WAIT2_NS);
	if (f->state == TCP_TIME_WAIT || f->fin_queued)
		return; /* it frees itself when the protocol is done */
	f->fin_queued = true;
	tcp_mark_dirty(s, f);
}

void tcp_abort(struct tcp_flow *f)
{
	struct net_stack *s = f->s;

	if (f->state >= TCP_SYN_RCVD && f->state != TCP_TIME_WAIT && !f->failed) {
		/* RFC 9293 3.10.5: reset the peer. */
		tcp_send_rst(s, &f->laddr, f->lport, &f->raddr, f->rport, f->snd_nxt, 0, false,
		             s->tcp.now);
	}
	f->released = true;
	tcp_flow_free(s, f);
}

void tcp_write_shared(struct tcp_flow *f, struct shared_buf *b)
{
	struct tcp_chunk *c;

	if (!b->len || !can_queue(f) || f->q_n == TCP_SNDQ)
		return;
	queue(f, b->p, b->len, false);
	c = &f->q[(f->q_head + f->q_n - 1) % TCP_SNDQ];
	c->shared = true;
	c->sh = b;
	shared_hold(b);
	f->s->tcp.stats.shared_refs++;
	f->s->tcp.stats.bytes_shared += b->len;
}

bool tcp_references(const struct net_stack *s, const void *p, size_t len)
{
	const uint8_t *lo = p, *hi = lo + len;
	uint32_t i;
	uint8_t k;

	for (i = 0; i < s->tcp.fresh; i++) {
		const struct tcp_flow *f = &s->tcp.flows[i];
		if (!f->used)
			continue;
		for (k = 0; k < f->q_n; k++) {
			const struct tcp_chunk *c = &f->q[(f->q_head + k) % TCP_SNDQ];
			if (!c->copied && !c->shared && c->p >= lo && c->p < hi)
				return true;
		}
	}
	return false;
}

void tcp_set_user(struct tcp_flow *f, void *user)
{
	f->user = user;
}

void *tcp_user(const struct tcp_flow *f)
{
	return f->user;
}

void tcp_listener_set_user(struct tcp_listener *l, void *user)
{
	l->user = user;
}

void *tcp_listener_user(const struct tcp_listener *l)
{
	return l->user;
}

/* ---- the poll ---- */

uint64_t tcp_poll(struct net_stack *s, uint64_t now)
{
	struct tcp_state *t = &s->tcp;
	uint32_t i;

	t->now = now;
	tcp_pool_wake(s, now);
	while (t->dirty_head >= 0) {
		struct tcp_flow *f = &t->flows[t->dirty_head];
		t->dirty_head = f->next_dirty;
		f->next_dirty = -1;
		f->on_dirty = false;
		if (f->used)
			tcp_output(s, f, now);
	}
	if (now < t->next_deadline)
		return t->next_deadline;
	t->next_deadline = UINT64_MAX;
	for (i = 0; i < t->fresh; i++) {
		struct tcp_flow *f = &t->flows[i];
		uint64_t d;
		if (!f->used)
			continue;
		tcp_flow_timers(s, f, now);
		if (f->used && (d = tcp_flow_deadline(f)) < t->next_deadline)
			t->next_deadline = d;
	}
	if (t->copy_wait_head >= 0 && t->copy_check_at && t->copy_check_at < t->next_deadline)
		t->next_deadline = t->copy_check_at; /* writers wait for a holder to stall */
	return t->next_deadline;
}
