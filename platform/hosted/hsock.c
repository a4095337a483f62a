/* SPDX-License-Identifier: MIT */
/* The HTTP server's transport on kernel sockets: epoll, one thread, non-blocking. */
#include "platform/hosted/hsock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "http/tls.h"
#include "platform/platform.h"

#define LINGER_NS     (2ull * 1000000000ull) /* read and drop input this long after FIN */
#define SWEEP_NS      (250ull * 1000000ull)  /* how often deadlines are scanned */
/* Store bytes below this go out with writev, in one call with the head;
 * sendfile's page-cache path only pays for itself on larger bodies. */
#define SENDFILE_MIN  (64u * 1024u)
/* Unsent bytes a socket may hold before it stops being writable
 * (TCP_NOTSENT_LOWAT). Without a limit, one sendfile() queued a whole large
 * body; the rest then left from the client's ACK processing, on the client's
 * CPU, whenever its window opened. On loopback that put the transmit and the
 * delivery on wrk's CPU (the bottleneck) and the 575 KB bench file ran at
 * 0.75-0.85x nginx; with 32 KiB unsent at most, this thread sends as the window
 * opens and the same file runs ahead of nginx (bench/analysis.md). */
#define NOTSENT_LOWAT (32 * 1024)
/* After events, poll without sleeping this long before blocking in epoll_wait.
 * A thread asleep in epoll_wait is woken by the sender's CPU, and in a VM that
 * wake-up is an inter-processor interrupt, a VM exit on the client's CPU, for
 * every burst: with 64 clients and keep-alive off, unideck slept and was woken
 * 1.35 times per request to nginx's 0.7-0.9 and served 0.92-0.97x as many
 * requests. Busy only right after work, so an idle server stays asleep
 * (bench/analysis.md has the figures). */
#define SPIN_NS       (50ull * 1000ull)
/* Rounds of answering and sending in one step of a connection whose responses
 * wait for room, before it lets the others have the thread. */
#define STEP_TURNS    8

struct seg {
	const uint8_t *p;
	size_t len;
	int fd; /* >= 0: send with sendfile from this file at (off) */
	off_t off;
	struct shared_buf *sh; /* held until the socket has taken all of it, or NULL */
};

/* stream.h: an empty queue takes STREAM_MIN_COPY bytes with STREAM_MIN_PIECES
 * calls. 8 KiB here left a response between 8 and 16 KiB (a build-error page)
 * waiting for room that could never come. */
_Static_assert(HSOCK_COPY_BYTES >= STREAM_MIN_COPY && HSOCK_QUEUE_SEGS >= STREAM_MIN_PIECES,
               "hsock's queue must hold what stream.h promises");

struct hconn {
	struct stream st; /* first: the HTTP layer's view of this connection */
	struct http_conn hc;
	struct hsock *h;
	struct http_server *srv; /* the listener's: HTTPS or the plain redirect */
	struct tls_conn *tls;    /* between the socket and HTTP, or NULL */
	int fd;
	uint32_t events; /* the epoll interest now registered */
	bool http_done;  /* the HTTP layer called close() */
	bool graceful;
	bool fin_sent;    /* shutdown(SHUT_WR) done; lingering */
	bool recv_called; /* the HTTP layer asked for bytes during the last poll */
	bool drained;     /* a read this step came back short: the socket is empty */
	bool peer_eof;
	bool corked;        /* TCP_CORK set for the last response: its FIN rides on it */
	bool close_at_once; /* the client said it was done: no lingering (conn_step) */
	bool overrun;       /* more was queued than granted: reset (overrun()) */
	bool ob_waiting;    /* in line for an output buffer (hsock.ob_wait_*) */
	bool ob_evicted;    /* its buffer is wanted and it has stalled: reset */
	uint64_t linger_until;
	/* The send queue and copy area, lent from the pool only while something
	 * waits to be sent (issue 14: an idle connection costs no 17 KiB). */
	struct obuf *ob;
	uint64_t ob_progress; /* when the socket last took bytes of it */
	unsigned q_head, q_n;
	uint64_t unsent;
	size_t copy_used;
	struct hconn *next_ob_wait;
	bool dirty; /* output queued by the app between events (an event push) */
	struct hconn *next_dirty;
	bool hs_queued; /* in line for its handshake's next step (hsock.hs_*) */
	struct hconn *next_hs;
	bool dead; /* freed during an event batch: its memory waits (hsock_run) */
	struct hconn *next_dead;
};

/* One connection's output while it has any: HSOCK_OUT_BUFS of them at most,
 * allocated when first needed and then kept on a free list. */
struct obuf {
	struct obuf *next_free;
	struct seg q[HSOCK_QUEUE_SEGS];
	uint8_t copy[HSOCK_COPY_BYTES];
};

