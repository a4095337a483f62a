/* SPDX-License-Identifier: MIT */
/* plat_random(): RDRAND, else RDSEED, else a weak TSC-seeded generator.
 *
 * The fallback (no RDRAND or RDSEED, as under QEMU's default qemu64 CPU) mixes
 * the TSC at each call into a splitmix64 state: unpredictable only to the extent
 * that TSC jitter is, which under a hypervisor may be little. It is documented as
 * weak and random_source() says when it is in use, so the application can decide
 * (a TCP ISN secret from it is guessable by a patient attacker). */
#ifndef UD_PVH_RANDOM_H
#define UD_PVH_RANDOM_H

/* "rdrand", "rdseed" or "tsc (weak)". */
const char *random_source(void);

#endif
