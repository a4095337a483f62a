/* SPDX-License-Identifier: MIT */
/* Unit tests of the hosted target's platform.h functions (platform/hosted:
 * clock.c, plat.c): the clocks, randomness, the console. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform/platform.h"
#include "tests/unit/check.h"

int main(void)
{
	uint64_t a = plat_clock_monotonic_ns(), b;
	struct timespec d = {0, 2000000};
	uint8_t r1[32], r2[32], zero[32] = {0};

	nanosleep(&d, NULL);
	b = plat_clock_monotonic_ns();
	CHECK(b >= a + 2000000, "the monotonic clock advances across a 2 ms sleep");
	uint64_t w = plat_clock_wall_ns() / 1000000000ull, now = (uint64_t)time(NULL);
	CHECK(w + 1 >= now && w <= now + 1, "the wall clock is time()'s");
	plat_random(r1, sizeof r1);
	plat_random(r2, sizeof r2);
	CHECK(memcmp(r1, r2, sizeof r1) != 0 && memcmp(r1, zero, sizeof r1) != 0,
	      "plat_random fills its buffer, differently each call");
	/* The console and the log go to stderr: caught in a pipe and read back. */
	int fds[2], saved = dup(2);
	char got[128] = "";
	if (pipe(fds) == 0 && saved >= 0) {
		dup2(fds[1], 2);
		plat_console_write("console|", 8);
		plat_log("log %s %u %lu %02x\n", "formats", 1u, 2ul, 10u);
		fflush(stderr);
		dup2(saved, 2);
		close(fds[1]);
		ssize_t n = read(fds[0], got, sizeof got - 1);
		got[n > 0 ? n : 0] = 0;
		close(fds[0]);
		close(saved);
	}
	CHECK(strcmp(got, "console|log formats 1 2 0a\n") == 0,
	      "plat_console_write and plat_log write to stderr, formats as the kernel's");
	return check_done();
}
