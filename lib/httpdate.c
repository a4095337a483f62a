/* SPDX-License-Identifier: MIT */
/* HTTP date formatting and parsing, RFC 9110 5.6.7. */
#include "lib/httpdate.h"

static const char wkday[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
static const char month_name[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const weekday_long[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};

/* Days from civil, after Howard Hinnant's public-domain derivation. */
int64_t httpdate_days(int year, int month, int day)
{
	int64_t y = year - (month <= 2);
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void httpdate_civil(int64_t days, int *year, int *month, int *day)
{
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = m;
	*year = (int)(yoe + era * 400 + (m <= 2));
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void httpdate_format(uint64_t unix_s, char out[HTTPDATE_LEN])
{
	int64_t days = (int64_t)(unix_s / 86400);
	int secs = (int)(unix_s % 86400);
	int y, m, d;
	int i;

	httpdate_civil(days, &y, &m, &d);
	for (i = 0; i < 3; i++)
		out[i] = wkday[days % 7][i];
	out[3] = ',';
	out[4] = ' ';
	put2(out + 5, d);
	out[7] = ' ';
	for (i = 0; i < 3; i++)
		out[8 + i] = month_name[m - 1][i];
	out[11] = ' ';
	put2(out + 12, (y / 100) % 100);
	put2(out + 14, y % 100);
	out[16] = ' ';
	put2(out + 17, secs / 3600);
	out[19] = ':';
	put2(out + 20, (secs / 60) % 60);
	out[22] = ':';
	put2(out + 23, secs % 60);
	out[25] = ' ';
	out[26] = 'G';
	out[27] = 'M';
	out[28] = 'T';
}

/* A small cursor over the date text. */
struct dcur {
	const char *p;
	size_t len;
};

static bool lit(struct dcur *c, const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= c->len || c->p[i] != s[i])
			return false;
	c->p += i;
	c->len -= i;
	return true;
}

/* Exactly (n) digits. */
static bool digits(struct dcur *c, size_t n, int *v)
{
	size_t i;
	int r = 0;

	if (c->len < n)
		return false;
	for (i = 0; i < n; i++) {
		if (c->p[i] < '0' || c->p[i] > '9')
			return false;
		r = r * 10 + (c->p[i] - '0');
	}
	*v = r;
	c->p += n;
	c->len -= n;
	return true;
}

static bool month3(struct dcur *c, int *m)
{
	int i;

	for (i = 0; i < 12; i++)
		if (c->len >= 3 && c->p[0] == month_name[i][0] && c->p[1] == month_name[i][1] &&
		    c->p[2] == month_name[i][2]) {
			*m = i + 1;
			c->p += 3;
			c->len -= 3;
			return true;
		}
	return false;
}

static bool hms(struct dcur *c, int *h, int *mi, int *s)
{
	return digits(c, 2, h) && lit(c, ":") && digits(c, 2, mi) && lit(c, ":") && digits(c, 2, s);
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dim[m - 1];
}

static bool finish(int y, int m, int d, int h, int mi, int s, uint64_t *out)
{
	if (y < 1970 || y > 9999 || d < 1 || d > days_in_month(y, m) || h > 23 || mi > 59 || s > 60)
		return false;
	*out = (uint64_t)httpdate_days(y, m, d) * 86400u + (uint64_t)(h * 3600 + mi * 60 + s);
	return true;
}

/* "Sun, 06 Nov 1994 08:49:37 GMT" */
static bool parse_fixdate(struct dcur c, uint64_t *out)
{
	int y, m, d, h, mi, s, i;

	for (i = 0; i < 7; i++)
		if (lit(&c, wkday[i]))
			break;
	if (i == 7 || !lit(&c, ", ") || !digits(&c, 2, &d) || !lit(&c, " ") || !month3(&c, &m) ||
	    !lit(&c, " ") || !digits(&c, 4, &y) || !lit(&c, " ") || !hms(&c, &h, &mi, &s) ||
	    !lit(&c, " GMT") || c.len != 0)
		return false;
	return finish(y, m, d, h, mi, s, out);
}

/* "Sunday, 06-Nov-94 08:49:37 GMT"; two-digit years per RFC 9110 5.6.7: a year
 * that would lie more than 50 years in the future is taken in the past century.
 * We have no clock here, so 70-99 mean 19xx and 00-69 mean 20xx. */
static bool parse_rfc850(struct dcur c, uint64_t *out)
{
	int y, m, d, h, mi, s, i;

	for (i = 0; i < 7; i++)
		if (lit(&c, weekday_long[i]))
			break;
	if (i == 7 || !lit(&c, ", ") || !digits(&c, 2, &d) || !lit(&c, "-") || !month3(&c, &m) ||
	    !lit(&c, "-") || !digits(&c, 2, &y) || !lit(&c, " ") || !hms(&c, &h, &mi, &s) ||
	    !lit(&c, " GMT") || c.len != 0)
		return false;
	y += y >= 70 ? 1900 : 2000;
	return finish(y, m, d, h, mi, s, out);
}

/* "Sun Nov  6 08:49:37 1994" */
static bool parse_asctime(struct dcur c, uint64_t *out)
{
	int y, m, d, h, mi, s, i;

	for (i = 0; i < 7; i++)
		if (lit(&c, wkday[i]))
			break;
	if (i == 7 || !lit(&c, " ") || !month3(&c, &m) || !lit(&c, " "))
		return false;
	if (lit(&c, " ")) {
		if (!digits(&c, 1, &d))
			return false;
	} else if (!digits(&c, 2, &d)) {
		return false;
	}
	if (!lit(&c, " ") || !hms(&c, &h, &mi, &s) || !lit(&c, " ") || !digits(&c, 4, &y) ||
	    c.len != 0)
		return false;
	return finish(y, m, d, h, mi, s, out);
}

bool httpdate_parse(const char *p, size_t len, uint64_t *unix_s)
{
	struct dcur c = {p, len};

	return parse_fixdate(c, unix_s) || parse_rfc850(c, unix_s) || parse_asctime(c, unix_s);
}
