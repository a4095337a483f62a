/* SPDX-License-Identifier: MIT */
/* The state disk from inside a guest, for both test kernels (pvh and arm64):
 * plat_state_* on the virtio-blk drive `unideck run --state FILE` attaches.
 * tests/pvh/state.sh boots it several times on one file:
 *
 *   sexpect=none       no state disk is there (none attached, or too small)
 *   sexpect=empty      a read succeeds with nothing in it
 *   sexpect=refused    a read fails as invalid (foreign or damaged past use)
 *   sexpect=WORD       a read gives WORD's payload, byte for byte
 *   swrite=WORD        then write WORD's payload
 *   swant=ok|einval|eunspec  what that write must return (default ok)
 *
 * WORD's payload is long enough to take many of the driver's one-page
 * requests and ends off a sector boundary, so a slip of one sector or one
 * byte shows. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cmdline.h"
#include "lib/mem.h"
#include "lib/sdisk.h"
#include "platform/platform.h"
#include "tests/pvh/test_state.h"

#define WORD_MAX 32

static uint8_t want[SDISK_PAYLOAD_MAX], got[SDISK_PAYLOAD_MAX];

static bool arg(const char *key, char *out, size_t cap)
{
	const char *v;
	size_t n;

	if (!cmdline_get(plat_cmdline(), key, &v, &n) || n >= cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

static bool is(const char *s, const char *lit)
{
	return strlen(s) == strlen(lit) && memcmp(s, lit, strlen(lit)) == 0;
}

/* WORD's payload into want: the word, then bytes that depend on the word and
 * the offset; its length depends on the word too (40,000 bytes and up). */
static size_t payload(const char *word)
{
	size_t wl = strlen(word), len = 40000 + 37 * wl;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < wl; i++)
		h = (h ^ (uint8_t)word[i]) * 16777619u;
	memcpy(want, word, wl);
	for (size_t i = wl; i < len; i++) {
		h = h * 1103515245u + 12345u;
		want[i] = (uint8_t)(h >> 16);
	}
	return len;
}

static enum plat_result result_of(const char *s)
{
	return is(s, "einval") ? PLAT_EINVAL : is(s, "eunspec") ? PLAT_EUNSPEC : PLAT_OK;
}

int tk_state(void (*check)(bool, const char *))
{
	char expect[WORD_MAX], write[WORD_MAX], swant[WORD_MAX];
	size_t len = 0, n;
	enum plat_result r;

	if (!arg("sexpect", expect, sizeof expect))
		memcpy(expect, "none", 5);
	if (is(expect, "none")) {
		check(!plat_state_present(), "state: no state disk is used");
		r = plat_state_read(got, sizeof got, &len);
		check(r == PLAT_EUNSPEC && len == 0, "state: a read without a disk fails");
	} else {
		check(plat_state_present(), "state: the state disk is found");
		r = plat_state_read(got, sizeof got, &len);
		if (is(expect, "empty")) {
			check(r == PLAT_OK && len == 0, "state: an empty disk reads as no state");
		} else if (is(expect, "refused")) {
			check(r == PLAT_EINVAL && len == 0,
			      "state: a disk that is not ours reads as invalid");
		} else {
			n = payload(expect);
			check(r == PLAT_OK, "state: the disk reads");
			check(len == n && memcmp(got, want, n) == 0,
			      "state: what the last boot wrote reads back byte for byte");
		}
	}
	if (arg("swrite", write, sizeof write)) {
		if (!arg("swant", swant, sizeof swant))
			memcpy(swant, "ok", 3);
		n = payload(write);
		r = plat_state_write(want, n);
		check(r == result_of(swant), "state: the write returns what it should");
		if (r == PLAT_OK) {
			/* Read back at once: the slot just written is now current. */
			r = plat_state_read(got, sizeof got, &len);
			check(r == PLAT_OK && len == n && memcmp(got, want, n) == 0,
			      "state: the write reads back in the same boot");
		}
		/* Past the format's limit: refused, nothing written. */
		check(plat_state_write(want, SDISK_PAYLOAD_MAX + 1) != PLAT_OK,
		      "state: a payload over the limit is refused");
	}
	memset(got, 0, sizeof got);
	return 0;
}
