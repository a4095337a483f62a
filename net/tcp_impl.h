/* SPDX-License-Identifier: MIT */
/* TCP's state, embedded in struct net_stack (net/stack.h), and the functions its
 * files share. Not an interface: net/tcp.h is.
 *
 * Files: tcp.c (the flow API, demultiplexing, the listen backlog, readiness),
 * tcp_in.c (segment validation and the per-state input of RFC 9293 3.10.7),
 * tcp_out.c (segment building, sending, retransmission, congestion control),
 * tcp_timer.c (RTO, delayed ACK, persist, keepalive, TIME-WAIT), tcp_opt.c
 * (options: MSS, window scale, SACK, timestamps), tcp_sec.c (RFC 6528 ISNs,
 * SYN cookies, RFC 5961 challenge-ACK limits).
 *
 * tcp_pool.c lends the buffers.
 *
 * Limits (each counted when reached): flows (net_config.tcp_flows, default
 * TCP_DEFAULT_FLOWS), listeners TCP_MAX_LISTENERS, a listener's backlog (SYN
 * cookies past it), per flow a send queue of TCP_SNDQ chunks and TCP_OOO
 * out-of-order ranges, TIME-WAIT flows (recycled oldest first when the table
 * is full), and two pools shared by all flows: receive rings
 * (net_config.tcp_rx_rings of tcp_rx_buf bytes) and copy rings
 * (net_config.tcp_copy_rings of tcp_tx_copy bytes). A flow borrows a receive
 * ring only while it holds bytes the app has not read (or out-of-order bytes),
 * and a copy ring only while copied bytes are unacknowledged; an idle flow
 * holds neither, so a connection costs its struct until data moves. When a
 * pool is empty, the flow that has held a ring longest without progress (the
 * app reading, or the peer acknowledging) is reset for it, once that is
 * TCP_POOL_STALL_NS old; else the newcomer waits (a segment is dropped and
 * comes again; a writer is woken when a copy ring returns). */
#ifndef UD_NET_TCP_IMPL_H
#define UD_NET_TCP_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/sharedbuf.h"
#include "net/l4.h"
#include "net/tcp.h"

#define TCP_DEFAULT_FLOWS 256u
#define TCP_DEFAULT_RX    (64u * 1024u)
#define TCP_DEFAULT_COPY  (20u * 1024u)
#define TCP_MAX_LISTENERS 8u
/* Rings in each pool when net_config says 0: one per flow up to this many
 * flows, then a quarter of the flows (at least this many). */
#define TCP_DEFAULT_RINGS 256u
#define TCP_POOL_STALL_NS (1000ull * 1000000ull) /* a holder this long stalled may lose it */
#define TCP_SNDQ          40u /* chunks (copies and references) queued per flow */
#define TCP_OOO           8u  /* out-of-order ranges held per flow */
#define TCP_SACKED        4u  /* SACK blocks remembered from the peer */
#define TCP_MAX_OPT       40u

#define TCP_MS                1000000ull
#define TCP_MIN_RTO_NS        (200ull * TCP_MS) /* Linux's; RFC 6298 2.4 says 1 s */
#define TCP_MAX_RTO_NS        (60000ull * TCP_MS)
#define TCP_INIT_RTO_NS       (1000ull * TCP_MS)  /* RFC 6298 2.1 */
#define TCP_DELACK_NS         (40ull * TCP_MS)    /* RFC 1122 4.2.3.2: under 500 ms */
#define TCP_TIMEWAIT_NS       (10000ull * TCP_MS) /* 2 MSL, shortened (see tcp_timer.c) */
#define TCP_FIN_WAIT2_NS      (60000ull * TCP_MS) /* Linux's tcp_fin_timeout */
#define TCP_MAX_RETRIES       10u
#define TCP_SYN_RETRIES       5u
#define TCP_CHALLENGES_PER_S  100u              /* RFC 5961 7, across flows */
#define TCP_CHALLENGE_FLOW_NS (500ull * TCP_MS) /* one per flow per 500 ms, as Linux */
#define TCP_PERSIST_MIN_NS    (500ull * TCP_MS)

