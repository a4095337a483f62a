/* SPDX-License-Identifier: MIT */
/* TCP's defences: RFC 6528 initial sequence numbers, SYN cookies for a full
 * backlog, and the RFC 5961 challenge-ACK rate limit. */
#include "lib/cursor.h"
#include "lib/mem.h"
#include "lib/sha256.h"
#include "net/stack.h"

/* Four MSS values a cookie can carry in two bits (what real peers offer). */
static const uint16_t cookie_mss[4] = {536, 1220, 1440, 1460};

static uint32_t keyed(const struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                      const struct net_ip *raddr, uint16_t rport, uint32_t extra1, uint32_t extra2)
{
	uint8_t msg[44], sum[SHA256_LEN];

	memcpy(msg, laddr->b, 16);
	put_u16be(msg + 16, lport);
	memcpy(msg + 18, raddr->b, 16);
	put_u16be(msg + 34, rport);
	put_u32be(msg + 36, extra1);
	put_u32be(msg + 40, extra2);
	hmac_sha256(s->tcp.secret, sizeof s->tcp.secret, msg, sizeof msg, sum);
	return (uint32_t)sum[0] << 24 | (uint32_t)sum[1] << 16 | (uint32_t)sum[2] << 8 | sum[3];
}

/* RFC 6528 3: ISN = M + F(4-tuple, secret), M a 4 microsecond clock. */
uint32_t tcp_isn(struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                 const struct net_ip *raddr, uint16_t rport, uint64_t now)
{
	return (uint32_t)(now / 4000u) + keyed(s, laddr, lport, raddr, rport, 0, 0);
}

/* A cookie is the ISN of a SYN-ACK for which we keep no state:
 *   bits 31-27  t, the time in 64 s periods (mod 32)
 *   bits 26-25  the MSS, as an index into cookie_mss
 *   bits 24-0   F(4-tuple, t, the client's ISN, secret)
 * The final ACK acknowledges cookie + 1; we recompute and compare. Window
 * scaling, SACK and timestamps are not kept: a cookie connection goes without
 * them, as with classic SYN cookies. */
static uint32_t period(uint64_t now)
{
	return (uint32_t)(now / 1000000000ull / 64u) & 31u;
}

uint32_t tcp_cookie_make(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                         uint16_t *mss, uint64_t now)
{
	uint32_t t = period(now), m = 0, h;

	while (m < 3 && sg->mss && cookie_mss[m + 1] <= sg->mss)
		m++;
	*mss = cookie_mss[m];
	h = keyed(s, &ip->to, sg->dport, &ip->from, sg->sport, t, sg->seq) & 0x1ffffffu;
	return t << 27 | m << 25 | h;
}

bool tcp_cookie_check(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                      uint16_t *mss, uint64_t now)
{
	uint32_t c = sg->ack - 1, t = c >> 27, cur = period(now);
	uint32_t h =
	        keyed(s, &ip->to, sg->dport, &ip->from, sg->sport, t, sg->seq - 1) & 0x1ffffffu;

	/* Valid for this period and the one before (64 to 128 s). */
	if ((t != cur && t != ((cur + 31) & 31u)) || (c & 0x1ffffffu) != h)
		return false;
	*mss = cookie_mss[(c >> 25) & 3u];
	return true;
}

/* RFC 5961 7 leaves the limit to us. Per flow, one challenge ACK per
 * TCP_CHALLENGE_FLOW_NS (Linux's tcp_invalid_ratelimit, 500 ms): a burst of
 * forged RSTs or SYNs at one connection draws one answer, not one each, so a
 * blind attacker learns nothing from their count and cannot use us to
 * amplify. Then a global cap across flows. */
bool tcp_challenge_allowed(struct net_stack *s, struct tcp_flow *f, uint64_t now)
{
	uint64_t second = now / 1000000000ull;

	if (f->challenge_at && now - f->challenge_at < TCP_CHALLENGE_FLOW_NS) {
		s->tcp.stats.challenge_flow_limited++;
		return false;
	}

	if (second != s->tcp.challenge_window) {
		s->tcp.challenge_window = second;
		s->tcp.challenges = 0;
	}
	if (s->tcp.challenges >= TCP_CHALLENGES_PER_S) {
		s->tcp.stats.challenge_limited++;
		return false;
	}
	s->tcp.challenges++;
	s->tcp.stats.challenge_acks++;
	f->challenge_at = now ? now : 1;
	return true;
}
