/* SPDX-License-Identifier: MIT */
/* plat_state_* for the VM targets: lib/sdisk.h's format on the virtio-blk
 * state disk (platform/virtio/vblk.h). */
#include "lib/sdisk.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/virtio/vblk.h"
#include "platform/virtio/vplat.h"

static bool io_read(void *ctx, uint64_t sector, void *buf, size_t n)
{
	(void)ctx;
	return vblk_read(sector, buf, n);
}

static bool io_write(void *ctx, uint64_t sector, const void *buf, size_t n)
{
	(void)ctx;
	return vblk_write(sector, buf, n);
}

static const struct sdisk_io io = {io_read, io_write, NULL};

bool plat_state_present(void)
{
	static bool said;

	if (!vblk_present())
		return false;
	if (vblk_sectors() * VBLK_SECTOR < SDISK_SIZE) {
		if (!said)
			kprintf("%s: state: %s has %lu sectors, fewer than the %u a state disk "
			        "needs: not used\n",
			        vplat_name, vblk_name(), vblk_sectors(), SDISK_SIZE / VBLK_SECTOR);
		said = true;
		return false;
	}
	return true;
}

enum plat_result plat_state_read(void *buf, size_t cap, size_t *len)
{
	struct sdisk_report rep;
	enum sdisk_result r;

	*len = 0;
	if (!plat_state_present())
		return PLAT_EUNSPEC;
	r = sdisk_read(&io, buf, cap, len, &rep);
	if (r == SDISK_OK || r == SDISK_EMPTY) {
		kprintf("%s: state: %s: %s (slot %d, generation %lu)\n", vplat_name, vblk_name(),
		        r == SDISK_OK ? "read" : "empty", rep.current, rep.gen);
		return PLAT_OK;
	}
	/* Never the bytes: only what was wrong with each slot. */
	kprintf("%s: state: %s refused: %s (slot 0: %s; slot 1: %s)\n", vplat_name, vblk_name(),
	        sdisk_result_str(r), sdisk_result_str(rep.slot[0]), sdisk_result_str(rep.slot[1]));
	return r == SDISK_IO ? PLAT_EUNSPEC : PLAT_EINVAL;
}

enum plat_result plat_state_write(const void *buf, size_t len)
{
	enum sdisk_result r;

	if (!plat_state_present())
		return PLAT_EUNSPEC;
	r = sdisk_write(&io, buf, len);
	if (r == SDISK_OK)
		return PLAT_OK;
	kprintf("%s: state: %s: not written: %s\n", vplat_name, vblk_name(), sdisk_result_str(r));
	return r == SDISK_IO ? PLAT_EUNSPEC : PLAT_EINVAL;
}