enum tcp_st {
	TCP_CLOSED = 0,
	TCP_SYN_SENT,
	TCP_SYN_RCVD,
	TCP_ESTABLISHED,
	TCP_FIN_WAIT_1,
	TCP_FIN_WAIT_2,
	TCP_CLOSE_WAIT,
	TCP_CLOSING,
	TCP_LAST_ACK,
	TCP_TIME_WAIT,
};

/* Segment flags. */
#define TH_FIN 0x01u
#define TH_SYN 0x02u
#define TH_RST 0x04u
#define TH_PSH 0x08u
#define TH_ACK 0x10u
#define TH_URG 0x20u

static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? b : a;
}

/* 16 bytes: a flow holds TCP_SNDQ of them, and 10,000 flows should fit in a
 * small image. A chunk is one of three kinds: copied into the flow's copy
 * ring, a stable reference (store bytes, kept for the process's life), or a
 * shared buffer (lib/sharedbuf.h: an event queued to many flows), whose
 * reference the chunk holds until it is acknowledged or dropped. */
#define TCP_CHUNK_MAX (1u << 30) /* bytes one chunk holds */
struct tcp_chunk {
	uint32_t seq;
	uint32_t len : 30;
	uint32_t copied : 1; /* in the flow's copy ring */
	uint32_t shared : 1; /* (sh) is held: its bytes are sh->p */
	union {
		const uint8_t *p;
		struct shared_buf *sh;
	};
};
_Static_assert(sizeof(struct tcp_chunk) == 16, "a chunk is 16 bytes");

struct tcp_range {
	uint32_t l, r; /* [l, r) in sequence space */
};

/* A parsed segment. */
struct tcp_seg {
	uint16_t sport, dport, wnd;
	uint32_t seq, ack;
	uint8_t flags;
	const uint8_t *data;
	uint32_t len; /* payload bytes */
	/* options */
	uint16_t mss;
	int8_t wscale; /* -1: absent */
	bool sack_ok, has_ts;
	uint32_t tsval, tsecr;
	uint8_t n_sack;
	struct tcp_range sack[4];
};

struct tcp_flow {
	struct net_stack *s; /* its stack, for the API calls that get no other */
	bool used;
	uint8_t state;
	bool released; /* the app gave it back (tcp_close/tcp_abort) */
	bool failed;   /* reset by the peer or timed out */
	bool on_ready;
	bool fin_queued; /* the app closed: FIN after the queued data */
	bool peer_fin;   /* the peer's FIN is in rcv_nxt */
	bool ack_now;    /* send an ACK at the next output */
	bool cookie;     /* made from a SYN cookie */
	bool in_acceptq;
	bool on_dirty; /* has output to send at the next tcp_poll */
	int32_t next_ready, next_accept, next_dirty;
	int32_t next_hash;        /* the flow table's hash chain (while hashed) */
	int32_t next_free;        /* the free list (while unused) */
	int32_t tw_prev, tw_next; /* the TIME-WAIT list, oldest first (while in_tw) */
	bool hashed, in_tw;
	int16_t listener; /* the listener it came from, until accepted; -1 */
	void *user;
	struct net_ip laddr, raddr; /* IPv4 mapped, or IPv6 */
	uint16_t lport, rport;
	/* sending */
	uint32_t iss, snd_una, snd_nxt, snd_max, snd_end, snd_wnd, snd_wl1, snd_wl2, max_wnd;
	uint16_t mss;
	uint8_t snd_wscale, rcv_wscale;
	bool ws_ok, ts_ok, sack_ok;
	uint32_t ts_recent;
	struct tcp_chunk q[TCP_SNDQ];
	uint8_t q_head, q_n;
	uint8_t *copy; /* the lent copy ring, NULL while none (tcp_pool.c) */
	uint32_t copy_cap, copy_start, copy_end; /* ring: live bytes [start, end) mod wrap */
	uint32_t copy_used;
	/* congestion control: NewReno */
	uint32_t cwnd, ssthresh, recover, rexmit_next; /* rexmit_next: past the last hole resent */
	uint8_t dupacks;
	bool in_recovery;
	/* RTT (RFC 6298) */
	uint64_t srtt_ns, rttvar_ns, rto_ns;
	uint32_t rtt_seq;
	uint64_t rtt_start;
	bool rtt_timing;
	uint8_t retries;
	struct tcp_range sacked[TCP_SACKED];
	uint8_t n_sacked;
	/* receiving */
	uint32_t irs, rcv_nxt, rcv_adv, last_ack_sent;
	uint8_t *rbuf;                    /* the lent receive ring, NULL while none (tcp_pool.c) */
	uint32_t rbuf_cap, r_head, r_len; /* in-order unread bytes at r_head */
	struct tcp_range ooo[TCP_OOO];
	uint8_t n_ooo;
	uint8_t unacked; /* full segments since our last ACK (delayed ACKs) */
	/* timers: 0 is off */
	uint64_t t_rexmit, t_delack, t_persist, t_keepalive, t_timewait;
	uint64_t keepalive_ns, keepalive_intvl_ns; /* 0: no keepalive */
	uint8_t keepalive_probes, keepalive_max;
	uint8_t persist_backoff; /* probes since the window was last open */
	uint8_t persist_lost;    /* probes in a row the peer did not answer */
	uint64_t persist_last;   /* when the last probe went */
	uint64_t last_rx;
	uint64_t challenge_at; /* our last challenge ACK (RFC 5961), 0: none */
	/* buffer pools: the last progress (the app read, the peer acknowledged
	 * new data) while holding a ring, and the queue of writers waiting for a
	 * copy ring */
	uint64_t progress_at;
	bool copy_waiting;
	int32_t next_copy_wait;
};

