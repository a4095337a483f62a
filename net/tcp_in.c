/* SPDX-License-Identifier: MIT */
/* TCP input: segment validation, demultiplexing, the listen path (backlog and
 * SYN cookies), and the per-state processing of RFC 9293 3.10.7 with the
 * RFC 5961 defences and RFC 7323 PAWS. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/stack.h"

bool tcp_parse(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
               struct tcp_seg *sg)
{
	struct tcp_stats *st = &s->tcp.stats;
	struct cksum ck;
	size_t off;

	if (len < 20) {
		st->rx_short++;
		return false;
	}
	off = (size_t)(p[12] >> 4) * 4u;
	if (off < 20 || off > len) {
		st->rx_bad_offset++;
		return false;
	}
	cksum_init(&ck);
	l3_pseudo(&ck, &ip->from, &ip->to, IPPROTO_TCP_, (uint32_t)len);
	cksum_add(&ck, p, len);
	if (cksum_finish(&ck) != 0) {
		st->rx_bad_cksum++;
		return false;
	}
	sg->sport = get_u16be(p);
	sg->dport = get_u16be(p + 2);
	sg->seq = get_u32be(p + 4);
	sg->ack = get_u32be(p + 8);
	sg->flags = p[13] & 0x3fu;
	sg->wnd = get_u16be(p + 14);
	sg->data = p + off;
	sg->len = (uint32_t)(len - off);
	if (!tcp_opt_parse(p + 20, off - 20, (sg->flags & TH_SYN) != 0, sg))
		st->rx_bad_options++; /* ignored, the segment kept (tcp_opt_parse) */
	if (!sg->sport || !sg->dport) {
		st->rx_bad_offset++;
		return false;
	}
	return true;
}

/* Sequence space a segment occupies: data, SYN and FIN. */
static uint32_t seg_space(const struct tcp_seg *sg)
{
	return sg->len + ((sg->flags & TH_SYN) ? 1u : 0u) + ((sg->flags & TH_FIN) ? 1u : 0u);
}

/* RFC 9293 3.10.7.1: the reset for a segment that belongs to no connection. */
static void reset_for(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                      uint64_t now)
{
	if (sg->flags & TH_RST)
		return;
	if (sg->flags & TH_ACK)
		tcp_send_rst(s, &ip->to, sg->dport, &ip->from, sg->sport, sg->ack, 0, false, now);
	else
		tcp_send_rst(s, &ip->to, sg->dport, &ip->from, sg->sport, 0,
		             sg->seq + seg_space(sg), true, now);
}

static uint8_t wscale_for(uint32_t cap)
{
	uint8_t w = 0;

	while (w < 14 && (cap >> w) > 0xffffu)
		w++;
	return w;
}

/* Take the peer's SYN options (RFC 7323 1.3, RFC 2018 2, RFC 9293 3.7.1). */
static void syn_options(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg)
{
	uint16_t ours = tcp_mss_for(s, &f->raddr);
	uint16_t theirs = sg->mss ? sg->mss : 536;

	f->mss = theirs < ours ? theirs : ours;
	if (f->mss < 64)
		f->mss = 64; /* a peer announcing less gets the minimum IPv4 allows */
	f->ws_ok = sg->wscale >= 0;
	f->snd_wscale = f->ws_ok ? (uint8_t)sg->wscale : 0;
	f->rcv_wscale = f->ws_ok ? wscale_for(f->rbuf_cap) : 0;
	f->sack_ok = sg->sack_ok;
	f->ts_ok = sg->has_ts;
	if (f->ts_ok) {
		f->ts_recent = sg->tsval;
		f->mss = (uint16_t)(f->mss - 12); /* every segment carries 12 bytes of timestamp */
	}
	f->snd_wnd = sg->wnd; /* never scaled in a SYN */
	f->max_wnd = f->snd_wnd;
	f->snd_wl1 = sg->seq;
	tcp_flow_init_cc(f);
}

static struct tcp_flow *new_passive(struct net_stack *s, struct tcp_listener *l,
                                    const struct ip_meta *ip, const struct tcp_seg *sg,
                                    uint64_t now)
{
	struct tcp_flow *f = tcp_flow_new(s, now);

	if (!f)
		return NULL;
	f->laddr = ip->to;
	f->lport = sg->dport;
	f->raddr = ip->from;
	f->rport = sg->sport;
	tcp_flow_hash(s, f);
	f->listener = (int16_t)(l - s->tcp.l);
	l->pending++;
	return f;
}

