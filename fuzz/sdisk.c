/* SPDX-License-Identifier: MIT */
/* Fuzz target: the state disk's format (lib/sdisk.h) read from a device whose
 * bytes are the input: the first half fills slot 0 from its header sector,
 * the second half slot 1; the rest of the disk is zero. Whatever is read must
 * fit the payload cap, and a write after it must read back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *disk;

static bool mem_read(void *ctx, uint64_t sector, void *buf, size_t n)
{
	(void)ctx;
	if (sector * SDISK_SECTOR + n * SDISK_SECTOR > SDISK_SIZE)
		return false;
	memcpy(buf, disk + sector * SDISK_SECTOR, n * SDISK_SECTOR);
	return true;
}

static bool mem_write(void *ctx, uint64_t sector, const void *buf, size_t n)
{
	(void)ctx;
	if (sector * SDISK_SECTOR + n * SDISK_SECTOR > SDISK_SIZE)
		return false;
	memcpy(disk + sector * SDISK_SECTOR, buf, n * SDISK_SECTOR);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[SDISK_PAYLOAD_MAX];
	const struct sdisk_io io = {mem_read, mem_write, NULL};
	struct sdisk_report rep;
	size_t half = size / 2, len;

	if (half > SDISK_SLOT_BYTES)
		return 0;
	disk = calloc(1, SDISK_SIZE);
	memcpy(disk, data, half);
	memcpy(disk + SDISK_SLOT_BYTES, data + half,
	       size - half > SDISK_SLOT_BYTES ? SDISK_SLOT_BYTES : size - half);
	enum sdisk_result r = sdisk_read(&io, buf, sizeof buf, &len, &rep);
	if (r == SDISK_OK && (len > SDISK_PAYLOAD_MAX || rep.current < 0))
		abort();
	if (r != SDISK_OK && len != 0)
		abort();
	if (sdisk_write(&io, "state", 5) == SDISK_OK &&
	    (sdisk_read(&io, buf, sizeof buf, &len, &rep) != SDISK_OK || len != 5 ||
	     memcmp(buf, "state", 5) != 0))
		abort();
	free(disk);
	return 0;
}
