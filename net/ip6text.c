/* SPDX-License-Identifier: MIT */
/* IPv6 text: RFC 4291 2.2 in, RFC 5952's canonical form out. */
#include "net/ip6text.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool net_ip6_parse(const char *s, size_t n, uint8_t a[16], uint8_t *plen)
{
	uint16_t w[8] = {0};
	size_t i = 0, k = 0, gap = 8, end = n;
	unsigned p = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '/')
			break;
	end = i;
	if ((plen != NULL) != (end < n))
		return false;
	if (plen) {
		if (end + 1 >= n)
			return false;
		for (i = end + 1; i < n; i++) {
			if (s[i] < '0' || s[i] > '9' || p > 128)
				return false;
			p = p * 10 + (unsigned)(s[i] - '0');
		}
		if (!p || p > 128)
			return false;
		*plen = (uint8_t)p;
	}
	i = 0;
	if (end >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	} else if (end && s[0] == ':') {
		return false;
	}
	while (i < end) {
		unsigned v = 0, digits = 0;
		int h;
		if (k == 8)
			return false;
		while (i < end && (h = hexval(s[i])) >= 0) {
			v = v << 4 | (unsigned)h;
			if (++digits > 4)
				return false;
			i++;
		}
		if (!digits)
			return false;
		w[k++] = (uint16_t)v;
		if (i == end)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < end && s[i] == ':') {
			if (gap != 8)
				return false;
			gap = k;
			i++;
		} else if (i == end) {
			return false;
		}
	}
	if (gap == 8 ? k != 8 : k == 8)
		return false;
	if (gap != 8) {
		size_t tail = k - gap, j;
		for (j = 0; j < tail; j++)
			w[7 - j] = w[k - 1 - j];
		for (j = gap; j < 8 - tail; j++)
			w[j] = 0;
	}
	for (i = 0; i < 8; i++) {
		a[2 * i] = (uint8_t)(w[i] >> 8);
		a[2 * i + 1] = (uint8_t)w[i];
	}
	return true;
}

void net_ip6_format(const uint8_t a[16], char *out)
{
	static const char hex[] = "0123456789abcdef";
	int best = -1, best_len = 1, i, n = 0;

	/* RFC 5952 4.2: the longest run of two or more zero words, the first. */
	for (i = 0; i < 8;) {
		int j = i;
		while (j < 8 && !a[2 * j] && !a[2 * j + 1])
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	for (i = 0; i < 8; i++) {
		unsigned v = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
		bool lead = true;
		int sh;
		if (i == best) {
			out[n++] = ':';
			if (i == 0)
				out[n++] = ':';
			i += best_len - 1;
			continue;
		}
		for (sh = 12; sh >= 0; sh -= 4) {
			unsigned d = v >> sh & 15;
			if (d || !lead || sh == 0) {
				out[n++] = hex[d];
				lead = false;
			}
		}
		if (i < 7)
			out[n++] = ':';
	}
	out[n] = 0;
}
