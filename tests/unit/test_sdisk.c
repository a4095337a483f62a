/* SPDX-License-Identifier: MIT */
/* Unit tests of lib/sdisk: the state disk's two slots over a memory disk:
 * empty, write and read back, alternating slots, a torn write, damage,
 * foreign disks refused, headers parsed from a buffer ending at a guard page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sdisk.h"
#include "tests/unit/check.h"

static uint8_t disk[SDISK_SIZE];
static int fail_writes_after = -1; /* a write count at which the device fails */

static bool mem_read(void *ctx, uint64_t sector, void *buf, size_t n)
{
	(void)ctx;
	if (sector * SDISK_SECTOR + n * SDISK_SECTOR > sizeof disk)
		return false;
	memcpy(buf, disk + sector * SDISK_SECTOR, n * SDISK_SECTOR);
	return true;
}

static bool mem_write(void *ctx, uint64_t sector, const void *buf, size_t n)
{
	(void)ctx;
	if (fail_writes_after == 0)
		return false;
	if (fail_writes_after > 0)
		fail_writes_after--;
	if (sector * SDISK_SECTOR + n * SDISK_SECTOR > sizeof disk)
		return false;
	memcpy(disk + sector * SDISK_SECTOR, buf, n * SDISK_SECTOR);
	return true;
}

static const struct sdisk_io io = {mem_read, mem_write, NULL};
static uint8_t buf[SDISK_PAYLOAD_MAX];

static void payload(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

static void test_empty_and_round_trip(void)
{
	static uint8_t a[5000], b[SDISK_PAYLOAD_MAX];
	struct sdisk_report rep;
	size_t len = 99;

	memset(disk, 0, sizeof disk);
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_EMPTY && len == 0,
	      "a zeroed disk is empty");
	payload(a, sizeof a, 1);
	CHECK(sdisk_write(&io, a, sizeof a) == SDISK_OK, "first write");
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_OK && len == sizeof a &&
	              memcmp(buf, a, len) == 0 && rep.current == 0 && rep.gen == 1,
	      "read back from slot 0, generation 1");
	payload(b, sizeof b, 2);
	CHECK(sdisk_write(&io, b, sizeof b) == SDISK_OK, "a write of the largest payload");
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_OK && len == sizeof b &&
	              memcmp(buf, b, len) == 0 && rep.current == 1 && rep.gen == 2,
	      "read back from slot 1, generation 2");
	CHECK(sdisk_write(&io, a, 0) == SDISK_OK &&
	              sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_OK && len == 0 &&
	              rep.current == 0 && rep.gen == 3,
	      "an empty payload goes to slot 0 again");
	CHECK(sdisk_write(&io, b, sizeof b + 1) == SDISK_TOO_BIG, "over the cap");
	CHECK(sdisk_write(&io, a, 600) == SDISK_OK &&
	              sdisk_read(&io, buf, 100, &len, &rep) == SDISK_TOO_BIG,
	      "a buffer too small");
}

static void test_torn_and_damaged(void)
{
	static uint8_t a[3000], b[3000];
	struct sdisk_report rep;
	size_t len;

	memset(disk, 0, sizeof disk);
	payload(a, sizeof a, 3);
	payload(b, sizeof b, 4);
	CHECK(sdisk_write(&io, a, sizeof a) == SDISK_OK, "write a");
	/* The payload's first sectors reach slot 1, then the device fails. */
	fail_writes_after = 1;
	CHECK(sdisk_write(&io, b, sizeof b) == SDISK_IO, "a torn write fails");
	fail_writes_after = -1;
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_OK && len == sizeof a &&
	              memcmp(buf, a, len) == 0,
	      "after a torn write the previous state is read");
	/* A torn write of a new header over old payload: the payload is new,
	 * the header old. */
	CHECK(sdisk_write(&io, b, sizeof b) == SDISK_OK, "write b to slot 1");
	disk[SDISK_SLOT_BYTES + SDISK_SECTOR + 10] ^= 1;
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_OK && len == sizeof a &&
	              rep.slot[1] == SDISK_BAD_PAYLOAD,
	      "a damaged slot 1 falls back to slot 0");
	disk[SDISK_SECTOR + 10] ^= 1;
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_BAD_PAYLOAD && len == 0,
	      "both damaged: refused");
	CHECK(sdisk_write(&io, a, sizeof a) == SDISK_OK &&
	              sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_OK && len == sizeof a,
	      "a damaged disk is written afresh");
	disk[20] ^= 0x40;
	disk[SDISK_SLOT_BYTES] = 'X';
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_BAD_HEADER &&
	              rep.slot[0] == SDISK_BAD_HEADER && rep.slot[1] == SDISK_FOREIGN,
	      "a damaged header is named before a foreign slot");
}

static void test_foreign(void)
{
	struct sdisk_report rep;
	size_t len;

	memset(disk, 0, sizeof disk);
	memcpy(disk,
	       "\x7f"
	       "ELF",
	       4);
	CHECK(sdisk_read(&io, buf, sizeof buf, &len, &rep) == SDISK_FOREIGN, "foreign: refused");
	CHECK(sdisk_write(&io, "x", 1) == SDISK_REFUSED && memcmp(disk,
	                                                          "\x7f"
	                                                          "ELF",
	                                                          4) == 0,
	      "a foreign disk is not written");
}

static void test_header_parse(void)
{
	static uint8_t sec[SDISK_SECTOR];
	struct sdisk_header h;

	sdisk_header_make(sec, 7, (const uint8_t *)"abc", 3);
	CHECK(sdisk_header_parse(guard_place(sec, sizeof sec), sizeof sec, &h) == SDISK_OK &&
	              h.gen == 7 && h.len == 3,
	      "a header parses at a guard page");
	CHECK(sdisk_header_parse(guard_place(sec, 100), 100, &h) == SDISK_BAD_HEADER,
	      "a short header");
	sec[8] = 2;
	CHECK(sdisk_header_parse(sec, sizeof sec, &h) == SDISK_VERSION_UNKNOWN, "version 2");
	sec[8] = 1;
	sec[12] = 0xff;
	sec[13] = 0xff;
	CHECK(sdisk_header_parse(sec, sizeof sec, &h) == SDISK_BAD_HEADER,
	      "an edited length fails the header checksum");
	sdisk_header_make(sec, 7, (const uint8_t *)"abc", 3);
	sec[400] = 1;
	CHECK(sdisk_header_parse(sec, sizeof sec, &h) == SDISK_BAD_HEADER,
	      "bytes after the header");
}

int main(void)
{
	test_empty_and_round_trip();
	test_torn_and_damaged();
	test_foreign();
	test_header_parse();
	return check_done();
}
