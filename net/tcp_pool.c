/* SPDX-License-Identifier: MIT */
/* TCP's buffer pools: receive and copy rings lent to flows while data moves.
 *
 * A flow that is idle (a keep-alive between requests, a slow head whose bytes
 * the app has taken, a follower between events) holds no ring, so thousands of
 * connections cost their structs. A receive ring is borrowed when a segment
 * brings data and given back once the app has read everything (and nothing is
 * held out of order); a copy ring is borrowed by a write of copied bytes and
 * given back once the peer has acknowledged them all.
 *
 * When a pool is empty, the holder that has gone longest without progress
 * loses its ring (it is reset, and counted), provided it has stalled for
 * TCP_POOL_STALL_NS, and for a copy ring that the peer's window is what
 * holds it (a slow reader, not a flow waiting on us): the slowest client
 * pays, not the newcomer. When every
 * holder is moving, the newcomer waits: its segment is dropped unacknowledged
 * (the peer sends it again), or its write is refused and the flow queued, to
 * be made ready when a copy ring comes back. */
#include "lib/assert.h"
#include "net/stack.h"

static uint32_t rings_for(uint32_t asked, uint32_t flows)
{
	if (asked)
		return asked;
	if (flows <= TCP_DEFAULT_RINGS)
		return flows;
	return flows / 4 > TCP_DEFAULT_RINGS ? flows / 4 : TCP_DEFAULT_RINGS;
}

static uint32_t flows_of(const struct net_config *cfg)
{
	return cfg->tcp_flows ? cfg->tcp_flows : TCP_DEFAULT_FLOWS;
}

static size_t round64(size_t n)
{
	return (n + 63) / 64 * 64;
}

/* A pool's bookkeeping (next and owner per ring), then its rings. */
static size_t pool_bytes(uint32_t n, uint32_t ring)
{
	return round64(2 * (size_t)n * sizeof(int32_t)) + (size_t)n * ring;
}

size_t tcp_pool_mem(const struct net_config *cfg)
{
	uint32_t rx = cfg->tcp_rx_buf ? cfg->tcp_rx_buf : TCP_DEFAULT_RX;
	uint32_t tx = cfg->tcp_tx_copy ? cfg->tcp_tx_copy : TCP_DEFAULT_COPY;

	return pool_bytes(rings_for(cfg->tcp_rx_rings, flows_of(cfg)), rx) +
	       pool_bytes(rings_for(cfg->tcp_copy_rings, flows_of(cfg)), tx);
}

static uint8_t *pool_init(struct tcp_pool *p, uint8_t *mem, uint32_t n, uint32_t ring)
{
	p->n = n;
	p->ring = ring;
	p->next = (int32_t *)(void *)mem;
	p->owner = p->next + n;
	p->mem = mem + round64(2 * (size_t)n * sizeof(int32_t));
	p->fresh = 0;
	p->free_head = -1;
	*p->cap = n;
	return mem + pool_bytes(n, ring);
}

void tcp_pool_setup(struct net_stack *s, uint8_t *mem)
{
	struct tcp_state *t = &s->tcp;
	struct tcp_stats *st = &t->stats;

	t->rx.cap = &st->rx_rings_cap;
	t->rx.used = &st->rx_rings_used;
	t->rx.peak = &st->rx_rings_peak;
	t->rx.lent = &st->rx_rings_lent;
	t->rx.full = &st->rx_rings_full;
	t->rx.evicted = &st->rx_rings_evicted;
	t->cp.cap = &st->copy_rings_cap;
	t->cp.used = &st->copy_rings_used;
	t->cp.peak = &st->copy_rings_peak;
	t->cp.lent = &st->copy_rings_lent;
	t->cp.full = &st->copy_rings_full;
	t->cp.evicted = &st->copy_rings_evicted;
	mem = pool_init(&t->rx, mem, rings_for(s->cfg.tcp_rx_rings, t->n_flows), t->rx_buf);
	pool_init(&t->cp, mem, rings_for(s->cfg.tcp_copy_rings, t->n_flows), t->tx_copy);
	t->copy_wait_head = t->copy_wait_tail = -1;
}

static int32_t idx_of(const struct net_stack *s, const struct tcp_flow *f)
{
	return (int32_t)(f - s->tcp.flows);
}

