/* SPDX-License-Identifier: MIT */
/* The parts of platform.h the hosted target (Linux) implements here:
 * randomness from getrandom(), the console as stderr, logging, exit, and the
 * image's parts that a Linux process does not have (no command line, image
 * arguments or store of its own: the drivers take those from their options).
 * clock.c has the clocks, panic.c the panic, tap.c the network device and
 * plat_yield_until. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <unistd.h>

#include "platform/hosted/plat.h"
#include "platform/platform.h"

static bool quiet;
static uint64_t started;

void plat_hosted_quiet(bool q)
{
	quiet = q;
}

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

	if (quiet)
		return;
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

const char *plat_cmdline(void)
{
	return "";
}

const char *plat_image_args(void)
{
	return "";
}

bool plat_image_store(const uint8_t **p, size_t *len)
{
	*p = NULL;
	*len = 0;
	return false;
}

/* The heap is the drivers' to allocate (server_size): none here. */
void plat_heap(void **base, size_t *len)
{
	*base = NULL;
	*len = 0;
}

/* Since the first call: a process has no "first instruction" of its own. */
uint64_t plat_uptime_ns(void)
{
	uint64_t now = plat_clock_monotonic_ns();

	if (!started)
		started = now;
	return now - started;
}
