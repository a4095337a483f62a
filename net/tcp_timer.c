/* SPDX-License-Identifier: MIT */
/* TCP timers, one deadline each, 0 when off: retransmission (RFC 6298), the
 * delayed ACK (RFC 1122 4.2.3.2), the persist timer for a zero window
 * (RFC 9293 3.8.6.1), keepalive (RFC 1122 4.2.3.6) and TIME-WAIT, which also
 * bounds FIN-WAIT-2 for a peer that never sends its FIN.
 *
 * TIME-WAIT lasts TCP_TIMEWAIT_NS, 10 s rather than 2 MSL (4 min): with
 * timestamps on, PAWS rejects old duplicates from an earlier incarnation, and a
 * server that closes first would otherwise hold a flow per connection for
 * minutes. When the table is full the oldest TIME-WAIT flow is recycled. */
#include "net/stack.h"

uint64_t tcp_flow_deadline(const struct tcp_flow *f)
{
	const uint64_t t[5] = {f->t_rexmit, f->t_delack, f->t_persist, f->t_keepalive,
	                       f->t_timewait};
	uint64_t d = UINT64_MAX;
	size_t i;

	for (i = 0; i < 5; i++)
		if (t[i] && t[i] < d)
			d = t[i];
	return d;
}

void tcp_enter_timewait(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	f->state = TCP_TIME_WAIT;
	tcp_tw_append(s, f);
	f->t_rexmit = f->t_persist = f->t_keepalive = 0;
	tcp_set_timer(s, &f->t_timewait, now + TCP_TIMEWAIT_NS);
}

/* The flow is dead: the peer stopped answering, or will not open its window to
 * a flow the app has given up. It is reset and freed (or failed for the app). */
static void kill(struct net_stack *s, struct tcp_flow *f, uint64_t *counter, uint64_t now)
{
	(*counter)++;
	s->tcp.stats.conn_failed++;
	tcp_send_rst(s, &f->laddr, f->lport, &f->raddr, f->rport, f->snd_nxt, 0, false, now);
	f->failed = true;
	tcp_flow_done(s, f);
}

/* A zero window is probed for as long as the peer answers (RFC 9293
 * 3.8.6.1), with two bounds against a peer that holds the flow forever:
 * TCP_MAX_RETRIES unanswered probes in a row end it like unanswered
 * retransmissions would, and a flow the app has closed (nobody waits on it:
 * Linux's orphans) gets TCP_MAX_RETRIES probes in all: a few minutes. */
static void persist(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	uint64_t next = f->rto_ns << (f->persist_backoff < 7 ? f->persist_backoff : 7);

	f->t_persist = 0;
	if (f->snd_wnd || f->snd_end == f->snd_nxt)
		return; /* the window opened, or nothing waits */
	if (f->persist_backoff && f->last_rx < f->persist_last)
		f->persist_lost++;
	else
		f->persist_lost = 0;
	if (f->persist_lost >= TCP_MAX_RETRIES ||
	    (f->released && f->persist_backoff >= TCP_MAX_RETRIES)) {
		kill(s, f, &s->tcp.stats.persist_dead, now);
		return;
	}
	f->persist_last = now;
	s->tcp.stats.persist_probes++;
	tcp_send_probe(s, f, now);
	if (f->persist_backoff < 255)
		f->persist_backoff++;
	if (next < TCP_PERSIST_MIN_NS)
		next = TCP_PERSIST_MIN_NS;
	if (next > TCP_MAX_RTO_NS)
		next = TCP_MAX_RTO_NS;
	tcp_set_timer(s, &f->t_persist, now + next);
}

static void keepalive(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	f->t_keepalive = 0;
	if (!f->keepalive_ns || (f->state != TCP_ESTABLISHED && f->state != TCP_CLOSE_WAIT))
		return;
	if (now < f->last_rx + f->keepalive_ns) {
		tcp_set_timer(s, &f->t_keepalive, f->last_rx + f->keepalive_ns);
		return;
	}
	if (f->keepalive_probes >= f->keepalive_max) {
		kill(s, f, &s->tcp.stats.keepalive_dead, now);
		return;
	}
	f->keepalive_probes++;
	s->tcp.stats.keepalive_probes++;
	tcp_send_probe(s, f, now);
	tcp_set_timer(s, &f->t_keepalive, now + f->keepalive_intvl_ns);
}

void tcp_flow_timers(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	if (f->t_timewait && f->t_timewait <= now) {
		f->t_timewait = 0;
		if (f->state == TCP_TIME_WAIT || f->state == TCP_FIN_WAIT_2) {
			tcp_flow_done(s, f);
			return;
		}
	}
	if (f->t_rexmit && f->t_rexmit <= now) {
		tcp_retransmit_timeout(s, f, now);
		if (!f->used || f->state == TCP_CLOSED)
			return;
	}
	if (f->t_delack && f->t_delack <= now) {
		f->t_delack = 0;
		s->tcp.stats.delayed_acks++;
		tcp_send_ack(s, f, now);
	}
	if (f->t_persist && f->t_persist <= now) {
		persist(s, f, now);
		if (!f->used || f->failed)
			return;
	}
	if (f->t_keepalive && f->t_keepalive <= now)
		keepalive(s, f, now);
}
