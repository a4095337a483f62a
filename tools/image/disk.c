/* SPDX-License-Identifier: MIT */
/* Bootable disks: GPT, GRUB for BIOS and UEFI, the ESP, and the formats (disk.h). */
#include "tools/image/disk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/sha256.h"
#include "tools/image/oci.h"
#include "tools/store/build.h"
#include "tools/util/text.h"

#define SECTOR       512u
#define GPT_ENTRIES  128u
#define GPT_ESIZE    128u
#define GPT_TABLE    (GPT_ENTRIES * GPT_ESIZE / SECTOR) /* 32 sectors */
#define BIOS_SECTORS (DISK_ESP_LBA - DISK_BIOS_LBA)
#define MIB          (1ull << 20)
#define GIB          (1ull << 30)

/* grub-bios-setup's offsets into boot.img (GRUB's include/grub/i386/pc/boot.h)
 * and the first sector of core.img (diskboot.img's blocklist). */
#define BOOT_BPB_START   0x03
#define BOOT_BPB_END     0x5a
#define BOOT_KERNEL_SEC  0x5c
#define BOOT_DRIVE_CHECK 0x66
#define BOOT_PART_START  0x1b8
#define DISKBOOT_BLOCK   (SECTOR - 12) /* {u64 start, u16 len, u16 segment} */
#define DISKBOOT_SEGMENT 0x820

#define GRUB_PC_DIR  "/usr/lib/grub/i386-pc"
#define GRUB_EFI_DIR "/usr/lib/grub/x86_64-efi"

/* Modules built into both GRUBs: nothing is loaded from the disk at boot. */
#define GRUB_MODULES                                                                               \
	"part_gpt", "fat", "normal", "configfile", "search", "search_fs_uuid", "multiboot2",       \
	        "serial", "terminal", "echo", "halt", "reboot", "hashsum", "gcry_sha256", "test",  \
	        "sleep"

static const uint8_t guid_bios[16] = {0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e,
                                      0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49};
static const uint8_t guid_esp[16] = {0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
                                     0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b};

enum disk_fmt disk_format(const char *out)
{
	static const struct {
		const char *ext;
		enum disk_fmt f;
	} ext[] = {{".img", DISK_RAW},
	           {".raw", DISK_RAW},
	           {".qcow2", DISK_QCOW2},
	           {".tar.gz", DISK_GCE},
	           {".oci.tar", DISK_OCI}};
	size_t n = strlen(out);

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i].ext);
		if (n > e && strcmp(out + n - e, ext[i].ext) == 0)
			return ext[i].f;
	}
	return DISK_NONE;
}

bool disk_args_ok(const char *args)
{
	if (strlen(args) > DISK_ARGS_MAX)
		return false;
	for (const char *p = args; *p; p++)
		if (*p < 0x20 || *p > 0x7e || strchr("\"'\\$;&|<>{}#`", *p))
			return false;
	return true;
}

