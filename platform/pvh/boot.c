/* SPDX-License-Identifier: MIT */
/* Boot order, the memory layout, the heap and the command line. */
#include "platform/pvh/boot.h"

#include "lib/mem.h"
#include "platform/platform.h"
#include "platform/pvh/acpi.h"
#include "platform/pvh/balloc.h"
#include "platform/pvh/clock.h"
#include "platform/pvh/cmdline.h"
#include "platform/pvh/cpu.h"
#include "platform/pvh/image.h"
#include "platform/pvh/kprintf.h"
#include "platform/pvh/lapic.h"
#include "platform/pvh/libc.h"
#include "platform/pvh/mb2.h"
#include "platform/pvh/memmap.h"
#include "platform/pvh/paging.h"
#include "platform/pvh/power.h"
#include "platform/pvh/rtc.h"
#include "platform/pvh/serial.h"
#include "platform/pvh/trap.h"
#include "platform/pvh/vnet.h"
#include "store/store.h"

#define MAX_RAM         16
#define LOW_4G          (1ull << 32)
#define BOOT_POOL       (8ull << 20) /* most the boot allocator may take */
/* The boot module (plat_boot_module: a certificate chain and its key from
 * `unideck run --cert/--key`) is copied here before its memory becomes heap. */
#define BOOT_MODULE_MAX (256u * 1024u)

extern const uint64_t entry_tsc; /* entry.S */

static struct startinfo si;
static struct memmap_range ram[MAX_RAM];
static size_t n_ram;
static size_t boot_range; /* index in ram[] of the boot allocator's range */
static int heap_taken;
static uint8_t module_copy[BOOT_MODULE_MAX];
static size_t module_len;
static bool module_given, module_taken;

extern const uint8_t __image_start[];

const struct startinfo *boot_startinfo(void)
{
	return &si;
}

uint64_t boot_entry_tsc(void)
{
	return entry_tsc;
}

static const uint8_t *view_low(void *ctx, uint64_t paddr, size_t len)
{
	uint64_t end;

	(void)ctx;
	if (paddr == 0 || __builtin_add_overflow(paddr, len, &end) || end > LOW_4G)
		return NULL;
	return (const uint8_t *)(uintptr_t)paddr;
}

/* Multiboot2 (GRUB from a disk): the boot information into the same struct. */
static void read_mb2(uint64_t paddr)
{
	enum mb2_result r = mb2_parse(paddr, view_low, NULL, &si);

	if (r != MB2_OK)
		kprintf("pvh: multiboot2 information at 0x%lx: %s; using what came before it\n",
		        paddr, mb2_strerror(r));
	/* The RSDP came as a copy: ACPI reads ours (in .bss, identity-mapped). */
	if (si.rsdp_len)
		si.rsdp = (uint64_t)(uintptr_t)si.rsdp_copy;
	kprintf("pvh: booted by multiboot2 (%s), %zu memory ranges (%s)%s\n",
	        si.loader[0] ? si.loader : "unnamed loader", si.n_mem,
	        si.mem_from && si.mem_from[0] ? si.mem_from : "no map",
	        si.rsdp_len ? ", ACPI RSDP" : "");
}

static void read_startinfo(uint64_t paddr, uint32_t magic)
{
	if (magic == MB2_BOOT_MAGIC) {
		read_mb2(paddr);
	} else if (magic != 0) {
		/* Entered at the multiboot2 entry by something else: no boot
		 * information we understand; the CMOS and built-in arguments remain. */
		memset(&si, 0, sizeof si);
		kprintf("pvh: entered at the multiboot2 entry with 0x%x in eax, not the "
		        "multiboot2 magic: no boot information, using defaults\n",
		        magic);
	} else {
		enum startinfo_result r = startinfo_parse(paddr, view_low, NULL, &si);
		if (r != STARTINFO_OK)
			kprintf("pvh: start info at 0x%lx unreadable (%s); using defaults\n", paddr,
			        r == STARTINFO_EMAGIC ? "bad magic" : "out of range");
	}
	if (si.cmdline_truncated)
		kprintf("pvh: command line longer than %u bytes, truncated\n",
		        STARTINFO_CMDLINE_MAX - 1);
	if (si.mem_truncated)
		kprintf("pvh: memory map longer than %u entries, truncated\n", STARTINFO_MEM_MAX);
}

/* Zero memory that held a secret, in a way the compiler keeps. */
static void wipe(volatile uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = 0;
}

/* The store a disk's GRUB loaded as a module (image.h: IMAGE_STORE_IN_MODULE):
 * it stays in place, kept out of RAM by setup_memory(). */
static struct startinfo_mod store_mod;

/* One module that is not the store into module_copy, and the loader's copy
 * zeroed: it may hold a private key, and its pages become heap. One too large
 * is zeroed and dropped. */
