/* SPDX-License-Identifier: MIT */
/* Adding the content store to a kernel image without a linker (hosted C; the
 * design is in image.h).
 *
 * elfpatch_add_store() takes the kernel ELF (kernel, klen) and the store bytes
 * (store, slen), both borrowed, and on success sets (*out, *outlen) to a new
 * malloc'd image that the caller frees: the kernel unchanged except for the
 * store slot's program header and the descriptor's length, then zero padding to
 * a 4 KiB file offset, then the store. The output depends only on the inputs.
 * The kernel is input too: every header offset and size is bounds- and
 * overflow-checked. On failure it returns -1, writes a one-line reason into
 * (err, errlen) and leaves *out NULL. */
#ifndef UD_PVH_ELFPATCH_H
#define UD_PVH_ELFPATCH_H

#include <stddef.h>
#include <stdint.h>

int elfpatch_add_store(const uint8_t *kernel, size_t klen, const uint8_t *store, size_t slen,
                       uint8_t **out, size_t *outlen, char *err, size_t errlen);

/* For a disk, where the loader (GRUB) places the store as a boot module
 * wherever firmware left RAM free: a copy of the kernel whose descriptor says
 * that a store of (slen) bytes comes in a module (IMAGE_STORE_IN_MODULE), the
 * slot left empty. Same ownership and failure rules as elfpatch_add_store(). */
int elfpatch_module_store(const uint8_t *kernel, size_t klen, size_t slen, uint8_t **out,
                          size_t *outlen, char *err, size_t errlen);

/* Write (args), a kernel command line, into the image's built-in arguments
 * note (image.h), in place; -1 with a reason when it does not fit or the
 * kernel has no such note. */
int elfpatch_set_args(uint8_t *img, size_t len, const char *args, char *err, size_t errlen);

#endif
