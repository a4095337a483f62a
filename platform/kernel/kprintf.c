/* SPDX-License-Identifier: MIT */
/* A small printf for the console and for buffers. */
#include "platform/kernel/kprintf.h"

#include <stdbool.h>
#include <stdint.h>

#include "platform/platform.h"

int klog_level = KLOG_INFO;

/* Output goes to (buf) up to (cap); when (to_console), a full buffer is written
 * out and reused, so console output of any length needs only a stack buffer. */
struct sink {
	char *buf;
	size_t cap, used, total;
	bool to_console;
};

static void sink_put(struct sink *s, char c)
{
	s->total++;
	if (s->to_console && s->used == s->cap) {
		plat_console_write(s->buf, s->used);
		s->used = 0;
	}
	if (s->used < s->cap)
		s->buf[s->used++] = c;
}

static void sink_pad(struct sink *s, char c, int n)
{
	for (; n > 0; n--)
		sink_put(s, c);
}

struct spec {
	int width, prec;
	bool zero, left;
	int longs;
};

static void put_str(struct sink *s, const struct spec *sp, const char *str)
{
	size_t n = 0;

	if (!str)
		str = "(null)";
	while ((sp->prec < 0 || n < (size_t)sp->prec) && str[n])
		n++;
	if (!sp->left)
		sink_pad(s, ' ', sp->width - (int)n);
	for (size_t i = 0; i < n; i++)
		sink_put(s, str[i]);
	if (sp->left)
		sink_pad(s, ' ', sp->width - (int)n);
}

static void put_num(struct sink *s, const struct spec *sp, uint64_t v, unsigned base, bool neg)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!sp->left && !sp->zero)
		sink_pad(s, ' ', sp->width - len);
	if (neg)
		sink_put(s, '-');
	if (!sp->left && sp->zero)
		sink_pad(s, '0', sp->width - len);
	while (n > 0)
		sink_put(s, tmp[--n]);
	if (sp->left)
		sink_pad(s, ' ', sp->width - len);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->width = 0;
	sp->prec = -1;
	sp->zero = sp->left = false;
	sp->longs = 0;
	for (;; f++) {
		if (*f == '0')
			sp->zero = true;
		else if (*f == '-')
			sp->left = true;
		else
			break;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		} else {
			for (sp->prec = 0; *f >= '0' && *f <= '9'; f++)
				sp->prec = sp->prec * 10 + (*f - '0');
		}
	}
	for (; *f == 'l' || *f == 'z'; f++)
		sp->longs++;
	return f;
}

static void format_one(struct sink *s, const struct spec *sp, char conv, va_list *ap)
{
	uint64_t u;
	int64_t i;

	switch (conv) {
	case 'c':
		sink_put(s, (char)va_arg(*ap, int));
		break;
	case 's':
		put_str(s, sp, va_arg(*ap, const char *));
		break;
	case 'd':
	case 'i':
		i = sp->longs ? va_arg(*ap, long) : va_arg(*ap, int);
		put_num(s, sp, i < 0 ? 0 - (uint64_t)i : (uint64_t)i, 10, i < 0);
		break;
	case 'u':
	case 'x':
		u = sp->longs ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned);
		put_num(s, sp, u, conv == 'u' ? 10 : 16, false);
		break;
	case 'p':
		sink_put(s, '0');
		sink_put(s, 'x');
		put_num(s, sp, (uint64_t)(uintptr_t)va_arg(*ap, void *), 16, false);
		break;
	default:
		sink_put(s, conv);
		break;
	}
}

/* Arguments are read through a local copy, so that parse_spec() can take a
 * pointer to it (a va_list parameter has array-decayed type on x86_64). */
static void format(struct sink *s, const char *f, va_list ap_in)
{
	struct spec sp;
	va_list ap;

	va_copy(ap, ap_in);
	for (; *f; f++) {
		if (*f != '%') {
			sink_put(s, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		if (*f == '\0')
			break;
		format_one(s, &sp, *f, &ap);
	}
	va_end(ap);
}

size_t kvsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
	struct sink s = {buf, cap ? cap - 1 : 0, 0, 0, false};

	format(&s, fmt, ap);
	if (cap)
		buf[s.used] = '\0';
	return s.total;
}

size_t ksnprintf(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t n = kvsnprintf(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

static void console_vprintf(const char *fmt, va_list ap)
{
	char buf[128];
	struct sink s = {buf, sizeof buf, 0, 0, true};

	format(&s, fmt, ap);
	plat_console_write(buf, s.used);
}

void plat_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void klog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > klog_level)
		return;
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}