uint32_t disk_crc32(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= b[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64(uint8_t *p, uint64_t v)
{
	le32(p, (uint32_t)v);
	le32(p + 4, (uint32_t)(v >> 32));
}

/* A version-4 style GUID from (seed) and (n): reproducible, distinct per use. */
static void make_guid(uint8_t out[16], const uint8_t seed[32], uint8_t n)
{
	uint8_t in[33], h[SHA256_LEN];

	memcpy(in, seed, 32);
	in[32] = n;
	sha256(in, sizeof in, h);
	memcpy(out, h, 16);
	out[7] = (uint8_t)((out[7] & 0x0f) | 0x40); /* version 4 (mixed-endian field) */
	out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

static void gpt_entry(uint8_t *e, const uint8_t type[16], const uint8_t uniq[16], uint64_t first,
                      uint64_t last, uint64_t attrs, const char *name)
{
	memcpy(e, type, 16);
	memcpy(e + 16, uniq, 16);
	le64(e + 32, first);
	le64(e + 40, last);
	le64(e + 48, attrs);
	size_t n = strlen(name) < 36 ? strlen(name) : 36; /* 36 UTF-16 units */
	for (size_t i = 0; i < n; i++)
		le16(e + 56 + 2 * i, (uint16_t)name[i]);
}

static void gpt_header(uint8_t *h, uint64_t self, uint64_t alt, uint64_t total,
                       const uint8_t disk_guid[16], uint64_t table_lba, uint32_t table_crc)
{
	memset(h, 0, SECTOR);
	memcpy(h, "EFI PART", 8);
	le32(h + 8, 0x00010000);
	le32(h + 12, 92);
	le64(h + 24, self);
	le64(h + 32, alt);
	le64(h + 40, 2 + GPT_TABLE);         /* first usable */
	le64(h + 48, total - 2 - GPT_TABLE); /* last usable */
	memcpy(h + 56, disk_guid, 16);
	le64(h + 72, table_lba);
	le32(h + 80, GPT_ENTRIES);
	le32(h + 84, GPT_ESIZE);
	le32(h + 88, table_crc);
	le32(h + 16, disk_crc32(h, 92));
}

int disk_gpt(uint8_t *first, uint8_t *last, uint64_t total, uint64_t esp_sectors,
             const uint8_t *boot_img, const uint8_t seed[32], char *err, size_t errlen)
{
	uint8_t disk_guid[16], g1[16], g2[16];
	uint64_t esp_last = DISK_ESP_LBA + esp_sectors - 1;

	if (esp_sectors == 0 || esp_last > total - 2 - GPT_TABLE - 1) {
		snprintf(err, errlen, "%llu sectors cannot hold an ESP of %llu",
		         (unsigned long long)total, (unsigned long long)esp_sectors);
		return -1;
	}
	memset(first, 0, (2 + GPT_TABLE) * SECTOR);
	memset(last, 0, (1 + GPT_TABLE) * SECTOR);
	make_guid(disk_guid, seed, 0);
	make_guid(g1, seed, 1);
	make_guid(g2, seed, 2);
	/* The table, at LBA 2 and again before the backup header. */
	uint8_t *t = first + 2 * SECTOR;
	/* Attribute bit 0 (required by the platform) on the BIOS boot partition. */
	gpt_entry(t, guid_bios, g1, DISK_BIOS_LBA, DISK_ESP_LBA - 1, 1, "BIOS boot");
	gpt_entry(t + GPT_ESIZE, guid_esp, g2, DISK_ESP_LBA, esp_last, 0, "EFI system");
	uint32_t tcrc = disk_crc32(t, GPT_TABLE * SECTOR);
	memcpy(last, t, GPT_TABLE * SECTOR);
	gpt_header(first + SECTOR, 1, total - 1, total, disk_guid, 2, tcrc);
	gpt_header(last + GPT_TABLE * SECTOR, total - 1, 1, total, disk_guid, total - 1 - GPT_TABLE,
	           tcrc);

	/* The MBR: GRUB's boot.img as grub-bios-setup installs it (no BPB kept,
	 * the kernel sector pointing at the core image, the drive check off for a
	 * hard disk), then the protective partition. */
	uint8_t *m = first;
	if (boot_img) {
		memcpy(m, boot_img, BOOT_PART_START);
		memset(m + BOOT_BPB_START, 0, BOOT_BPB_END - BOOT_BPB_START);
		le64(m + BOOT_KERNEL_SEC, DISK_BIOS_LBA);
		m[BOOT_DRIVE_CHECK] = 0x90;
		m[BOOT_DRIVE_CHECK + 1] = 0x90;
	}
	memset(m + BOOT_PART_START, 0, 6); /* disk signature and its reserved word */
	uint8_t *p = m + 0x1be;
	p[1] = 0x00; /* CHS of LBA 1: 0/0/2 */
	p[2] = 0x02;
	p[3] = 0x00;
	p[4] = 0xee;
	p[5] = p[6] = p[7] = 0xff;
	le32(p + 8, 1);
	le32(p + 12, total - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(total - 1));
	m[510] = 0x55;
	m[511] = 0xaa;
	return 0;
}

/* ---- a scratch folder and the programs we run ---- */

struct work {
	char dir[4096];
	char log[4200];
	struct diag *d;
};

static void path_in(const struct work *w, char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", w->dir, name);
}

/* Run argv (NULL-terminated) with its output in the log; on failure fill d with
 * what it printed last. */
static int run(struct work *w, const char *const argv[])
{
	int fd = open(w->log, O_WRONLY | O_CREAT | O_TRUNC, 0600), status;
	pid_t pid;

	if (fd < 0)
		return diag_fail(w->d, w->log, 0, "%s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("MTOOLS_SKIP_CHECK", "1", 1);
		setenv("MTOOLSRC", "/dev/null", 1);
		char *v[64];
		size_t n = 0;
		for (; n < 63 && argv[n]; n++)
			v[n] = strdup(argv[n]); /* the child's own copies: exec wants char * */
		v[n] = NULL;
		execvp(v[0], v);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(fd);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return diag_fail(w->d, argv[0], 0, "cannot run: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char tail[600] = "";
	FILE *f = fopen(w->log, "r");
	if (f) {
		char line[600];
		while (fgets(line, sizeof line, f))
			if (line[0] != '\n')
				snprintf(tail, sizeof tail, "%s", line);
		fclose(f);
	}
	tail[strcspn(tail, "\n")] = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return diag_fail(w->d, argv[0], 0,
		                 "not installed (Debian: grub-common grub-pc-bin "
		                 "grub-efi-amd64-bin mtools qemu-utils; scripts/deps.sh)");
	return diag_fail(w->d, argv[0], 0, "failed: %s", tail[0] ? tail : "no message");
}

static int write_all(struct work *w, const char *name, const void *p, size_t len)
{
	char path[4200];

	path_in(w, path, sizeof path, name);
	return build_write_file(path, p, len, w->d);
}

static int work_open(struct work *w, struct diag *d)
{
	const char *tmp = getenv("TMPDIR");

	w->d = d;
	snprintf(w->dir, sizeof w->dir, "%s/unideck-disk.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(w->dir))
		return diag_fail(d, w->dir, 0, "cannot make a scratch folder: %s", strerror(errno));
	path_in(w, w->log, sizeof w->log, "log");
	return 0;
}

static void work_close(struct work *w)
{
	DIR *dir = opendir(w->dir);
	struct dirent *e;

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		char p[4400];
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", w->dir, e->d_name);
		unlink(p);
	}
	closedir(dir);
	rmdir(w->dir);
}

/* ---- what goes on the ESP ---- */

static void hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static int write_configs(struct work *w, const uint8_t *elf, size_t len, const uint8_t *store,
                         size_t slen, const char *args, const char *serial)
{
	uint8_t h[SHA256_LEN];
	char sum[2 * (2 * SHA256_LEN + 32)], cfg[4096], early[256];
	size_t at;

	sha256(elf, len, h);
	hex(sum, h, SHA256_LEN);
	at = 2 * SHA256_LEN;
	at += (size_t)snprintf(sum + at, sizeof sum - at, "  /unideck.elf\n");
	sha256(store, slen, h);
	hex(sum + at, h, SHA256_LEN);
	at += 2 * SHA256_LEN;
	snprintf(sum + at, sizeof sum - at, "  /unideck.store\n");
	/* Embedded in both GRUBs: the ESP by its FAT serial, whatever the disk's
	 * number or bus; normal mode then reads $prefix/grub.cfg. */
	snprintf(early, sizeof early,
	         "search --no-floppy --fs-uuid --set=root %.4s-%.4s\n"
	         "set prefix=($root)/boot/grub\n",
	         serial, serial + 4);
	snprintf(cfg, sizeof cfg,
	         "# unideck: GRUB's configuration, read by the BIOS and the UEFI GRUB alike.\n"
	         "# The kernel command line is the multiboot2 line's arguments: edit them\n"
	         "# here and reboot, no rebuild (on a raw disk, from outside:\n"
	         "#   mcopy -i decks.img@@2M ::/boot/grub/grub.cfg grub.cfg   (edit, then)\n"
	         "#   mcopy -o -i decks.img@@2M grub.cfg ::/boot/grub/grub.cfg).\n"
	         "# The console is COM1 at 115200, which providers show as the boot log.\n"
	         "serial --unit=0 --speed=115200 --word=8 --parity=no --stop=1\n"
	         "terminal_input serial\n"
	         "terminal_output serial\n"
	         "if hashsum --hash sha256 --check /boot/unideck.sha256; then\n"
	         "\techo \"unideck: booting /unideck.elf by multiboot2\"\n"
	         "\tmultiboot2 /unideck.elf %s\n"
	         "\tmodule2 /unideck.store unideck-store\n"
	         "\tboot\n"
	         "\techo \"unideck: GRUB could not boot /unideck.elf (its error is above)\"\n"
	         "else\n"
	         "\techo \"unideck: /unideck.elf or /unideck.store is damaged: its SHA-256 is "
	         "not the one in /boot/unideck.sha256; rebuild the disk (unideck build DECKS "
	         "-o DISK)\"\n"
	         "fi\n"
	         "sleep 5\n"
	         "halt\n",
	         args);
	if (write_all(w, "unideck.elf", elf, len) != 0 ||
	    write_all(w, "unideck.store", store, slen) != 0 ||
	    write_all(w, "unideck.sha256", sum, strlen(sum)) != 0 ||
	    write_all(w, "early.cfg", early, strlen(early)) != 0 ||
	    write_all(w, "grub.cfg", cfg, strlen(cfg)) != 0)
		return -1;
	return 0;
}

static int grub_images(struct work *w)
{
	char early[4200], core[4200], efi[4200];

	path_in(w, early, sizeof early, "early.cfg");
	path_in(w, core, sizeof core, "core.img");
	path_in(w, efi, sizeof efi, "BOOTX64.EFI");
	const char *pc[] = {"grub-mkimage", "-O",       "i386-pc",    "-d",  GRUB_PC_DIR,
	                    "-o",           core,       "-c",         early, "-p",
	                    "/boot/grub",   "biosdisk", GRUB_MODULES, NULL};
	const char *x64[] = {"grub-mkimage", "-O",         "x86_64-efi", "-d",  GRUB_EFI_DIR,
	                     "-o",           efi,          "-c",         early, "-p",
	                     "/boot/grub",   GRUB_MODULES, NULL};
	if (access(GRUB_PC_DIR "/boot.img", R_OK) != 0)
		return diag_fail(w->d, GRUB_PC_DIR, 0,
		                 "GRUB for BIOS is not installed (Debian: grub-pc-bin)");
	if (access(GRUB_EFI_DIR "/kernel.img", R_OK) != 0)
		return diag_fail(w->d, GRUB_EFI_DIR, 0,
		                 "GRUB for UEFI is not installed (Debian: grub-efi-amd64-bin)");
	return run(w, pc) == 0 && run(w, x64) == 0 ? 0 : -1;
}

static off_t file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? st.st_size : -1;
}

/* The FAT ESP as a file of (sectors), by mtools. */
static int make_esp(struct work *w, uint64_t sectors, const char *serial)
{
	char esp[4200], img[64], at[4300], src[4200], n[32], hid[32];
	static const char *const dirs[] = {"::/EFI", "::/EFI/BOOT", "::/boot", "::/boot/grub"};
	static const char *const files[][2] = {{"BOOTX64.EFI", "::/EFI/BOOT/BOOTX64.EFI"},
	                                       {"grub.cfg", "::/boot/grub/grub.cfg"},
	                                       {"unideck.sha256", "::/boot/unideck.sha256"},
	                                       {"unideck.elf", "::/unideck.elf"},
	                                       {"unideck.store", "::/unideck.store"}};

	path_in(w, esp, sizeof esp, "esp.img");
	int fd = open(esp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, (off_t)(sectors * SECTOR)) != 0) {
		if (fd >= 0)
			close(fd);
		return diag_fail(w->d, esp, 0, "%s", strerror(errno));
	}
	close(fd);
	snprintf(n, sizeof n, "%llu", (unsigned long long)sectors);
	snprintf(hid, sizeof hid, "%u", DISK_ESP_LBA);
	snprintf(img, sizeof img, "%s", serial);
	const char *fmt[] = {"mformat", "-i", esp,  "-T", n,    "-h",      "64", "-s", "32",
	                     "-H",      hid,  "-N", img,  "-v", "UNIDECK", "::", NULL};
	if (run(w, fmt) != 0)
		return -1;
	snprintf(at, sizeof at, "%s", esp);
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		const char *md[] = {"mmd", "-i", at, dirs[i], NULL};
		if (run(w, md) != 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		path_in(w, src, sizeof src, files[i][0]);
		const char *cp[] = {"mcopy", "-i", at, src, files[i][1], NULL};
		if (run(w, cp) != 0)
			return -1;
	}
	return 0;
}

static int copy_into(struct work *w, int fd, const char *src, uint64_t at)
{
	size_t len;
	char *b = text_read_file(src, &len, w->d);

	if (!b)
		return -1;
	ssize_t n = pwrite(fd, b, len, (off_t)at);
	free(b);
	if (n < 0 || (size_t)n != len)
		return diag_fail(w->d, src, 0, "cannot write the disk: %s", strerror(errno));
	return 0;
}

/* The raw disk at (path): whole MiB, or whole GiB for Compute Engine; the space
 * after the ESP is a hole. */
static int make_raw(struct work *w, const char *path, uint64_t esp_sectors, bool gib,
                    const uint8_t seed[32])
{
	char core[4200], esp[4200], err[256];
	uint8_t first[(2 + GPT_TABLE) * SECTOR], last[(1 + GPT_TABLE) * SECTOR];
	size_t blen, clen;
	uint64_t bytes = (DISK_ESP_LBA + esp_sectors) * SECTOR + MIB;
	uint64_t round = gib ? GIB : MIB;

	bytes = (bytes + round - 1) / round * round;
	uint64_t total = bytes / SECTOR;
	path_in(w, core, sizeof core, "core.img");
	path_in(w, esp, sizeof esp, "esp.img");
	uint8_t *boot = (uint8_t *)text_read_file(GRUB_PC_DIR "/boot.img", &blen, w->d);
	if (!boot)
		return -1;
	if (blen != SECTOR) {
		free(boot);
		return diag_fail(w->d, GRUB_PC_DIR "/boot.img", 0, "not one sector");
	}
	int rc = disk_gpt(first, last, total, esp_sectors, boot, seed, err, sizeof err);
	free(boot);
	if (rc != 0)
		return diag_fail(w->d, path, 0, "%s", err);
	/* The core image: its first sector's blocklist names the rest, right after
	 * it (what grub-bios-setup writes for an embedding area). */
	uint8_t *c = (uint8_t *)text_read_file(core, &clen, w->d);
	if (!c)
		return -1;
	uint64_t csec = (clen + SECTOR - 1) / SECTOR;
	uint8_t *blk = c + DISKBOOT_BLOCK;
	if (clen < SECTOR || csec > BIOS_SECTORS || csec - 1 > 0xffff ||
	    (blk[10] | blk[11] << 8) != DISKBOOT_SEGMENT) {
		free(c);
		return diag_fail(w->d, core, 0,
		                 "not a core image that fits the BIOS boot partition "
		                 "(%zu bytes)",
		                 clen);
	}
	le64(blk, DISK_BIOS_LBA + 1);
	le16(blk + 8, (uint16_t)(csec - 1));
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		free(c);
		return diag_fail(w->d, path, 0, "%s", strerror(errno));
	}
	bool ok = pwrite(fd, first, sizeof first, 0) == (ssize_t)sizeof first &&
	          pwrite(fd, c, clen, DISK_BIOS_LBA * SECTOR) == (ssize_t)clen &&
	          pwrite(fd, last, sizeof last, (off_t)((total - 1 - GPT_TABLE) * SECTOR)) ==
	                  (ssize_t)sizeof last;
	free(c);
	if (!ok || copy_into(w, fd, esp, (uint64_t)DISK_ESP_LBA * SECTOR) != 0 ||
	    ftruncate(fd, (off_t)bytes) != 0) {
		close(fd);
		return w->d->msg[0] ? -1 : diag_fail(w->d, path, 0, "%s", strerror(errno));
	}
	close(fd);
	return 0;
}

/* SOURCE_DATE_EPOCH, or now. */
static long long epoch_now(void)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	char *end;

	if (e && *e) {
		long long v = strtoll(e, &end, 10);
		if (*end == 0 && v >= 0)
			return v;
	}
	return (long long)time(NULL);
}

int disk_write(const char *out, enum disk_fmt f, const uint8_t *elf, size_t len,
               const uint8_t *store, size_t slen, const char *args, bool quiet, struct diag *d)
{
	struct work w;
	uint8_t seed[SHA256_LEN];
	char serial[9], raw[4200], tmp_out[4200], mtime[32];
	struct sha256 s;
	uint64_t esp_mib = 0;

	if (!disk_args_ok(args))
		return diag_fail(d, out, 0,
		                 "kernel arguments for a disk must be printable ASCII without "
		                 "quotes, backslashes or any of $;&|<>{}#` (GRUB would "
		                 "interpret them), at most %u bytes",
		                 DISK_ARGS_MAX);
	sha256_init(&s);
	sha256_update(&s, elf, len);
	sha256_update(&s, store, slen);
	sha256_update(&s, args, strlen(args));
	sha256_final(&s, seed);
	snprintf(serial, sizeof serial, "%02X%02X%02X%02X", seed[28], seed[29], seed[30], seed[31]);
	tmp_out[0] = 0;
	if (work_open(&w, d) != 0)
		return -1;
	int rc = -1;
	char efi[4200];
	path_in(&w, efi, sizeof efi, "BOOTX64.EFI");
	if (write_configs(&w, elf, len, store, slen, args, serial) != 0 || grub_images(&w) != 0)
		goto done;
	/* The ESP: the files, a tenth more for FAT's tables and clusters, 2 MiB to
	 * spare, in whole MiB; at least 8 MiB. */
	uint64_t files = len + slen + (uint64_t)file_size(efi) + 65536;
	esp_mib = (files + files / 10) / MIB + 2;
	if (esp_mib < 8)
		esp_mib = 8;
	if (make_esp(&w, esp_mib * MIB / SECTOR, serial) != 0)
		goto done;
	path_in(&w, raw, sizeof raw, "disk.raw");
	if (make_raw(&w, raw, esp_mib * MIB / SECTOR, f == DISK_GCE, seed) != 0)
		goto done;
	snprintf(tmp_out, sizeof tmp_out, "%s.tmp", out);
	snprintf(mtime, sizeof mtime, "@%lld", epoch_now());
	if (f == DISK_RAW) {
		char *b;
		size_t blen;
		if (!(b = text_read_file(raw, &blen, d)))
			goto done;
		rc = build_write_file(out, (const uint8_t *)b, blen, d);
		free(b);
		goto done;
	}
	if (f == DISK_GCE) {
		/* Compute Engine's import format, as its documentation makes it:
		 * tar --format=oldgnu -Sczf, disk.raw inside. */
		const char *tar[] = {"tar",
		                     "--format=oldgnu",
		                     "-S",
		                     "-c",
		                     "-f",
		                     tmp_out,
		                     "--use-compress-program=gzip -n -6",
		                     "--owner=0",
		                     "--group=0",
		                     "--numeric-owner",
		                     "--mtime",
		                     mtime,
		                     "-C",
		                     w.dir,
		                     "disk.raw",
		                     NULL};
		if (run(&w, tar) != 0)
			goto done;
	} else {
		char q[4200];
		path_in(&w, q, sizeof q, "disk.qcow2");
		const char *conv[] = {"qemu-img", "convert", "-f", "raw",
		                      "-O",       "qcow2",   raw,  f == DISK_QCOW2 ? tmp_out : q,
		                      NULL};
		if (run(&w, conv) != 0)
			goto done;
		if (f == DISK_OCI) {
			char *b;
			size_t blen;
			if (!(b = text_read_file(q, &blen, d)))
				goto done;
			int r = oci_write(tmp_out, (const uint8_t *)b, blen, DISK_OCI_PATH,
			                  epoch_now(), d);
			free(b);
			if (r != 0)
				goto done;
		}
	}
	if (rename(tmp_out, out) != 0) {
		diag_fail(d, out, 0, "%s", strerror(errno));
		unlink(tmp_out);
		goto done;
	}
	rc = 0;
done:
	if (rc != 0 && tmp_out[0])
		unlink(tmp_out);
	else if (!quiet)
		printf("disk: GRUB for BIOS and UEFI, ESP %llu MiB (FAT serial %.4s-%.4s), "
		       "kernel arguments \"%s\"\n",
		       (unsigned long long)esp_mib, serial, serial + 4, args);
	work_close(&w);
	return rc;
}
