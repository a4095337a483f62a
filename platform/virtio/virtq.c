/* SPDX-License-Identifier: MIT */
/* Split virtqueue management with checked used elements. */
#include "platform/virtio/virtq.h"

#include "lib/mem.h"

#define DESC_LEN 16u
#define QALIGN   4096u /* legacy QueueAlign (virtio 1.2 4.2.4); also fine for modern */

/* Device-visible memory is accessed with volatile, little-endian (= x86) loads and
 * stores of naturally aligned fields. */
static void w16(volatile uint8_t *p, uint16_t v)
{
	*(volatile uint16_t *)(volatile void *)p = v;
}

static void w32(volatile uint8_t *p, uint32_t v)
{
	*(volatile uint32_t *)(volatile void *)p = v;
}

static void w64(volatile uint8_t *p, uint64_t v)
{
	*(volatile uint64_t *)(volatile void *)p = v;
}

static uint16_t r16(const volatile uint8_t *p)
{
	return *(const volatile uint16_t *)(const volatile void *)p;
}

static uint32_t r32(const volatile uint8_t *p)
{
	return *(const volatile uint32_t *)(const volatile void *)p;
}

/* The ring protocol's write and read barriers (virtio 1.2 2.7.13.3.1, 2.7.14)
 * as C11 fences: on x86_64, which keeps stores in order and loads in order
 * (Intel SDM vol. 3A 9.2.2), release and acquire are compiler barriers and only
 * store-then-load needs a fence (mfence); on arm64 they are dmb ishst/ishld
 * and dmb ish. The same source is right for both. */
