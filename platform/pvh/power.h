/* SPDX-License-Identifier: MIT */
/* Power-off: plat_exit() (power.c has the order of attempts) and its boot set-up.
 *
 * power_init() maps a memory-mapped ACPI sleep control register, when the FADT
 * names one, so that plat_exit() can power off from any context later. Call it
 * once after paging_init(). */
#ifndef UD_PVH_POWER_H
#define UD_PVH_POWER_H

void power_init(void);

#endif
