/* SPDX-License-Identifier: MIT */
/* The CMOS real-time clock (MC146818 registers at ports 0x70/0x71): wall time at
 * boot, the memory size fallback, and the clock of last resort for calibration.
 *
 * rtc_unix_time() reads the date once the update-in-progress flag is clear and
 * twice in a row equal, in BCD or binary and 12- or 24-hour mode as register B
 * says, with the century from the FADT's century register when there is one
 * (else 20xx). rtc_second_edge() waits for the next end of an update cycle, which
 * the RTC runs once a second, and returns the TSC there: two edges measure the
 * TSC rate over exactly one second (slow: up to two seconds). Both give up
 * (false) when no RTC answers. Boot only. */
#ifndef UD_PVH_RTC_H
#define UD_PVH_RTC_H

#include <stdbool.h>
#include <stdint.h>

uint8_t rtc_cmos_read(uint8_t reg);
bool rtc_unix_time(uint8_t century_reg, uint64_t *secs);
bool rtc_second_edge(uint64_t *tsc);

#endif
