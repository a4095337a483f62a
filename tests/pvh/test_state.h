/* SPDX-License-Identifier: MIT */
/* The state-disk checks both test kernels run (test_state.c). */
#ifndef UD_TESTS_PVH_TEST_STATE_H
#define UD_TESTS_PVH_TEST_STATE_H

#include <stdbool.h>

/* Check plat_state_* as the command line's sexpect=, swrite= and swant= ask,
 * reporting through (check); returns 0 (the failures are check's). */
int tk_state(void (*check)(bool, const char *));

#endif