struct hsock {
	struct http_server *srv;
	struct hsock_hooks hooks;
	struct hsock_stats stats;
	int lfd, ep, sigfd;
	int reserve_fd;      /* spent to accept and close when out of descriptors */
	uint64_t accept_off; /* the listener is disarmed until then (EMFILE, TLS slots), or 0 */
	int port;
	struct tls_server *tls; /* the main listener speaks TLS */
	int lfd2, port2;        /* a second, plain listener (the redirect), or -1 */
	struct http_server *srv2;
	bool stop;
	size_t n_conns;
	struct hconn **conns; /* dense array, for sweeps */
	const uint8_t *map;
	size_t map_len;
	int map_fd;
	struct obuf *ob_free;
	uint32_t ob_made, ob_used;
	struct hconn *ob_wait_head, *ob_wait_tail; /* waiting for an output buffer */
	struct hconn *dirty; /* connections given output by the app between events */
	/* While an epoll batch is handled, a connection freed (evicted, shed, a
	 * handshake given up) may still have an event further on in it: its
	 * memory is kept until the batch is done. */
	bool in_batch;
	struct hconn *graveyard;
	/* TLS handshakes whose sockets have something for them, in arrival
	 * order: HSOCK_HS_PER_TURN of them are stepped a loop turn, after the
	 * established connections (a ClientHello costs a key exchange and a
	 * signature: a flood of them must not take every turn). */
	struct hconn *hs_head, *hs_tail;
	struct hconn *stepping; /* the connection in conn_step: it flushes itself */
};

static struct hconn *of(struct stream *s)
{
	return (struct hconn *)s; /* st is the first member */
}

/* ---- output buffers ---- */

static void mark_dirty(struct hconn *c);
static void conn_reset(struct hconn *c);

static void ob_unwait(struct hconn *c)
{
	struct hsock *h = c->h;
	struct hconn **pp = &h->ob_wait_head, *prev = NULL;

	if (!c->ob_waiting)
		return;
	while (*pp && *pp != c) {
		prev = *pp;
		pp = &(*pp)->next_ob_wait;
	}
	if (*pp)
		*pp = c->next_ob_wait;
	if (h->ob_wait_tail == c)
		h->ob_wait_tail = prev;
	c->next_ob_wait = NULL;
	c->ob_waiting = false;
}

/* The holder to take a buffer from when the pool is spent: the one whose
 * socket has taken nothing for longest, if that is HSOCK_OUT_EVICT_NS or more
 * (a reader that stopped reading), else none. */
static struct hconn *ob_victim(struct hsock *h, uint64_t now)
{
	struct hconn *v = NULL;

	for (size_t i = 0; i < h->n_conns; i++) {
		struct hconn *c = h->conns[i];
		if (c->ob && !c->ob_evicted && now - c->ob_progress >= HSOCK_OUT_EVICT_NS &&
		    (!v || c->ob_progress < v->ob_progress))
			v = c;
	}
	return v;
}

/* A buffer for (c), from the free list, made new, or taken from the slowest
 * holder; else (c) waits in line and false. */
static bool ob_take(struct hconn *c)
{
	struct hsock *h = c->h;
	struct obuf *b = h->ob_free;
	uint64_t now = plat_clock_monotonic_ns();

	if (!b && h->ob_made < HSOCK_OUT_BUFS && (b = malloc(sizeof *b)) != NULL)
		h->ob_made++;
	else if (b)
		h->ob_free = b->next_free;
	if (!b) {
		struct hconn *v;
		if (c->ob_waiting)
			return false;
		h->stats.out_waits++;
		c->ob_waiting = true;
		c->next_ob_wait = NULL;
		if (h->ob_wait_tail)
			h->ob_wait_tail->next_ob_wait = c;
		else
			h->ob_wait_head = c;
		h->ob_wait_tail = c;
		/* Reset in its own step (freeing it here could pull it from
		 * under a sweep or an event batch); its buffer then goes to
		 * the head of the line. */
		v = ob_victim(h, now);
		if (v && v != c) {
			h->stats.out_evictions++;
			v->ob_evicted = true;
			mark_dirty(v);
		}
		return false;
	}
	ob_unwait(c);
	c->ob = b;
	c->ob_progress = now;
	c->q_head = c->q_n = 0;
	c->copy_used = 0;
	if (++h->ob_used > h->stats.out_bufs_peak)
		h->stats.out_bufs_peak = h->ob_used;
	return true;
}

/* (c) has nothing left to send: its buffer goes to the first in line (woken
 * to use it), or back to the free list. */
static void ob_give_back(struct hconn *c)
{
	struct hsock *h = c->h;
	struct obuf *b = c->ob;
	struct hconn *w = h->ob_wait_head;

	if (!b || c->q_n)
		return;
	c->ob = NULL;
	c->copy_used = 0;
	if (w) {
		ob_unwait(w);
		w->ob = b;
		w->ob_progress = plat_clock_monotonic_ns();
		w->q_head = w->q_n = 0;
		w->copy_used = 0;
		mark_dirty(w);
		return;
	}
	h->ob_used--;
	b->next_free = h->ob_free;
	h->ob_free = b;
}

/* ---- the stream operations ---- */

static size_t op_recv(struct stream *s, uint8_t *buf, size_t cap, bool *eof)
{
	struct hconn *c = of(s);
	ssize_t n;

	c->recv_called = true;
	*eof = c->peer_eof;
	if (c->peer_eof || cap == 0 || c->drained)
		return 0;
	n = recv(c->fd, buf, cap, 0);
	if (n > 0) {
		/* Short: nothing more is waiting, so spare the next call's EAGAIN;
		 * epoll reports the socket again when more arrives. */
		c->drained = (size_t)n < cap;
		return (size_t)n;
	}
	if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		c->peer_eof = true;
		*eof = true;
	}
	return 0;
}