/* A SYN-ACK carrying a cookie, from a flow that lives only on the stack. */
static void send_cookie(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                        uint64_t now)
{
	struct tcp_flow f;
	uint16_t mss;

	memset(&f, 0, sizeof f);
	f.s = s;
	f.laddr = ip->to;
	f.lport = sg->dport;
	f.raddr = ip->from;
	f.rport = sg->sport;
	f.state = TCP_SYN_RCVD;
	f.rbuf_cap = s->tcp.rx_buf;
	f.iss = tcp_cookie_make(s, ip, sg, &mss, now);
	f.rcv_nxt = sg->seq + 1;
	f.rto_ns = TCP_INIT_RTO_NS;
	f.next_ready = f.next_accept = f.next_dirty = -1;
	f.listener = -1;
	s->tcp.stats.cookies_sent++;
	tcp_send_syn(s, &f, true, now);
}

static void data_and_fin(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                         uint64_t now);

/* A segment for no connection: a listener's SYN or cookie ACK, else a reset. */
static void no_flow(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                    uint64_t now)
{
	struct tcp_stats *st = &s->tcp.stats;
	struct tcp_listener *l = l3_is_local(s, ip) ? tcp_listener_for(s, sg->dport) : NULL;
	struct tcp_flow *f;
	uint16_t mss;

	if (!l) {
		st->rx_no_flow++;
		reset_for(s, ip, sg, now);
		return;
	}
	if ((sg->flags & (TH_SYN | TH_ACK | TH_RST | TH_FIN)) == TH_SYN) {
		st->syn_rcvd++;
		/* Half-open flows may take a quarter of the table at most, so a
		 * flood of SYNs never crowds out connections that complete: past
		 * that (or the listener's backlog) SYN cookies answer instead. */
		if (l->pending >= l->backlog || l->pending >= s->tcp.n_flows / 4 + 1) {
			st->backlog_full++;
			send_cookie(s, ip, sg, now);
			return;
		}
		if (!(f = new_passive(s, l, ip, sg, now))) {
			send_cookie(s, ip, sg, now);
			return;
		}
		f->irs = sg->seq;
		f->rcv_nxt = sg->seq + 1;
		syn_options(s, f, sg);
		f->iss = tcp_isn(s, &f->laddr, f->lport, &f->raddr, f->rport, now);
		f->snd_una = f->snd_nxt = f->snd_max = f->snd_end = f->iss;
		f->snd_wl2 = f->iss;
		f->state = TCP_SYN_RCVD;
		tcp_send_syn(s, f, true, now);
		return;
	}
	if ((sg->flags & (TH_SYN | TH_ACK | TH_RST)) == TH_ACK) {
		if (!tcp_cookie_check(s, ip, sg, &mss, now)) {
			st->cookies_bad++;
			st->rx_no_flow++;
			reset_for(s, ip, sg, now);
			return;
		}
		if (!(f = new_passive(s, l, ip, sg, now))) {
			/* Every flow is in use: refuse it plainly (a reset) rather than
			 * leave the peer believing it is connected. */
			st->syn_dropped++;
			reset_for(s, ip, sg, now);
			return;
		}
		st->cookies_ok++;
		f->cookie = true;
		f->irs = sg->seq - 1;
		f->rcv_nxt = sg->seq;
		f->iss = sg->ack - 1;
		f->snd_una = f->snd_nxt = f->snd_max = f->snd_end = sg->ack;
		f->mss = mss;
		f->ws_ok = f->sack_ok = f->ts_ok = false;
		f->snd_wscale = f->rcv_wscale = 0;
		f->snd_wnd = f->max_wnd = sg->wnd;
		f->snd_wl1 = sg->seq;
		f->snd_wl2 = sg->ack;
		tcp_flow_init_cc(f);
		f->state = TCP_ESTABLISHED;
		tcp_accept_push(s, f);
		data_and_fin(s, f, sg, now);
		if (f->ack_now)
			tcp_output(s, f, now);
		return;
	}
	st->rx_no_flow++;
	reset_for(s, ip, sg, now);
}

