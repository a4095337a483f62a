/* SPDX-License-Identifier: MIT */
/* The kernel's side of the image: reading the store descriptor that the image
 * builder patched (image.h). */
#include "platform/kernel/image.h"

#include "lib/cursor.h"
#include "lib/mem.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"

extern const volatile uint8_t image_store_desc[IMAGE_STORE_DESC_LEN]; /* entry.S */
extern const volatile char image_args_desc[IMAGE_ARGS_LEN];           /* entry.S */
extern const char __store_slot[], __image_end[];                      /* kernel.ld */

static const uint8_t *store_p;
static size_t store_len, module_len;

void image_init(void)
{
	uint8_t d[IMAGE_STORE_DESC_LEN];
	uint32_t magic, version;
	uint64_t addr, len, end, flags;

	/* Volatile bytes: the compiler must not fold the len it saw at build time. */
	for (size_t i = 0; i < sizeof d; i++)
		d[i] = image_store_desc[i];
	struct cur c = cur_make(d, sizeof d);
	if (!cur_u32le(&c, &magic) || !cur_u32le(&c, &version) || !cur_u64le(&c, &addr) ||
	    !cur_u64le(&c, &len) || !cur_u64le(&c, &flags))
		return;
	if (magic != IMAGE_STORE_MAGIC || version != IMAGE_STORE_VERSION) {
		kprintf("image: store descriptor: bad magic or version (0x%x, %u); no store\n",
		        magic, version);
		return;
	}
	if (len == 0)
		return;
	if (flags == IMAGE_STORE_IN_MODULE && len < (1ull << 40)) {
		module_len = (size_t)len; /* the boot's module scan finds it */
		return;
	}
	if (flags != 0) {
		kprintf("image: store descriptor: unknown flags 0x%lx; no store\n", flags);
		return;
	}
	if (addr != (uint64_t)(uintptr_t)__store_slot || __builtin_add_overflow(addr, len, &end) ||
	    end > (1ull << 46)) {
		kprintf("image: store descriptor: bad range 0x%lx+0x%lx; no store\n", addr, len);
		return;
	}
	store_p = (const uint8_t *)(uintptr_t)addr;
	store_len = (size_t)len;
}

bool image_store(const uint8_t **p, size_t *len)
{
	if (!store_p)
		return false;
	*p = store_p;
	*len = store_len;
	return true;
}

const char *image_args(void)
{
	static char args[IMAGE_ARGS_LEN];

	/* Volatile: the bytes are patched after the build. */
	for (size_t i = 0; i < IMAGE_ARGS_LEN - 1; i++)
		args[i] = image_args_desc[i];
	args[IMAGE_ARGS_LEN - 1] = 0;
	return args;
}

size_t image_store_module_len(void)
{
	return module_len;
}

void image_store_at(const uint8_t *p)
{
	store_p = p;
	store_len = module_len;
}

uint64_t image_end(void)
{
	uint64_t end = (uint64_t)(uintptr_t)__image_end;

	if (store_p && !module_len) /* a store in a module lies elsewhere */
		end = ((uint64_t)(uintptr_t)store_p + store_len + 4095) & ~4095ull;
	return end;
}

bool plat_image_store(const uint8_t **p, size_t *len)
{
	return image_store(p, len);
}

const char *plat_image_args(void)
{
	return image_args();
}
