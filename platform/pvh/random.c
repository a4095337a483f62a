/* SPDX-License-Identifier: MIT */
/* Random bytes from the CPU, or a weak fallback; entropy from the CPU and
 * virtio-rng. */
#include "platform/pvh/random.h"

#include <stdint.h>

#include "lib/mem.h"
#include "platform/platform.h"
#include "platform/pvh/cpu.h"
#include "platform/virtio/vrng.h"

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

/* One word of true entropy: RDSEED (an entropy conditioner's output, Intel SDM
 * vol. 1 7.3.17.2), else RDRAND (a DRBG reseeded from it); each retried a few
 * times, as Intel's DRNG guide asks, since either may be momentarily empty. */
static bool cpu_word(uint64_t *v)
{
	for (int i = 0; i < 64; i++) {
		if (cpu_features.rdseed && cpu_rdseed(v))
			return true;
		if (cpu_features.rdrand && cpu_rdrand(v))
			return true;
	}
	return false;
}

bool plat_entropy(void *buf, size_t len)
{
	uint8_t *p = buf, chunk[VRNG_CHUNK];
	bool cpu_ok = cpu_features.rdseed || cpu_features.rdrand, dev_ok = vrng_present();
	size_t i;

	for (i = 0; i < len; i += 8) {
		uint64_t w = 0;
		size_t n = len - i < 8 ? len - i : 8;
		if (cpu_ok && !cpu_word(&w))
			cpu_ok = false;
		memcpy(p + i, &w, n);
	}
	/* Both sources when there are both: the output is as good as the better. */
	for (i = 0; dev_ok && i < len; i += VRNG_CHUNK) {
		size_t n = len - i < VRNG_CHUNK ? len - i : VRNG_CHUNK;
		if (!vrng_read(chunk, n)) {
			dev_ok = false;
			break;
		}
		for (size_t k = 0; k < n; k++)
			p[i + k] ^= chunk[k];
	}
	memset(chunk, 0, sizeof chunk);
	return cpu_ok || dev_ok;
}

const char *plat_entropy_source(void)
{
	bool cpu = cpu_features.rdseed || cpu_features.rdrand, dev = vrng_present();

	if (cpu && dev)
		return cpu_features.rdseed ? "rdseed and virtio-rng" : "rdrand and virtio-rng";
	if (cpu)
		return cpu_features.rdseed ? "rdseed" : "rdrand";
	return dev ? "virtio-rng" : "none";
}