/* RFC 9293 3.10.7.3. */
static void syn_sent(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                     uint64_t now)
{
	bool ack_ok = false;

	if (sg->flags & TH_ACK) {
		if (seq_le(sg->ack, f->iss) || seq_lt(f->snd_max, sg->ack)) {
			if (!(sg->flags & TH_RST))
				tcp_send_rst(s, &f->laddr, f->lport, &f->raddr, f->rport, sg->ack,
				             0, false, now);
			s->tcp.stats.rx_out_of_window++;
			return;
		}
		ack_ok = true;
	}
	if (sg->flags & TH_RST) {
		if (ack_ok) {
			s->tcp.stats.rst_rcvd++;
			s->tcp.stats.conn_failed++;
			f->failed = true;
			tcp_flow_done(s, f);
		} else {
			s->tcp.stats.rst_ignored++;
		}
		return;
	}
	if (!(sg->flags & TH_SYN))
		return;
	f->irs = sg->seq;
	f->rcv_nxt = sg->seq + 1;
	syn_options(s, f, sg);
	if (ack_ok) {
		f->snd_una = sg->ack;
		f->snd_wl2 = sg->ack;
		f->retries = 0;
		f->t_rexmit = 0;
		f->state = TCP_ESTABLISHED;
		f->ack_now = true;
		tcp_mark_ready(s, f);
		data_and_fin(s, f, sg, now);
		tcp_output(s, f, now);
		return;
	}
	/* Simultaneous open (RFC 9293 3.5, figure 8): SYN-ACK from SYN_RCVD. */
	f->state = TCP_SYN_RCVD;
	f->ack_now = true;
	tcp_output(s, f, now);
}

/* RFC 9293 3.10.7.4, first check: is the segment in the receive window? */
static bool acceptable(const struct tcp_flow *f, const struct tcp_seg *sg)
{
	uint32_t wnd = tcp_rcv_window(f), len = seg_space(sg);

	if (!len)
		return wnd ? seq_le(f->rcv_nxt, sg->seq) && seq_lt(sg->seq, f->rcv_nxt + wnd)
		           : sg->seq == f->rcv_nxt;
	if (!wnd)
		return false;
	return (seq_le(f->rcv_nxt, sg->seq) && seq_lt(sg->seq, f->rcv_nxt + wnd)) ||
	       (seq_le(f->rcv_nxt, sg->seq + len - 1) &&
	        seq_lt(sg->seq + len - 1, f->rcv_nxt + wnd));
}

static void challenge_ack(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	if (tcp_challenge_allowed(s, f, now))
		tcp_send_ack(s, f, now);
}

/* Where sequence number (seq) of the receive side lies in the ring. */
static uint32_t ring_at(const struct tcp_flow *f, uint32_t seq)
{
	return (uint32_t)(((uint64_t)f->r_head + f->r_len + (seq - f->rcv_nxt)) % f->rbuf_cap);
}

static void ring_put(struct tcp_flow *f, uint32_t seq, const uint8_t *p, uint32_t len)
{
	while (len) {
		uint32_t at = ring_at(f, seq), run = f->rbuf_cap - at;
		if (run > len)
			run = len;
		memcpy(f->rbuf + at, p, run);
		p += run;
		seq += run;
		len -= run;
	}
}

/* Store [seq, seq + len) but for the bytes already held out of order: where
 * a retransmission disagrees with what came first, the first bytes stay
 * (first-wins, as Linux keeps them), so that we and any middlebox that
 * reassembled the stream see the same bytes. */
static void ring_put_new(struct tcp_flow *f, uint32_t seq, const uint8_t *p, uint32_t len)
{
	uint32_t at = seq, end = seq + len;
	uint8_t i;

	for (i = 0; i < f->n_ooo && seq_lt(at, end); i++) {
		uint32_t l = f->ooo[i].l, r = f->ooo[i].r;
		if (seq_le(r, at))
			continue;
		if (seq_le(end, l))
			break;
		if (seq_lt(at, l))
			ring_put(f, at, p + (at - seq), l - at);
		at = r;
	}
	if (seq_lt(at, end))
		ring_put(f, at, p + (at - seq), end - at);
}

/* Remember [l, r) as held out of order, merging neighbours. False when the
 * table is full and the range touches none. */
