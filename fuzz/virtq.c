/* SPDX-License-Identifier: MIT */
/* Fuzz target: the split virtqueue against a hostile device. The input is a
 * script: the driver makes chains available and takes used ones back, asks
 * whether to notify, while the "device" writes whatever the input says into
 * the memory it shares with us (used index, used elements, avail_event, flags)
 * and into the driver-owned rings it may scribble on. Device memory is input
 * (STYLE.md rule 8): whatever it writes, the driver must never hand back a
 * chain it does not have in flight, lose or duplicate a descriptor, or touch
 * memory outside the queue. Event indexes on or off, interrupts on or off,
 * queue size 1 to 256, as the first bytes say.
 *
 * virtq.c is a platform file, not in the hosted library: it is compiled into
 * this target directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/virtio/virtq.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct script {
	const uint8_t *p;
	size_t left;
};

static uint8_t next8(struct script *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static uint16_t next16(struct script *s)
{
	return (uint16_t)(next8(s) | next8(s) << 8);
}

static void put16(volatile uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(volatile uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* The driver's own books must add up after anything the device did: the free
 * list holds n_free distinct descriptors, and with the chains in flight that
 * is every descriptor exactly once. */
static void check_books(const struct virtq *q, const uint8_t *in_flight)
{
	static uint8_t seen[VIRTQ_MAX_SIZE];
	unsigned busy = 0;
	uint16_t d = q->free_head;

	memset(seen, 0, sizeof seen);
	for (uint16_t h = 0; h < q->size; h++) {
		if ((q->chain[h] != 0) != (in_flight[h] != 0))
			abort(); /* the queue and the driver disagree on what is in flight */
		if (!q->chain[h])
			continue;
		uint16_t c = h;
		for (uint16_t i = 0; i < q->chain[h]; i++) {
			if (c >= q->size || seen[c]++)
				abort();
			busy++;
			c = q->next[c];
		}
	}
	for (uint16_t i = 0; i < q->n_free; i++) {
		if (d >= q->size || seen[d]++)
			abort();
		d = q->next[d];
	}
	if (busy + q->n_free != q->size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtq q;
	static uint8_t in_flight[VIRTQ_MAX_SIZE];
	struct script s = {data, size};
	struct virtq_buf b[4] = {{0x1000, 100, false},
	                         {0x2000, 200, true},
	                         {0x3000, 300, false},
	                         {0x4000, 400, true}};
	uint8_t shape = next8(&s);
	uint16_t qsize = (uint16_t)(1u << (shape % 9)); /* 1 to 256 */
	size_t len = virtq_mem_size(qsize);
	uint8_t *mem = aligned_alloc(4096, len);
	uint16_t head;
	uint32_t used_len;

	if (!mem)
		return 0;
	memset(mem, 0, len);
	memset(in_flight, 0, sizeof in_flight);
	virtq_init(&q, 0, qsize, mem);
	if (shape & 0x10)
		virtq_use_event_idx(&q);
	if (shape & 0x20)
		virtq_no_interrupts(&q);
	uint8_t *used = (uint8_t *)(uintptr_t)q.used, *avail = (uint8_t *)(uintptr_t)q.avail;
	size_t used_len_bytes = 6 + 8u * qsize, avail_len_bytes = 6 + 2u * qsize;

	while (s.left) {
		uint8_t op = next8(&s);
		switch (op % 6) {
		case 0: { /* the driver makes a chain of 1 to 4 available */
			size_t n = 1 + (op >> 3) % 4;
			if (virtq_put(&q, b, n, &head)) {
				if (head >= qsize || in_flight[head])
					abort();
				in_flight[head] = 1;
			}
			break;
		}
		case 1: /* the driver takes what is used, until empty */
			for (int i = 0; i < 300; i++) {
				enum virtq_get_result r = virtq_get(&q, &head, &used_len);
				if (r == VIRTQ_EMPTY)
					break;
				if (r == VIRTQ_GOT) {
					if (head >= qsize || !in_flight[head])
						abort(); /* handed back a chain not in flight */
					in_flight[head] = 0;
				}
			}
			break;
		case 2: /* the device moves its used index anywhere */
			put16(used + 2, next16(&s));
			break;
		case 3: { /* the device writes a used element */
			uint16_t slot = next16(&s);
			uint32_t id = (uint32_t)next16(&s) | (uint32_t)next8(&s) << 16;
			put32(used + 4 + 8u * (slot % qsize), id);
			put32(used + 8 + 8u * (slot % qsize), next16(&s));
			break;
		}
		case 4: /* the device writes any byte of the used ring (flags,
			 * avail_event), or scribbles on the rings that are ours:
			 * the driver never reads them back */
			if (op & 0x80)
				avail[next16(&s) % avail_len_bytes] = next8(&s);
			else if (op & 0x40)
				mem[next16(&s) % (16u * qsize)] = next8(&s);
			else
				used[next16(&s) % used_len_bytes] = next8(&s);
			break;
		default: /* the driver asks whether to notify */
			(void)virtq_kick_prepare(&q);
			(void)virtq_has_used(&q);
			break;
		}
		check_books(&q, in_flight);
	}
	free(mem);
	return 0;
}
