/* SPDX-License-Identifier: MIT */
/* The simulated link: see platform/sim/simlink.h. */
#include "platform/sim/simlink.h"

#include "platform/hosted/pcapw.h"

#include <stdlib.h>
#include <string.h>

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t sim_rand(struct sim_link *l)
{
	uint64_t *s = l->rng, r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

void sim_random_bytes(struct sim_link *l, void *buf, size_t len)
{
	uint8_t *b = buf;

	while (len) {
		uint64_t r = sim_rand(l);
		size_t k = len < 8 ? len : 8;
		memcpy(b, &r, k);
		b += k;
		len -= k;
	}
}

/* A uniform double in [0, 1). */
static double unit(struct sim_link *l)
{
	return (double)(sim_rand(l) >> 11) * (1.0 / 9007199254740992.0);
}

bool sim_init(struct sim_link *l, uint64_t seed, const struct sim_params *p)
{
	uint64_t z = seed;
	int i;

	memset(l, 0, sizeof *l);
	l->p = *p;
	for (i = 0; i < 4; i++) { /* splitmix64 seeds the state */
		uint64_t x = (z += 0x9e3779b97f4a7c15ull);
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
		x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
		l->rng[i] = x ^ (x >> 31);
	}
	for (i = 0; i < 2; i++) {
		l->dir[i].q = malloc(SIM_QUEUE * sizeof *l->dir[i].q);
		if (!l->dir[i].q) {
			sim_fini(l);
			return false;
		}
	}
	return true;
}

void sim_fini(struct sim_link *l)
{
	free(l->dir[0].q);
	free(l->dir[1].q);
	l->dir[0].q = l->dir[1].q = NULL;
	if (l->pcap)
		fclose(l->pcap);
	l->pcap = NULL;
}

bool sim_pcap(struct sim_link *l, const char *path)
{
	l->pcap = pcapw_open(path);
	return l->pcap != NULL;
}

static bool earlier(const struct sim_frame *a, const struct sim_frame *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void heap_push(struct sim_dir *d, const struct sim_frame *fr)
{
	size_t i = d->n++;

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!earlier(fr, &d->q[parent]))
			break;
		d->q[i] = d->q[parent];
		i = parent;
	}
	d->q[i] = *fr;
}

static void heap_pop(struct sim_dir *d)
{
	struct sim_frame *last = &d->q[--d->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= d->n)
			break;
		if (c + 1 < d->n && earlier(&d->q[c + 1], &d->q[c]))
			c++;
		if (!earlier(&d->q[c], last))
			break;
		d->q[i] = d->q[c];
		i = c;
	}
	if (d->n)
		d->q[i] = *last;
}

static void enqueue(struct sim_link *l, struct sim_dir *d, const struct sim_frame *fr)
{
	if (d->n == SIM_QUEUE) {
		l->stats.overflow++;
		return;
	}
	heap_push(d, fr);
}

bool sim_send(struct sim_link *l, int from, const struct plat_iov *iov, size_t n)
{
	struct sim_dir *d = &l->dir[!from];
	struct sim_frame fr;
	uint64_t start, tx = 0;
	size_t i;

	fr.len = 0;
	for (i = 0; i < n; i++) {
		if (fr.len + iov[i].len > SIM_FRAME_MAX)
			return false;
		memcpy(fr.data + fr.len, iov[i].p, iov[i].len);
		fr.len = (uint16_t)(fr.len + iov[i].len);
	}
	l->stats.sent++;
	/* The sender's wire is busy for the frame's serialisation time. */
	if (l->p.bandwidth_bps)
		tx = (uint64_t)(fr.len + 24) * 8u * 1000000000ull / l->p.bandwidth_bps;
	start = d->busy_until > l->now ? d->busy_until : l->now;
	d->busy_until = start + tx;
	if (unit(l) < l->p.loss) {
		l->stats.lost++;
		return true;
	}
	/* Corruption that gets past the Ethernet FCS, in an IPv4 packet (ARP has
	 * no checksum of its own: a real link's FCS is what protects it). */
	if (unit(l) < l->p.corrupt && fr.len > 14 && fr.data[12] == 0x08 && fr.data[13] == 0) {
		uint64_t r = sim_rand(l);
		fr.data[14 + r % (fr.len - 14u)] ^= (uint8_t)(1u << (r >> 32) % 8u);
		l->stats.corrupted++;
	}
	fr.at = start + tx + l->p.delay_ns + (l->p.jitter_ns ? sim_rand(l) % l->p.jitter_ns : 0);
	if (unit(l) < l->p.reorder) {
		fr.at += l->p.delay_ns + 1000000u; /* held back past its successors */
		l->stats.reordered++;
	}
	fr.order = l->order++;
	enqueue(l, d, &fr);
	if (unit(l) < l->p.dup) {
		fr.at += 1000u;
		fr.order = l->order++;
		l->stats.duplicated++;
		enqueue(l, d, &fr);
	}
	return true;
}

uint64_t sim_next(const struct sim_link *l)
{
	uint64_t a = l->dir[0].n ? l->dir[0].q[0].at : UINT64_MAX;
	uint64_t b = l->dir[1].n ? l->dir[1].q[0].at : UINT64_MAX;

	return a < b ? a : b;
}

size_t sim_recv(struct sim_link *l, int to, uint8_t *buf, size_t cap)
{
	struct sim_dir *d = &l->dir[to];
	size_t len;

	if (!d->n || d->q[0].at > l->now)
		return 0;
	len = d->q[0].len;
	if (len > cap)
		len = cap;
	memcpy(buf, d->q[0].data, len);
	if (l->pcap) {
		struct plat_iov v = {buf, len, 0};
		pcapw_frame(l->pcap, d->q[0].at, &v, 1);
	}
	heap_pop(d);
	l->stats.delivered++;
	return len;
}
