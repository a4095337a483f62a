/* SPDX-License-Identifier: MIT */
/* A read cursor over untrusted bytes: every getter checks the length first.
 *
 * A cursor borrows (p, len) and never writes through it. A getter that would read
 * past the end returns false and leaves the cursor where it was, so a parser can
 * chain getters and test once. Nothing here allocates. Multi-byte getters read
 * network (big-endian) or little-endian order as named, never by casting. */
#ifndef UD_LIB_CURSOR_H
#define UD_LIB_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cur {
	const uint8_t *p;
	size_t len; /* bytes left from p */
};

static inline struct cur cur_make(const void *p, size_t len)
{
	struct cur c = {(const uint8_t *)p, len};
	return c;
}

static inline bool cur_skip(struct cur *c, size_t n)
{
	if (n > c->len)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

/* A view of the next n bytes, consumed. */
static inline bool cur_bytes(struct cur *c, size_t n, const uint8_t **out)
{
	if (n > c->len)
		return false;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool cur_u8(struct cur *c, uint8_t *v)
{
	if (c->len < 1)
		return false;
	*v = c->p[0];
	c->p++;
	c->len--;
	return true;
}

static inline bool cur_u16be(struct cur *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)((c->p[0] << 8) | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool cur_u32be(struct cur *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = ((uint32_t)c->p[0] << 24) | ((uint32_t)c->p[1] << 16) | ((uint32_t)c->p[2] << 8) |
	     (uint32_t)c->p[3];
	c->p += 4;
	c->len -= 4;
	return true;
}

static inline bool cur_u16le(struct cur *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)(c->p[0] | (c->p[1] << 8));
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool cur_u32le(struct cur *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
	     ((uint32_t)c->p[3] << 24);
	c->p += 4;
	c->len -= 4;
	return true;
}

static inline bool cur_u64le(struct cur *c, uint64_t *v)
{
	uint32_t lo, hi;
	struct cur save = *c;

	if (!cur_u32le(c, &lo) || !cur_u32le(c, &hi)) {
		*c = save;
		return false;
	}
	*v = ((uint64_t)hi << 32) | lo;
	return true;
}

/* Loads from bytes whose length the caller has already checked. */
static inline uint16_t get_u16be(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Writers for our own output buffers (not for input): big-endian stores. */
static inline void put_u16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
