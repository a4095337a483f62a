/* SPDX-License-Identifier: MIT */
/* OCI image layout tarballs and a ustar writer (oci.h). */
#include "tools/image/oci.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/sha256.h"
#include "tools/store/build.h"

#define BLOCK 512u

static void octal(char *field, size_t width, unsigned long long v)
{
	/* width - 1 digits and a NUL, as POSIX ustar writes them (the callers'
	 * values fit: tar_add checks the size). */
	field[width - 1] = 0;
	for (size_t i = width - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

int tar_add(struct sbuf *t, const char *name, const void *data, size_t len, unsigned mode,
            unsigned uid, long long mtime)
{
	char h[BLOCK];
	bool dir = data == NULL && len == 0 && name[0] && name[strlen(name) - 1] == '/';
	unsigned sum = 0;

	if (strlen(name) > 99 || len > 077777777777ull)
		return -1;
	memset(h, 0, sizeof h);
	memcpy(h, name, strlen(name));
	octal(h + 100, 8, mode);
	octal(h + 108, 8, uid);
	octal(h + 116, 8, uid);
	octal(h + 124, 12, len);
	octal(h + 136, 12, (unsigned long long)(mtime < 0 ? 0 : mtime));
	h[156] = dir ? '5' : '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < BLOCK; i++)
		sum += (unsigned char)h[i];
	octal(h + 148, 7, sum); /* six digits, NUL, and the space left */
	h[155] = ' ';
	sb_put(t, h, BLOCK);
	if (len) {
		sb_put(t, data, len);
		static const char zero[BLOCK];
		if (len % BLOCK)
			sb_put(t, zero, BLOCK - len % BLOCK);
	}
	return 0;
}

int tar_end(struct sbuf *t)
{
	static const char zero[2 * BLOCK];

	sb_put(t, zero, sizeof zero);
	return 0;
}

static void digest(char out[72], const void *p, size_t len)
{
	uint8_t h[SHA256_LEN];

	sha256(p, len, h);
	memcpy(out, "sha256:", 8);
	for (size_t i = 0; i < SHA256_LEN; i++)
		sprintf(out + 7 + 2 * i, "%02x", h[i]);
}

/* A blob of the layout: blobs/sha256/HEX. */
static int add_blob(struct sbuf *t, const char *dig, const void *p, size_t len, long long epoch)
{
	char name[100];

	snprintf(name, sizeof name, "blobs/sha256/%s", dig + 7);
	return tar_add(t, name, p, len, 0644, 0, epoch);
}

int oci_write(const char *out, const uint8_t *file, size_t len, const char *path, long long epoch,
              struct diag *d)
{
	struct sbuf layer = {0}, cfg = {0}, man = {0}, idx = {0}, t = {0};
	char ldig[72], cdig[72], mdig[72], dir[100], created[32];
	const char *slash = strrchr(path, '/');
	time_t e = (time_t)epoch;
	struct tm tm;

	if (!slash || (size_t)(slash - path) + 2 > sizeof dir)
		return diag_fail(d, out, 0, "an OCI disk path needs a folder: %s", path);
	snprintf(dir, sizeof dir, "%.*s/", (int)(slash - path), path);
	gmtime_r(&e, &tm);
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* The layer: the folder and the file, KubeVirt's user owning both. */
	if (tar_add(&layer, dir, NULL, 0, 0555, OCI_UID, epoch) != 0 ||
	    tar_add(&layer, path, file, len, 0444, OCI_UID, epoch) != 0)
		return diag_fail(d, out, 0, "the disk does not fit a tar member");
	tar_end(&layer);
	digest(ldig, layer.p, layer.len);
	/* An uncompressed layer's diff_id is its own digest. */
	sb_printf(&cfg,
	          "{\"created\":\"%s\",\"architecture\":\"amd64\",\"os\":\"linux\","
	          "\"config\":{\"Labels\":{\"org.opencontainers.image.title\":\"unideck\"}},"
	          "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]},"
	          "\"history\":[{\"created\":\"%s\",\"created_by\":\"unideck build\"}]}",
	          created, ldig, created);
	digest(cdig, cfg.p, cfg.len);
	sb_printf(&man,
	          "{\"schemaVersion\":2,"
	          "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	          "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	          "\"digest\":\"%s\",\"size\":%zu},"
	          "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
	          "\"digest\":\"%s\",\"size\":%zu}],"
	          "\"annotations\":{\"org.opencontainers.image.created\":\"%s\"}}",
	          cdig, cfg.len, ldig, layer.len, created);
	digest(mdig, man.p, man.len);
	sb_printf(&idx,
	          "{\"schemaVersion\":2,"
	          "\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	          "\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	          "\"digest\":\"%s\",\"size\":%zu,\"platform\":{\"architecture\":\"amd64\","
	          "\"os\":\"linux\"},\"annotations\":{\"org.opencontainers.image.ref.name\":"
	          "\"latest\"}}]}",
	          mdig, man.len);
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	tar_add(&t, "oci-layout", layout, strlen(layout), 0644, 0, epoch);
	tar_add(&t, "index.json", idx.p, idx.len, 0644, 0, epoch);
	tar_add(&t, "blobs/", NULL, 0, 0755, 0, epoch);
	tar_add(&t, "blobs/sha256/", NULL, 0, 0755, 0, epoch);
	add_blob(&t, mdig, man.p, man.len, epoch);
	add_blob(&t, cdig, cfg.p, cfg.len, epoch);
	add_blob(&t, ldig, layer.p, layer.len, epoch);
	tar_end(&t);
	int rc = build_write_file(out, (const uint8_t *)t.p, t.len, d);
	sb_free(&layer);
	sb_free(&cfg);
	sb_free(&man);
	sb_free(&idx);
	sb_free(&t);
	return rc;
}