struct tcp_listener {
	struct net_stack *s;
	bool used, on_ready;
	uint16_t port, backlog, pending; /* pending: half-open and not yet accepted */
	int32_t accept_head, accept_tail;
	void *user;
};

struct tcp_stats {
	uint64_t rx, rx_short, rx_bad_cksum, rx_bad_offset, rx_bad_options, rx_no_flow;
	uint64_t rx_out_of_window, rx_paws, rx_ooo, rx_ooo_dropped, rx_dup, rx_after_close;
	uint64_t rst_sent, rst_rcvd, rst_ignored, challenge_acks, challenge_limited;
	uint64_t challenge_flow_limited, pmtu_updates, pmtu_ignored;
	uint64_t syn_rcvd, syn_dropped, backlog_full, cookies_sent, cookies_ok, cookies_bad;
	uint64_t accepted, connects, conn_failed, flows_full, timewait_recycled;
	uint64_t tx_segs, tso_sends, tx_fail, tx_cut, rexmits, rexmit_timeouts, fast_rexmits,
	        sack_rexmits;
	uint64_t persist_probes, persist_dead, keepalive_probes, keepalive_dead, delayed_acks;
	uint64_t bytes_ref, bytes_copied, bytes_rcvd;
	/* shared buffers queued (tcp_write_shared), and their bytes */
	uint64_t shared_refs, bytes_shared;
	/* flows now open and the most at once (flows_cap is the cap) */
	uint64_t flows_cap, flows_open, flows_peak;
	/* the pools (tcp_pool.c): size, lent now, most lent at once, lends,
	 * refusals (a segment dropped, a writer waiting), holders reset for a
	 * newcomer */
	uint64_t rx_rings_cap, rx_rings_used, rx_rings_peak, rx_rings_lent, rx_rings_full,
	        rx_rings_evicted;
	uint64_t copy_rings_cap, copy_rings_used, copy_rings_peak, copy_rings_lent, copy_rings_full,
	        copy_rings_evicted, copy_waits;
};

/* One pool of equal rings, lent to flows. */
struct tcp_pool {
	uint8_t *mem;
	uint32_t ring, n;  /* bytes per ring, rings */
	uint32_t fresh;    /* rings [0, fresh) have been lent (never touched beyond) */
	int32_t free_head; /* returned rings, through next[] */
	int32_t *next;     /* per ring: the next free ring while free */
	int32_t *owner;    /* per ring: the flow holding it, -1 while free */
	uint64_t *cap, *used, *peak, *lent, *full, *evicted; /* its counters in tcp_stats */
};

