/* SPDX-License-Identifier: MIT */
/* `unideck build DIR -o FILE`: the decks of a folder into one content store. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "tools/cli/cli.h"
#include "tools/deck/pdf.h"
#include "tools/image/disk.h"
#include "tools/image/elfpatch.h"
#include "tools/store/build.h"
#include "tools/util/text.h"

static const char help[] =
        "usage: unideck build DIR -o FILE [--quiet] [--fast] [--without-notes] [--no-pdf]\n"
        "       unideck build DIR -o IMAGE.elf [--arch x86_64|arm64] [--token T] [--append ARGS]\n"
        "\n"
        "Build every deck under DIR (each sub-folder holding deck.md or index.html)\n"
        "into one content store FILE: each file with its media type, ETag and\n"
        "precompressed gzip and brotli variants, and its response headers ready.\n"
        "The same input always gives the same bytes (set SOURCE_DATE_EPOCH to pin\n"
        "timestamps).\n"
        "\n"
        "  -o, --output FILE   where to write the store (required)\n"
        "  -q, --quiet         print nothing but errors\n"
        "  --fast              compress quickly rather than smallest\n"
        "  --without-notes     leave speaker notes out (for a public copy)\n"
        "  --no-pdf            no PDF handouts (made with headless Chromium when it is\n"
        "                      installed: /DECK/DECK.pdf, linked from the index)\n"
        "\n"
        "When FILE ends in .elf, the store is linked into the bootable image, and:\n"
        "  --token T           the presenter token, built into the image (outside the\n"
        "                      store: never served); keep such an image private\n"
        "  --arch A            the image's architecture: x86_64 (default; PVH, QEMU\n"
        "                      microvm/q35, Firecracker) or arm64 (QEMU virt)\n"
        "  --append ARGS       more built-in kernel arguments (ip=, gw=, port=, ...);\n"
        "                      a hypervisor's command line overrides them\n"
        "\n"
        "When FILE ends in .img (raw), .qcow2, .tar.gz (Compute Engine: disk.raw\n"
        "inside) or .oci.tar (an OCI image for KubeVirt: /disk/unideck.qcow2), it is\n"
        "a disk that boots by BIOS and by UEFI (GRUB, multiboot2); --append goes on\n"
        "GRUB's multiboot2 line in /boot/grub/grub.cfg on its EFI partition, where\n"
        "it can be edited later (README: Disk images).\n";

/* The kernel an image starts from: $UNIDECK_KERNEL, else the one for (arm64)
 * built next to this program's data, else the installed one. */
static const char *kernel_path(bool arm64)
{
	static char p[PATH_MAX + 64];
	const char *env = getenv("UNIDECK_KERNEL");

	if (env && *env)
		return env;
	snprintf(p, sizeof p, "%s/build/%s/unideck.elf", cli_data_dir(),
	         arm64 ? "arm64" : "kernel");
	if (access(p, R_OK) == 0)
		return p;
	return arm64 ? "/usr/lib/unideck/unideck-arm64.elf" : "/usr/lib/unideck/unideck.elf";
}

static bool is_image(const char *out)
{
	size_t n = strlen(out);

	return n > 4 && strcmp(out + n - 4, ".elf") == 0;
}

/* Put (store) into the kernel image and write it to (out): the ELF itself, or
 * a disk (fmt) that boots it with (disk_args) on GRUB's line. */
static int write_image(const char *out, const uint8_t *store, size_t slen, const char *args,
                       enum disk_fmt fmt, const char *disk_args, bool quiet, bool arm64,
                       struct diag *d)
{
	const char *kpath = kernel_path(arm64);
	uint8_t *kernel, *img = NULL;
	size_t klen, ilen;
	char err[256];
	int rc;

	kernel = (uint8_t *)text_read_file(kpath, &klen, d);
	if (!kernel)
		return diag_fail(d, kpath, 0,
		                 "the unideck kernel is not there: run make (it builds "
		                 "build/kernel/unideck.elf) or set UNIDECK_KERNEL");
	/* A disk's GRUB loads the store as a module; an .elf carries it. */
	rc = fmt != DISK_NONE
	             ? elfpatch_module_store(kernel, klen, slen, &img, &ilen, err, sizeof err)
	             : elfpatch_add_store(kernel, klen, store, slen, &img, &ilen, err, sizeof err);
	free(kernel);
	if (rc != 0)
		return diag_fail(d, kpath, 0, "cannot add the store to this kernel: %s", err);
	if (args[0] && elfpatch_set_args(img, ilen, args, err, sizeof err) != 0) {
		free(img);
		return diag_fail(d, kpath, 0, "cannot build the arguments in: %s", err);
	}
	rc = fmt != DISK_NONE ? disk_write(out, fmt, img, ilen, store, slen, disk_args, quiet, d)
	                      : build_write_file(out, img, ilen, d);
	if (rc == 0 && !quiet)
		printf("image: %s, %zu bytes (kernel %zu + store %zu)\n", kpath,
		       fmt != DISK_NONE ? ilen + slen : ilen, klen, slen);
	free(img);
	return rc;
}

