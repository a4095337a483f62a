/* SPDX-License-Identifier: MIT */
/* The parts of platform.h the hosted target (Linux) implements by name so far:
 * randomness from getrandom(), the console as stderr, logging, exit. With
 * clock.c and panic.c that is everything but the network device, the heap
 * and the command line, which the socket and TAP servers still take through
 * their own structs (README: the seam's next step). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "platform/platform.h"

void plat_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			plat_panic(__FILE__, __LINE__, "getrandom failed");
		p += n;
		len -= (size_t)n;
	}
}

void plat_console_write(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(2, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

_Noreturn void plat_exit(int code)
{
	fflush(stdout);
	fflush(stderr);
	exit(code);
}
