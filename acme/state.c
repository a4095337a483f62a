/* SPDX-License-Identifier: MIT */
/* Encoding and checking the ACME state (format in acme/state.h). */
#include "acme/state.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "lib/sha256.h"

static const uint8_t magic[8] = {'U', 'D', 'A', 'C', 'M', 'E', '\r', '\n'};

enum { R_DIR = 1, R_NAMES, R_ACCOUNT, R_CERT_KEY, R_CHAIN, R_NOT_BEFORE, R_NOT_AFTER, R_LAST };

struct w {
	uint8_t *p;
	size_t cap, len;
	bool over;
};

static void put(struct w *w, const void *p, size_t n)
{
	if (w->over || n > w->cap - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void put_le(struct w *w, uint64_t v, unsigned n)
{
	uint8_t b[8];
	unsigned i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	put(w, b, n);
}

static void rec(struct w *w, uint8_t type, const void *p, size_t n)
{
	put(w, &type, 1);
	put_le(w, n, 4);
	put(w, p, n);
}

static void rec_u64(struct w *w, uint8_t type, uint64_t v)
{
	uint8_t b[8];
	unsigned i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rec(w, type, b, 8);
}

size_t acme_state_encode(const struct acme_state *s, uint8_t *out, size_t cap)
{
	struct w w = {out, cap, 0, false};
	uint8_t sum[SHA256_LEN];

	put(&w, magic, sizeof magic);
	put_le(&w, ACME_STATE_VERSION, 4);
	put_le(&w, 0, 4); /* the records' length, filled below */
	rec(&w, R_DIR, s->directory, strlen(s->directory));
	rec(&w, R_NAMES, s->names, strlen(s->names));
	rec(&w, R_ACCOUNT, s->account_d, ACME_KEY_LEN);
	if (s->have_cert) {
		rec(&w, R_CERT_KEY, s->cert_d, ACME_KEY_LEN);
		rec(&w, R_CHAIN, s->chain, s->chain_len);
		rec_u64(&w, R_NOT_BEFORE, s->not_before);
		rec_u64(&w, R_NOT_AFTER, s->not_after);
	}
	if (w.over || w.len > ACME_STATE_MAX - SHA256_LEN)
		return 0;
	{
		size_t n = w.len - 16;
		out[12] = (uint8_t)n;
		out[13] = (uint8_t)(n >> 8);
		out[14] = (uint8_t)(n >> 16);
		out[15] = (uint8_t)(n >> 24);
	}
	sha256(out, w.len, sum);
	put(&w, sum, sizeof sum);
	return w.over ? 0 : w.len;
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static bool has_nul(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == 0)
			return true;
	return false;
}

/* A text record: no NUL inside, shorter than (cap). */
static bool take_text(char *dst, size_t cap, const uint8_t *p, size_t n)
{
	if (n >= cap || has_nul(p, n))
		return false;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

enum acme_state_result acme_state_decode(const uint8_t *p, size_t len, struct acme_state *s)
{
	uint8_t sum[SHA256_LEN];
	uint32_t n, seen = 0;
	struct cur c;

	memset(s, 0, sizeof *s);
	if (len < sizeof magic || memcmp(p, magic, sizeof magic) != 0)
		return ACME_STATE_FOREIGN;
	if (len > ACME_STATE_MAX)
		return ACME_STATE_TOO_BIG;
	if (len < 16 + SHA256_LEN)
		return ACME_STATE_TRUNCATED;
	if (le(p + 8, 4) != ACME_STATE_VERSION)
		return ACME_STATE_VERSION_UNKNOWN;
	n = (uint32_t)le(p + 12, 4);
	if (n > len - 16 - SHA256_LEN)
		return ACME_STATE_TRUNCATED;
	if (16 + (size_t)n + SHA256_LEN != len)
		return ACME_STATE_BAD_RECORD; /* bytes after the checksum */
	sha256(p, 16 + (size_t)n, sum);
	if (memcmp(sum, p + 16 + n, SHA256_LEN) != 0)
		return ACME_STATE_CHECKSUM;
	c = cur_make(p + 16, n);
	while (c.len) {
		uint8_t type = c.p[0];
		uint64_t rl;
		const uint8_t *v;
		if (c.len < 5)
			return ACME_STATE_BAD_RECORD;
		rl = le(c.p + 1, 4);
		if (rl > c.len - 5 || type == 0 || type >= R_LAST || (seen & (1u << type)))
			return ACME_STATE_BAD_RECORD;
		seen |= 1u << type;
		v = c.p + 5;
		switch (type) {
		case R_DIR:
			if (!take_text(s->directory, sizeof s->directory, v, rl))
				return ACME_STATE_BAD_RECORD;
			break;
		case R_NAMES:
			if (!take_text(s->names, sizeof s->names, v, rl))
				return ACME_STATE_BAD_RECORD;
			break;
		case R_ACCOUNT:
		case R_CERT_KEY:
			if (rl != ACME_KEY_LEN)
				return ACME_STATE_BAD_RECORD;
			memcpy(type == R_ACCOUNT ? s->account_d : s->cert_d, v, ACME_KEY_LEN);
			break;
		case R_CHAIN:
			if (!take_text(s->chain, sizeof s->chain, v, rl))
				return ACME_STATE_BAD_RECORD;
			s->chain_len = rl;
			break;
		default: /* R_NOT_BEFORE, R_NOT_AFTER */
			if (rl != 8)
				return ACME_STATE_BAD_RECORD;
			if (type == R_NOT_BEFORE)
				s->not_before = le(v, 8);
			else
				s->not_after = le(v, 8);
			break;
		}
		cur_skip(&c, 5 + (size_t)rl);
	}
	{
		uint32_t need = 1u << R_DIR | 1u << R_NAMES | 1u << R_ACCOUNT;
		uint32_t cert =
		        1u << R_CERT_KEY | 1u << R_CHAIN | 1u << R_NOT_BEFORE | 1u << R_NOT_AFTER;
		if ((seen & need) != need || ((seen & cert) != 0 && (seen & cert) != cert))
			return ACME_STATE_BAD_RECORD;
		s->have_cert = (seen & cert) == cert;
	}
	return ACME_STATE_OK;
}

const char *acme_state_result_str(enum acme_state_result r)
{
	switch (r) {
	case ACME_STATE_OK:
		return "ok";
	case ACME_STATE_FOREIGN:
		return "not an unideck ACME state (wrong magic)";
	case ACME_STATE_VERSION_UNKNOWN:
		return "a state format version this unideck does not know";
	case ACME_STATE_TRUNCATED:
		return "truncated";
	case ACME_STATE_CHECKSUM:
		return "damaged (checksum mismatch)";
	case ACME_STATE_BAD_RECORD:
		return "malformed records";
	case ACME_STATE_TOO_BIG:
		return "larger than a state can be";
	}
	return "?";
}