int cmd_build(int argc, char **argv)
{
	const char *dir = NULL, *out = NULL, *v, *token = NULL, *append = NULL;
	char args[256];
	bool arm64 = false;
	struct build_opts o;
	struct build_totals t;
	struct diag d = {0};
	uint8_t *blob = NULL;
	size_t len = 0;
	int i, r;

	memset(&o, 0, sizeof o);
	o.level = 2;
	o.progress = stdout;
	o.deck.data_dir = cli_data_dir();
	o.deck.epoch = -1;
	o.deck.pdf = true;
	for (i = 1; i < argc; i++) {
		if (cli_flag(argv[i], "--help", 'h')) {
			fputs(help, stdout);
			return 0;
		}
		if ((r = cli_value("build", argc, argv, &i, "--output", 'o', &v)) != 0) {
			if (r < 0)
				return 2;
			out = v;
		} else if ((r = cli_value("build", argc, argv, &i, "--token", 0, &v)) != 0) {
			if (r < 0)
				return 2;
			if (!app_token_ok(v, strlen(v)))
				return cli_error("build", 2, "--token wants " APP_TOKEN_RULE);
			token = v;
		} else if ((r = cli_value("build", argc, argv, &i, "--append", 0, &v)) != 0) {
			if (r < 0)
				return 2;
			append = v;
		} else if ((r = cli_value("build", argc, argv, &i, "--arch", 0, &v)) != 0) {
			if (r < 0)
				return 2;
			if (strcmp(v, "arm64") != 0 && strcmp(v, "x86_64") != 0)
				return cli_error("build", 2, "--arch is x86_64 or arm64, not '%s'",
				                 v);
			arm64 = strcmp(v, "arm64") == 0;
		} else if (cli_flag(argv[i], "--quiet", 'q')) {
			o.progress = NULL;
		} else if (cli_flag(argv[i], "--fast", 0)) {
			o.level = 0;
		} else if (cli_flag(argv[i], "--no-pdf", 0)) {
			o.deck.pdf = false;
		} else if (cli_flag(argv[i], "--without-notes", 0)) {
			o.deck.without_notes = true;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return cli_error("build", 2, "unknown option %s (see unideck build --help)",
			                 argv[i]);
		} else if (!dir) {
			dir = argv[i];
		} else {
			return cli_error("build", 2, "one decks folder at a time (got %s and %s)",
			                 dir, argv[i]);
		}
	}
	if (!dir || !out)
		return cli_error("build", 2, "usage: unideck build DIR -o FILE");
	enum disk_fmt fmt = disk_format(out);
	if ((token || append || arm64) && !is_image(out) && fmt == DISK_NONE)
		return cli_error(
		        "build", 2,
		        "--token, --append and --arch are for images (-o IMAGE.elf, or a disk: "
		        ".img .qcow2 .tar.gz .oci.tar)");
	/* A disk carries --append on GRUB's editable line; the token stays built
	 * into the ELF, as for an image. */
	if (fmt != DISK_NONE && append && !disk_args_ok(append))
		return cli_error("build", 2,
		                 "--append for a disk: printable ASCII without quotes, "
		                 "backslashes or $;&|<>{}#`, at most %u bytes",
		                 DISK_ARGS_MAX);
	if ((size_t)snprintf(args, sizeof args, "%s%s%s%s",
	                     append && fmt == DISK_NONE ? append : "",
	                     append && token && fmt == DISK_NONE ? " " : "", token ? "token=" : "",
	                     token ? token : "") >= sizeof args)
		return cli_error("build", 2, "built-in arguments longer than %zu bytes",
		                 sizeof args - 1);
	if (o.deck.pdf && !pdf_chromium()) {
		diag_warn(NULL, 0, "Chromium is not installed: building without PDF handouts");
		o.deck.pdf = false;
	}
	if (build_store(dir, &o, &blob, &len, &t, &d) != 0) {
		diag_print(stderr, &d);
		return 1;
	}
	if (is_image(out) || fmt != DISK_NONE
	            ? write_image(out, blob, len, args, fmt, append ? append : "",
	                          o.progress == NULL, arm64, &d) != 0
	            : build_write_file(out, blob, len, &d) != 0) {
		free(blob);
		diag_print(stderr, &d);
		return 1;
	}
	free(blob);
	if (o.progress)
		printf("wrote %s\n", out);
	return 0;
}
