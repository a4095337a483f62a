/* SPDX-License-Identifier: MIT */
/* ARP: cache, requests, replies, the queue of packets waiting, announcements. */
#include "net/arp.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "net/eth.h"
#include "net/stack.h"

#define ARP_HLEN   28u /* the Ethernet/IPv4 ARP packet (RFC 826) */
#define OP_REQUEST 1u
#define OP_REPLY   2u

static const uint8_t broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t zero_mac[6];

static struct arp_entry *find(struct net_stack *s, uint32_t ip)
{
	size_t i;

	for (i = 0; i < ARP_ENTRIES; i++)
		if (s->arp.e[i].state != ARP_FREE && s->arp.e[i].ip == ip)
			return &s->arp.e[i];
	return NULL;
}

/* A free entry, else the one closest to expiry that has no packets waiting;
 * NULL when every entry is pending (counted). */
static struct arp_entry *take(struct net_stack *s)
{
	struct arp_entry *best = NULL;
	size_t i;

	for (i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &s->arp.e[i];
		if (e->state == ARP_FREE)
			return e;
		if (e->state != ARP_PENDING && (!best || e->deadline < best->deadline))
			best = e;
	}
	if (!best)
		s->arp.stats.cache_full++;
	return best;
}

static void send_arp(struct net_stack *s, uint16_t op, const uint8_t tha[6], uint32_t tpa,
                     const uint8_t dst[6])
{
	uint8_t f[ETH_HLEN + ARP_HLEN];
	uint8_t *a = f + ETH_HLEN;
	struct plat_iov iov = {f, sizeof f, 0};

	eth_write(f, dst, s->cfg.mac, ETH_P_ARP);
	put_u16be(a, 1);          /* hardware: Ethernet */
	put_u16be(a + 2, 0x0800); /* protocol: IPv4 */
	a[4] = 6;
	a[5] = 4;
	put_u16be(a + 6, op);
	memcpy(a + 8, s->cfg.mac, 6);
	put_u32be(a + 14, s->addr);
	memcpy(a + 18, tha, 6);
	put_u32be(a + 24, tpa);
	net_send_frame(s, &iov, 1);
}

static void request(struct net_stack *s, struct arp_entry *e, uint64_t now)
{
	e->tries++;
	e->deadline = now + ARP_RETRY_NS;
	s->arp.stats.requests_sent++;
	send_arp(s, OP_REQUEST, zero_mac, e->ip, broadcast);
}

/* Send (or drop) the packets that waited for (e). */
static void flush_queue(struct net_stack *s, const struct arp_entry *e)
{
	size_t i;

	for (i = 0; i < ARP_QUEUE; i++) {
		struct arp_queued *q = &s->arp.q[i];
		if (q->ip != e->ip || !q->len)
			continue;
		if (e->state == ARP_RESOLVED) {
			struct plat_iov iov = {q->frame, q->len, 0};
			memcpy(q->frame, e->mac, 6);
			net_send_frame(s, &iov, 1);
		} else {
			s->arp.stats.queue_drops++;
		}
		q->ip = 0;
		q->len = 0;
	}
}

static void learn(struct net_stack *s, struct arp_entry *e, const uint8_t mac[6], uint64_t now)
{
	bool was_pending = e->state != ARP_RESOLVED;

	memcpy(e->mac, mac, 6);
	e->state = ARP_RESOLVED;
	e->tries = 0;
	e->deadline = now + ARP_REACHABLE_NS;
	if (was_pending) {
		s->arp.stats.resolved++;
		flush_queue(s, e);
	}
}

