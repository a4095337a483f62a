/* SPDX-License-Identifier: MIT */
/* Split virtqueues (virtio 1.2 2.7): descriptor chains in, used elements out, with
 * every index the device hands back checked.
 *
 * The caller gives the memory (virtq_mem_size() bytes, 4 KiB-aligned, zeroed,
 * identity-mapped so pointers are DMA addresses) laid out the legacy way (2.7.2 and
 * 4.2.4: descriptors, then the available ring, then the used ring at the next
 * 4096-byte boundary), which also meets the modern alignment rules. Descriptors
 * are managed by a free list kept in our own memory (shadow next links), never
 * read back from the device-visible table.
 *
 * Device memory is input (STYLE.md rule 8): virtq_get() rejects a used element
 * whose id is out of range or not the head of a chain in flight, and counts it;
 * the caller checks the length against its own buffer. Not thread-safe; the
 * interrupt handler never touches a queue. Pure C, hosted-tested with a fake
 * device. */
#ifndef UD_VIRTIO_VIRTQ_H
#define UD_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE 256u /* our cap on queue sizes */

#define VIRTQ_DESC_F_NEXT          1u
#define VIRTQ_DESC_F_WRITE         2u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY     1u

struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool device_writes;
};

struct virtq_stats {
	uint64_t bad_id;        /* used id out of range */
	uint64_t not_in_flight; /* used id not the head of a chain we made available */
	uint64_t bad_idx;       /* used idx moved by more than the queue size */
};

struct virtq {
	uint16_t index; /* queue number at the device */
	uint16_t size;  /* power of 2, <= VIRTQ_MAX_SIZE */
	uint8_t *mem;
	volatile uint8_t *desc, *avail, *used;
	uint16_t free_head, n_free;
	uint16_t avail_idx;             /* our copy of avail->idx */
	uint16_t last_used;             /* next used index to consume */
	uint16_t unnotified;            /* made available since the last notify */
	uint16_t used_event;            /* our last store to the used_event field */
	bool event_idx;                 /* VIRTIO_F_EVENT_IDX negotiated (2.7.7.2, 2.7.10.1) */
	bool irq_off;                   /* virtq_no_interrupts() was called */
	uint16_t next[VIRTQ_MAX_SIZE];  /* free list and chain links (ours) */
	uint16_t chain[VIRTQ_MAX_SIZE]; /* at a head in flight: chain length; else 0 */
	struct virtq_stats stats;
};

/* Bytes of device-visible memory for a queue of (size) descriptors. */
size_t virtq_mem_size(uint16_t size);

/* Set up (q) over (mem) for queue number (index) with (size) entries, a power of 2
 * no larger than VIRTQ_MAX_SIZE. */
void virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *mem);

uint64_t virtq_desc_addr(const struct virtq *q);
uint64_t virtq_avail_addr(const struct virtq *q);
uint64_t virtq_used_addr(const struct virtq *q);

/* Event indexes (VIRTIO_F_EVENT_IDX) were negotiated: interrupts and
 * notifications are asked for by index rather than by flag. With them the
 * device interrupts once when a queue we had emptied gets a used element, not
 * for each element that follows before we look again; and it is notified only
 * when it asked to be for what we made available. Call before the queue is
 * enabled. */
void virtq_use_event_idx(struct virtq *q);

/* Ask the device not to interrupt for this queue (2.7.7): we poll it. */
void virtq_no_interrupts(struct virtq *q);

/* The head descriptor the next virtq_put() will use (a driver keys per-frame
 * buffers by it). */
uint16_t virtq_next_head(const struct virtq *q);

/* Chain (bufs, n) and make it available; false when fewer than n descriptors are
 * free. (*head) names the chain in virtq_get(). */
bool virtq_put(struct virtq *q, const struct virtq_buf *bufs, size_t n, uint16_t *head);

enum virtq_get_result {
	VIRTQ_EMPTY = 0, /* nothing used */
	VIRTQ_GOT,       /* (*head, *len) is a chain we made available; now free */
	VIRTQ_BAD,       /* the device handed back nonsense: consumed, counted */
};
/* With event indexes, on a queue that interrupts, finding it empty also asks
 * for an interrupt at the next used element (then looks again, so that one
 * used meanwhile is not missed): a caller that waits for an interrupt after
 * VIRTQ_EMPTY is woken. */
enum virtq_get_result virtq_get(struct virtq *q, uint16_t *head, uint32_t *len);

/* Something used waits (a cheap check for plat_yield_until). */
bool virtq_has_used(const struct virtq *q);

/* Whether the device wants a notification for what was made available since the
 * last one (2.7.10: the full barrier orders our avail->idx store before the
 * load of the flags, or of avail_event with event indexes); clears the count. */
bool virtq_kick_prepare(struct virtq *q);

#endif