static bool op_can_send(struct stream *s, size_t copy_bytes, unsigned copies, unsigned refs)
{
	struct hconn *c = of(s);
	size_t segs = (size_t)copies + refs; /* each call may take an entry */

	if (c->overrun || segs > HSOCK_QUEUE_SEGS || copy_bytes > HSOCK_COPY_BYTES)
		return false;
	if (!c->ob && !ob_take(c))
		return false; /* in line: handed one when it comes back */
	return c->q_n + segs <= HSOCK_QUEUE_SEGS && c->copy_used + copy_bytes <= HSOCK_COPY_BYTES;
}

/* More was queued than can_send granted: the HTTP layer's bug, paid for by this
 * connection alone (reset at the end of its step), never by the process. */
static void overrun(struct hconn *c)
{
	if (!c->overrun)
		c->h->stats.overruns++;
	c->overrun = true;
}

/* Step (c) again on this or the next loop turn. */
static void mark_dirty(struct hconn *c)
{
	if (!c->dirty) {
		c->dirty = true;
		c->next_dirty = c->h->dirty;
		c->h->dirty = c;
	}
}

static void push(struct hconn *c, const uint8_t *p, size_t len, int fd, off_t off,
                 struct shared_buf *sh)
{
	struct seg *sg;

	if (len == 0)
		return;
	if (!c->ob) {
		overrun(c); /* queued without asking can_send */
		return;
	}
	/* A copy right after a copy extends it: headers of pipelined responses. */
	if (c->q_n && fd < 0 && !sh) {
		struct seg *last = &c->ob->q[(c->q_head + c->q_n - 1) % HSOCK_QUEUE_SEGS];
		if (last->fd < 0 && !last->sh && last->p + last->len == p) {
			last->len += len;
			c->unsent += len;
			if (c->h->stepping != c)
				mark_dirty(c);
			return;
		}
	}
	if (c->q_n == HSOCK_QUEUE_SEGS) {
		overrun(c);
		return;
	}
	if (c->h->stepping != c)
		mark_dirty(c);
	sg = &c->ob->q[(c->q_head + c->q_n) % HSOCK_QUEUE_SEGS];
	sg->p = p;
	sg->len = len;
	sg->fd = fd;
	sg->off = off;
	sg->sh = sh;
	if (sh)
		shared_hold(sh);
	c->q_n++;
	c->unsent += len;
}

static void op_send_copy(struct stream *s, const void *p, size_t len)
{
	struct hconn *c = of(s);
	uint8_t *dst;

	if (c->overrun || !c->ob || c->copy_used + len > HSOCK_COPY_BYTES) {
		overrun(c);
		return;
	}
	dst = c->ob->copy + c->copy_used;
	memcpy(dst, p, len);
	c->copy_used += len;
	push(c, dst, len, -1, 0, NULL);
}

static void op_send_ref(struct stream *s, const void *p, size_t len)
{
	struct hconn *c = of(s);
	struct hsock *h = c->h;
	const uint8_t *b = p;

	if (c->overrun)
		return;
	if (len >= SENDFILE_MIN && h->map_fd >= 0 && b >= h->map && b + len <= h->map + h->map_len)
		push(c, b, len, h->map_fd, (off_t)(b - h->map), NULL);
	else
		push(c, b, len, -1, 0, NULL);
}

static bool flush(struct hconn *c);

/* An event written once for every follower: referenced until the kernel has
 * taken it, with no copy into this connection's buffer. With nothing else
 * waiting it goes to the socket at once, so the output buffer that can_send
 * lent goes straight back: thousands of followers (more than HSOCK_OUT_BUFS)
 * take an update in one pass, not in rounds of the pool. A socket error is
 * met again by the connection's own step (it was marked dirty). */
static void op_send_shared(struct stream *s, struct shared_buf *b)
{
	struct hconn *c = of(s);

	if (c->overrun)
		return;
	push(c, b->p, b->len, -1, 0, b);
	if (c->q_n == 1 && c->h->stepping != c)
		(void)flush(c);
}

static void op_wake(struct stream *s)
{
	mark_dirty(of(s));
}

static uint64_t op_unsent(struct stream *s)
{
	struct hconn *c = of(s);
	int q = 0;

	/* An event stream's bytes sit in the kernel's buffer long after we
	 * handed them over: count what the peer has not acknowledged, so that a
	 * follower that stopped reading meets the send timeout. */
	if (c->hc.streaming && ioctl(c->fd, SIOCOUTQ, &q) == 0 && q > 0)
		return c->unsent + (uint64_t)q;
	return c->unsent;
}

static void op_close(struct stream *s, bool graceful)
{
	struct hconn *c = of(s);

	if (c->h->stepping != c)
		mark_dirty(c); /* closed while another was polled (an eviction) */
	c->http_done = true;
	c->graceful = graceful;
	/* Decided now: the HTTP layer drops its buffer after this. */
	c->close_at_once = graceful && c->hc.peer_closes && c->hc.buf_len == 0;
}

static const struct stream_ops sock_ops = {
        .recv = op_recv,
        .can_send = op_can_send,
        .send_copy = op_send_copy,
        .send_ref = op_send_ref,
        .unsent = op_unsent,
        .close = op_close,
        .wake = op_wake,
        .send_shared = op_send_shared,
};

/* ---- sending ---- */