static bool ooo_add(struct tcp_flow *f, uint32_t l, uint32_t r)
{
	uint8_t i, j;

	for (i = 0; i < f->n_ooo; i++)
		if (seq_le(l, f->ooo[i].r) && seq_le(f->ooo[i].l, r))
			break;
	if (i == f->n_ooo) {
		if (f->n_ooo == TCP_OOO)
			return false;
		/* Keep them sorted by left edge. */
		for (i = f->n_ooo; i > 0 && seq_lt(l, f->ooo[i - 1].l); i--)
			f->ooo[i] = f->ooo[i - 1];
		f->ooo[i].l = l;
		f->ooo[i].r = r;
		f->n_ooo++;
		return true;
	}
	if (seq_lt(l, f->ooo[i].l))
		f->ooo[i].l = l;
	if (seq_lt(f->ooo[i].r, r))
		f->ooo[i].r = r;
	/* Absorb the ranges it now reaches. */
	for (j = (uint8_t)(i + 1); j < f->n_ooo;) {
		if (seq_le(f->ooo[j].l, f->ooo[i].r)) {
			f->ooo[i].r = seq_max(f->ooo[i].r, f->ooo[j].r);
			memmove(&f->ooo[j], &f->ooo[j + 1],
			        (size_t)(f->n_ooo - j - 1) * sizeof f->ooo[0]);
			f->n_ooo--;
		} else {
			j++;
		}
	}
	return true;
}

/* After rcv_nxt moved: take held ranges that now continue it. */
static void ooo_advance(struct tcp_flow *f)
{
	while (f->n_ooo && seq_le(f->ooo[0].l, f->rcv_nxt)) {
		if (seq_lt(f->rcv_nxt, f->ooo[0].r)) {
			f->r_len += f->ooo[0].r - f->rcv_nxt;
			f->rcv_nxt = f->ooo[0].r;
		}
		memmove(&f->ooo[0], &f->ooo[1], (size_t)(f->n_ooo - 1) * sizeof f->ooo[0]);
		f->n_ooo--;
	}
}

/* The peer's FIN has been reached (RFC 9293 3.10.7.4, eighth check). */
static void fin_reached(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	f->rcv_nxt++;
	f->peer_fin = true;
	f->ack_now = true;
	switch (f->state) {
	case TCP_SYN_RCVD:
	case TCP_ESTABLISHED:
		f->state = TCP_CLOSE_WAIT;
		break;
	case TCP_FIN_WAIT_1:
		/* Our FIN acknowledged already would have made this FIN_WAIT_2. */
		f->state = TCP_CLOSING;
		break;
	case TCP_FIN_WAIT_2:
		tcp_enter_timewait(s, f, now);
		break;
	default:
		break;
	}
	tcp_mark_ready(s, f);
}

