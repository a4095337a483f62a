/* SPDX-License-Identifier: MIT */
/* Fuzz target: TCP conversations. The fuzzer plays a peer (10.0.0.9, ports
 * 40000-40003) that tracks what the stack sent it, so its segments carry
 * plausible sequence and acknowledgement numbers (exact, or off by a chosen
 * amount) with valid checksums and get deep into the state machine: opens in
 * both directions, data both ways, partial, duplicate and SACK acknowledgements,
 * zero windows, FIN and RST in every state, time passing (retransmission,
 * persist, keepalive, TIME-WAIT), and the app reading, writing, half-closing,
 * closing and aborting in between.
 *
 * Input: byte 0 picks the number of flows (2, 4, 8 or 16); then operations of
 * five bytes [op][a][b][c][d], described at each case below. Every frame the
 * stack sends is checked (net_harness.h); at the end every flow is given back
 * and after an hour of virtual time no flow, reference or timer may remain. */
#include "fuzz/net_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct peer {
	uint32_t iss, nxt; /* the peer's first and next sequence numbers */
	uint32_t acked;    /* the last acknowledgement it sent */
};

static struct peer peers[4];
static uint8_t last[1600];
static size_t last_len;

/* A delta that is 0 half the time, and otherwise up to about +-38000. */
static int32_t delta(uint8_t b)
{
	return (b & 1) ? (int32_t)(int8_t)b * 301 : 0;
}

/* Send a segment from the peer's port (idx) with (opt, olen) options and
 * (len) bytes of data. */
static void segment(unsigned idx, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
                    const uint8_t *opt, size_t olen, size_t len)
{
	uint8_t *f = last, *t;
	size_t n = fz_eth(f, fz_mac_us, 0x0800), hl = 20 + (olen + 3) / 4 * 4;

	if (len > 1460 - hl + 20)
		len = 1460 - hl + 20;
	t = f + n + 20;
	memset(t, 0, hl);
	put_u16be(t, (uint16_t)(40000 + idx));
	put_u16be(t + 2, 80);
	if (fz.seen[idx].any && fz.seen[idx].sport != 80)
		put_u16be(t + 2, fz.seen[idx].sport); /* a flow we opened */
	put_u32be(t + 4, seq);
	put_u32be(t + 8, ack);
	t[12] = (uint8_t)((hl / 4) << 4);
	t[13] = flags;
	put_u16be(t + 14, win);
	memcpy(t + 20, opt, olen);
	memcpy(t + hl, fz_content() + (seq & 0x7fff), len);
	put_u16be(t + 16, fz_l4_sum(FZ_PEER, FZ_US, 6, t, hl + len));
	fz_ipv4(f + n, FZ_PEER, FZ_US, 6, hl + len);
	last_len = n + 20 + hl + len;
	if (flags & 0x10)
		peers[idx].acked = ack;
	net_input(fz.s, f, last_len, fz.now);
}

static size_t ts_option(uint8_t *o)
{
	o[0] = 1;
	o[1] = 1;
	o[2] = 8;
	o[3] = 10;
	put_u32be(o + 4, (uint32_t)(fz.now / FZ_MS));
	put_u32be(o + 8, 0);
	return 12;
}

static const uint64_t steps[8] = {0,      FZ_MS,       10 * FZ_MS,  100 * FZ_MS,
                                  FZ_SEC, 10 * FZ_SEC, 60 * FZ_SEC, 600 * FZ_SEC};

