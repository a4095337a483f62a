/* SPDX-License-Identifier: MIT */
#include "lib/ipv4addr.h"

bool ipv4_parse(const char *s, size_t n, enum ipv4_prefix want, uint32_t *addr, uint8_t *prefix)
{
	uint32_t a = 0, part = 0, p = 32;
	unsigned dots = 0, digits = 0;
	size_t i;

	for (i = 0; i < n && s[i] != '/'; i++) {
		if (s[i] == '.') {
			if (!digits || ++dots > 3)
				return false;
			a = a << 8 | part;
			part = 0;
			digits = 0;
		} else if (s[i] >= '0' && s[i] <= '9' && digits < 3) {
			part = part * 10 + (uint32_t)(s[i] - '0');
			digits++;
			if (part > 255)
				return false;
		} else {
			return false;
		}
	}
	if (dots != 3 || !digits)
		return false;
	if (i < n) { /* "/N" */
		if (want == IPV4_NO_PREFIX || i + 1 == n || n - i - 1 > 2)
			return false;
		p = 0;
		for (size_t j = i + 1; j < n; j++) {
			if (s[j] < '0' || s[j] > '9')
				return false;
			p = p * 10 + (uint32_t)(s[j] - '0');
		}
		if (p < 1 || p > 32)
			return false;
	} else if (want == IPV4_PREFIX_REQUIRED) {
		return false;
	}
	*addr = a << 8 | part;
	if (want != IPV4_NO_PREFIX && prefix)
		*prefix = (uint8_t)p;
	return true;
}
