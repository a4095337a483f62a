/* SPDX-License-Identifier: MIT */
/* TCP output: segments, the send loop, ACK processing, retransmission and
 * congestion control.
 *
 * Congestion control is NewReno (RFC 5681, RFC 6582), with SACK (RFC 2018)
 * choosing what to retransmit during recovery. Why NewReno over CUBIC: deck
 * traffic is short responses and a few large files over short, low-delay
 * paths, where CUBIC's advantage (fast regrowth on long fat pipes) does not
 * show; NewReno's state is a few integers whose every transition the
 * simulation can check against the RFC's text. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/cksum.h"
#include "net/stack.h"

/* Payload parts one segment gathers: a device takes a frame of this many
 * parts (plus its headers) without copying it. A segment is cut where its
 * parts run out (fit()), so every frame is whole, whatever the queue holds. */
#define MAX_PARTS 12

void tcp_flow_init_cc(struct tcp_flow *f)
{
	f->cwnd = 10u * f->mss; /* RFC 6928 */
	f->ssthresh = 0x7fffffffu;
	f->dupacks = 0;
	f->in_recovery = false;
}

uint32_t tcp_rcv_window(const struct tcp_flow *f)
{
	return f->rbuf_cap - f->r_len;
}

/* Gather [seq, seq + len) of the send queue into (iov), at most (cap) parts;
 * *got is what they cover (less than len when the parts ran out). */
static size_t gather(const struct tcp_flow *f, uint32_t seq, uint32_t len, struct plat_iov *iov,
                     size_t cap, uint32_t *got)
{
	size_t n = 0;
	uint8_t i;

	*got = 0;
	for (i = 0; i < f->q_n && len && n < cap; i++) {
		const struct tcp_chunk *c = &f->q[(f->q_head + i) % TCP_SNDQ];
		uint32_t off, k;
		if (seq_le(c->seq + c->len, seq))
			continue;
		off = seq - c->seq;
		k = c->len - off < len ? c->len - off : len;
		iov[n].p = tcp_chunk_bytes(c) + off;
		iov[n].len = k;
		/* Store bytes: a device may keep the pointer. Not a shared
		 * buffer's: it may be written again once acknowledged, while a
		 * device could still hold a retransmitted frame of it. */
		iov[n].stable = !c->copied && !c->shared;
		n++;
		seq += k;
		len -= k;
		*got += k;
	}
	return n;
}

/* How much of [seq, seq + len) one segment can carry: what MAX_PARTS parts
 * of the queue hold. Many small chunks (a multipart response's boundaries
 * between its ranges) end a segment early rather than making it short. */
static uint32_t fit(const struct tcp_flow *f, uint32_t seq, uint32_t len)
{
	struct plat_iov iov[MAX_PARTS];
	uint32_t got;

	gather(f, seq, len, iov, MAX_PARTS, &got);
	return got;
}

/* Send one segment: flags, [seq, seq + len) of the queue, options. With (mss)
 * not 0 and (len) above it, one large frame for the device to cut into frames
 * of (mss) payload bytes (segmentation offload). (len) must be what fit()
 * allows; should the parts cover less, the segment carries what they cover
 * (headers, checksum and all), never a frame shorter than it claims. */