static void op(const uint8_t *x)
{
	unsigned idx = x[1] & 3;
	struct peer *p = &peers[idx];
	struct fz_seen *w = &fz.seen[idx];
	uint8_t opt[40];
	size_t ol = 0;

	switch (x[0] & 15) {
	case 0: /* SYN: b picks the options (MSS c*4+536, window scale, SACK, TS) */
		p->iss = p->nxt = 0x10000000u * idx + (uint32_t)x[3] * 7919u;
		if (x[2] & 1) {
			opt[ol++] = 2;
			opt[ol++] = 4;
			put_u16be(opt + ol, (uint16_t)(536 + x[3] * 4));
			ol += 2;
		}
		if (x[2] & 2) {
			opt[ol++] = 1;
			opt[ol++] = 3;
			opt[ol++] = 3;
			opt[ol++] = x[4] & 15;
		}
		if (x[2] & 4) {
			opt[ol++] = 1;
			opt[ol++] = 1;
			opt[ol++] = 4;
			opt[ol++] = 2;
		}
		if (x[2] & 8)
			ol += ts_option(opt + ol);
		memset(w, 0, sizeof *w);
		segment(idx, p->nxt, 0, 0x02, 65535, opt, ol, 0);
		p->nxt++;
		break;
	case 1: /* SYN-ACK to a flow the stack opened (op 6) */
		p->iss = p->nxt = 0x20000000u * idx + (uint32_t)x[3] * 104729u;
		if (x[2] & 1) {
			opt[ol++] = 2;
			opt[ol++] = 4;
			put_u16be(opt + ol, 1460);
			ol += 2;
		}
		if (x[2] & 2)
			ol += ts_option(opt + ol);
		segment(idx, p->nxt, w->end + (uint32_t)delta(x[4]), 0x12, 65535, opt, ol, 0);
		p->nxt++;
		break;
	case 2: { /* RST (b bit 1: with ACK) at the peer's sequence off by delta(c) */
		uint8_t fl = (x[2] & 2) ? 0x14 : 0x04;
		segment(idx, p->nxt + (uint32_t)delta(x[3]), w->end, fl, 0, opt, 0, 0);
		break;
	}
	case 3: /* a duplicate ACK carrying a SACK block b*64..c*64 past what was acked */
		opt[ol++] = 1;
		opt[ol++] = 1;
		opt[ol++] = 5;
		opt[ol++] = 10;
		put_u32be(opt + ol, p->acked + (uint32_t)x[2] * 64u);
		put_u32be(opt + ol + 4, p->acked + (uint32_t)x[3] * 64u);
		ol += 8;
		segment(idx, p->nxt, p->acked, 0x10, (uint16_t)(x[4] << 8 | 0xff), opt, ol, 0);
		break;
	case 4: /* time passes: steps[b & 7] plus c ms */
		fz_advance(fz.now + steps[x[2] & 7] + x[3] * FZ_MS);
		break;
	case 5: /* the app runs (b: its choices) */
		fz_app_step(x[2]);
		break;
	case 6: { /* the stack opens a flow to the peer's port idx */
		struct tcp_flow *f = tcp_connect(fz.s, FZ_PEER, (uint16_t)(40000 + idx), fz.now);
		if (f)
			fz_app_keep(f);
		break;
	}
	case 7: /* keepalive on every flow the app holds: idle b s, every c*10 ms, d&7 probes */
		for (int i = 0; i < FZ_APP_FLOWS; i++)
			if (fz_app.f[i])
				tcp_set_keepalive(fz_app.f[i], x[2] * FZ_SEC, x[3] * 10 * FZ_MS,
				                  x[4] & 7);
		break;
	case 8: /* any flags (b) at the peer's sequence off by delta(c), acking all */
		segment(idx, p->nxt + (uint32_t)delta(x[3]), w->end, x[2], 8192, opt, 0,
		        (x[4] & 3) * 100u);
		if (!delta(x[3]))
			p->nxt += (x[4] & 3) * 100u + ((x[2] & 1) ? 1u : 0u);
		break;
	case 9: /* the last segment again: a network duplicate */
		if (last_len)
			net_input(fz.s, last, last_len, fz.now);
		break;
	default: { /* data (a>>2: 24-byte units) with ACK, b: seq off by delta(b),
	              c: which ACK, d: the window (0: zero window); op bits 4-7:
	              PSH, FIN, URG, timestamps */
		size_t len = (size_t)(x[1] >> 2) * 24;
		uint32_t ack;
		uint8_t fl = 0x10;
		switch ((x[3] >> 1) & 3) {
		case 0:
			ack = w->end; /* everything it sent */
			break;
		case 1:
			ack = w->seq; /* all but its last segment */
			break;
		case 2:
			ack = p->acked; /* the same as last time: a duplicate */
			break;
		default:
			ack = w->end + (uint32_t)delta(x[3]);
			break;
		}
		if (x[0] & 0x10)
			fl |= 0x08;
		if (x[0] & 0x20)
			fl |= 0x01;
		if (x[0] & 0x40)
			fl |= 0x20;
		if (x[0] & 0x80)
			ol = ts_option(opt);
		if (ol)
			put_u32be(opt + 8, w->tsval);
		int32_t d = delta(x[2]);
		segment(idx, p->nxt + (uint32_t)d, ack, fl, (uint16_t)(x[4] << 8), opt, ol, len);
		if (!d) {
			if (len > 1460 - 20 - (ol + 3) / 4 * 4 + 20)
				len = 1460 - 20 - (ol + 3) / 4 * 4 + 20;
			p->nxt += (uint32_t)len + ((fl & 1) ? 1u : 0u);
		}
		break;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at;

	if (size < 1)
		return 0;
	fz_stack(false, 2u << (data[0] & 3));
	fz_app_start();
	fz_peer_arp();
	memset(peers, 0, sizeof peers);
	last_len = 0;
	for (at = 1; at + 5 <= size; at += 5) {
		op(data + at);
		/* After each step the stack's own view must be consistent. */
		for (int i = 0; i < FZ_APP_FLOWS; i++)
			if (fz_app.f[i] && tcp_unsent(fz_app.f[i]) > tcp_unacked(fz_app.f[i]))
				abort(); /* more unsent than unacknowledged */
	}
	fz_app_finish();
	return 0;
}