static bool holds(const struct tcp_flow *f)
{
	return f->rbuf || f->copy;
}

static uint8_t *take(struct net_stack *s, struct tcp_pool *p, struct tcp_flow *f)
{
	int32_t i;

	if (p->free_head >= 0) {
		i = p->free_head;
		p->free_head = p->next[i];
	} else if (p->fresh < p->n) {
		i = (int32_t)p->fresh++;
	} else {
		return NULL;
	}
	p->owner[i] = idx_of(s, f);
	(*p->lent)++;
	if (++*p->used > *p->peak)
		*p->peak = *p->used;
	return p->mem + (size_t)i * p->ring;
}

static void give(struct tcp_pool *p, const uint8_t *ring)
{
	int32_t i = (int32_t)((size_t)(ring - p->mem) / p->ring);

	UD_ASSERT(ring >= p->mem && i >= 0 && (uint32_t)i < p->fresh && p->owner[i] >= 0);
	p->owner[i] = -1;
	p->next[i] = p->free_head;
	p->free_head = i;
	(*p->used)--;
}

/* A copy ring's holder is slow when the peer's window is what holds its
 * bytes back (shut, or full of what is in flight): a slow reader. One whose
 * bytes wait on us (unsent for want of a device slot, or in flight with the
 * window open) has not stalled, however long it waits. */
static bool peer_holds(const struct tcp_state *t, const struct tcp_pool *p,
                       const struct tcp_flow *h)
{
	if (p != &t->cp)
		return true; /* a receive ring: the app has not read, whoever is slow */
	return h->snd_wnd == 0 || h->snd_max - h->snd_una >= h->snd_wnd;
}

/* The holder of a ring of (p) stalled longest, if for TCP_POOL_STALL_NS. */
static struct tcp_flow *stalled(struct net_stack *s, struct tcp_pool *p,
                                const struct tcp_flow *asker, uint64_t now)
{
	struct tcp_flow *worst = NULL;
	uint32_t i;

	for (i = 0; i < p->fresh; i++) {
		struct tcp_flow *h;
		if (p->owner[i] < 0)
			continue;
		h = &s->tcp.flows[p->owner[i]];
		if (h == asker || h->progress_at + TCP_POOL_STALL_NS > now ||
		    !peer_holds(&s->tcp, p, h))
			continue;
		if (!worst || h->progress_at < worst->progress_at)
			worst = h;
	}
	return worst;
}

/* Reset (h) and take its rings back: it has held one longest without moving. */
static void evict(struct net_stack *s, struct tcp_flow *h, uint64_t now)
{
	s->tcp.stats.conn_failed++;
	tcp_send_rst(s, &h->laddr, h->lport, &h->raddr, h->rport, h->snd_nxt, 0, false, now);
	tcp_pool_drop(s, h);
	h->failed = true;
	tcp_flow_done(s, h);
}

static uint8_t *lend(struct net_stack *s, struct tcp_pool *p, struct tcp_flow *f, uint64_t now)
{
	uint8_t *ring;
	struct tcp_flow *h;

	if (!holds(f))
		f->progress_at = now; /* the clock starts with its first ring */
	if ((ring = take(s, p, f)) != NULL)
		return ring;
	if ((h = stalled(s, p, f, now)) == NULL) {
		(*p->full)++;
		return NULL;
	}
	(*p->evicted)++;
	evict(s, h, now);
	ring = take(s, p, f);
	UD_ASSERT(ring);
	return ring;
}

bool tcp_pool_rx(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	if (f->rbuf)
		return true;
	f->rbuf = lend(s, &s->tcp.rx, f, now);
	f->r_head = f->r_len = 0;
	return f->rbuf != NULL;
}

static uint64_t first_stall(const struct net_stack *s, const struct tcp_pool *p);

static void wait_copy(struct net_stack *s, struct tcp_flow *f)
{
	struct tcp_state *t = &s->tcp;

	if (f->copy_waiting)
		return;
	/* Look again when the first holder may have stalled. */
	t->copy_check_at = first_stall(s, &t->cp);
	if (t->copy_check_at != UINT64_MAX)
		tcp_set_timer(s, &t->copy_check_at, t->copy_check_at);
	t->stats.copy_waits++;
	f->copy_waiting = true;
	f->next_copy_wait = -1;
	if (t->copy_wait_tail >= 0)
		t->flows[t->copy_wait_tail].next_copy_wait = idx_of(s, f);
	else
		t->copy_wait_head = idx_of(s, f);
	t->copy_wait_tail = idx_of(s, f);
}

