/* SPDX-License-Identifier: MIT */
/* _FORTIFY_SOURCE's checked forms for the VM targets (platform/kernel/fortify.c):
 * code built for Linux (Debian's libbearssl.a) calls __memcpy_chk and friends,
 * glibc's ABI, where the last argument is the destination's size as the
 * compiler knew it. An overflow there is a bug in the caller: the target stops
 * through kernel_overflow(), which each VM target defines (its stack-smash
 * exit code, the operation and both sizes on the console). */
#ifndef UD_PLATFORM_KERNEL_FORTIFY_H
#define UD_PLATFORM_KERNEL_FORTIFY_H
#include <stddef.h>

_Noreturn void kernel_overflow(const char *op, size_t n, size_t dst_len);

#endif
