/* SPDX-License-Identifier: MIT */
/* Hosted helper for scripts/pvh-qemu: prints the host's TSC rate in kHz
 * (tools/image/host_tsc.h says how it is measured). */
#include <stdio.h>

#include "tools/image/host_tsc.h"

int main(void)
{
	unsigned long long khz = host_tsc_khz();

	if (!khz)
		return 1;
	printf("%llu\n", khz);
	return 0;
}
