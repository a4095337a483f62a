/* SPDX-License-Identifier: MIT */
/* Unit tests of the hosted target's platform.h functions (platform/hosted:
 * clock.c, plat.c, tap.c): the clocks, randomness, the console, the quiet
 * switch, and the network device and plat_yield_until without a TAP device
 * (tests/netns/tap.sh runs them on one). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform/hosted/plat.h"
#include "platform/hosted/tap.h"
#include "platform/platform.h"
#include "tests/unit/check.h"

static int woken;

static void on_readable(void *ctx)
{
	char c;

	if (read(*(int *)ctx, &c, 1) == 1)
		woken++;
}

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
	got[0] = 0;
	if (pipe(fds) == 0 && (saved = dup(2)) >= 0) {
		dup2(fds[1], 2);
		plat_hosted_quiet(true);
		plat_log("dropped\n");
		plat_hosted_quiet(false);
		plat_console_write("kept\n", 5);
		fflush(stderr);
		dup2(saved, 2);
		close(fds[1]);
		ssize_t n = read(fds[0], got, sizeof got - 1);
		got[n > 0 ? n : 0] = 0;
		close(fds[0]);
		close(saved);
	}
	CHECK(strcmp(got, "kept\n") == 0, "quiet drops plat_log's lines, not the console's");

	/* No TAP device open: no NIC, nothing to receive, nothing sent. */
	struct plat_net_info ni;
	uint8_t frame[64] = {0};
	struct plat_iov v = {frame, sizeof frame, 0};
	size_t len = 0;
	memset(&ni, 0xff, sizeof ni);
	plat_net_info(&ni);
	CHECK(ni.present == 0 && ni.tso_max == 0, "without a TAP device there is no NIC");
	CHECK(plat_net_recv(frame, sizeof frame, &len) == PLAT_AGAIN,
	      "without a TAP device nothing is received");
	CHECK(plat_net_send(&v, 1) == PLAT_EUNSPEC, "without a TAP device a send fails");
	char err[256] = "";
	CHECK(!tap_open("a-name-longer-than-ifnamsiz", ni.mac, NULL, err, sizeof err) &&
	              strstr(err, "at most 15 bytes"),
	      "tap_open refuses a name longer than IFNAMSIZ: %s", err);

	/* plat_yield_until: a deadline passed returns; a watched descriptor that
	 * becomes readable runs its callback from within the wait. */
	plat_yield_until(0);
	CHECK(woken == 0, "a past deadline returns without waking anything");
	if (pipe(fds) == 0) {
		CHECK(tap_watch(fds[0], on_readable, &fds[0]), "tap_watch takes a pipe");
		if (write(fds[1], "x", 1) != 1)
			woken = -100;
		for (int i = 0; i < 10 && woken == 0; i++) /* spurious wake-ups are allowed */
			plat_yield_until(plat_clock_monotonic_ns() + 1000000000ull);
		CHECK(woken == 1, "a readable watched descriptor runs its callback (%d)", woken);
		close(fds[0]);
		close(fds[1]);
	}
	return check_done();
}