struct tcp_state {
	struct tcp_flow *flows;
	uint32_t n_flows;
	/* flows[0, fresh) have been used (each is free, live or in TIME-WAIT);
	 * the rest were never touched, so set-up costs nothing per flow. Loops
	 * over the table stop at fresh. */
	uint32_t fresh;
	struct tcp_pool rx, cp;                 /* receive rings, copy rings */
	int32_t copy_wait_head, copy_wait_tail; /* writers waiting for a copy ring */
	uint64_t copy_check_at; /* when a copy ring's holder may have stalled (0: none) */
	int32_t *hash;          /* chain heads by 4-tuple, hash_mask + 1 of them */
	uint32_t hash_mask;
	uint32_t hash_key[2];     /* random, its own: the chains reveal nothing of secret */
	int32_t free_head;        /* unused flows, popped by tcp_flow_new */
	int32_t tw_head, tw_tail; /* flows in TIME-WAIT in the order they entered it */
	uint32_t rx_buf, tx_copy;
	struct tcp_listener l[TCP_MAX_LISTENERS];
	uint8_t secret[32];
	int32_t ready_head, ready_tail;
	int32_t dirty_head;
	uint64_t now; /* the latest time seen, for API calls without one */
	uint64_t next_deadline;
	uint16_t next_port;
	uint64_t challenge_window;
	uint32_t challenges;
	struct tcp_stats stats;
};

/* Memory the flow table and its buffers need after struct net_stack. */
size_t tcp_mem_size(const struct net_config *cfg);
void tcp_setup(struct net_stack *s, uint8_t *mem);

/* tcp.c */
struct tcp_flow *tcp_find(struct net_stack *s, const struct net_ip *raddr, uint16_t rport,
                          const struct net_ip *laddr, uint16_t lport);
struct tcp_flow *tcp_flow_new(struct net_stack *s, uint64_t now);
void tcp_flow_free(struct net_stack *s, struct tcp_flow *f);
/* The TIME-WAIT list: entering (or restarting) appends; leaving unlinks. */
void tcp_tw_append(struct net_stack *s, struct tcp_flow *f);
void tcp_tw_unlink(struct net_stack *s, struct tcp_flow *f);
/* Enter a flow whose 4-tuple has just been set in the lookup table. */
void tcp_flow_hash(struct net_stack *s, struct tcp_flow *f);
void tcp_mark_ready(struct net_stack *s, struct tcp_flow *f);
/* Output to send at the next tcp_poll (the app wrote, read or closed). */
void tcp_mark_dirty(struct net_stack *s, struct tcp_flow *f);
void tcp_listener_ready(struct net_stack *s, struct tcp_listener *l);
struct tcp_listener *tcp_listener_for(struct net_stack *s, uint16_t port);
void tcp_accept_push(struct net_stack *s, struct tcp_flow *f);
void tcp_set_timer(struct net_stack *s, uint64_t *timer, uint64_t when);
/* The flow is finished with (reset, or closed after TIME-WAIT): free it now if
 * the app has released it, else mark it failed/closed for the app to see. */
void tcp_flow_done(struct net_stack *s, struct tcp_flow *f);

/* tcp_pool.c */
size_t tcp_pool_mem(const struct net_config *cfg);
void tcp_pool_setup(struct net_stack *s, uint8_t *mem);
/* Lend (f) a receive ring (true, or it has one); false when the pool is empty
 * and no holder has stalled long enough to lose its ring. */
bool tcp_pool_rx(struct net_stack *s, struct tcp_flow *f, uint64_t now);
/* The same for a copy ring; when none, (f) is queued and made ready when one
 * returns. */
bool tcp_pool_copy(struct net_stack *s, struct tcp_flow *f, uint64_t now);
/* Give back the rings a flow no longer needs: the receive ring when nothing is
 * unread or held out of order, the copy ring when no copied byte is queued. */