/* Text and FIN of an acceptable segment. */
static void data_and_fin(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                         uint64_t now)
{
	struct tcp_stats *st = &s->tcp.stats;
	uint32_t seq = sg->seq + ((sg->flags & TH_SYN) ? 1u : 0u), len = sg->len, lim;
	const uint8_t *p = sg->data;
	bool fin = (sg->flags & TH_FIN) != 0, had_ooo = f->n_ooo != 0;

	if (!len && !fin)
		return;
	if (f->peer_fin || f->state == TCP_CLOSE_WAIT || f->state == TCP_CLOSING ||
	    f->state == TCP_LAST_ACK || f->state == TCP_TIME_WAIT) {
		/* Everything up to the FIN is in; this is a retransmission. */
		st->rx_after_close++;
		f->ack_now = true;
		if (f->state == TCP_TIME_WAIT && fin)
			tcp_enter_timewait(s, f, now); /* RFC 9293: restart the 2 MSL wait */
		return;
	}
	if (seq_lt(seq, f->rcv_nxt)) {
		uint32_t skip = f->rcv_nxt - seq;
		if (skip > len)
			skip = len; /* nothing new, unless the FIN is */
		p += skip;
		len -= skip;
		seq += skip;
		if (!len && seq_lt(seq, f->rcv_nxt)) {
			st->rx_dup++;
			f->ack_now = true;
			return;
		}
	}
	lim = f->rcv_nxt + tcp_rcv_window(f);
	if (seq_lt(lim, seq + len)) {
		len = seq_lt(seq, lim) ? lim - seq : 0;
		fin = false; /* the FIN lies beyond what we can take */
	}
	if (len && !tcp_pool_rx(s, f, now)) {
		/* No ring to hold it: unacknowledged, it comes again (counted in
		 * rx_rings_full). */
		return;
	}
	if (len) {
		st->bytes_rcvd += len;
		ring_put_new(f, seq, p, len);
		if (seq == f->rcv_nxt) {
			f->r_len += len;
			f->rcv_nxt += len;
			ooo_advance(f);
			if (++f->unacked >= 2 || had_ooo)
				f->ack_now =
				        true; /* RFC 5681 4.2: every second segment; holes at once */
			else if (!f->t_delack)
				tcp_set_timer(s, &f->t_delack, now + TCP_DELACK_NS);
			if (f->released) {
				/* Nobody will read: consume it so the window stays open. */
				f->r_head = (f->r_head + f->r_len) % f->rbuf_cap;
				f->r_len = 0;
			}
			tcp_mark_ready(s, f);
		} else {
			st->rx_ooo++;
			if (!ooo_add(f, seq, seq + len))
				st->rx_ooo_dropped++;
			f->ack_now = true; /* a duplicate ACK, with SACK blocks (RFC 5681 4.2) */
			fin = false;       /* only honoured in order */
		}
	} else if (seq != f->rcv_nxt) {
		fin = false;
		f->ack_now = true;
	}
	tcp_pool_idle(s, f); /* consumed already, or nothing held */
	if (fin && seq + len == f->rcv_nxt)
		fin_reached(s, f, now);
}

/* Our FIN is acknowledged once snd_una passes the last queued byte. */
static bool our_fin_acked(const struct tcp_flow *f)
{
	return f->fin_queued && seq_lt(f->snd_end, f->snd_una);
}

/* RFC 9293 3.10.7.4, the ACK check; false when the segment is to be dropped. */
static bool ack_check(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                      uint64_t now, bool *gone)
{
	uint32_t floor =
	        f->snd_una - (f->max_wnd > f->snd_una - f->iss ? f->snd_una - f->iss : f->max_wnd);

	if (!(sg->flags & TH_ACK))
		return false;
	if (f->state == TCP_SYN_RCVD) {
		if (seq_le(sg->ack, f->snd_una) || seq_lt(f->snd_max, sg->ack)) {
			tcp_send_rst(s, &f->laddr, f->lport, &f->raddr, f->rport, sg->ack, 0, false,
			             now);
			return false;
		}
		f->state = TCP_ESTABLISHED;
		f->snd_wnd = (uint32_t)sg->wnd << f->snd_wscale;
		f->max_wnd = f->snd_wnd > f->max_wnd ? f->snd_wnd : f->max_wnd;
		f->snd_wl1 = sg->seq;
		f->snd_wl2 = sg->ack;
		if (f->listener >= 0)
			tcp_accept_push(s, f);
		else
			tcp_mark_ready(s, f);
	}
	/* RFC 5961 5.2: an ACK for data never sent, or too old, is challenged. */
	if (seq_lt(f->snd_max, sg->ack) || seq_lt(sg->ack, floor)) {
		s->tcp.stats.rx_out_of_window++;
		challenge_ack(s, f, now);
		return false;
	}
	tcp_ack_received(s, f, sg, now);
	if (!our_fin_acked(f))
		return true;
	switch (f->state) {
	case TCP_FIN_WAIT_1:
		f->state = TCP_FIN_WAIT_2;
		f->t_rexmit = 0;
		/* A peer that never sends its FIN must not hold a flow the app has
		 * let go of forever (a half-closed flow the app still reads waits). */
		if (f->released)
			tcp_set_timer(s, &f->t_timewait, now + TCP_FIN_WAIT2_NS);
		break;
	case TCP_CLOSING:
		tcp_enter_timewait(s, f, now);
		break;
	case TCP_LAST_ACK:
		tcp_flow_done(s, f);
		*gone = !f->used;
		return false;
	default:
		break;
	}
	return true;
}