static void consumed(struct hconn *c, size_t n)
{
	c->unsent -= n;
	c->ob_progress = plat_clock_monotonic_ns();
	while (n) {
		struct seg *sg = &c->ob->q[c->q_head];
		size_t k = n < sg->len ? n : sg->len;
		sg->p += k;
		sg->len -= k;
		sg->off += (off_t)k;
		n -= k;
		if (sg->len == 0) {
			if (sg->sh)
				shared_release(sg->sh);
			sg->sh = NULL;
			c->q_head = (c->q_head + 1) % HSOCK_QUEUE_SEGS;
			c->q_n--;
		}
	}
	if (c->q_n == 0)
		ob_give_back(c);
}

/* Whether every queued byte goes out by writev (none by sendfile). */
static bool all_copied(const struct hconn *c)
{
	for (unsigned i = 0; i < c->q_n; i++)
		if (c->ob->q[(c->q_head + i) % HSOCK_QUEUE_SEGS].fd >= 0)
			return false;
	return true;
}

/* Send what the socket takes. Returns false on a fatal socket error. */
static bool flush(struct hconn *c)
{
	while (c->q_n) {
		struct seg *sg = &c->ob->q[c->q_head];
		ssize_t n;

		if (sg->fd >= 0) {
			off_t off = sg->off;
			n = sendfile(c->fd, sg->fd, &off, sg->len);
			if (n > 0)
				c->h->stats.bytes_sendfile += (uint64_t)n;
		} else {
			struct iovec iov[HSOCK_QUEUE_SEGS];
			unsigned i, k = 0;
			for (i = 0; i < c->q_n; i++) {
				struct seg *x = &c->ob->q[(c->q_head + i) % HSOCK_QUEUE_SEGS];
				if (x->fd >= 0)
					break;
				iov[k].iov_base = (void *)(uintptr_t)x->p;
				iov[k].iov_len = x->len;
				k++;
			}
			/* The last response, all of it here: MSG_MORE holds its
			 * tail for shutdown()'s FIN (see conn_step). */
			struct msghdr mh = {.msg_iov = iov, .msg_iovlen = k};
			n = sendmsg(c->fd, &mh,
			            c->http_done && c->graceful && k == c->q_n ? MSG_MORE : 0);
			if (n > 0)
				c->h->stats.bytes_writev += (uint64_t)n;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				continue;
			return false;
		}
		if (n == 0)
			return true;
		consumed(c, (size_t)n);
	}
	return true;
}

/* ---- connections ---- */

static void set_events(struct hconn *c, uint32_t ev)
{
	struct epoll_event e = {.events = ev, .data.ptr = c};

	if (ev == c->events)
		return;
	epoll_ctl(c->h->ep, EPOLL_CTL_MOD, c->fd, &e);
	c->events = ev;
}

static void conn_free(struct hconn *c)
{
	struct hsock *h = c->h;
	size_t i;

	for (i = 0; i < h->n_conns; i++)
		if (h->conns[i] == c) {
			h->conns[i] = h->conns[--h->n_conns];
			break;
		}
	if (c->dirty) {
		struct hconn **pp = &h->dirty;
		while (*pp && *pp != c)
			pp = &(*pp)->next_dirty;
		if (*pp)
			*pp = c->next_dirty;
	}
	if (c->hs_queued) {
		struct hconn **pp = &h->hs_head, *prev = NULL;
		while (*pp && *pp != c) {
			prev = *pp;
			pp = &(*pp)->next_hs;
		}
		if (*pp)
			*pp = c->next_hs;
		if (h->hs_tail == c)
			h->hs_tail = prev;
		c->hs_queued = false;
	}
	/* An event-stream subscriber: the app drops it from its lists. */
	if (c->hc.app_data && h->hooks.conn_gone)
		h->hooks.conn_gone(h->hooks.ctx, &c->hc);
	http_conn_fini(c->srv, &c->hc);
	ob_unwait(c);
	/* What was queued is dropped with the connection; shared events go back. */
	for (i = 0; i < c->q_n; i++) {
		struct seg *sg = &c->ob->q[(c->q_head + i) % HSOCK_QUEUE_SEGS];
		if (sg->sh)
			shared_release(sg->sh);
	}
	c->q_n = 0;
	ob_give_back(c);
	if (c->tls)
		tls_conn_free(c->tls);
	close(c->fd); /* never duplicated, so this also takes it out of the epoll set */
	h->stats.closed++;
	if (h->in_batch) {
		c->dead = true;
		c->next_dead = h->graveyard;
		h->graveyard = c;
		return;
	}
	free(c);
}

static void conn_reset(struct hconn *c)
{
	struct linger lg = {1, 0};

	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	c->h->stats.resets++;
	conn_free(c);
}

/* Read and drop whatever the peer still sends after our FIN, so that our close
 * does not turn into a reset that destroys the response it has not read yet
 * (RFC 9112 9.6). */
static bool linger_drain(struct hconn *c)
{
	uint8_t junk[4096];
	ssize_t n;

	while ((n = recv(c->fd, junk, sizeof junk, 0)) > 0)
		;
	return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
}

/* HTTP's turn, through TLS when the connection has it. */
static void poll_http(struct hconn *c, uint64_t now)
{
	struct hsock *h = c->h;

	c->recv_called = false;
	c->drained = false;
	h->stepping = c;
	if (c->tls)
		tls_conn_begin(c->tls, now);
	http_conn_poll(c->srv, &c->hc, now);
	if (c->tls)
		tls_conn_end(c->tls);
	h->stepping = NULL;
}

/* Output still to be made above the socket: TLS records that the copy area
 * had no room for, or a close_notify still to go. */
