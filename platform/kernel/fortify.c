/* SPDX-License-Identifier: MIT */
/* The checked memcpy, memmove and memset that fortified code links against. */
#include "platform/kernel/fortify.h"

#include "lib/mem.h"

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_len);
void *__memset_chk(void *dst, int c, size_t n, size_t dst_len);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len)
{
	if (n > dst_len)
		kernel_overflow("memcpy", n, dst_len);
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_len)
{
	if (n > dst_len)
		kernel_overflow("memmove", n, dst_len);
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_len)
{
	if (n > dst_len)
		kernel_overflow("memset", n, dst_len);
	return memset(dst, c, n);
}
