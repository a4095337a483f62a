/* SPDX-License-Identifier: MIT */
/* The test kernel's floating-point code: the only test file compiled with SSE
 * (like the layers above platform/), so the rest also runs where SSE memory
 * operands cannot be emulated. */
#include <stdint.h>

#include "tests/pvh/test_kernel.h"

bool tk_sse_works(void)
{
	volatile double x = 1.5, y = 0.25;
	double z = x * x + y; /* SSE2 arithmetic: #UD if the platform left SSE off */
	return z == 2.5;
}

/* test=probe, for scripts/pvh-qemu's choice of accelerator: SSE with memory
 * operands and a few million memory reads. A usable KVM runs this in
 * milliseconds; one that emulates every access (a software "KVM" such as PVM
 * running a guest it was not built for) takes seconds or stops with an
 * emulation failure, and the probe's timeout rules it out. */
int tk_probe(void)
{
	static volatile uint64_t words[1024];
	volatile double x = 1.25;
	uint64_t sum = 0;

	for (int i = 0; i < 4000000; i++)
		sum += words[i & 1023];
	double y = x * 2.0 + (double)sum;
	return y == 2.5 ? TK_EXIT_PROBE : TK_EXIT_FAIL;
}
