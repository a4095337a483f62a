/* SPDX-License-Identifier: MIT */
/* Fuzz target: whole HTTP connections on a scripted stream, served from a small
 * store: the first input byte picks how the bytes are split and how much send
 * room the stream offers, the rest is what the client sends. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/http_fake.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_server srv;
	static bool ready;
	struct fake f = {0};
	struct http_conn c;
	uint64_t now = 1000000000ull;
	int i;

	if (!ready) {
		fake_server(&srv, 2);
		ready = true;
	}
	if (size < 1)
		return 0;
	fake_init(&f, data + 1, size - 1);
	f.chunk = data[0] & 15;
	f.eof = data[0] & 16;
	if (data[0] & 32) {
		f.room_copy = 600;  /* tight: responses must wait, never overflow */
		f.room_pieces = 20; /* a multipart response needs up to 18 */
	}
	http_conn_init(&srv, &c, &f.st, now);
	for (i = 0; i < 64 && !f.closed; i++) {
		now += (data[0] & 64) ? 3000000000ull : 1000000ull;
		http_conn_poll(&srv, &c, now);
		f.room_copy += 2000;
		f.room_pieces += 8;
	}
	if (f.overrun)
		abort(); /* queued more than can_send granted (issue 14 bug 1) */
	http_conn_fini(&srv, &c);
	if (srv.pool_avail != srv.pool_total || srv.holders || srv.waiters)
		abort(); /* a buffer escaped the pool, or a connection its lists */
	fake_free(&f);
	return 0;
}
