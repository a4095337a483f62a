/* SPDX-License-Identifier: MIT */
/* Fuzz target: the arm64 kernel's device tree parser (platform/arm64/fdt.c), the
 * first untrusted input it reads. Whatever the bytes, the parser must stay
 * inside them (ASan: the input is copied to a buffer of exactly its size), and
 * what it returns must hold: tables within their caps, the command line
 * NUL-terminated, a refused blob leaving no partial tables, windows that do
 * not wrap around. The seeds are QEMU virt's own trees (GICv2 with virtio-mmio,
 * GICv3 with virtio-pci), written by -M virt,dumpdtb= and cut to their size.
 *
 * fdt.c is a platform file, not in the hosted library: it is compiled into
 * this target directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/arm64/fdt.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fdt_info info;
	uint8_t *copy = malloc(size ? size : 1);
	enum fdt_result r;

	memcpy(copy, data, size);
	r = fdt_parse(copy, size, &info);
	must(info.n_mem <= FDT_MAX_MEM && info.n_mmio <= FDT_MAX_MMIO &&
	     info.pci.n_imap <= FDT_MAX_IMAP && info.n_nodes <= FDT_MAX_NODES + 1);
	must(memchr(info.bootargs, 0, sizeof info.bootargs) != NULL);
	must(info.rng_seed_len <= sizeof info.rng_seed);
	if (r != FDT_OK) {
		must(info.n_mem == 0 && info.n_mmio == 0 && !info.pci.present &&
		     info.gic_version == 0 && info.bootargs[0] == 0);
	} else {
		for (uint32_t i = 0; i < info.n_mem; i++)
			must(info.mem[i].size != 0);
		must(info.gic_version == 0 || info.gic_version == 2 || info.gic_version == 3);
		must(info.pci.bus_start <= 255 && info.pci.bus_end <= 255);
	}
	must(fdt_result_str(r)[0] != '?');
	free(copy);
	return 0;
}
