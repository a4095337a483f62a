/* SPDX-License-Identifier: MIT */
/* Bootable disks from an image: `unideck build DECKS -o decks.img|.qcow2|.tar.gz|
 * .oci.tar`.
 *
 * One disk boots by legacy BIOS and by UEFI. It is a GPT disk (our own writer)
 * with a protective MBR holding GRUB's boot.img, a 1 MiB BIOS boot partition at
 * LBA 2048 holding GRUB's i386-pc core image (as grub-bios-setup would place
 * and patch it), and a FAT EFI system partition at LBA 4096 (2 MiB: mtools
 * reach it as DISK@@2M) holding:
 *
 *   /EFI/BOOT/BOOTX64.EFI    GRUB for x86_64 UEFI (grub-mkimage)
 *   /boot/grub/grub.cfg      serial console, the SHA-256 check, the multiboot2 line
 *   /boot/unideck.sha256     the kernel's SHA-256, checked by GRUB before booting
 *   /unideck.elf             the image (kernel and store), booted by multiboot2
 *
 * Both GRUBs are Debian's (grub-pc-bin, grub-efi-amd64-bin), built by
 * grub-mkimage with every module they need inside and an embedded config that
 * finds the ESP by its FAT serial, so the disk needs nothing else and boots as
 * virtio-blk, AHCI, NVMe or SCSI alike. The kernel command line is the
 * multiboot2 line's arguments in grub.cfg: editable later without a rebuild.
 *
 * Formats: raw (.img), qcow2 (.qcow2, by qemu-img), Compute Engine's import
 * format (.tar.gz: disk.raw, a whole number of GiB, sparse, in an oldgnu tar by
 * GNU tar) and an OCI image layout tarball (.oci.tar) for KubeVirt's
 * containerDisk: the qcow2 as /disk/unideck.qcow2, owned by 107:107.
 * Everything is written without root or loop devices, and the same inputs with
 * the same SOURCE_DATE_EPOCH give the same bytes: GUIDs and the FAT serial come
 * from the image's SHA-256. */
#ifndef UD_TOOLS_DISK_H
#define UD_TOOLS_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tools/util/diag.h"

enum disk_fmt { DISK_NONE, DISK_RAW, DISK_QCOW2, DISK_GCE, DISK_OCI };

#define DISK_ESP_LBA  4096u /* the ESP's first sector: offset 2 MiB */
#define DISK_BIOS_LBA 2048u /* the BIOS boot partition: 1 MiB */
#define DISK_OCI_PATH "disk/unideck.qcow2"
#define DISK_ARGS_MAX 1024u

/* The format (out)'s name asks for, or DISK_NONE. */
enum disk_fmt disk_format(const char *out);

/* Whether (args) can go on GRUB's multiboot2 line as they are: printable,
 * without GRUB's quoting and expansion characters. */
bool disk_args_ok(const char *args);

/* Write the disk for the kernel (elf, len) and its store (store, slen) with
 * kernel arguments (args) to (out) in format (f). The ESP holds both files:
 * GRUB loads the kernel by multiboot2 and the store by module2, wherever the
 * firmware's map has room (elfpatch_module_store() makes such a kernel). On
 * failure fills (d), removes what it wrote and returns -1. */
int disk_write(const char *out, enum disk_fmt f, const uint8_t *elf, size_t len,
               const uint8_t *store, size_t slen, const char *args, bool quiet, struct diag *d);

/* GPT and the MBR, for the tests: lay out a disk of (total) sectors whose BIOS
 * boot partition holds (core_sectors) and whose ESP holds (esp_sectors), into
 * (first: 34 sectors) and (last: 33 sectors); (boot_img) is GRUB's boot.img (512
 * bytes) or NULL for a plain protective MBR. 0 or -1 with a message in err. */
int disk_gpt(uint8_t *first, uint8_t *last, uint64_t total, uint64_t esp_sectors,
             const uint8_t *boot_img, const uint8_t seed[32], char *err, size_t errlen);

/* The CRC-32 of GPT (and zlib, gzip): reflected 0xedb88320. */
uint32_t disk_crc32(const void *p, size_t len);

#endif
