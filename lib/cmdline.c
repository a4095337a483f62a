/* SPDX-License-Identifier: MIT */
/* Command-line words and numbers. */
#include "lib/cmdline.h"

#include "lib/mem.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_next(const char *line, const char *key, size_t *pos, const char **val, size_t *len)
{
	size_t klen = strlen(key);
	size_t i = *pos;

	while (line[i]) {
		while (is_space(line[i]))
			i++;
		size_t start = i;
		while (line[i] && !is_space(line[i]))
			i++;
		size_t wlen = i - start;
		const char *w = line + start;
		if (wlen >= klen && memcmp(w, key, klen) == 0) {
			if (wlen == klen) {
				*val = w + wlen;
				*len = 0;
				*pos = i;
				return true;
			}
			if (w[klen] == '=') {
				*val = w + klen + 1;
				*len = wlen - klen - 1;
				*pos = i;
				return true;
			}
		}
	}
	*pos = i;
	return false;
}

bool cmdline_get(const char *line, const char *key, const char **val, size_t *len)
{
	size_t pos = 0;

	return cmdline_next(line, key, &pos, val, len);
}

static int digit(char c, unsigned base)
{
	int d = -1;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	return d >= 0 && (unsigned)d < base ? d : -1;
}

bool cmdline_u64(const char *val, size_t len, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0, shift = 0;

	if (len >= 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (len > i) {
		char s = val[len - 1];
		shift = s == 'K' || s == 'k'   ? 10
		        : s == 'M' || s == 'm' ? 20
		        : s == 'G' || s == 'g' ? 30
		                               : 0;
		if (shift)
			len--;
	}
	if (i >= len)
		return false;
	for (; i < len; i++) {
		int d = digit(val[i], base);
		if (d < 0 || __builtin_mul_overflow(v, base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			return false;
	}
	if (shift && (v >> (64 - shift)) != 0)
		return false;
	*out = v << shift;
	return true;
}

/* The index of (c) in (s, len) or len. */
static size_t find(const char *s, size_t len, char c)
{
	size_t i = 0;

	while (i < len && s[i] != c)
		i++;
	return i;
}

bool cmdline_mmio(const char *val, size_t len, struct cmdline_mmio *out)
{
	uint64_t irq;
	size_t at = find(val, len, '@');

	if (at == len || !cmdline_u64(val, at, &out->size))
		return false;
	const char *a = val + at + 1;
	size_t alen = len - at - 1;
	size_t colon = find(a, alen, ':');
	if (colon == alen || !cmdline_u64(a, colon, &out->addr))
		return false;
	const char *q = a + colon + 1;
	size_t qlen = alen - colon - 1;
	size_t colon2 = find(q, qlen, ':'); /* an optional platform device id follows */
	if (!cmdline_u64(q, colon2, &irq) || irq > 0xffffffffu)
		return false;
	out->irq = (uint32_t)irq;
	return out->size != 0;
}
