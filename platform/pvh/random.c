/* SPDX-License-Identifier: MIT */
/* Random bytes from the CPU, or a weak fallback. */
#include "platform/pvh/random.h"

#include <stdint.h>

#include "lib/mem.h"
#include "platform/platform.h"
#include "platform/pvh/cpu.h"

static uint64_t weak_state;

/* splitmix64 (Steele, Lea, Flood 2014): a good mixer, not a secret by itself. */
static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t next_word(void)
{
	uint64_t v;

	if (cpu_features.rdrand && cpu_rdrand(&v))
		return v;
	if (cpu_features.rdseed && cpu_rdseed(&v))
		return v;
	weak_state ^= rdtsc();
	return splitmix(&weak_state);
}

const char *random_source(void)
{
	if (cpu_features.rdrand)
		return "rdrand";
	return cpu_features.rdseed ? "rdseed" : "tsc (weak)";
}

void plat_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len > 0) {
		uint64_t w = next_word();
		size_t n = len < 8 ? len : 8;
		memcpy(p, &w, n);
		p += n;
		len -= n;
	}
}
