/* SPDX-License-Identifier: MIT */
/* The state disk's two-slot format over the caller's sector I/O (sdisk.h). */
#include "lib/sdisk.h"

#include "lib/mem.h"

#include "lib/sha256.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Compare without an early exit: a checksum is no secret, but this costs nothing. */
static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

enum sdisk_result sdisk_header_parse(const uint8_t *p, size_t len, struct sdisk_header *h)
{
	uint8_t sum[SHA256_LEN];
	bool zero = true;

	if (len < SDISK_SECTOR)
		return SDISK_BAD_HEADER;
	for (size_t i = 0; i < SDISK_SECTOR && zero; i++)
		zero = p[i] == 0;
	if (zero)
		return SDISK_EMPTY;
	if (memcmp(p, SDISK_MAGIC, 8) != 0)
		return SDISK_FOREIGN;
	h->version = get32(p + 8);
	if (h->version != SDISK_VERSION)
		return SDISK_VERSION_UNKNOWN;
	sha256(p, 56, sum);
	if (!same(sum, p + 56, SHA256_LEN))
		return SDISK_BAD_HEADER;
	for (size_t i = SDISK_HEADER_LEN; i < SDISK_SECTOR; i++)
		if (p[i] != 0)
			return SDISK_BAD_HEADER;
	h->len = get32(p + 12);
	if (h->len > SDISK_PAYLOAD_MAX)
		return SDISK_BAD_HEADER;
	h->gen = get64(p + 16);
	memcpy(h->payload_sha, p + 24, SHA256_LEN);
	return SDISK_OK;
}

void sdisk_header_make(uint8_t out[SDISK_SECTOR], uint64_t gen, const uint8_t *payload, size_t len)
{
	memset(out, 0, SDISK_SECTOR);
	memcpy(out, SDISK_MAGIC, 8);
	put32(out + 8, SDISK_VERSION);
	put32(out + 12, (uint32_t)len);
	put64(out + 16, gen);
	sha256(payload, len, out + 24);
	sha256(out, 56, out + 56);
}

static uint64_t slot_sector(unsigned slot)
{
	return (uint64_t)slot * (SDISK_SLOT_BYTES / SDISK_SECTOR);
}

static enum sdisk_result read_header(const struct sdisk_io *io, unsigned slot,
                                     struct sdisk_header *h)
{
	uint8_t sec[SDISK_SECTOR];

	if (!io->read(io->ctx, slot_sector(slot), sec, 1))
		return SDISK_IO;
	return sdisk_header_parse(sec, sizeof sec, h);
}

/* The payload of (slot) into (buf) (h->len bytes, checked by the caller). */
static bool read_payload(const struct sdisk_io *io, unsigned slot, const struct sdisk_header *h,
                         uint8_t *buf)
{
	uint8_t sec[SDISK_SECTOR];
	size_t whole = h->len / SDISK_SECTOR, rest = h->len % SDISK_SECTOR;
	uint64_t first = slot_sector(slot) + 1;

	if (whole && !io->read(io->ctx, first, buf, whole))
		return false;
	if (rest) {
		if (!io->read(io->ctx, first + whole, sec, 1))
			return false;
		memcpy(buf + whole * SDISK_SECTOR, sec, rest);
		memset(sec, 0, sizeof sec);
	}
	return true;
}

/* Whether (slot)'s payload matches its header, hashed a sector at a time. */
static enum sdisk_result check_payload(const struct sdisk_io *io, unsigned slot,
                                       const struct sdisk_header *h)
{
	uint8_t sec[SDISK_SECTOR], sum[SHA256_LEN];
	struct sha256 c;
	uint64_t first = slot_sector(slot) + 1;
	enum sdisk_result r = SDISK_OK;

	sha256_init(&c);
	for (size_t off = 0, i = 0; off < h->len; off += SDISK_SECTOR, i++) {
		size_t n = h->len - off < SDISK_SECTOR ? h->len - off : SDISK_SECTOR;
		if (!io->read(io->ctx, first + i, sec, 1)) {
			r = SDISK_IO;
			break;
		}
		sha256_update(&c, sec, n);
	}
	memset(sec, 0, sizeof sec);
	if (r != SDISK_OK)
		return r;
	sha256_final(&c, sum);
	return same(sum, h->payload_sha, SHA256_LEN) ? SDISK_OK : SDISK_BAD_PAYLOAD;
}

