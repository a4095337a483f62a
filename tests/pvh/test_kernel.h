/* SPDX-License-Identifier: MIT */
/* The boot-test kernel's shared helpers: result lines and the command line.
 *
 * The test kernel (test_kernel.c, test_fault.c, test_net.c) prints TAP-like
 * lines that tests/run counts ("ok - ...", "not ok - ..."), then exits with
 * TK_EXIT_FAIL when any check failed, else 0. */
#ifndef UD_TESTS_PVH_TEST_KERNEL_H
#define UD_TESTS_PVH_TEST_KERNEL_H

#include <stdbool.h>
#include <stddef.h>

#define TK_EXIT_FAIL   1
#define TK_EXIT_PROBE  42 /* test=probe: scripts/pvh-qemu's accelerator probe */
#define TK_EXIT_NO_NIC 10

/* Print "ok - name" or "not ok - name"; remember failures. */
void tk_check(bool cond, const char *name);
int tk_failures(void);

/* Copy the value of (key) on the command line into (out, cap), NUL-terminated;
 * false when absent or longer than cap - 1. */
bool tk_arg(const char *key, char *out, size_t cap);

int tk_faults(const char *which);
/* test_sse.c, the only file of the test kernel built with SSE. */
bool tk_sse_works(void);
int tk_probe(void);
int tk_net(void);

#endif