static void wmb(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void rmb(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static void full_mb(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static size_t used_offset(uint16_t size)
{
	size_t avail_end = DESC_LEN * size + 6 + 2u * size;
	return (avail_end + QALIGN - 1) & ~(size_t)(QALIGN - 1);
}

size_t virtq_mem_size(uint16_t size)
{
	size_t end = used_offset(size) + 6 + 8u * size;
	return (end + QALIGN - 1) & ~(size_t)(QALIGN - 1);
}

void virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *mem)
{
	memset(q, 0, sizeof *q);
	q->index = index;
	q->size = size;
	q->mem = mem;
	q->desc = mem;
	q->avail = (uint8_t *)mem + DESC_LEN * size;
	q->used = (uint8_t *)mem + used_offset(size);
	for (uint16_t i = 0; i < size; i++)
		q->next[i] = (uint16_t)(i + 1 < size ? i + 1 : 0);
	q->free_head = 0;
	q->n_free = size;
}

uint64_t virtq_desc_addr(const struct virtq *q)
{
	return (uint64_t)(uintptr_t)q->desc;
}

uint64_t virtq_avail_addr(const struct virtq *q)
{
	return (uint64_t)(uintptr_t)q->avail;
}

uint64_t virtq_used_addr(const struct virtq *q)
{
	return (uint64_t)(uintptr_t)q->used;
}

/* 2.7.7.2 and 2.7.10.1: used_event follows the available ring, avail_event the
 * used ring. */
static volatile uint8_t *used_event(const struct virtq *q)
{
	return q->avail + 4 + 2u * q->size;
}

static const volatile uint8_t *avail_event(const struct virtq *q)
{
	return q->used + 4 + 8u * q->size;
}

/* What used_event should say: on a queue that interrupts, last_used itself (the
 * next element used interrupts); on one that does not, one behind, which the
 * device's used index never passes (it is never 65535 ahead). */
static uint16_t used_event_wanted(const struct virtq *q)
{
	return q->irq_off ? (uint16_t)(q->last_used - 1) : q->last_used;
}

static void set_used_event(struct virtq *q, uint16_t v)
{
	q->used_event = v;
	w16(used_event(q), v);
}

void virtq_use_event_idx(struct virtq *q)
{
	q->event_idx = true;
	set_used_event(q, used_event_wanted(q));
}

void virtq_no_interrupts(struct virtq *q)
{
	/* With event indexes the device ignores the flag (2.7.7.2): used_event
	 * keeps behind last_used instead, moved along by virtq_get(). */
	q->irq_off = true;
	w16(q->avail, VIRTQ_AVAIL_F_NO_INTERRUPT);
	if (q->event_idx)
		set_used_event(q, used_event_wanted(q));
}

uint16_t virtq_next_head(const struct virtq *q)
{
	return q->free_head;
}

/* virtio 1.2 2.7.13: fill descriptors, put the head in the ring, then publish. */
bool virtq_put(struct virtq *q, const struct virtq_buf *bufs, size_t n, uint16_t *head)
{
	if (n == 0 || n > q->n_free)
		return false;
	uint16_t h = q->free_head, d = h;
	for (size_t i = 0; i < n; i++) {
		volatile uint8_t *e = q->desc + DESC_LEN * d;
		bool more = i + 1 < n;
		w64(e, bufs[i].addr);
		w32(e + 8, bufs[i].len);
		w16(e + 12, (uint16_t)((bufs[i].device_writes ? VIRTQ_DESC_F_WRITE : 0) |
		                       (more ? VIRTQ_DESC_F_NEXT : 0)));
		w16(e + 14, more ? q->next[d] : 0);
		if (more)
			d = q->next[d];
	}
	q->free_head = q->next[d];
	q->n_free = (uint16_t)(q->n_free - n);
	q->chain[h] = (uint16_t)n;
	w16(q->avail + 4 + 2u * (q->avail_idx & (q->size - 1)), h);
	wmb();
	q->avail_idx++;
	w16(q->avail + 2, q->avail_idx);
	q->unnotified++;
	*head = h;
	return true;
}

static void free_chain(struct virtq *q, uint16_t h)
{
	uint16_t d = h;

	for (uint16_t i = 1; i < q->chain[h]; i++)
		d = q->next[d];
	q->next[d] = q->free_head;
	q->free_head = h;
	q->n_free = (uint16_t)(q->n_free + q->chain[h]);
	q->chain[h] = 0;
}

/* The queue is empty as far as we saw: bring used_event up to date. On a queue
 * that interrupts, the device may have used an element before it read the new
 * value, so look again after a full barrier (2.7.10: store, then load).
 * Stored only when it changes, so a queue polled while empty costs one load. */
static uint16_t arm(struct virtq *q)
{
	uint16_t want = used_event_wanted(q);

	if (q->used_event == want)
		return q->last_used;
	set_used_event(q, want);
	if (q->irq_off)
		return q->last_used;
	full_mb();
	return r16(q->used + 2);
}

enum virtq_get_result virtq_get(struct virtq *q, uint16_t *head, uint32_t *len)
{
	uint16_t idx = r16(q->used + 2);

	if (idx == q->last_used && (!q->event_idx || (idx = arm(q)) == q->last_used))
		return VIRTQ_EMPTY;
	if ((uint16_t)(idx - q->last_used) > q->size) {
		q->stats.bad_idx++;
		q->last_used = idx; /* resynchronise; the chains in between are lost */
		return VIRTQ_BAD;
	}
	rmb(); /* read the element after the index */
	const volatile uint8_t *e = q->used + 4 + 8u * (q->last_used & (q->size - 1));
	uint32_t id = r32(e), l = r32(e + 4);
	q->last_used++;
	if (id >= q->size) {
		q->stats.bad_id++;
		return VIRTQ_BAD;
	}
	if (q->chain[id] == 0) {
		q->stats.not_in_flight++;
		return VIRTQ_BAD;
	}
	free_chain(q, (uint16_t)id);
	*head = (uint16_t)id;
	*len = l;
	return VIRTQ_GOT;
}

bool virtq_has_used(const struct virtq *q)
{
	return r16(q->used + 2) != q->last_used;
}

bool virtq_kick_prepare(struct virtq *q)
{
	bool kick;

	full_mb();
	if (!q->unnotified) {
		kick = false;
	} else if (q->event_idx) {
		/* 2.7.10.1: notify when avail_event lies among the entries
		 * made available since the last notification, [old, new). */
		uint16_t event = r16(avail_event(q)),
		         old = (uint16_t)(q->avail_idx - q->unnotified);
		kick = (uint16_t)(q->avail_idx - event - 1) < (uint16_t)(q->avail_idx - old);
	} else {
		kick = !(r16(q->used) & VIRTQ_USED_F_NO_NOTIFY);
	}
	q->unnotified = 0;
	return kick;
}
