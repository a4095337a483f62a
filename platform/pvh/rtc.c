/* SPDX-License-Identifier: MIT */
/* CMOS RTC access: date, memory size registers, second edges. */
#include "platform/pvh/rtc.h"

#include "platform/pvh/cpu.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71
#define NMI_OFF    0x80 /* bit 7 of the index port keeps NMIs masked while we read */
#define REG_A      0x0a
#define REG_B      0x0b
#define A_UIP      0x80 /* update in progress */
#define B_24H      0x02
#define B_BINARY   0x04
/* Port reads before giving up on an edge that comes once a second. A read
 * costs about 1 us on hardware but can take 50 ns under TCG, where 20 million
 * reads ran out before the second's edge and left the kernel with no way to
 * measure its TSC (a QEMU started by hand, without tsc_khz=). */
#define SPIN_MAX   400000000

uint8_t rtc_cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_OFF | reg);
	return inb(CMOS_DATA);
}

struct rtc_date {
	uint8_t sec, min, hour, day, mon, year, century;
};

static bool wait_no_update(void)
{
	for (long i = 0; i < SPIN_MAX; i++)
		if (!(rtc_cmos_read(REG_A) & A_UIP))
			return true;
	return false;
}

static void read_date(struct rtc_date *d, uint8_t century_reg)
{
	d->sec = rtc_cmos_read(0x00);
	d->min = rtc_cmos_read(0x02);
	d->hour = rtc_cmos_read(0x04);
	d->day = rtc_cmos_read(0x07);
	d->mon = rtc_cmos_read(0x08);
	d->year = rtc_cmos_read(0x09);
	d->century = century_reg ? rtc_cmos_read(century_reg) : 0;
}

static uint8_t from_bcd(uint8_t v)
{
	return (uint8_t)((v >> 4) * 10 + (v & 15));
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the "days from civil"
 * method: March-based years make the leap day the last of its year). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

bool rtc_unix_time(uint8_t century_reg, uint64_t *secs)
{
	struct rtc_date a, b;
	int tries = 0;

	do {
		if (!wait_no_update() || ++tries > 10)
			return false;
		read_date(&a, century_reg);
		if (!wait_no_update())
			return false;
		read_date(&b, century_reg);
	} while (a.sec != b.sec || a.min != b.min || a.hour != b.hour || a.day != b.day ||
	         a.mon != b.mon || a.year != b.year);
	uint8_t regb = rtc_cmos_read(REG_B);
	bool pm = (a.hour & 0x80) != 0;
	a.hour &= 0x7f;
	if (!(regb & B_BINARY)) {
		a.sec = from_bcd(a.sec);
		a.min = from_bcd(a.min);
		a.hour = from_bcd(a.hour);
		a.day = from_bcd(a.day);
		a.mon = from_bcd(a.mon);
		a.year = from_bcd(a.year);
		a.century = from_bcd(a.century);
	}
	if (!(regb & B_24H))
		a.hour = (uint8_t)(a.hour % 12 + (pm ? 12 : 0));
	if (a.mon < 1 || a.mon > 12 || a.day < 1 || a.day > 31 || a.hour > 23 || a.min > 59 ||
	    a.sec > 60)
		return false;
	unsigned century = a.century >= 19 && a.century <= 99 ? a.century : 20;
	int64_t days = days_from_civil(century * 100 + a.year, a.mon, a.day);
	if (days < 0)
		return false;
	*secs = (uint64_t)days * 86400 + a.hour * 3600u + a.min * 60u + a.sec;
	return true;
}

/* The TSC just after the update-in-progress flag falls. */
bool rtc_second_edge(uint64_t *tsc)
{
	long i;

	if (rtc_cmos_read(REG_A) == 0xff)
		return false; /* nothing answers */
	for (i = 0; i < SPIN_MAX && (rtc_cmos_read(REG_A) & A_UIP); i++)
		;
	for (; i < SPIN_MAX && !(rtc_cmos_read(REG_A) & A_UIP); i++)
		;
	for (; i < SPIN_MAX && (rtc_cmos_read(REG_A) & A_UIP); i++)
		;
	*tsc = rdtsc();
	return i < SPIN_MAX;
}
