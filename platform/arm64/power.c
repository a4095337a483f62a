/* SPDX-License-Identifier: MIT */
/* Leaving the VM. PSCI SYSTEM_OFF (Arm DEN 0022, function 0x84000008) through the
 * conduit the device tree names (hvc on virt without EL3) powers off; QEMU then
 * exits with status 0 whatever the kernel's code was. So that tests and
 * `unideck run` can see the code, the command-line word "semihosting" (given
 * with QEMU's -semihosting-config enable=on,target=native) makes plat_exit use
 * semihosting's SYS_EXIT with ADP_Stopped_ApplicationExit and the code, which
 * QEMU turns into its own exit status (Arm semihosting 2.0, 6.5). It is off by
 * default: semihosting also lets a guest open host files, so it is for tests,
 * never for serving. Either way the status is printed first ("arm64: exit
 * status N"), which is where `unideck run` reads it. */
#include "lib/cmdline.h"
#include "platform/arm64/board.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"

#define PSCI_SYSTEM_OFF 0x84000008u
#define SYS_EXIT        0x18u
#define ADP_APP_EXIT    0x20026u

static bool semihosting;

void power_init(const char *cmdline)
{
	const char *v;
	size_t n;

	semihosting = cmdline_get(cmdline, "semihosting", &v, &n) && n == 0;
}

static void psci_off(void)
{
	register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;

	if (board.psci_smc)
		__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
}

_Noreturn void power_off(int code)
{
	/* The line `unideck run` reads the status from (as pvh's). */
	kprintf("arm64: exit status %d\n", code);
	if (semihosting) {
		static uint64_t block[2];
		block[0] = ADP_APP_EXIT;
		block[1] = (uint64_t)(unsigned)code;
		register uint64_t x0 __asm__("x0") = SYS_EXIT;
		register uint64_t x1 __asm__("x1") = (uintptr_t)block;
		__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	}
	psci_off();
	for (;;)
		__asm__ volatile("wfi");
}

_Noreturn void plat_exit(int code)
{
	power_off(code);
}
