/* SPDX-License-Identifier: MIT */
/* platform.h for the simulation's machines: see platform/sim/simplat.h. */
#include "platform/sim/simplat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"

static struct sim_machine *cur;

void sim_machine_init(struct sim_machine *m, struct sim_link *l, int side)
{
	memset(m, 0, sizeof *m);
	m->l = l;
	m->side = side;
	m->mac[0] = 0x02;
	m->mac[5] = (uint8_t)(side + 1);
	m->mtu = 1500;
	m->boot = l->now;
	m->wake = UINT64_MAX;
}

void sim_enter(struct sim_machine *m)
{
	cur = m;
}

struct sim_machine *sim_current(void)
{
	return cur;
}

static struct sim_machine *me(void)
{
	if (!cur) {
		fprintf(stderr, "sim: a platform call with no machine entered (sim_enter)\n");
		abort();
	}
	return cur;
}

uint64_t plat_clock_monotonic_ns(void)
{
	return me()->l->now;
}

uint64_t plat_clock_wall_ns(void)
{
	return SIM_EPOCH_NS + me()->l->now;
}

uint64_t plat_uptime_ns(void)
{
	struct sim_machine *m = me();

	return m->l->now - m->boot;
}

void plat_net_info(struct plat_net_info *info)
{
	struct sim_machine *m = me();

	memset(info, 0, sizeof *info);
	memcpy(info->mac, m->mac, 6);
	info->mtu = m->mtu;
	info->present = 1;
	info->tso_max = m->tso ? 65535u : 0u;
}

enum plat_result plat_net_send(const struct plat_iov *iov, size_t n)
{
	struct sim_machine *m = me();
	size_t len = 0, i;

	for (i = 0; i < n; i++)
		len += iov[i].len;
	if (len > 14u + m->mtu || len > SIM_FRAME_MAX)
		return PLAT_EINVAL;
	if (m->observe)
		m->observe(m->observe_ctx, iov, n);
	m->st.tx_frames++;
	m->st.tx_notifies++;
	sim_send(m->l, m->side, iov, n); /* a frame the link loses is sent all the same */
	return PLAT_OK;
}

/* The stack's description of a large IPv4 TCP frame, as a device reads it:
 * headers where it says, a total length that matches, more than one MSS. */
static bool tso_ok(const struct plat_iov *iov, size_t n, uint16_t mss, uint16_t hdr_len,
                   uint16_t csum_start, uint16_t csum_offset)
{
	uint8_t h[14 + 60 + 60];
	size_t len = 0, i, k = 0;
	uint16_t ihl;

	for (i = 0; i < n; i++)
		len += iov[i].len;
	for (i = 0; i < n && k < sizeof h; i++) {
		size_t c = iov[i].len < sizeof h - k ? iov[i].len : sizeof h - k;
		memcpy(h + k, iov[i].p, c);
		k += c;
	}
	if (k < 54 || get_u16be(h + 12) != 0x0800 || (h[14] >> 4) != 4)
		return false;
	ihl = (uint16_t)((h[14] & 15) * 4);
	if (ihl < 20 || k < 14u + ihl + 20u || csum_start != 14u + ihl || csum_offset != 16)
		return false;
	return hdr_len == 14u + ihl + (size_t)(h[14 + ihl + 12] >> 4) * 4u && len > hdr_len &&
	       len - 14 == get_u16be(h + 16) && len - hdr_len > mss && mss > 0;
}

enum plat_result plat_net_send_tso(const struct plat_iov *iov, size_t n, uint16_t mss,
                                   uint16_t hdr_len, uint16_t csum_start, uint16_t csum_offset)
{
	struct sim_machine *m = me();

	if (!m->tso || !tso_ok(iov, n, mss, hdr_len, csum_start, csum_offset))
		m->tso_bad++;
	return PLAT_EINVAL;
}

enum plat_result plat_net_recv(void *buf, size_t cap, size_t *len)
{
	struct sim_machine *m = me();
	uint8_t f[SIM_FRAME_MAX];
	size_t k;

	if (cap >= SIM_FRAME_MAX) {
		k = sim_recv(m->l, m->side, buf, cap);
	} else {
		/* Taken whole, so that a frame longer than (cap) is dropped, not cut. */
		k = sim_recv(m->l, m->side, f, sizeof f);
		if (k > cap) {
			m->rx_too_long++;
			return PLAT_AGAIN;
		}
		memcpy(buf, f, k);
	}
	if (!k)
		return PLAT_AGAIN;
	m->st.rx_frames++;
	*len = k;
	return PLAT_OK;
}

void plat_net_stats(struct plat_net_stats *st)
{
	*st = me()->st;
}

void plat_yield_until(uint64_t deadline_ns)
{
	me()->wake = deadline_ns;
}

void plat_random(void *buf, size_t len)
{
	sim_random_bytes(me()->l, buf, len);
}

void plat_console_write(const char *buf, size_t len)
{
	struct sim_machine *m = me();

	if (m->verbose)
		fprintf(stderr, "[%c %llu.%09llu] %.*s", 'A' + m->side,
		        (unsigned long long)(m->l->now / 1000000000ull),
		        (unsigned long long)(m->l->now % 1000000000ull), (int)len, buf);
}

void plat_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (k > 0)
		plat_console_write(line, (size_t)k < sizeof line ? (size_t)k : sizeof line - 1);
}

_Noreturn void plat_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	exit(code);
}

_Noreturn void plat_panic(const char *file, int line, const char *what)
{
	fprintf(stderr, "sim: machine %c: %s:%d: assertion failed: %s\n",
	        cur ? 'A' + cur->side : '?', file, line, what);
	fflush(stderr);
	abort();
}

void plat_heap(void **base, size_t *len)
{
	struct sim_machine *m = me();

	*base = m->heap;
	*len = m->heap ? m->heap_len : 0;
}

const char *plat_cmdline(void)
{
	const char *c = me()->cmdline;

	return c ? c : "";
}

const char *plat_image_args(void)
{
	return "";
}

bool plat_image_store(const uint8_t **p, size_t *len)
{
	struct sim_machine *m = me();

	*p = m->store;
	*len = m->store_len;
	return m->store != NULL;
}
