/* SPDX-License-Identifier: MIT */
/* HTTP dates (RFC 9110 5.6.7): format IMF-fixdate, parse all three forms.
 *
 * Pure functions over caller buffers; no allocation, no locale, no time zone other
 * than GMT. Times are Unix seconds. Dates before 1970 or after 9999 are rejected. */
#ifndef UD_LIB_HTTPDATE_H
#define UD_LIB_HTTPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTPDATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

/* Write exactly HTTPDATE_LEN bytes (no NUL) to (out). */
void httpdate_format(uint64_t unix_s, char out[HTTPDATE_LEN]);

/* Parse IMF-fixdate, RFC 850 or asctime form, with no surrounding space.
 * Returns false, leaving *unix_s alone, when (p, len) is none of them. */
bool httpdate_parse(const char *p, size_t len, uint64_t *unix_s);

/* Civil date of a day count since 1970-01-01 and back (proleptic Gregorian). */
void httpdate_civil(int64_t days, int *year, int *month, int *day);
int64_t httpdate_days(int year, int month, int day);

#endif
