/* SPDX-License-Identifier: MIT */
/* The memory and string primitives that freestanding layers may call.
 *
 * Everything above platform/ includes this instead of <string.h>. The prototypes
 * are the C standard's, so a hosted test that also includes <string.h> sees no
 * conflict; the hosted build takes them from libc, the kernel from
 * platform/pvh/libc.c. The compiler still expands small fixed-size calls inline
 * (the Makefile builds these layers with -ffreestanding -fbuiltin). */
#ifndef UD_LIB_MEM_H
#define UD_LIB_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