/* Both slots' headers, the valid ones' payloads checked; the current slot or -1. */
static int survey(const struct sdisk_io *io, struct sdisk_header h[SDISK_SLOTS],
                  struct sdisk_report *rep)
{
	rep->current = -1;
	rep->gen = 0;
	for (unsigned i = 0; i < SDISK_SLOTS; i++) {
		rep->slot[i] = read_header(io, i, &h[i]);
		if (rep->slot[i] == SDISK_OK)
			rep->slot[i] = check_payload(io, i, &h[i]);
		if (rep->slot[i] == SDISK_OK && (rep->current < 0 || h[i].gen > rep->gen)) {
			rep->current = (int)i;
			rep->gen = h[i].gen;
		}
	}
	return rep->current;
}

/* The reason to give when no slot is valid: the worst of the two. */
static enum sdisk_result worst(const struct sdisk_report *rep)
{
	enum sdisk_result r = SDISK_EMPTY;
	for (unsigned i = 0; i < SDISK_SLOTS; i++)
		if (rep->slot[i] != SDISK_EMPTY && (r == SDISK_EMPTY || r == SDISK_FOREIGN))
			r = rep->slot[i];
	return r;
}

enum sdisk_result sdisk_read(const struct sdisk_io *io, void *buf, size_t cap, size_t *len,
                             struct sdisk_report *rep)
{
	struct sdisk_header h[SDISK_SLOTS];
	uint8_t sum[SHA256_LEN];
	int cur = survey(io, h, rep);

	*len = 0;
	if (cur < 0)
		return worst(rep);
	if (h[cur].len > cap)
		return SDISK_TOO_BIG;
	if (!read_payload(io, (unsigned)cur, &h[cur], buf))
		return SDISK_IO;
	/* The device's bytes are input: the copy taken is checked itself, not
	 * only the earlier read survey() hashed. */
	sha256(buf, h[cur].len, sum);
	if (!same(sum, h[cur].payload_sha, SHA256_LEN))
		return SDISK_BAD_PAYLOAD;
	*len = h[cur].len;
	return SDISK_OK;
}

enum sdisk_result sdisk_write(const struct sdisk_io *io, const void *payload, size_t len)
{
	struct sdisk_header h[SDISK_SLOTS];
	struct sdisk_report rep;
	uint8_t sec[SDISK_SECTOR];
	const uint8_t *p = payload;
	bool ours = false, foreign = false;

	if (len > SDISK_PAYLOAD_MAX)
		return SDISK_TOO_BIG;
	int cur = survey(io, h, &rep);
	for (unsigned i = 0; i < SDISK_SLOTS; i++) {
		if (rep.slot[i] == SDISK_IO)
			return SDISK_IO;
		foreign |= rep.slot[i] == SDISK_FOREIGN;
		ours |= rep.slot[i] != SDISK_FOREIGN && rep.slot[i] != SDISK_EMPTY;
	}
	if (foreign && !ours)
		return SDISK_REFUSED;
	unsigned slot = cur < 0 ? 0 : (unsigned)cur ^ 1u;
	uint64_t first = slot_sector(slot) + 1;
	size_t whole = len / SDISK_SECTOR, rest = len % SDISK_SECTOR;
	if (whole && !io->write(io->ctx, first, p, whole))
		return SDISK_IO;
	if (rest) {
		memset(sec, 0, sizeof sec);
		memcpy(sec, p + whole * SDISK_SECTOR, rest);
		bool ok = io->write(io->ctx, first + whole, sec, 1);
		memset(sec, 0, sizeof sec);
		if (!ok)
			return SDISK_IO;
	}
	sdisk_header_make(sec, cur < 0 ? 1 : rep.gen + 1, p, len);
	return io->write(io->ctx, slot_sector(slot), sec, 1) ? SDISK_OK : SDISK_IO;
}

const char *sdisk_result_str(enum sdisk_result r)
{
	switch (r) {
	case SDISK_OK:
		return "ok";
	case SDISK_EMPTY:
		return "empty";
	case SDISK_FOREIGN:
		return "not a unideck state disk";
	case SDISK_VERSION_UNKNOWN:
		return "an unknown format version";
	case SDISK_BAD_HEADER:
		return "a damaged header";
	case SDISK_BAD_PAYLOAD:
		return "damaged contents (checksum mismatch)";
	case SDISK_IO:
		return "the device failed";
	case SDISK_TOO_BIG:
		return "too big";
	case SDISK_REFUSED:
		return "not ours: left as it is";
	}
	return "?";
}