/* The synchronised states: RFC 9293 3.10.7.4 in order. */
static void synchronized(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                         uint64_t now)
{
	struct tcp_stats *st = &s->tcp.stats;
	bool gone = false;

	/* RFC 7323 5.3, PAWS: an old timestamp means an old duplicate. */
	if (f->ts_ok && sg->has_ts && !(sg->flags & TH_RST) && seq_lt(sg->tsval, f->ts_recent)) {
		st->rx_paws++;
		f->ack_now = true;
		tcp_output(s, f, now);
		return;
	}
	/* A retransmitted SYN while we wait for the handshake's ACK. */
	if (f->state == TCP_SYN_RCVD && (sg->flags & TH_SYN) && !(sg->flags & TH_ACK) &&
	    sg->seq == f->irs) {
		st->rx_dup++;
		tcp_send_syn(s, f, true, now);
		return;
	}
	/* Simultaneous open (RFC 9293 figure 8): the peer's SYN-ACK repeats its
	 * SYN, already counted in rcv_nxt; what is new is its ACK. */
	if (f->state == TCP_SYN_RCVD && (sg->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) &&
	    sg->seq == f->irs) {
		struct tcp_seg trimmed = *sg;
		trimmed.flags &= (uint8_t)~TH_SYN;
		trimmed.seq++;
		synchronized(s, f, &trimmed, now);
		return;
	}
	if (!acceptable(f, sg)) {
		st->rx_out_of_window++;
		if (!(sg->flags & TH_RST)) {
			f->ack_now = true;
			tcp_output(s, f, now);
		}
		return;
	}
	if (sg->flags & TH_RST) {
		/* RFC 5961 3.2: only an exact match resets; else a challenge ACK. */
		if (sg->seq != f->rcv_nxt) {
			challenge_ack(s, f, now);
			return;
		}
		st->rst_rcvd++;
		if (f->state == TCP_TIME_WAIT) {
			st->rst_ignored++; /* RFC 1337: no TIME-WAIT assassination */
			return;
		}
		if (f->state != TCP_SYN_RCVD || f->listener < 0)
			f->failed = f->state != TCP_CLOSING && f->state != TCP_LAST_ACK;
		tcp_flow_done(s, f);
		return;
	}
	if (sg->flags & TH_SYN) {
		/* RFC 5961 4.2: a SYN in a synchronised state gets a challenge ACK. */
		challenge_ack(s, f, now);
		return;
	}
	if (f->ts_ok && sg->has_ts && seq_le(sg->seq, f->last_ack_sent) &&
	    !seq_lt(sg->tsval, f->ts_recent))
		f->ts_recent = sg->tsval; /* RFC 7323 4.3 */
	if (!ack_check(s, f, sg, now, &gone) || gone) {
		if (!gone && f->used && f->ack_now)
			tcp_output(s, f, now);
		return;
	}
	data_and_fin(s, f, sg, now);
	if (f->used)
		tcp_output(s, f, now);
}

void tcp_input(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
               uint64_t now)
{
	struct tcp_seg sg;
	struct tcp_flow *f;

	s->tcp.now = now;
	s->tcp.stats.rx++;
	if (ip->to_broadcast) {
		s->tcp.stats.rx_no_flow++;
		return; /* TCP is unicast (RFC 1122 4.2.3.10) */
	}
	if (!tcp_parse(s, ip, p, len, &sg))
		return;
	f = tcp_find(s, &ip->from, sg.sport, &ip->to, sg.dport);
	if (f && f->state == TCP_TIME_WAIT && (sg.flags & (TH_SYN | TH_ACK | TH_RST)) == TH_SYN &&
	    seq_lt(f->rcv_nxt, sg.seq)) {
		/* A new incarnation of a connection in TIME-WAIT (RFC 9293 3.6.1,
		 * RFC 6191): its SYN is above the old sequence space. */
		s->tcp.stats.timewait_recycled++;
		tcp_flow_free(s, f);
		f = NULL;
	}
	if (!f) {
		no_flow(s, ip, &sg, now);
		return;
	}
	f->last_rx = now;
	f->keepalive_probes = 0;
	if (f->keepalive_ns)
		tcp_set_timer(s, &f->t_keepalive, now + f->keepalive_ns);
	if (f->state == TCP_SYN_SENT)
		syn_sent(s, f, &sg, now);
	else
		synchronized(s, f, &sg, now);
}