static void unwait_copy(struct net_stack *s, struct tcp_flow *f)
{
	struct tcp_state *t = &s->tcp;
	int32_t *p = &t->copy_wait_head, prev = -1, me = idx_of(s, f);

	if (!f->copy_waiting)
		return;
	while (*p >= 0 && *p != me) {
		prev = *p;
		p = &t->flows[*p].next_copy_wait;
	}
	UD_ASSERT(*p == me);
	*p = f->next_copy_wait;
	if (t->copy_wait_tail == me)
		t->copy_wait_tail = prev;
	f->next_copy_wait = -1;
	f->copy_waiting = false;
}

bool tcp_pool_copy(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	if (f->copy)
		return true;
	f->copy = lend(s, &s->tcp.cp, f, now);
	if (!f->copy) {
		wait_copy(s, f);
		return false;
	}
	unwait_copy(s, f);
	f->copy_start = f->copy_end = f->copy_used = 0;
	return true;
}

/* Make the first waiter ready: a copy ring is free for it to ask again (it
 * queues again, at the back, if another took the ring first). */
static void wake_one(struct net_stack *s)
{
	struct tcp_state *t = &s->tcp;
	struct tcp_flow *w;

	if (t->copy_wait_head < 0)
		return;
	w = &t->flows[t->copy_wait_head];
	unwait_copy(s, w);
	tcp_mark_ready(s, w);
}

/* The earliest time a holder of (p) may lose its ring, or UINT64_MAX. */
static uint64_t first_stall(const struct net_stack *s, const struct tcp_pool *p)
{
	uint64_t at = UINT64_MAX;
	uint32_t i;

	for (i = 0; i < p->fresh; i++)
		if (p->owner[i] >= 0 && s->tcp.flows[p->owner[i]].progress_at < at)
			at = s->tcp.flows[p->owner[i]].progress_at;
	return at == UINT64_MAX ? at : at + TCP_POOL_STALL_NS;
}

void tcp_pool_wake(struct net_stack *s, uint64_t now)
{
	struct tcp_state *t = &s->tcp;
	uint64_t free_rings = t->cp.n - *t->cp.used;
	struct tcp_flow *h;

	while (t->copy_wait_head >= 0 && free_rings--)
		wake_one(s);
	if (t->copy_wait_head < 0 || now < t->copy_check_at)
		return;
	/* Writers wait and every ring is held: a holder that has since stalled
	 * gives its ring to the first of them. */
	if ((h = stalled(s, &t->cp, NULL, now)) != NULL) {
		(*t->cp.evicted)++;
		evict(s, h, now);
		wake_one(s);
	}
	t->copy_check_at = first_stall(s, &t->cp);
	/* A holder stalled but not held back by its peer may become so: look
	 * again in a tenth of the stall time, not at every poll. */
	if (t->copy_check_at <= now)
		t->copy_check_at = now + TCP_POOL_STALL_NS / 10;
	tcp_set_timer(s, &t->copy_check_at, t->copy_check_at == UINT64_MAX ? 0 : t->copy_check_at);
}

void tcp_pool_idle(struct net_stack *s, struct tcp_flow *f)
{
	if (f->rbuf && !f->r_len && !f->n_ooo) {
		give(&s->tcp.rx, f->rbuf);
		f->rbuf = NULL;
		f->r_head = 0;
	}
	if (f->copy && !f->copy_used) {
		give(&s->tcp.cp, f->copy);
		f->copy = NULL;
		f->copy_start = f->copy_end = 0;
		wake_one(s);
	}
}

void tcp_pool_drop(struct net_stack *s, struct tcp_flow *f)
{
	unwait_copy(s, f);
	if (f->rbuf) {
		f->r_len = 0;
		f->n_ooo = 0;
	}
	if (f->copy) {
		/* Copied chunks point into the ring: the send queue goes with it. */
		tcp_queue_drop(f);
		f->copy_used = 0;
	}
	tcp_pool_idle(s, f);
}

void tcp_pool_progress(struct tcp_flow *f, uint64_t now)
{
	f->progress_at = now;
}