static bool more_above(const struct hconn *c)
{
	return c->tls && tls_conn_more(c->tls);
}

/* Everything after an event or a deadline: let HTTP work, send, rearm. */
static void conn_step(struct hconn *c, uint64_t now)
{
	struct hsock *h = c->h;
	int turns;

	if (c->ob_evicted) {
		conn_reset(c);
		return;
	}
	if (c->fin_sent) {
		if (linger_drain(c) || now >= c->linger_until)
			conn_free(c);
		return;
	}
	for (turns = 0; !c->http_done; turns++) {
		uint64_t before;

		poll_http(c, now);
		if (c->overrun) {
			conn_reset(c);
			return;
		}
		if ((!c->hc.waiting && !more_above(c)) || c->http_done)
			break;
		/* A response waits for queue room: send, and if the socket took
		 * anything, answer more now. Without this a pipelined burst whose
		 * queue the socket emptied at once (no EPOLLOUT to come, no input
		 * left to read) stalled until the idle sweep (issue 14). */
		before = c->unsent;
		if (!flush(c)) {
			conn_free(c);
			return;
		}
		if (c->unsent == before)
			break; /* EPOLLOUT brings it back */
		if (turns == STEP_TURNS) {
			mark_dirty(c); /* the rest on the next loop turn: fairness */
			break;
		}
	}
	if (c->http_done && c->graceful && c->q_n && !c->corked && !all_copied(c)) {
		/* The last response: its tail waits in the socket for shutdown(),
		 * which sends it with the FIN in one segment instead of a segment
		 * and then a bare FIN (as nginx's close does). Copied bytes get
		 * that from MSG_MORE (flush); sendfile needs the cork. */
		int one = 1;
		setsockopt(c->fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one);
		c->corked = true;
	}
	if (!flush(c)) {
		conn_free(c);
		return;
	}
	if (c->q_n == 0)
		ob_give_back(c); /* taken by a can_send that queued nothing */
	if (c->http_done) {
		if (!c->graceful) {
			conn_reset(c);
			return;
		}
		if (c->q_n == 0 && c->close_at_once) {
			/* The client said this was its last request and nothing
			 * of it is left unread: close at once, as nginx does,
			 * instead of lingering for its FIN (a wake-up per
			 * connection). Read first, so that close() finds the
			 * receive queue empty and sends a FIN, not a reset. */
			linger_drain(c);
			h->stats.closed_at_once++;
			conn_free(c);
			return;
		}
		if (c->q_n == 0) {
			shutdown(c->fd, SHUT_WR);
			c->fin_sent = true;
			c->linger_until = now + LINGER_NS;
			h->stats.lingering++;
			if (linger_drain(c)) {
				conn_free(c);
				return;
			}
			set_events(c, EPOLLIN | EPOLLRDHUP);
			return;
		}
		set_events(c, EPOLLOUT);
		return;
	}
	if (c->q_n || more_above(c)) {
		/* Backpressure: no reading while the peer is not taking our output.
		 * TLS records still to make count: the socket's room wakes us. */
		set_events(c, EPOLLOUT);
	} else if (c->hc.pool_waiting && !(c->tls && tls_conn_wants_input(c->tls))) {
		/* In line for an input buffer: deaf (level-triggered input would
		 * wake us for nothing) until the HTTP layer wakes it (op_wake). */
		set_events(c, 0);
	} else {
		set_events(c, c->peer_eof ? 0 : EPOLLIN | EPOLLRDHUP);
	}
}

/* The connection to close for want of descriptors: the longest idle one, else
 * the oldest request head unfinished for HTTP_EVICT_AGE_NS (the slowest
 * client), else none. */
static struct hconn *shed_victim(struct hsock *h, uint64_t now)
{
	struct hconn *idle = NULL, *slow = NULL;
	size_t i;

	for (i = 0; i < h->n_conns; i++) {
		struct hconn *c = h->conns[i];
		uint64_t t = c->hc.t_head_start;
		if (c->http_done || c->fin_sent || c->q_n || c->hc.streaming || c->hc.waiting ||
		    more_above(c))
			continue;
		if (!t && !c->hc.buf && (!idle || c->hc.t_idle_start < idle->hc.t_idle_start))
			idle = c;
		else if (t && now - t >= HTTP_EVICT_AGE_NS && (!slow || t < slow->hc.t_head_start))
			slow = c;
	}
	return idle ? idle : slow;
}

/* Close up to HSOCK_SHED connections that cost a descriptor each and are
 * waiting for nothing, or the slowest. Returns how many. */
static unsigned shed_idle(struct hsock *h, uint64_t now)
{
	unsigned k;
	struct hconn *v;

	for (k = 0; k < HSOCK_SHED && (v = shed_victim(h, now)) != NULL; k++) {
		h->stats.shed_idle++;
		conn_free(v);
	}
	return k;
}

/* accept4 failed for want of descriptors: shed idle and slow connections so
 * that the newcomers waiting in the backlog get in; when there are none, turn
 * the connection at the head of the backlog away with the reserve descriptor
 * and stop listening for a while. A level-triggered listener left armed spun
 * at 100% CPU. True when accepting may go on now. */
