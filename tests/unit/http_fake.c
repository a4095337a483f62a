/* SPDX-License-Identifier: MIT */
/* Test doubles for the HTTP layer: a scripted stream and a store built for tests. */
#include "tests/unit/http_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/store/storew.h"

static struct fake *of(struct stream *s)
{
	return (struct fake *)s;
}

static size_t f_recv(struct stream *s, uint8_t *buf, size_t cap, bool *eof)
{
	struct fake *f = of(s);
	size_t n = f->in_len - f->in_off;

	if (f->chunk && n > f->chunk)
		n = f->chunk;
	if (n > cap)
		n = cap;
	memcpy(buf, f->in + f->in_off, n);
	f->in_off += n;
	*eof = f->eof && f->in_off == f->in_len;
	return n;
}

static bool f_can_send(struct stream *s, size_t copy, unsigned copies, unsigned refs)
{
	struct fake *f = of(s);

	if (copy > f->room_copy || refs > f->room_refs || copies + refs > f->room_pieces)
		return false;
	f->grant_copy = copy;
	f->grant_copies = copies;
	f->grant_refs = refs;
	return true;
}

static void put(struct fake *f, const void *p, size_t n)
{
	if (f->out_len + n + 1 > f->out_cap) {
		f->out_cap = (f->out_len + n + 1) * 2;
		f->out = realloc(f->out, f->out_cap);
	}
	memcpy(f->out + f->out_len, p, n);
	f->out_len += n;
	f->out[f->out_len] = 0;
}

static void f_copy(struct stream *s, const void *p, size_t n)
{
	struct fake *f = of(s);

	if (f->grant_copies == 0 || n > f->grant_copy || n > f->room_copy || !f->room_pieces) {
		f->overrun++;
		return;
	}
	f->grant_copies--;
	f->grant_copy -= n;
	f->room_copy -= n;
	f->room_pieces--;
	f->copied += n;
	if (f->stalled)
		f->unsent += n;
	put(f, p, n);
}

static void f_ref(struct stream *s, const void *p, size_t n)
{
	struct fake *f = of(s);

	if (f->grant_refs == 0 || !f->room_refs || !f->room_pieces) {
		f->overrun++;
		return;
	}
	f->grant_refs--;
	f->room_refs--;
	f->room_pieces--;
	f->refd += n;
	if (f->stalled)
		f->unsent += n;
	put(f, p, n);
}

static uint64_t f_unsent(struct stream *s)
{
	return of(s)->unsent;
}

static void f_close(struct stream *s, bool graceful)
{
	of(s)->closed = true;
	of(s)->graceful = graceful;
}

static void f_wake(struct stream *s)
{
	of(s)->wakes++;
}

static const struct stream_ops ops = {f_recv,   f_can_send, f_copy, f_ref,
                                      f_unsent, f_close,    f_wake, NULL};

void fake_init(struct fake *f, const void *in, size_t len)
{
	free(f->out);
	memset(f, 0, sizeof *f);
	f->st.ops = &ops;
	f->in = in;
	f->in_len = len;
	f->room_copy = 1u << 30;
	f->room_refs = 1u << 30;
	f->room_pieces = 1u << 30;
}

void fake_free(struct fake *f)
{
	free(f->out);
	f->out = NULL;
}

static void add(struct bset *s, const char *path, const char *body, size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	struct bfile *f;

	memcpy(p, body, len);
	f = bset_add(s, path, p, len);
	f->mtime = 1700000000;
}

const struct store *fake_store(void)
{
	static struct store st;
	static uint8_t *blob;
	struct storew_opts o = {2, 1700000000, 0, NULL, NULL, NULL};
	struct storew_totals t;
	struct bset s;
	struct diag d = {0};
	size_t len, i;
	char text[4096], video[1000];

	if (blob)
		return &st;
	for (i = 0; i < sizeof text; i++)
		text[i] = "the quick brown fox jumps over the lazy dog\n"[i % 44];
	for (i = 0; i < sizeof video; i++)
		video[i] = (char)(i * 131 + (i >> 3) * 7);
	bset_init(&s);
	add(&s, "/index.html", "<h1>index</h1>", 14);
	add(&s, "/d/index.html", "<h1>deck</h1>", 13);
	add(&s, "/d/a.txt", text, sizeof text);
	add(&s, "/d/v.mp4", video, sizeof video);
	if (storew_write(&s, &o, &blob, &len, &t, &d) != 0 ||
	    store_open(&st, blob, len) != STORE_OK) {
		fprintf(stderr, "fake_store: %s\n", d.msg);
		exit(2);
	}
	bset_free(&s);
	return &st;
}

void fake_server(struct http_server *srv, size_t bufs)
{
	struct http_config cfg = {0};
	size_t len = bufs * HTTP_BUF_LEN + 16;
	void *mem = malloc(len);

	cfg.header_timeout_ns = 10000000000ull;
	cfg.idle_timeout_ns = 60000000000ull;
	cfg.send_timeout_ns = 30000000000ull;
	http_server_init(srv, &cfg, fake_store(), mem, len);
	http_server_tick(srv, 1700000000ull * 1000000000ull);
	srv->cfg.app = mem; /* no route hook: the slot remembers the memory to free */
}

void fake_server_free(struct http_server *srv)
{
	free(srv->cfg.app);
}

enum http_conn_state fake_run(struct http_server *srv, struct http_conn *c, struct fake *f,
                              uint64_t now)
{
	enum http_conn_state st = HTTP_CONN_OPEN;
	size_t before;
	int i;

	for (i = 0; i < 100000 && st == HTTP_CONN_OPEN; i++) {
		before = f->in_off + f->out_len;
		st = http_conn_poll(srv, c, now);
		if (f->in_off + f->out_len == before)
			break;
	}
	return st;
}

const char *fake_text(struct fake *f)
{
	if (!f->out)
		put(f, "", 0);
	return (const char *)f->out;
}

int fake_count(const struct fake *f, const char *needle)
{
	const uint8_t *p = f->out, *end = f->out + f->out_len;
	size_t n = strlen(needle);
	int k = 0;

	while (p && (p = memmem(p, (size_t)(end - p), needle, n)) != NULL) {
		k++;
		p += n;
	}
	return k;
}
