/* SPDX-License-Identifier: MIT */
/* See tools/util/tls_files.h. */
#include "tools/util/tls_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

void tls_files_random(void *ctx, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)ctx;
	while (len) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			abort(); /* no randomness: no TLS */
		}
		p += n;
		len -= (size_t)n;
	}
}

/* The whole of (path), at most TLS_FILE_MAX bytes, in (buf). */
static int slurp(const char *path, const char *what, uint8_t *buf, size_t *len, char *err,
                 size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0) {
		snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t k = read(fd, buf + n, TLS_FILE_MAX - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "%s %s: %s", what, path, strerror(errno));
			close(fd);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n == TLS_FILE_MAX) {
			snprintf(err, errlen, "%s %s: larger than %u KiB", what, path,
			         TLS_FILE_MAX / 1024);
			close(fd);
			return -1;
		}
	}
	close(fd);
	*len = n;
	return 0;
}

struct tls_server *tls_files_load(const char *cert, const char *key, const struct tls_config *cfg,
                                  char *err, size_t errlen)
{
	size_t sz = tls_server_size(cfg->max_conns), cl = 0, kl = 0;
	uint8_t *cbuf = malloc(TLS_FILE_MAX), *kbuf;
	char why[256];
	void *mem;
	struct tls_server *ts = NULL;

	/* The key's buffer is kept out of swap and core dumps while it holds it. */
	kbuf = mmap(NULL, TLS_FILE_MAX, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!cbuf || kbuf == MAP_FAILED) {
		free(cbuf);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mlock(kbuf, TLS_FILE_MAX);
	madvise(kbuf, TLS_FILE_MAX, MADV_DONTDUMP);
	if (slurp(cert, "--cert", cbuf, &cl, err, errlen) != 0 ||
	    slurp(key, "--key", kbuf, &kl, err, errlen) != 0)
		goto out;
	/* Pages are touched when a connection first uses its slot. */
	mem = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || !(ts = tls_server_init(mem, sz, cfg))) {
		snprintf(err, errlen, "out of memory for %u TLS connections", cfg->max_conns);
		ts = NULL;
		goto out;
	}
	if (tls_server_set_cert(ts, cbuf, cl, kbuf, kl, why, sizeof why) != 0) {
		snprintf(err, errlen, "%s (--cert %s, --key %s)", why, cert, key);
		munmap(mem, sz);
		ts = NULL;
	}
out:
	tls_wipe(kbuf, TLS_FILE_MAX);
	munmap(kbuf, TLS_FILE_MAX);
	free(cbuf);
	return ts;
}

bool tls_files_challenge(void *ctx, const char *token, size_t len, const uint8_t **body,
                         size_t *body_len)
{
	static uint8_t buf[4096];
	char path[4096];
	int fd, n;
	ssize_t k;

	n = snprintf(path, sizeof path, "%s/.well-known/acme-challenge/%.*s", (const char *)ctx,
	             (int)len, token);
	if (n < 0 || (size_t)n >= sizeof path)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	k = read(fd, buf, sizeof buf);
	close(fd);
	if (k <= 0)
		return false;
	*body = buf;
	*body_len = (size_t)k;
	return true;
}

void tls_files_dump_stats(const struct tls_server *ts, FILE *f)
{
	const struct tls_stats *s = tls_server_stats(ts);

	fprintf(f,
	        "tls: opened %llu refused %llu handshakes %llu hs_failed %llu hs_bad_version %llu "
	        "hs_timeouts %llu hs_evicted %llu closed_notify %llu drain_timeouts %llu failed "
	        "%llu "
	        "last_error %u\n"
	        "tls: copies: store bytes into records %llu, headers straight into records %llu, "
	        "through the copy ring %llu; records %llu bytes to the transport\n",
	        (unsigned long long)s->opened, (unsigned long long)s->refused,
	        (unsigned long long)s->handshakes, (unsigned long long)s->hs_failed,
	        (unsigned long long)s->hs_bad_version, (unsigned long long)s->hs_timeouts,
	        (unsigned long long)s->hs_evicted, (unsigned long long)s->closed_notify,
	        (unsigned long long)s->drain_timeouts, (unsigned long long)s->failed,
	        (unsigned)s->last_error, (unsigned long long)s->plain_ref,
	        (unsigned long long)s->plain_direct, (unsigned long long)s->plain_ring,
	        (unsigned long long)s->record_bytes);
	fprintf(f, "tls: in_handshake %llu hs_peak %llu overruns %llu conns_peak %llu\n",
	        (unsigned long long)s->in_handshake, (unsigned long long)s->hs_peak,
	        (unsigned long long)s->overruns, (unsigned long long)s->conns_peak);
}