void arp_input(struct net_stack *s, const uint8_t eth_src[6], const uint8_t *p, size_t len,
               uint64_t now)
{
	struct cur c = cur_make(p, len);
	uint16_t htype, ptype, op;
	uint8_t hlen, plen;
	const uint8_t *sha, *tha;
	uint32_t spa, tpa;
	struct arp_entry *e;

	s->arp.stats.rx++;
	if (!cur_u16be(&c, &htype) || !cur_u16be(&c, &ptype) || !cur_u8(&c, &hlen) ||
	    !cur_u8(&c, &plen) || !cur_u16be(&c, &op) || !cur_bytes(&c, 6, &sha) ||
	    !cur_u32be(&c, &spa) || !cur_bytes(&c, 6, &tha) || !cur_u32be(&c, &tpa) || htype != 1 ||
	    ptype != 0x0800 || hlen != 6 || plen != 4 || (op != OP_REQUEST && op != OP_REPLY) ||
	    eth_is_multicast(sha) || spa == 0xffffffffu) {
		s->arp.stats.rx_bad++;
		return;
	}
	(void)tha;
	if (memcmp(sha, eth_src, 6) != 0) {
		/* A sender address that is not the frame's: forged or broken. */
		s->arp.stats.rx_bad++;
		return;
	}
	e = spa ? find(s, spa) : NULL;
	/* Only an answer to our own question fills an entry (RFC 826's merge,
	 * limited to entries we are resolving). A resolved entry is not
	 * overwritten before it expires, by a reply or a request: a host whose
	 * MAC changes is found again when the entry expires (ARP_REACHABLE_NS). */
	if (e && e->state == ARP_PENDING) {
		learn(s, e, sha, now);
	} else if (e && e->state == ARP_RESOLVED) {
		if (memcmp(e->mac, sha, 6) != 0)
			s->arp.stats.rx_conflict++;
	} else if (op == OP_REQUEST && s->addr && tpa == s->addr && spa) {
		/* It is about to talk to us; keep its address for our answers. */
		e = take(s);
		if (e) {
			e->ip = spa;
			e->state = ARP_PENDING;
			learn(s, e, sha, now);
		}
	} else if (op == OP_REPLY) {
		s->arp.stats.rx_unsolicited++; /* not asked: no poisoning */
		return;
	}
	if (op == OP_REQUEST) {
		if (!s->addr || tpa != s->addr) {
			s->arp.stats.rx_not_for_us++;
			return;
		}
		s->arp.stats.replies_sent++;
		send_arp(s, OP_REPLY, sha, spa, sha);
	}
}

bool arp_resolve(struct net_stack *s, uint32_t ip, uint8_t mac[6], uint64_t now)
{
	struct arp_entry *e = find(s, ip);

	if (e && e->state == ARP_RESOLVED) {
		memcpy(mac, e->mac, 6);
		if (now >= e->deadline) {
			/* Stale: ask again but keep using it meanwhile (RFC 1122
			 * 2.3.2.1), at most once a second. */
			s->arp.stats.requests_sent++;
			send_arp(s, OP_REQUEST, zero_mac, ip, broadcast);
			e->deadline = now + ARP_RETRY_NS;
		}
		return true;
	}
	if (e && (e->state == ARP_PENDING || (e->state == ARP_FAILED && now < e->deadline)))
		return false;
	if (!e) {
		e = take(s);
		if (!e)
			return false;
		if (e->state != ARP_FREE)
			flush_queue(s, e); /* (nothing waits on a resolved one) */
		e->ip = ip;
	}
	e->state = ARP_PENDING;
	e->tries = 0;
	request(s, e, now);
	return false;
}

bool arp_enqueue(struct net_stack *s, uint32_t ip, const struct plat_iov *iov, size_t n,
                 uint64_t now)
{
	struct arp_queued *slot = NULL;
	size_t i, same = 0, len = 0;

	(void)now;
	for (i = 0; i < n; i++)
		len += iov[i].len;
	for (i = 0; i < ARP_QUEUE; i++) {
		if (s->arp.q[i].len && s->arp.q[i].ip == ip)
			same++;
		else if (!s->arp.q[i].len && !slot)
			slot = &s->arp.q[i];
	}
	if (!slot || same >= ARP_QUEUE_PER_IP || len > ARP_FRAME_MAX) {
		s->arp.stats.queue_drops++;
		return false;
	}
	slot->ip = ip;
	slot->len = (uint16_t)len;
	for (len = 0, i = 0; i < n; i++) {
		memcpy(slot->frame + len, iov[i].p, iov[i].len);
		len += iov[i].len;
	}
	s->arp.stats.queued++;
	return true;
}

void arp_announce(struct net_stack *s)
{
	if (!s->addr)
		return;
	s->arp.stats.gratuitous_sent++;
	/* RFC 5227 2.3: a request with our address as both sender and target. */
	send_arp(s, OP_REQUEST, zero_mac, s->addr, broadcast);
}

uint64_t arp_poll(struct net_stack *s, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	size_t i;

	for (i = 0; i < ARP_ENTRIES; i++) {
		struct arp_entry *e = &s->arp.e[i];
		if (e->state == ARP_PENDING) {
			if (now >= e->deadline) {
				if (e->tries >= ARP_RETRIES) {
					e->state = ARP_FAILED;
					e->deadline = now + ARP_FAILED_NS;
					s->arp.stats.failed++;
					flush_queue(s, e);
				} else {
					request(s, e, now);
				}
			}
			if (e->state == ARP_PENDING && e->deadline < next)
				next = e->deadline;
		} else if (e->state == ARP_FAILED && now >= e->deadline) {
			e->state = ARP_FREE;
		}
	}
	return next;
}
