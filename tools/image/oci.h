/* SPDX-License-Identifier: MIT */
/* OCI image layout tarballs (OCI image-spec 1.0: image-layout.md, manifest.md,
 * config.md) and the tar writer under them.
 *
 * oci_write() writes one image with one uncompressed layer holding a single
 * file at (path) (its folder and the file owned by 107:107, KubeVirt's qemu
 * user, as its containerDisk documentation asks), its config for linux/amd64,
 * the manifest, index.json naming it "latest", and oci-layout: what `skopeo
 * copy oci-archive:FILE docker://...` pushes and `umoci unpack` reads. Every
 * timestamp is (epoch): the same inputs give the same bytes. */
#ifndef UD_TOOLS_OCI_H
#define UD_TOOLS_OCI_H

#include <stddef.h>
#include <stdint.h>

#include "tools/util/diag.h"
#include "tools/util/sbuf.h"

#define OCI_UID 107 /* KubeVirt runs QEMU as 107:107 */

/* A tar member: a ustar header and (len) bytes padded to 512. A folder when
 * (data) is NULL and (len) 0 and the name ends in '/'. Names up to 99 bytes. */
int tar_add(struct sbuf *t, const char *name, const void *data, size_t len, unsigned mode,
            unsigned uid, long long mtime);
/* The two zero blocks that end an archive. */
int tar_end(struct sbuf *t);

int oci_write(const char *out, const uint8_t *file, size_t len, const char *path, long long epoch,
              struct diag *d);

#endif