static void take_key_module(uint64_t start, uint64_t end, const uint8_t *p)
{
	if (end - start > BOOT_MODULE_MAX) {
		wipe((volatile uint8_t *)(uintptr_t)p, (size_t)(end - start));
		kprintf("pvh: boot module of %lu bytes is larger than %u: zeroed and ignored\n",
		        end - start, BOOT_MODULE_MAX);
		return;
	}
	module_len = (size_t)(end - start);
	memcpy(module_copy, p, module_len);
	wipe((volatile uint8_t *)(uintptr_t)p, module_len);
	module_given = true;
	kprintf("pvh: boot module of %zu bytes at 0x%lx taken (the loader's copy zeroed)\n",
	        module_len, start);
}

/* The boot modules: the store, when the image says it comes as one (the module
 * of its length that begins with the store's magic), and the first other one
 * as the key module. A module that overlaps the image is left alone (zeroing
 * it would break us); the rest are ignored, with a line. */
static void take_modules(void)
{
	uint64_t img = (uint64_t)(uintptr_t)__image_start;
	size_t want = image_store_module_len();
	bool key_seen = false;
	const uint8_t *p;

	if (si.mod_truncated)
		kprintf("pvh: more than %u boot modules: the rest are ignored\n",
		        STARTINFO_MOD_MAX);
	for (size_t i = 0; i < si.n_mod; i++) {
		uint64_t start = si.mod[i].start, end = si.mod[i].end;
		if (end < start || (start < image_end() && end > img)) {
			kprintf("pvh: boot module at 0x%lx-0x%lx overlaps the image: ignored\n",
			        start, end);
			continue;
		}
		if (!(p = view_low(NULL, start, (size_t)(end - start)))) {
			kprintf("pvh: boot module at 0x%lx-0x%lx is not in low memory: ignored\n",
			        start, end);
			continue;
		}
		if (want && !store_mod.end && end - start == want &&
		    want >= sizeof STORE_MAGIC - 1 &&
		    memcmp(p, STORE_MAGIC, sizeof STORE_MAGIC - 1) == 0) {
			store_mod = si.mod[i];
			image_store_at(p);
			kprintf("pvh: the store (%zu KiB) is the boot module at 0x%lx\n",
			        want / 1024, start);
			continue;
		}
		if (key_seen) {
			kprintf("pvh: boot module at 0x%lx-0x%lx: one key module is used, this one "
			        "is ignored\n",
			        start, end);
			continue;
		}
		key_seen = true;
		take_key_module(start, end, p);
	}
	if (want && !store_mod.end)
		trap_panic(TRAP_EXIT_PANIC,
		           "this image's store (%zu bytes) comes as a boot module and no module "
		           "is it: boot the disk it was built in (GRUB's module2 "
		           "/unideck.store), or build an .elf image",
		           want);
}

bool plat_boot_module(uint8_t **p, size_t *len)
{
	if (!module_given || module_taken)
		return false;
	module_taken = true;
	*p = module_copy;
	*len = module_len;
	return true;
}

static void set_log_level(void)
{
	const char *v;
	size_t n;

	if (!cmdline_get(si.cmdline, "log", &v, &n))
		return;
	if (n == 5 && memcmp(v, "error", 5) == 0)
		klog_level = KLOG_ERR;
	else if (n == 4 && memcmp(v, "info", 4) == 0)
		klog_level = KLOG_INFO;
	else if (n == 5 && memcmp(v, "debug", 5) == 0)
		klog_level = KLOG_DEBUG;
	else
		kprintf("pvh: log=%.*s: want error, info or debug\n", (int)n, v);
}

/* No memory map (start info version 0, or none given): the CMOS memory size that
 * QEMU and firmware keep (registers 0x34/0x35: 64 KiB blocks above 16 MiB, else
 * 0x30/0x31: KiB above 1 MiB, which saturates at 64 MiB), else a guess of 32 MiB.
 * A missing CMOS reads all ones (register A included). */
static void fallback_memmap(void)
{
	uint64_t ext_kb = rtc_cmos_read(0x30) | ((uint64_t)rtc_cmos_read(0x31) << 8);
	uint64_t above16 = rtc_cmos_read(0x34) | ((uint64_t)rtc_cmos_read(0x35) << 8);
	uint64_t top = above16 ? (16ull << 20) + (above16 << 16) : (1ull << 20) + (ext_kb << 10);

	if (rtc_cmos_read(0x0a) == 0xff || top <= (2ull << 20)) {
		top = 32ull << 20;
		kprintf("pvh: no memory map and no CMOS size; assuming 32 MiB\n");
	} else {
		kprintf("pvh: no memory map; CMOS says RAM up to 0x%lx\n", top);
	}
	si.mem[0] = (struct startinfo_mem){1ull << 20, top - (1ull << 20), STARTINFO_RAM};
	si.n_mem = 1;
}

/* The loader put the store in memory the map must call RAM; a VM too small for
 * its store gets a message instead of faults in the middle of serving. */