static bool out_of_fds(struct hsock *h, int lfd, uint64_t now)
{
	struct epoll_event e = {.events = 0, .data.ptr = &h->lfd};
	int fd;

	h->stats.accept_emfile++;
	if (shed_idle(h, now))
		return true;
	if (h->reserve_fd >= 0) {
		close(h->reserve_fd);
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0) {
			h->stats.accepted++;
			h->stats.refused++;
			close(fd);
		}
		h->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	/* Both listeners: the descriptors are the process's, not one port's. */
	epoll_ctl(h->ep, EPOLL_CTL_MOD, h->lfd, &e);
	if (h->lfd2 >= 0) {
		e.data.ptr = &h->lfd2;
		epoll_ctl(h->ep, EPOLL_CTL_MOD, h->lfd2, &e);
	}
	h->accept_off = now + HSOCK_ACCEPT_BACKOFF_NS;
	return false;
}

/* Whether (c)'s next step may be a handshake's costly one: it waits its turn. */
static bool hs_rationed(const struct hconn *c)
{
	return c->tls && !c->fin_sent && !c->http_done && tls_conn_in_handshake(c->tls);
}

/* In line for a handshake step; deaf meanwhile (its level-triggered input
 * would report it on every turn). */
static void hs_enqueue(struct hconn *c)
{
	struct hsock *h = c->h;

	if (c->hs_queued)
		return;
	set_events(c, 0);
	c->hs_queued = true;
	c->next_hs = NULL;
	if (h->hs_tail)
		h->hs_tail->next_hs = c;
	else
		h->hs_head = c;
	h->hs_tail = c;
}

/* Step the first HSOCK_HS_PER_TURN handshakes in line. */
static void hs_run(struct hsock *h, uint64_t now)
{
	for (unsigned k = 0; k < HSOCK_HS_PER_TURN && h->hs_head; k++) {
		struct hconn *c = h->hs_head;
		h->hs_head = c->next_hs;
		if (!h->hs_head)
			h->hs_tail = NULL;
		c->hs_queued = false;
		c->next_hs = NULL;
		h->stats.hs_steps++;
		conn_step(c, now);
	}
}

/* Accept what waits on (lfd), at most a batch: a backlog that a flood keeps
 * full must not hold the loop from everything else (the other listener, the
 * established connections). The listener is level-triggered, so the rest
 * comes on the next turn. A TLS listener's batch is smaller: each new
 * connection's ClientHello costs a key exchange and a signature. */
static void accept_all(struct hsock *h, int lfd, struct http_server *srv, struct tls_server *ts,
                       uint64_t now)
{
	unsigned batch = ts ? HSOCK_TLS_ACCEPT_BATCH : HSOCK_ACCEPT_BATCH;

	for (unsigned n = 0; n < batch; n++) {
		/* With every handshake slot taken by one still waiting for our
		 * step, a newcomer would push out a client whose delay is ours:
		 * it waits in the backlog until one owes us its answer. */
		if (ts && !tls_server_admits(ts, now)) {
			/* Not armed meanwhile: a level-triggered listener with a
			 * backlog would wake every turn for nothing. */
			struct epoll_event off = {.events = 0, .data.ptr = &h->lfd};
			h->stats.hs_deferred++;
			if (!h->accept_off) {
				epoll_ctl(h->ep, EPOLL_CTL_MOD, lfd, &off);
				h->accept_off = now + HSOCK_HS_DEFER_NS;
			}
			return;
		}
		struct sockaddr_storage ss = {0}; /* a family even if accept4 says nothing */
		socklen_t sl = sizeof ss;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct hconn *c;
		struct epoll_event e;
		struct tls_conn *victim = NULL;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				if (out_of_fds(h, lfd, now))
					continue;
			}
			return;
		}
		h->stats.accepted++;
		if (h->n_conns >= HSOCK_MAX_CONNS) {
			h->stats.refused++;
			close(fd);
			continue;
		}
		c = calloc(1, sizeof *c);
		if (!c) {
			h->stats.refused++;
			close(fd);
			continue;
		}
		c->st.ops = &sock_ops;
		c->h = h;
		c->fd = fd;
		c->srv = srv;
		if (ts && !(c->tls = tls_conn_open(ts, &c->st, now, &victim))) {
			h->stats.refused++;
			close(fd);
			free(c);
			continue;
		}
		if (c->tls)
			tls_conn_set_user(c->tls, c);
		c->events = EPOLLIN | EPOLLRDHUP;
		e.events = c->events;
		e.data.ptr = c;
		epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &e);
		h->conns[h->n_conns++] = c;
		http_conn_init(srv, &c->hc, c->tls ? tls_conn_stream(c->tls) : &c->st, now);
		if (ss.ss_family == AF_INET)
			http_conn_set_peer(&c->hc, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		else if (ss.ss_family == AF_INET6)
			http_conn_set_peer(&c->hc, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		/* The handshake given up for this one reads its end now. */
		if (victim)
			conn_step(tls_conn_user(victim), now);
		if (c->tls)
			hs_enqueue(c); /* its ClientHello waits its turn */
		else
			conn_step(c, now);
	}
}

/* Send what the app queued outside any connection's own step (events). */
static void flush_dirty(struct hsock *h, uint64_t now)
{
	struct hconn *list = h->dirty;

	/* The list as it stands: a connection marked again while stepping (one
	 * with more pipelined work, STEP_TURNS) waits for the next turn. */
	h->dirty = NULL;
	while (list) {
		struct hconn *c = list;
		list = c->next_dirty;
		c->dirty = false;
		c->next_dirty = NULL;
		conn_step(c, now);
	}
}

