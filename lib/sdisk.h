/* SPDX-License-Identifier: MIT */
/* The state disk's format: a small block device that keeps one secret blob
 * (the ACME state, acme/state.h) across boots, with a torn write leaving the
 * previous copy.
 *
 * Layout (all integers little-endian): SDISK_SIZE bytes, two slots of
 * SDISK_SLOT_BYTES; slot i starts at byte i * SDISK_SLOT_BYTES with a header
 * sector, and its payload follows from the next sector:
 *
 *   0   8  magic "UDSTATE\n"
 *   8   4  format version, SDISK_VERSION
 *   12  4  payload length (at most SDISK_PAYLOAD_MAX)
 *   16  8  generation: the valid slot with the higher one is current
 *   24 32  SHA-256 of the payload
 *   56 32  SHA-256 of header bytes 0 .. 56
 *   88 ..  zero to the end of the sector
 *
 * A write goes to the slot that is not current, payload first, with the
 * current generation plus one, so a write cut short leaves the other slot
 * valid. A sector of zeroes is an empty slot (`unideck run --state` creates
 * the file zeroed). Anything else that does not check is refused by name: a
 * disk with no slot of ours and a non-zero header is foreign (never written:
 * it may be someone's data), one with our magic but a bad checksum is damaged
 * (read as no state; the next write replaces it).
 *
 * The caller gives sector I/O (struct sdisk_io); nothing here allocates or
 * keeps the payload. Freestanding. */
#ifndef UD_LIB_SDISK_H
#define UD_LIB_SDISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDISK_SECTOR      512u
#define SDISK_SLOT_BYTES  (64u * 1024u)
#define SDISK_SLOTS       2u
#define SDISK_SIZE        (SDISK_SLOTS * SDISK_SLOT_BYTES)
#define SDISK_PAYLOAD_MAX (SDISK_SLOT_BYTES - SDISK_SECTOR)
#define SDISK_VERSION     1u
#define SDISK_MAGIC       "UDSTATE\n"
#define SDISK_HEADER_LEN  88u

enum sdisk_result {
	SDISK_OK = 0,
	SDISK_EMPTY,   /* a sector of zeroes: nothing written yet */
	SDISK_FOREIGN, /* not our magic */
	SDISK_VERSION_UNKNOWN,
	SDISK_BAD_HEADER,  /* the header's checksum or length does not check */
	SDISK_BAD_PAYLOAD, /* the payload's checksum does not match: torn or damaged */
	SDISK_IO,          /* the device failed */
	SDISK_TOO_BIG,     /* a payload over SDISK_PAYLOAD_MAX, or a buffer too small */
	SDISK_REFUSED,     /* a write to a foreign disk */
};

struct sdisk_header {
	uint32_t version, len;
	uint64_t gen;
	uint8_t payload_sha[32];
};

/* Sector I/O at (sector) (512-byte units from the start of the disk), (n)
 * sectors into or out of (buf); false when the device failed. */
struct sdisk_io {
	bool (*read)(void *ctx, uint64_t sector, void *buf, size_t n);
	bool (*write)(void *ctx, uint64_t sector, const void *buf, size_t n);
	void *ctx;
};

/* What sdisk_read found, for the console. */
struct sdisk_report {
	enum sdisk_result slot[SDISK_SLOTS];
	int current; /* the slot read, -1: none */
	uint64_t gen;
};

/* One header sector (p, len) into (h). */
enum sdisk_result sdisk_header_parse(const uint8_t *p, size_t len, struct sdisk_header *h);
/* The header sector for (payload, len) at generation (gen). */
void sdisk_header_make(uint8_t out[SDISK_SECTOR], uint64_t gen, const uint8_t *payload, size_t len);
/* The current payload into (buf, cap), its length in (*len): SDISK_OK; SDISK_EMPTY
 * (both slots empty, *len 0); otherwise the worse slot's reason (both in
 * (rep)). (buf) may hold partial bytes on failure: the caller wipes it. */
enum sdisk_result sdisk_read(const struct sdisk_io *io, void *buf, size_t cap, size_t *len,
                             struct sdisk_report *rep);
/* Write (payload, len) into the slot that is not current. */
enum sdisk_result sdisk_write(const struct sdisk_io *io, const void *payload, size_t len);
const char *sdisk_result_str(enum sdisk_result r);

#endif