void tcp_pool_idle(struct net_stack *s, struct tcp_flow *f);
/* Give back both rings now (the flow is freed or reset): what they held is lost. */
void tcp_pool_drop(struct net_stack *s, struct tcp_flow *f);
/* Progress of a holder (the app read, the peer acknowledged). */
void tcp_pool_progress(struct tcp_flow *f, uint64_t now);
/* Wake writers waiting while copy rings are free, or take a ring from a
 * holder that has stalled since they queued (from tcp_poll). */
void tcp_pool_wake(struct net_stack *s, uint64_t now);

/* tcp_in.c */
bool tcp_parse(struct net_stack *s, const struct ip_meta *ip, const uint8_t *p, size_t len,
               struct tcp_seg *sg);

/* tcp_out.c */
/* The bytes of chunk (c): shared buffers hold theirs apart. */
static inline const uint8_t *tcp_chunk_bytes(const struct tcp_chunk *c)
{
	return c->shared ? c->sh->p : c->p;
}
/* Empty the send queue now (the flow is freed or reset): what it held is
 * lost, and every shared buffer it referenced is given back. */
void tcp_queue_drop(struct tcp_flow *f);
void tcp_output(struct net_stack *s, struct tcp_flow *f, uint64_t now);
void tcp_send_ack(struct net_stack *s, struct tcp_flow *f, uint64_t now);
void tcp_send_syn(struct net_stack *s, struct tcp_flow *f, bool ack, uint64_t now);
void tcp_send_rst(struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                  const struct net_ip *raddr, uint16_t rport, uint32_t seq, uint32_t ack,
                  bool with_ack, uint64_t now);
void tcp_ack_received(struct net_stack *s, struct tcp_flow *f, const struct tcp_seg *sg,
                      uint64_t now);
void tcp_retransmit_timeout(struct net_stack *s, struct tcp_flow *f, uint64_t now);
/* A Packet Too Big (RFC 8201) quoting our segment (seq) of the flow: the MSS
 * shrinks to the path MTU (never below IPv6's 1280) and what is in flight
 * goes again in the smaller size. Ignored unless (seq) is in flight (a
 * blind attacker must guess it, RFC 5927 4.1). */
void tcp_path_mtu(struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                  const struct net_ip *raddr, uint16_t rport, uint32_t seq, uint32_t mtu,
                  uint64_t now);
uint32_t tcp_rcv_window(const struct tcp_flow *f);
void tcp_flow_init_cc(struct tcp_flow *f);

/* tcp_opt.c */
size_t tcp_opt_write(const struct net_stack *s, const struct tcp_flow *f, bool syn, uint8_t *out,
                     uint64_t now);
bool tcp_opt_parse(const uint8_t *p, size_t len, bool syn, struct tcp_seg *sg);
uint32_t tcp_ts_now(uint64_t now);

/* tcp_sec.c */
uint32_t tcp_isn(struct net_stack *s, const struct net_ip *laddr, uint16_t lport,
                 const struct net_ip *raddr, uint16_t rport, uint64_t now);
/* The MSS we offer toward (dst): its MTU less the IP and TCP headers. */
uint16_t tcp_mss_for(const struct net_stack *s, const struct net_ip *dst);
uint32_t tcp_cookie_make(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                         uint16_t *mss, uint64_t now);
bool tcp_cookie_check(struct net_stack *s, const struct ip_meta *ip, const struct tcp_seg *sg,
                      uint16_t *mss, uint64_t now);
bool tcp_challenge_allowed(struct net_stack *s, struct tcp_flow *f, uint64_t now);

/* tcp_timer.c */
uint64_t tcp_flow_deadline(const struct tcp_flow *f);
void tcp_flow_timers(struct net_stack *s, struct tcp_flow *f, uint64_t now);
void tcp_enter_timewait(struct net_stack *s, struct tcp_flow *f, uint64_t now);
/* tcp_out.c: a segment of no data at snd_una - 1, which the peer must answer. */
void tcp_send_probe(struct net_stack *s, struct tcp_flow *f, uint64_t now);

#endif
