/* SPDX-License-Identifier: MIT */
/* Formatted output for the platform: to the console, or into a buffer.
 *
 * A small printf subset: %c %s %.*s %d %i %u %x %p %% with the l and ll length
 * modifiers, a field width and the '0' and '-' flags. Unknown conversions print
 * as themselves. ksnprintf() always NUL-terminates when (cap) > 0 and returns the
 * length it wanted. No allocation; safe in the exception handler.
 *
 * klog() prints only when (level) <= klog_level, which the log= command-line key
 * sets (error, info, debug). */
#ifndef UD_PVH_KPRINTF_H
#define UD_PVH_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

enum klog_level {
	KLOG_ERR = 0,
	KLOG_INFO = 1,
	KLOG_DEBUG = 2,
};

extern int klog_level;

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void klog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t ksnprintf(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
size_t kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap);

#endif