static bool send_segment_tso(struct net_stack *s, struct tcp_flow *f, uint32_t seq, uint32_t len,
                             uint8_t flags, uint32_t mss, uint64_t now)
{
	uint32_t got;
	uint8_t hdr[20 + TCP_MAX_OPT];
	struct plat_iov iov[MAX_PARTS + 1];
	size_t optlen = tcp_opt_write(s, f, (flags & TH_SYN) != 0, hdr + 20, now), n, i;
	uint32_t wnd = tcp_rcv_window(f) >> ((flags & TH_SYN) ? 0 : f->rcv_wscale);
	struct cksum ck;
	struct net_gso gso;
	enum net_result r;

	if (wnd > 0xffff)
		wnd = 0xffff;
	put_u16be(hdr, f->lport);
	put_u16be(hdr + 2, f->rport);
	put_u32be(hdr + 4, seq);
	put_u32be(hdr + 8, (flags & TH_ACK) ? f->rcv_nxt : 0);
	hdr[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	hdr[13] = flags;
	put_u16be(hdr + 14, (uint16_t)wnd);
	hdr[16] = hdr[17] = hdr[18] = hdr[19] = 0;
	iov[0].p = hdr;
	iov[0].len = 20 + optlen;
	iov[0].stable = 0;
	n = 1 + gather(f, seq, len, iov + 1, MAX_PARTS, &got);
	if (got != len) {
		s->tcp.stats.tx_cut++; /* a caller skipped fit(): cut, still whole */
		len = got;
		flags &= (uint8_t) ~(TH_FIN | TH_PSH);
	}
	cksum_init(&ck);
	l3_pseudo(&ck, &f->laddr, &f->raddr, IPPROTO_TCP_, 20 + (uint32_t)optlen + len);
	if (mss && len > mss) {
		/* The device sums each frame: leave it the pseudo-header's sum. */
		put_u16be(hdr + 16, (uint16_t)~cksum_finish(&ck));
		gso.mss = (uint16_t)mss;
		gso.hdr_len = (uint16_t)(20 + optlen);
		gso.csum_start = 0;
		gso.csum_offset = 16;
	} else {
		for (i = 0; i < n; i++)
			cksum_add(&ck, iov[i].p, iov[i].len);
		put_u16be(hdr + 16, cksum_finish(&ck));
		mss = 0;
	}
	if (flags & TH_ACK) {
		f->rcv_adv = f->rcv_nxt + (wnd << f->rcv_wscale);
		f->last_ack_sent = f->rcv_nxt;
		f->unacked = 0;
		f->ack_now = false;
		f->t_delack = 0;
	}
	if (mss) {
		s->tcp.stats.tso_sends++;
		s->tcp.stats.tx_segs += (len + mss - 1) / mss;
		r = l3_output_gso(s, &f->laddr, &f->raddr, iov, n, &gso, now);
	} else {
		s->tcp.stats.tx_segs++;
		r = l3_output(s, &f->laddr, &f->raddr, IPPROTO_TCP_, iov, n, now);
	}
	if (r != NET_OK)
		s->tcp.stats.tx_fail++;
	return r == NET_OK;
}

static bool send_segment(struct net_stack *s, struct tcp_flow *f, uint32_t seq, uint32_t len,
                         uint8_t flags, uint64_t now)
{
	return send_segment_tso(s, f, seq, len, flags, 0, now);
}

void tcp_send_ack(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	/* At snd_max, not snd_nxt: after a timeout snd_nxt goes back, and an ACK
	 * below what the peer has acknowledged would be out of its window, its
	 * ACK field never read (two flows backing off at once would deadlock). */
	send_segment(s, f, f->snd_max, 0, TH_ACK, now);
}

void tcp_send_probe(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	send_segment(s, f, f->snd_una - 1, 0, TH_ACK, now);
}

void tcp_send_syn(struct net_stack *s, struct tcp_flow *f, bool ack, uint64_t now)
{
	send_segment(s, f, f->iss, 0, (uint8_t)(TH_SYN | (ack ? TH_ACK : 0)), now);
	f->snd_nxt = f->snd_max = f->iss + 1;
	f->snd_end = seq_max(f->snd_end, f->iss + 1);
	if (!f->t_rexmit)
		tcp_set_timer(s, &f->t_rexmit, now + f->rto_ns);
}

void tcp_send_rst(struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                  const struct net_ip *raddr, uint16_t rport, uint32_t seq, uint32_t ack,
                  bool with_ack, uint64_t now)
{
	uint8_t hdr[20];
	struct plat_iov iov = {hdr, 20, 0};
	struct cksum ck;

	put_u16be(hdr, lport);
	put_u16be(hdr + 2, rport);
	put_u32be(hdr + 4, seq);
	put_u32be(hdr + 8, with_ack ? ack : 0);
	hdr[12] = 5 << 4;
	hdr[13] = (uint8_t)(TH_RST | (with_ack ? TH_ACK : 0));
	hdr[14] = hdr[15] = hdr[16] = hdr[17] = hdr[18] = hdr[19] = 0;
	cksum_init(&ck);
	l3_pseudo(&ck, laddr, raddr, IPPROTO_TCP_, 20);
	cksum_add(&ck, hdr, 20);
	put_u16be(hdr + 16, cksum_finish(&ck));
	s->tcp.stats.rst_sent++;
	l3_output(s, laddr, raddr, IPPROTO_TCP_, &iov, 1, now);
}

/* ---- the send loop ---- */

/* Payload that fits one segment: the MSS less the SACK option we would add. */
static uint32_t payload_cap(const struct tcp_flow *f)
{
	uint32_t blocks = f->sack_ok ? f->n_ooo : 0, max = f->ts_ok ? 3u : 4u;

	if (blocks > max)
		blocks = max;
	return blocks ? f->mss - (4u + 8u * blocks) : f->mss;
}

static uint32_t flight(const struct tcp_flow *f)
{
	return f->snd_nxt - f->snd_una;
}

/* The FIN goes at snd_end, after the last queued byte. */
static bool fin_due(const struct tcp_flow *f)
{
	return f->fin_queued && f->snd_nxt == f->snd_end &&
	       (f->state == TCP_ESTABLISHED || f->state == TCP_CLOSE_WAIT ||
	        f->state == TCP_FIN_WAIT_1 || f->state == TCP_CLOSING || f->state == TCP_LAST_ACK);
}

static void send_fin(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	send_segment(s, f, f->snd_nxt, 0, TH_FIN | TH_ACK, now);
	f->snd_nxt++;
	f->snd_max = seq_max(f->snd_max, f->snd_nxt);
	if (f->state == TCP_ESTABLISHED)
		f->state = TCP_FIN_WAIT_1;
	else if (f->state == TCP_CLOSE_WAIT)
		f->state = TCP_LAST_ACK;
	if (!f->t_rexmit)
		tcp_set_timer(s, &f->t_rexmit, now + f->rto_ns);
}

void tcp_output(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	bool sent = false;
	uint32_t tso_big = 0; /* payload a large frame may carry; 0: no offload */

	if (f->state == TCP_SYN_SENT || f->state == TCP_CLOSED)
		return;
	if (f->state == TCP_SYN_RCVD) {
		if (f->ack_now)
			tcp_send_syn(s, f, true, now);
		f->ack_now = false;
		return;
	}
	if (seq_lt(f->snd_nxt, f->snd_end) && l3_gso_ready(s, &f->raddr, now))
		tso_big = s->cfg.tso_max - l3_hdr_len(&f->raddr) - 20 - TCP_MAX_OPT;
	for (;;) {
		uint32_t wnd = f->cwnd < f->snd_wnd ? f->cwnd : f->snd_wnd;
		uint32_t avail = seq_lt(f->snd_nxt, f->snd_end) ? f->snd_end - f->snd_nxt : 0;
		uint32_t room, len;
		if (!avail)
			break;
		room = wnd > flight(f) ? wnd - flight(f) : 0;
		uint32_t cap = payload_cap(f), most = cap;
		/* With segmentation offload, whole MSS-sized frames go down as one
		 * (Linux sizes them the same way: up to 64 KiB). */
		if (avail > cap && room > cap && tso_big > cap)
			most = tso_big / cap * cap;
		len = avail < most ? avail : most;
		if (len > room)
			len = room;
		if (len > cap && len < avail)
			len = len / cap * cap; /* only the last frame may be short */
		/* Sender-side silly window avoidance (RFC 9293 3.8.6.2.1): no runt
		 * segment while data is in flight and more could come whole. */
		if (!len || (len < cap && len < avail && flight(f)))
			break;
		/* Cut where the queue's parts run out (after the runt check: a
		 * segment cut here is short because of its parts, not the window,
		 * and waiting for an ACK would stall every many-part response). */
		len = fit(f, f->snd_nxt, len);
		if (!len)
			break;
		if (!f->rtt_timing && !f->ts_ok && f->snd_nxt == f->snd_max) {
			f->rtt_timing = true;
			f->rtt_seq = f->snd_nxt;
			f->rtt_start = now;
		}
		if (!send_segment_tso(s, f, f->snd_nxt, len,
		                      (uint8_t)(TH_ACK | (len == avail ? TH_PSH : 0)), cap, now)) {
			/* The device had no room (or refused a large frame): with
			 * nothing in flight no ACK will bring us back, so the
			 * retransmission timer does (net.h's contract). */
			if (!f->t_rexmit)
				tcp_set_timer(s, &f->t_rexmit, now + f->rto_ns);
			break;
		}
		f->snd_nxt += len;
		f->snd_max = seq_max(f->snd_max, f->snd_nxt);
		sent = true;
		if (!f->t_rexmit)
			tcp_set_timer(s, &f->t_rexmit, now + f->rto_ns);
	}
	if (fin_due(f)) {
		send_fin(s, f, now);
		sent = true;
	}
	/* A zero window with data waiting: probe it (RFC 9293 3.8.6.1). */
	if (f->snd_wnd == 0 && f->snd_end != f->snd_nxt && !flight(f) && !f->t_persist)
		tcp_set_timer(
		        s, &f->t_persist,
		        now + (f->rto_ns > TCP_PERSIST_MIN_NS ? f->rto_ns : TCP_PERSIST_MIN_NS));
	if (!sent && f->ack_now)
		tcp_send_ack(s, f, now);
}

/* ---- acknowledgements ---- */

static void rtt_sample(struct tcp_flow *f, uint64_t rtt)
{
	/* RFC 6298 2.2 and 2.3, alpha 1/8, beta 1/4, K 4. */
	if (!f->srtt_ns) {
		f->srtt_ns = rtt;
		f->rttvar_ns = rtt / 2;
	} else {
		uint64_t d = f->srtt_ns > rtt ? f->srtt_ns - rtt : rtt - f->srtt_ns;
		f->rttvar_ns = (3 * f->rttvar_ns + d) / 4;
		f->srtt_ns = (7 * f->srtt_ns + rtt) / 8;
	}
	f->rto_ns = f->srtt_ns + (4 * f->rttvar_ns > TCP_MS ? 4 * f->rttvar_ns : TCP_MS);
	if (f->rto_ns < TCP_MIN_RTO_NS)
		f->rto_ns = TCP_MIN_RTO_NS;
	if (f->rto_ns > TCP_MAX_RTO_NS)
		f->rto_ns = TCP_MAX_RTO_NS;
}

/* Drop what the peer has: chunks wholly below snd_una, and their copies. */
static void release(struct tcp_flow *f)
{
	while (f->q_n) {
		struct tcp_chunk *c = &f->q[f->q_head];
		if (seq_lt(f->snd_una, c->seq + c->len))
			break;
		if (c->copied) {
			f->copy_used -= c->len;
			f->copy_start = (uint32_t)(c->p - f->copy) + c->len;
		}
		if (c->shared)
			shared_release(c->sh);
		f->q_head = (uint8_t)((f->q_head + 1) % TCP_SNDQ);
		f->q_n--;
	}
	if (!f->copy_used)
		f->copy_start = f->copy_end = 0;
	else {
		/* The next live copy starts where the next copied chunk does. */
		uint8_t i;
		for (i = 0; i < f->q_n; i++) {
			const struct tcp_chunk *c = &f->q[(f->q_head + i) % TCP_SNDQ];
			if (c->copied) {
				f->copy_start = (uint32_t)(c->p - f->copy);
				break;
			}
		}
	}
}

void tcp_queue_drop(struct tcp_flow *f)
{
	uint8_t i;

	for (i = 0; i < f->q_n; i++) {
		struct tcp_chunk *c = &f->q[(f->q_head + i) % TCP_SNDQ];
		if (c->shared)
			shared_release(c->sh);
	}
	f->q_n = 0;
}

static void merge_sack(struct tcp_flow *f, const struct tcp_seg *sg)
{
	uint8_t i, k;

	for (i = 0; i < sg->n_sack; i++) {
		struct tcp_range b = sg->sack[i];
		/* RFC 2018 / RFC 5961 sanity: within what we sent, above snd_una. */
		if (!seq_lt(b.l, b.r) || seq_le(b.r, f->snd_una) || seq_lt(f->snd_max, b.r))
			continue;
		for (k = 0; k < f->n_sacked; k++)
			if (seq_le(b.l, f->sacked[k].r) && seq_le(f->sacked[k].l, b.r)) {
				if (seq_lt(b.l, f->sacked[k].l))
					f->sacked[k].l = b.l;
				if (seq_lt(f->sacked[k].r, b.r))
					f->sacked[k].r = b.r;
				break;
			}
		if (k == f->n_sacked && f->n_sacked < TCP_SACKED)
			f->sacked[f->n_sacked++] = b;
	}
	/* Forget blocks below snd_una. */
	for (k = 0; k < f->n_sacked;)
		if (seq_le(f->sacked[k].r, f->snd_una))
			f->sacked[k] = f->sacked[--f->n_sacked];
		else
			k++;
}

/* The first byte at or after (from) that the peer has not SACKed, and how
 * much of it to resend (up to one segment, up to the next SACKed block). With
 * (below_sacked), only a hole below the highest SACKed byte: the peer's SACKs
 * past it say it was lost (RFC 6675's IsLost, simplified). */
static uint32_t next_hole(const struct tcp_flow *f, uint32_t from, bool below_sacked, uint32_t *len)
{
	uint32_t seq = from, end = f->snd_max, high = f->snd_una;
	bool moved = true;
	uint8_t k;

	while (moved) {
		moved = false;
		for (k = 0; k < f->n_sacked; k++)
			if (seq_le(f->sacked[k].l, seq) && seq_lt(seq, f->sacked[k].r)) {
				seq = f->sacked[k].r;
				moved = true;
			}
	}
	for (k = 0; k < f->n_sacked; k++) {
		if (seq_lt(seq, f->sacked[k].l) && seq_lt(f->sacked[k].l, end))
			end = f->sacked[k].l;
		high = seq_max(high, f->sacked[k].r);
	}
	if (below_sacked && seq_lt(high, end))
		end = high;
	if (seq_lt(f->snd_end, end))
		end = f->snd_end;
	*len = seq_lt(seq, end) ? end - seq : 0;
	if (*len > payload_cap(f))
		*len = payload_cap(f);
	return seq;
}

/* Resend the next hole at or after (from); false when there is none. */
static bool retransmit_hole(struct net_stack *s, struct tcp_flow *f, uint32_t from,
                            bool below_sacked, uint64_t now)
{
	uint32_t len, seq = next_hole(f, from, below_sacked, &len);

	len = fit(f, seq, len);
	if (!len)
		return false;
	if (seq != f->snd_una)
		s->tcp.stats.sack_rexmits++;
	s->tcp.stats.rexmits++;
	f->rtt_timing = false; /* Karn: no samples from retransmitted data */
	send_segment(s, f, seq, len, TH_ACK, now);
	f->rexmit_next = seq + len;
	return true;
}

/* RFC 6582 3.2: three duplicate ACKs, or more during recovery. */
static void duplicate_ack(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	f->dupacks++;
	if (f->in_recovery) {
		f->cwnd += f->mss; /* inflate: a segment has left the network */
		/* SACK: a further hole the peer reports lost goes before new data. */
		if (!f->sack_ok ||
		    !retransmit_hole(s, f, seq_max(f->rexmit_next, f->snd_una), true, now))
			tcp_output(s, f, now);
		return;
	}
	if (f->dupacks < 3)
		return;
	f->ssthresh = flight(f) / 2 > 2u * f->mss ? flight(f) / 2 : 2u * f->mss;
	f->recover = f->snd_max;
	f->in_recovery = true;
	f->cwnd = f->ssthresh + 3u * f->mss;
	s->tcp.stats.fast_rexmits++;
	retransmit_hole(s, f, f->snd_una, false, now);
}

static void new_ack(struct net_stack *s, struct tcp_flow *f, uint32_t acked, uint64_t now)
{
	if (f->in_recovery) {
		if (seq_le(f->recover, f->snd_una)) {
			/* Full ACK: recovery is over (RFC 6582 3.2 step 3). */
			f->in_recovery = false;
			f->cwnd =
			        f->ssthresh < flight(f) + f->mss ? f->ssthresh : flight(f) + f->mss;
			if (f->cwnd < f->mss)
				f->cwnd = f->mss;
		} else {
			/* Partial ACK: the next hole goes now; deflate (step 4). */
			retransmit_hole(s, f, f->snd_una, false, now);
			f->cwnd = f->cwnd > acked ? f->cwnd - acked + f->mss : f->mss;
		}
	} else if (f->cwnd < f->ssthresh) {
		f->cwnd += acked < f->mss ? acked : f->mss; /* slow start, RFC 5681 3.1 */
	} else {
		f->cwnd += f->mss * f->mss / f->cwnd > 0 ? f->mss * f->mss / f->cwnd : 1;
	}
	f->dupacks = 0;
}

void tcp_ack_received(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                      uint64_t now)
{
	uint32_t old_wnd = f->snd_wnd;
	bool window_update = false;

	if (f->sack_ok && sg->n_sack)
		merge_sack(f, sg);
	/* RFC 9293 3.10.7.4: take the window from the newest segment. */
	if (seq_lt(f->snd_wl1, sg->seq) || (f->snd_wl1 == sg->seq && seq_le(f->snd_wl2, sg->ack))) {
		f->snd_wnd = (uint32_t)sg->wnd << f->snd_wscale;
		f->snd_wl1 = sg->seq;
		f->snd_wl2 = sg->ack;
		window_update = f->snd_wnd != old_wnd;
		if (f->snd_wnd > f->max_wnd)
			f->max_wnd = f->snd_wnd;
		if (f->snd_wnd) {
			f->t_persist = 0;
			f->persist_backoff = f->persist_lost = 0;
		}
	}
	if (seq_lt(f->snd_una, sg->ack) && seq_le(sg->ack, f->snd_max)) {
		uint32_t acked = sg->ack - f->snd_una;
		f->snd_una = sg->ack;
		if (seq_lt(f->snd_nxt, f->snd_una))
			f->snd_nxt = f->snd_una;
		if (f->ts_ok && sg->has_ts && sg->tsecr)
			rtt_sample(f, (uint64_t)(tcp_ts_now(now) - sg->tsecr) * TCP_MS);
		else if (f->rtt_timing && seq_lt(f->rtt_seq, sg->ack)) {
			f->rtt_timing = false;
			rtt_sample(f, now - f->rtt_start);
		}
		f->retries = 0;
		release(f);
		tcp_pool_progress(f, now);
		tcp_pool_idle(s, f); /* every copy acknowledged: the ring goes back */
		new_ack(s, f, acked, now);
		tcp_set_timer(s, &f->t_rexmit, f->snd_una == f->snd_max ? 0 : now + f->rto_ns);
		tcp_mark_ready(s, f); /* room to write */
	} else if (sg->ack == f->snd_una && !sg->len && !window_update &&
	           !(sg->flags & (TH_SYN | TH_FIN)) && f->snd_max != f->snd_una) {
		duplicate_ack(s, f, now);
	}
}

void tcp_retransmit_timeout(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	uint8_t limit = f->state == TCP_SYN_SENT || f->state == TCP_SYN_RCVD ? TCP_SYN_RETRIES
	                                                                     : TCP_MAX_RETRIES;

	f->t_rexmit = 0;
	if (++f->retries > limit) {
		s->tcp.stats.conn_failed++;
		if (f->state != TCP_SYN_SENT)
			tcp_send_rst(s, &f->laddr, f->lport, &f->raddr, f->rport, f->snd_nxt, 0,
			             false, now);
		f->failed = true;
		tcp_flow_done(s, f);
		return;
	}
	s->tcp.stats.rexmit_timeouts++;
	/* RFC 6298 5.5: back off; RFC 5681 3.1: one segment, ssthresh halved. */
	f->rto_ns = f->rto_ns * 2 > TCP_MAX_RTO_NS ? TCP_MAX_RTO_NS : f->rto_ns * 2;
	f->rtt_timing = false;
	if (f->state == TCP_SYN_SENT || f->state == TCP_SYN_RCVD) {
		send_segment(s, f, f->iss, 0,
		             (uint8_t)(TH_SYN | (f->state == TCP_SYN_RCVD ? TH_ACK : 0)), now);
		tcp_set_timer(s, &f->t_rexmit, now + f->rto_ns);
		return;
	}
	f->ssthresh = flight(f) / 2 > 2u * f->mss ? flight(f) / 2 : 2u * f->mss;
	f->cwnd = f->mss;
	f->in_recovery = false;
	f->dupacks = 0;
	f->n_sacked = 0; /* RFC 2018 8: SACK information may be reneged */
	/* Go back to snd_una and send again as the window allows, one segment
	 * now (the FIN too, when that is what was lost). */
	f->snd_nxt = f->snd_una;
	s->tcp.stats.rexmits++;
	tcp_output(s, f, now);
	tcp_set_timer(s, &f->t_rexmit, now + f->rto_ns);
}

void tcp_path_mtu(struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                  const struct net_ip *raddr, uint16_t rport, uint32_t seq, uint32_t mtu,
                  uint64_t now)
{
	struct tcp_flow *f = tcp_find(s, raddr, rport, laddr, lport);
	uint32_t mss, floor = net_ip_is4(raddr) ? 576u : 1280u;

	if (!f || f->state < TCP_ESTABLISHED || seq_lt(seq, f->snd_una) ||
	    !seq_lt(seq, f->snd_max)) {
		s->tcp.stats.pmtu_ignored++;
		return;
	}
	if (mtu < floor)
		mtu = floor; /* RFC 8201 5: never below the minimum MTU */
	if (mtu > l3_mtu(s, raddr))
		return;
	mss = mtu - l3_hdr_len(raddr) - 20u - (f->ts_ok ? 12u : 0u);
	if (mss >= f->mss)
		return;
	f->mss = (uint16_t)mss;
	s->tcp.stats.pmtu_updates++;
	/* What was sent at the old size was lost: send it again now, cut to
	 * the new one (as Linux's tcp_simple_retransmit), without a backoff. */
	f->snd_nxt = f->snd_una;
	f->rtt_timing = false;
	tcp_output(s, f, now);
}
