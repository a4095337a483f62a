/* SPDX-License-Identifier: MIT */
/* TCP flows (RFC 9293): the API the HTTP layer and the apps use.
 *
 * A flow is a connection. The stack owns every flow; the app gets a pointer from
 * tcp_accept() or tcp_connect() and must give it back exactly once, with
 * tcp_close() (graceful: queued data is sent, then FIN) or tcp_abort() (RST now).
 * After that call the app never touches the flow again; the stack frees it when
 * the protocol is done with it (TIME_WAIT included).
 *
 * Readiness: the stack keeps a list of flows with something new for the app
 * (data or EOF to read, room to write, established, reset) and of listeners with
 * connections to accept; tcp_ready_next() pops them one at a time. The app then
 * looks at the flow's state with the functions below; nothing is called back.
 *
 * Sending never copies content-store bytes: tcp_write_ref() queues a reference to
 * immutable memory, kept until acknowledged and read again for retransmission.
 * tcp_write_copy() copies small data (headers) into a copy ring lent to the flow.
 * tcp_write_shared() queues a shared buffer (lib/sharedbuf.h), one event sent
 * to many flows: the flow holds a reference until the bytes are acknowledged
 * (or the flow is reset or freed), and needs no copy ring for them.
 *
 * Limits (named caps in net/tcp_impl.h): flows, listeners, the backlog of each
 * listener (SYN cookies beyond it), send-queue size per flow, and the rings lent
 * to flows while data moves (receive rings, copy rings). */
#ifndef UD_NET_TCP_H
#define UD_NET_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/net.h"

struct tcp_flow;
struct tcp_listener;
struct shared_buf;

/* Listen on (port) of the stack's address, with at most (backlog) connections
 * waiting for tcp_accept(). NULL when out of listeners or the port is taken. */
struct tcp_listener *tcp_listen(struct net_stack *s, uint16_t port, unsigned backlog);
/* An established connection waiting on (l), or NULL. */
struct tcp_flow *tcp_accept(struct tcp_listener *l);
/* Open a connection to (addr, port) (host byte order). The flow becomes writable
 * when established; NULL when out of flows or there is no route. */
struct tcp_flow *tcp_connect(struct net_stack *s, uint32_t addr, uint16_t port, uint64_t now);
/* The same over IPv6 to (addr), 16 bytes in network order (an IPv4-mapped
 * address goes over IPv4). */
struct tcp_flow *tcp_connect6(struct net_stack *s, const uint8_t addr[16], uint16_t port,
                              uint64_t now);

/* Readiness: the next flow or listener with news, or false when there is none. */
bool tcp_ready_next(struct net_stack *s, struct tcp_flow **f, struct tcp_listener **l);

/* Receive: copy up to (cap) bytes in order; sets *eof once the peer's FIN has
 * been reached and every byte before it returned. */
size_t tcp_read(struct tcp_flow *f, uint8_t *buf, size_t cap, bool *eof);
/* Room for (copy_bytes) to copy and (refs) references in the send queue.
 * Copies need a copy ring from the stack's pool, lent by this call; when
 * none is free the answer is false and the flow is made ready again when one
 * returns (net/tcp_impl.h). */
bool tcp_can_write(struct tcp_flow *f, size_t copy_bytes, unsigned refs);
void tcp_write_copy(struct tcp_flow *f, const void *p, size_t len);
void tcp_write_ref(struct tcp_flow *f, const void *p, size_t len);
/* As a reference (tcp_can_write counts it in refs); (b) is held, not owned. */
void tcp_write_shared(struct tcp_flow *f, struct shared_buf *b);
/* Bytes queued and not yet acknowledged by the peer. */
uint64_t tcp_unacked(const struct tcp_flow *f);
/* Bytes queued and not yet sent once. */
uint64_t tcp_unsent(const struct tcp_flow *f);
/* True once the flow is established (false again after it is reset or closed). */
bool tcp_established(const struct tcp_flow *f);
/* True when the peer reset the flow or it timed out: only tcp_abort()/close remain. */
bool tcp_failed(const struct tcp_flow *f);

/* Keepalive (RFC 1122 4.2.3.6), off by default: after (idle_ns) without a
 * segment from the peer, probe every (intvl_ns); (probes) unanswered probes fail
 * the flow. idle_ns 0 turns it off. */
void tcp_set_keepalive(struct tcp_flow *f, uint64_t idle_ns, uint64_t intvl_ns, unsigned probes);

/* Half-close: FIN after the queued data; the flow stays the app's, which can
 * still read, and must still give it back with tcp_close(). */
void tcp_shutdown(struct tcp_flow *f);
void tcp_close(struct tcp_flow *f);
void tcp_abort(struct tcp_flow *f);

/* Whether any flow's send queue still references [p, p + len) (a store being
 * retired must outlive every reference into it). */
bool tcp_references(const struct net_stack *s, const void *p, size_t len);

/* The app's pointer for a flow or listener. */
void tcp_set_user(struct tcp_flow *f, void *user);
void *tcp_user(const struct tcp_flow *f);
void tcp_listener_set_user(struct tcp_listener *l, void *user);
void *tcp_listener_user(const struct tcp_listener *l);

#endif