/* Deadlines: idle, header and send timeouts, and lingering closes. */
static void sweep(struct hsock *h, uint64_t now)
{
	size_t i = 0;

	while (i < h->n_conns) {
		struct hconn *c = h->conns[i];
		size_t before = h->n_conns;
		uint64_t dl = c->fin_sent ? c->linger_until : http_conn_deadline(&c->hc);

		if (c->tls && !c->fin_sent && tls_conn_deadline(c->tls) < dl)
			dl = tls_conn_deadline(c->tls);

		if (now >= dl)
			conn_step(c, now);
		if (h->n_conns == before)
			i++;
	}
}

/* ---- the server ---- */

static int listen_on(const char *host, int port, char *err, size_t errlen)
{
	struct addrinfo hints = {0}, *res = NULL, *ai;
	char portstr[16];
	int fd = -1, rc, one = 1, lowat = NOTSENT_LOWAT, saved = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof portstr, "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve %s: %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		/* Accepted sockets inherit both from the listener: no system
		 * calls per connection for them. */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1024) == 0)
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (saved == EADDRINUSE)
			snprintf(err, errlen, "%s port %d is in use (try --port %d, or 0 for any)",
			         host, port, port + 1);
		else
			snprintf(err, errlen, "cannot listen on %s port %d: %s", host, port,
			         strerror(saved ? saved : EINVAL));
	}
	return fd;
}

struct hsock *hsock_open(const char *host, int port, struct http_server *srv,
                         const struct hsock_hooks *hooks, char *err, size_t errlen)
{
	struct hsock *h = calloc(1, sizeof *h);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct epoll_event e = {.events = EPOLLIN};
	sigset_t mask;

	/* An array of pointers to connections, so the element is a pointer. */
	if (!h ||
	    !(h->conns = calloc(HSOCK_MAX_CONNS,
	                        sizeof(struct hconn *)))) { // NOLINT(bugprone-sizeof-expression)
		snprintf(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	h->srv = srv;
	h->hooks = *hooks;
	h->map_fd = -1;
	h->lfd2 = -1;
	h->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	h->lfd = listen_on(host, port, err, errlen);
	if (h->lfd < 0)
		goto fail;
	memset(&ss, 0, sizeof ss);
	if (getsockname(h->lfd, (struct sockaddr *)&ss, &sl) != 0) {
		snprintf(err, errlen, "cannot read the listening address: %s", strerror(errno));
		goto fail;
	}
	h->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                         : ((struct sockaddr_in *)&ss)->sin_port);
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	e.data.ptr = &h->lfd;
	epoll_ctl(h->ep, EPOLL_CTL_ADD, h->lfd, &e);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	h->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	e.data.ptr = &h->sigfd;
	epoll_ctl(h->ep, EPOLL_CTL_ADD, h->sigfd, &e);
	if (hooks->extra_fd >= 0) {
		e.data.ptr = &h->hooks.extra_fd;
		epoll_ctl(h->ep, EPOLL_CTL_ADD, hooks->extra_fd, &e);
	}
	return h;
fail:
	if (h->lfd >= 0)
		close(h->lfd);
	free(h->conns);
	free(h);
	return NULL;
}

int hsock_port(const struct hsock *h)
{
	return h->port;
}

void hsock_set_tls(struct hsock *h, struct tls_server *ts)
{
	h->tls = ts;
}

int hsock_listen_plain(struct hsock *h, const char *host, int port, struct http_server *srv,
                       char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	struct epoll_event e = {.events = EPOLLIN, .data.ptr = &h->lfd2};

	h->lfd2 = listen_on(host, port, err, errlen);
	if (h->lfd2 < 0)
		return -1;
	memset(&ss, 0, sizeof ss);
	getsockname(h->lfd2, (struct sockaddr *)&ss, &sl);
	h->port2 = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                          : ((struct sockaddr_in *)&ss)->sin_port);
	h->srv2 = srv;
	epoll_ctl(h->ep, EPOLL_CTL_ADD, h->lfd2, &e);
	return h->port2;
}

void hsock_set_store_file(struct hsock *h, const void *map, size_t len, int fd)
{
	h->map = map;
	h->map_len = len;
	h->map_fd = fd;
}

bool hsock_references(const struct hsock *h, const void *p, size_t len)
{
	const uint8_t *lo = p, *hi = lo + len;
	size_t i;
	unsigned k;

	for (i = 0; i < h->n_conns; i++) {
		const struct hconn *c = h->conns[i];
		for (k = 0; k < c->q_n; k++) {
			const struct seg *sg = &c->ob->q[(c->q_head + k) % HSOCK_QUEUE_SEGS];
			if (sg->p >= lo && sg->p < hi)
				return true;
		}
		if (c->tls && tls_conn_references(c->tls, p, len))
			return true;
	}
	return false;
}