static void check_store_in_ram(void)
{
	const uint8_t *p;
	size_t len;

	if (!image_store(&p, &len))
		return;
	uint64_t start = (uint64_t)(uintptr_t)p, end = start + len;
	if (memmap_covers(si.mem, si.n_mem, start, end))
		return;
	/* What the loader said, so the console shows why. */
	for (size_t i = 0; i < si.n_mem; i++)
		kprintf("pvh: memory 0x%lx-0x%lx type %u\n", si.mem[i].addr,
		        si.mem[i].addr + si.mem[i].size, si.mem[i].type);
	trap_panic(TRAP_EXIT_PANIC,
	           "the store (0x%lx-0x%lx, %lu KiB) is not in RAM: give the VM "
	           "more memory",
	           start, end, (uint64_t)len / 1024);
}

/* RAM above the image and store; the boot allocator takes the range that begins
 * there (it is below 4 GiB: the image is at 1 MiB). */
static void setup_memory(void)
{
	uint64_t floor = image_end();

	const char *v;
	size_t n;
	/* memmap=cmos ignores the start info's map: the fallback's test hook. */
	if (cmdline_get(si.cmdline, "memmap", &v, &n) && n == 4 && memcmp(v, "cmos", 4) == 0)
		si.n_mem = 0;
	if (si.n_mem == 0)
		fallback_memmap();
	check_store_in_ram();
	/* A store in a module lies in what the map calls RAM: take it out, so
	 * that neither the boot allocator nor the heap hands its pages out. */
	if (store_mod.end) {
		if (si.n_mem == STARTINFO_MEM_MAX)
			trap_panic(TRAP_EXIT_PANIC,
			           "memory map full: no room to set the store apart");
		si.mem[si.n_mem++] = (struct startinfo_mem){
		        store_mod.start, store_mod.end - store_mod.start, STARTINFO_RAM + 1};
	}
	n_ram = memmap_ram(si.mem, si.n_mem, floor, ram, MAX_RAM);
	if (n_ram == 0 || ram[0].start >= LOW_4G)
		trap_panic(TRAP_EXIT_PANIC, "no RAM above the image (ends at 0x%lx)", floor);
	/* The first range below 4 GiB that holds the whole pool, else the
	 * largest there: a store module GRUB put just above the kernel leaves
	 * only a sliver between them. */
	boot_range = n_ram;
	size_t best = 0;
	for (size_t i = 0; i < n_ram && ram[i].start < LOW_4G; i++) {
		uint64_t top = ram[i].end < LOW_4G ? ram[i].end : LOW_4G;
		if (boot_range == n_ram && top - ram[i].start >= BOOT_POOL)
			boot_range = i;
		uint64_t btop = ram[best].end < LOW_4G ? ram[best].end : LOW_4G;
		if (top - ram[i].start > btop - ram[best].start)
			best = i;
	}
	if (boot_range == n_ram)
		boot_range = best;
	uint64_t end = ram[boot_range].end < LOW_4G ? ram[boot_range].end : LOW_4G;
	if (end - ram[boot_range].start > BOOT_POOL)
		end = ram[boot_range].start + BOOT_POOL;
	balloc_init(ram[boot_range].start, end);
}

static void print_ready(void)
{
	uint64_t now = rdtsc(), khz = clock_tsc_khz();
	uint64_t us = khz ? (now - entry_tsc) * 1000 / khz : 0;

	kprintf("pvh: ready in %lu us (entry to main; TSC %lu kHz from %s)\n", us, khz,
	        clock_source_name());
}

_Noreturn void boot_main(uint64_t start_info_paddr, uint32_t magic)
{
	serial_init();
	cpu_init();
	libc_guard_init();
	trap_init();
	read_startinfo(start_info_paddr, magic);
	set_log_level();
	if (klog_level >= KLOG_DEBUG)
		serial_sync(); /* debugging a boot: every line out as it is printed */
	klog(KLOG_DEBUG, "pvh: cmdline \"%s\"\n", si.cmdline);
	for (size_t i = 0; i < si.n_mem; i++)
		klog(KLOG_DEBUG, "pvh: memory 0x%lx-0x%lx type %u\n", si.mem[i].addr,
		     si.mem[i].addr + si.mem[i].size, si.mem[i].type);

	acpi_init(si.rsdp);
	image_init();
	take_modules();
	setup_memory();
	const uint8_t *store;
	size_t store_len = 0;
	if (!image_store(&store, &store_len))
		store = NULL;
	paging_init((uint64_t)(uintptr_t)store, store_len, ram, n_ram);
	power_init();
	lapic_init();
	clock_init(si.cmdline);
	lapic_timer_calibrate();
	vnet_init(si.cmdline);
	print_ready();
	plat_exit(kmain());
}

void plat_heap(void **base, size_t *len)
{
	uint64_t first_free;

	if (heap_taken++)
		trap_panic(TRAP_EXIT_PANIC, "plat_heap called twice");
	balloc_freeze(&first_free);
	ram[boot_range].start = first_free;
	size_t best = memmap_largest(ram, n_ram);
	*base = (void *)(uintptr_t)ram[best].start;
	*len = (size_t)(ram[best].end - ram[best].start);
}

const char *plat_cmdline(void)
{
	return si.cmdline;
}
