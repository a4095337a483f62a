/* SPDX-License-Identifier: MIT */
/* TCP options: MSS (RFC 9293 3.7.1), window scale and timestamps (RFC 7323),
 * SACK (RFC 2018). */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/stack.h"

#define OPT_END     0u
#define OPT_NOP     1u
#define OPT_MSS     2u
#define OPT_WS      3u
#define OPT_SACK_OK 4u
#define OPT_SACK    5u
#define OPT_TS      8u

uint32_t tcp_ts_now(uint64_t now)
{
	return (uint32_t)(now / 1000000u); /* a 1 ms clock (RFC 7323 5.4) */
}

uint16_t tcp_mss_for(const struct net_stack *s, const struct net_ip *dst)
{
	return (uint16_t)(l3_mtu(s, dst) - l3_hdr_len(dst) - 20);
}

size_t tcp_opt_write(const struct net_stack *s, const struct tcp_flow *f, bool syn, uint8_t *o,
                     uint64_t now)
{
	size_t n = 0, i, blocks;
	uint16_t mss = tcp_mss_for(s, &f->raddr);

	if (syn) {
		o[n++] = OPT_MSS;
		o[n++] = 4;
		put_u16be(o + n, mss);
		n += 2;
		/* Offered on our SYN; on a SYN-ACK only when the peer offered them. */
		if (f->state == TCP_SYN_SENT || f->sack_ok) {
			o[n++] = OPT_SACK_OK;
			o[n++] = 2;
		} else {
			o[n++] = OPT_NOP;
			o[n++] = OPT_NOP;
		}
		if (f->state == TCP_SYN_SENT || f->ts_ok) {
			o[n++] = OPT_TS;
			o[n++] = 10;
			put_u32be(o + n, tcp_ts_now(now));
			put_u32be(o + n + 4, f->ts_recent);
			n += 8;
		}
		if (f->state == TCP_SYN_SENT || f->ws_ok) {
			o[n++] = OPT_NOP;
			o[n++] = OPT_WS;
			o[n++] = 3;
			o[n++] = f->rcv_wscale;
		}
		while (n % 4)
			o[n++] = OPT_NOP;
		return n;
	}
	if (f->ts_ok) {
		o[n++] = OPT_NOP;
		o[n++] = OPT_NOP;
		o[n++] = OPT_TS;
		o[n++] = 10;
		put_u32be(o + n, tcp_ts_now(now));
		put_u32be(o + n + 4, f->ts_recent);
		n += 8;
	}
	/* SACK blocks for what we hold beyond rcv_nxt (RFC 2018 4), newest
	 * first would be ideal; lowest first is what we keep. */
	blocks = f->sack_ok ? f->n_ooo : 0;
	if (blocks > (f->ts_ok ? 3u : 4u))
		blocks = f->ts_ok ? 3u : 4u;
	if (blocks) {
		o[n++] = OPT_NOP;
		o[n++] = OPT_NOP;
		o[n++] = OPT_SACK;
		o[n++] = (uint8_t)(2 + 8 * blocks);
		for (i = 0; i < blocks; i++) {
			put_u32be(o + n, f->ooo[i].l);
			put_u32be(o + n + 4, f->ooo[i].r);
			n += 8;
		}
	}
	return n;
}

/* Parse the options into (sg). Like Linux's tcp_parse_options, a bad option
 * is ignored rather than the segment dropped: a known option of the wrong
 * length is skipped, and a list that runs past its end or has a length under
 * 2 ends parsing there, keeping what came before. Peers with such bugs (and
 * middleboxes that mangle options) still connect. False when anything was
 * malformed, for the counter. */
bool tcp_opt_parse(const uint8_t *p, size_t len, bool syn, struct tcp_seg *sg)
{
	struct cur c = cur_make(p, len);
	bool ok = true;

	sg->mss = 0;
	sg->wscale = -1;
	sg->sack_ok = sg->has_ts = false;
	sg->n_sack = 0;
	while (c.len) {
		uint8_t kind, olen;
		const uint8_t *v;
		struct cur oc;
		cur_u8(&c, &kind);
		if (kind == OPT_END)
			break;
		if (kind == OPT_NOP)
			continue;
		if (!cur_u8(&c, &olen) || olen < 2 || !cur_bytes(&c, olen - 2u, &v))
			return false; /* the rest of the list cannot be trusted */
		oc = cur_make(v, olen - 2u);
		switch (kind) {
		case OPT_MSS:
			if (olen != 4)
				ok = false;
			else if (syn)
				cur_u16be(&oc, &sg->mss);
			break;
		case OPT_WS:
			if (olen != 3) {
				ok = false;
			} else if (syn) {
				uint8_t w = 0;
				cur_u8(&oc, &w);
				sg->wscale = (int8_t)(w > 14 ? 14 : w); /* RFC 7323 2.3 */
			}
			break;
		case OPT_SACK_OK:
			if (olen != 2)
				ok = false;
			else
				sg->sack_ok = syn;
			break;
		case OPT_SACK:
			if ((olen - 2) % 8 || olen < 10) {
				ok = false;
				break;
			}
			sg->n_sack = 0;
			while (oc.len && sg->n_sack < 4) {
				cur_u32be(&oc, &sg->sack[sg->n_sack].l);
				cur_u32be(&oc, &sg->sack[sg->n_sack].r);
				sg->n_sack++;
			}
			break;
		case OPT_TS:
			if (olen != 10) {
				ok = false;
				break;
			}
			cur_u32be(&oc, &sg->tsval);
			cur_u32be(&oc, &sg->tsecr);
			sg->has_ts = true;
			break;
		default:
			break; /* unknown options are skipped (RFC 9293 3.1) */
		}
	}
	return ok;
}