int hsock_run(struct hsock *h)
{
	struct epoll_event ev[256];
	uint64_t next_sweep = 0, next_tick = 0, spin_until = 0;

	while (!h->stop) {
		uint64_t now = plat_clock_monotonic_ns(), wake;
		int n, i, timeout_ms;

		http_server_tick(h->srv, plat_clock_wall_ns());
		if (h->srv2)
			http_server_tick(h->srv2, plat_clock_wall_ns());
		if (h->hooks.tick && now >= next_tick)
			next_tick = h->hooks.tick(h->hooks.ctx, now);
		flush_dirty(h, now);
		if (h->accept_off && now >= h->accept_off) {
			struct epoll_event le = {.events = EPOLLIN, .data.ptr = &h->lfd};
			h->accept_off = 0;
			epoll_ctl(h->ep, EPOLL_CTL_MOD, h->lfd, &le);
			if (h->lfd2 >= 0) {
				le.data.ptr = &h->lfd2;
				epoll_ctl(h->ep, EPOLL_CTL_MOD, h->lfd2, &le);
			}
		}
		if (now >= next_sweep) {
			sweep(h, now);
			next_sweep = now + SWEEP_NS;
		}
		wake = next_sweep < next_tick ? next_sweep : next_tick;
		if (h->accept_off && h->accept_off < wake)
			wake = h->accept_off;
		timeout_ms = wake <= now ? 0 : (int)((wake - now + 999999) / 1000000);
		if (now < spin_until || h->dirty || h->hs_head)
			timeout_ms = 0;
		n = epoll_wait(h->ep, ev, 256, timeout_ms);
		now = plat_clock_monotonic_ns();
		if (n > 0)
			spin_until = now + SPIN_NS;
		http_server_tick(h->srv, plat_clock_wall_ns());
		if (h->srv2)
			http_server_tick(h->srv2, plat_clock_wall_ns());
		h->in_batch = true;
		for (i = 0; i < n; i++) {
			void *p = ev[i].data.ptr;
			if (p == &h->lfd) {
				accept_all(h, h->lfd, h->srv, h->tls, now);
			} else if (p == &h->lfd2) {
				accept_all(h, h->lfd2, h->srv2, NULL, now);
			} else if (p == &h->sigfd) {
				struct signalfd_siginfo si;
				while (read(h->sigfd, &si, sizeof si) > 0)
					h->stop = true;
			} else if (p == &h->hooks.extra_fd) {
				h->hooks.on_extra(h->hooks.ctx);
			} else {
				struct hconn *c = p;
				if (c->dead)
					continue; /* freed earlier in this batch */
				if (hs_rationed(c) && !(ev[i].events & (EPOLLERR | EPOLLHUP))) {
					if (ev[i].events & EPOLLIN)
						tls_conn_peer_spoke(c->tls); /* it answered */
					hs_enqueue(c);
					continue;
				}
				if (ev[i].events & (EPOLLERR | EPOLLHUP) && !c->fin_sent &&
				    !(ev[i].events & EPOLLIN))
					conn_free(c);
				else
					conn_step(c, now);
			}
		}
		h->in_batch = false;
		while (h->graveyard) {
			struct hconn *d = h->graveyard;
			h->graveyard = d->next_dead;
			free(d);
		}
		flush_dirty(h, now);
		hs_run(h, now);
	}
	return 0;
}

void hsock_stop(struct hsock *h)
{
	h->stop = true;
}

void hsock_close(struct hsock *h)
{
	/* conn_free takes each out of the array; from the end nothing moves. */
	for (size_t i = h->n_conns; i-- > 0;)
		conn_free(h->conns[i]);
	while (h->ob_free) {
		struct obuf *b = h->ob_free;
		h->ob_free = b->next_free;
		free(b);
	}
	close(h->lfd);
	if (h->lfd2 >= 0)
		close(h->lfd2);
	close(h->ep);
	close(h->sigfd);
	if (h->reserve_fd >= 0)
		close(h->reserve_fd);
	free(h->conns);
	free(h);
}

const struct hsock_stats *hsock_stats(const struct hsock *h)
{
	return &h->stats;
}

void hsock_dump_stats(const struct hsock *h, FILE *out)
{
	const struct hsock_stats *s = &h->stats;
	const struct http_stats *t = &h->srv->stats;

	fprintf(out,
	        "sock.accepted %llu\nsock.refused %llu\nsock.closed %llu\nsock.resets %llu\n"
	        "sock.overruns %llu\nsock.accept_emfile %llu\nsock.shed_idle %llu\n"
	        "http.requests %llu\nhttp.timeout_header %llu\nhttp.timeout_idle %llu\n"
	        "http.timeout_send %llu\nhttp.pool_waits %llu\nhttp.pool_evictions %llu\n",
	        (unsigned long long)s->accepted, (unsigned long long)s->refused,
	        (unsigned long long)s->closed, (unsigned long long)s->resets,
	        (unsigned long long)s->overruns, (unsigned long long)s->accept_emfile,
	        (unsigned long long)s->shed_idle, (unsigned long long)t->requests,
	        (unsigned long long)t->timeout_header, (unsigned long long)t->timeout_idle,
	        (unsigned long long)t->timeout_send, (unsigned long long)t->pool_waits,
	        (unsigned long long)t->pool_evictions);
	fprintf(out,
	        "sock.hs_steps %llu\nsock.hs_deferred %llu\n"
	        "sock.out_waits %llu\nsock.out_evictions %llu\nsock.out_bufs_peak %llu\n"
	        "sock.out_bufs_made %u\nsock.conn_bytes %zu\nsock.out_buf_bytes %zu\n",
	        (unsigned long long)s->hs_steps, (unsigned long long)s->hs_deferred,
	        (unsigned long long)s->out_waits, (unsigned long long)s->out_evictions,
	        (unsigned long long)s->out_bufs_peak, h->ob_made, sizeof(struct hconn),
	        sizeof(struct obuf));
}
