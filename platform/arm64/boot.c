/* SPDX-License-Identifier: MIT */
/* The arm64 target's boot order, memory, command line and sleep.
 *
 * The device tree comes first (x0 when the loader passed one, else the start of
 * RAM, where QEMU's virt puts it for an ELF), parsed as untrusted input with the
 * MMU still off; then the console, the store, the MMU with W^X, the GIC, the
 * timer, PCI's BARs, virtio-net, and kmain(). */
#include "lib/cmdline.h"
#include "lib/mem.h"
#include "platform/arm64/arm64.h"
#include "platform/arm64/board.h"
#include "platform/kernel/balloc.h"
#include "platform/kernel/image.h"
#include "platform/kernel/kprintf.h"
#include "platform/platform.h"
#include "platform/virtio/vblk.h"
#include "platform/virtio/vnet.h"
#include "platform/virtio/vrng.h"

#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_UART     0x09000000ull
#define BOOT_POOL     (8ull << 20)

struct fdt_info board;
extern uint64_t entry_x0; /* entry.S */
extern const char __image_start[];

static uint64_t heap_start, heap_end;
static int heap_taken;
static char cmdline[FDT_BOOTARGS_MAX];

static const uint8_t *find_fdt(enum fdt_result *r)
{
	/* x0 first (the Linux boot protocol), then the start of RAM; each only
	 * below the image, where nothing of ours lies. */
	uint64_t cand[2] = {entry_x0, VIRT_RAM_BASE};
	uint64_t limit = (uintptr_t)__image_start;

	*r = FDT_EMAGIC;
	for (int i = 0; i < 2; i++) {
		uint64_t a = cand[i];
		if (a < VIRT_RAM_BASE || a >= limit || (a & 7))
			continue;
		*r = fdt_parse((const uint8_t *)(uintptr_t)a, (size_t)(limit - a), &board);
		if (*r == FDT_OK)
			return (const uint8_t *)(uintptr_t)a;
	}
	return NULL;
}

static void set_log_level(void)
{
	const char *v;
	size_t n;

	if (!cmdline_get(cmdline, "log", &v, &n))
		return;
	if (n == 5 && memcmp(v, "error", 5) == 0)
		klog_level = KLOG_ERR;
	else if (n == 4 && memcmp(v, "info", 4) == 0)
		klog_level = KLOG_INFO;
	else if (n == 5 && memcmp(v, "debug", 5) == 0)
		klog_level = KLOG_DEBUG;
	else
		kprintf("arm64: log=%.*s: want error, info or debug\n", (int)n, v);
}

/* RAM above the image and store, in the range that holds the image. */
static void setup_memory(void)
{
	uint64_t floor = image_end(), img = (uintptr_t)__image_start;

	for (uint32_t i = 0; i < board.n_mem; i++) {
		uint64_t lo = board.mem[i].addr, hi = lo + board.mem[i].size;
		if (lo <= img && img < hi) {
			if (floor >= hi)
				arm64_panic(EXIT_PANIC,
				            "the image and store (to 0x%lx) do not fit in RAM "
				            "(to 0x%lx): give the VM more memory",
				            floor, hi);
			uint64_t pool_end = hi - floor > BOOT_POOL ? floor + BOOT_POOL : hi;
			balloc_init(floor, pool_end);
			heap_end = hi;
			return;
		}
	}
	arm64_panic(EXIT_PANIC, "no RAM range in the device tree holds the image at 0x%lx", img);
}

static void discover_net(void)
{
	for (uint32_t i = 0; i < board.n_mmio; i++) {
		vnet_probe_mmio(board.mmio[i].addr, board.mmio[i].size, board.mmio[i].intid);
		vrng_probe_mmio(board.mmio[i].addr, board.mmio[i].size, board.mmio[i].intid);
		vblk_probe_mmio(board.mmio[i].addr, board.mmio[i].size, board.mmio[i].intid);
	}
	if (board.mmio_truncated)
		kprintf("arm64: more than %u virtio-mmio windows: the rest are ignored\n",
		        FDT_MAX_MMIO);
	pcie_init();
	vnet_probe_pci();
	vrng_probe_pci();
	vblk_probe_pci();
	vnet_start();
	vrng_start();
	vblk_start();
}

/* The boot module (plat_boot_module: a certificate chain and its key from
 * `unideck run --cert/--key`; see module_range) is copied here before its memory becomes
 * heap, and the loader's copy zeroed (it may hold a private key). */
#define BOOT_MODULE_MAX (256u * 1024u)
static uint8_t module_copy[BOOT_MODULE_MAX];
static size_t module_len;
static bool module_given, module_taken;

static void wipe(volatile uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = 0;
}

/* Where the module is: the device tree's initrd (QEMU gives one only to Linux
 * images), else the command line's bootmod=SIZE@ADDR (`unideck run` loads the
 * module there with QEMU's -device loader). */
static bool module_range(uint64_t *start, uint64_t *end)
{
	const char *v;
	size_t n, at;
	uint64_t size, addr;

	*start = board.initrd_start;
	*end = board.initrd_end;
	if (*end > *start)
		return true;
	if (!cmdline_get(cmdline, "bootmod", &v, &n))
		return false;
	for (at = 0; at < n && v[at] != '@'; at++)
		;
	if (at == n || !cmdline_u64(v, at, &size) || !cmdline_u64(v + at + 1, n - at - 1, &addr) ||
	    __builtin_add_overflow(addr, size, end)) {
		kprintf("arm64: bootmod=%.*s: want SIZE@ADDR\n", (int)n, v);
		return false;
	}
	*start = addr;
	return size > 0;
}

/* Before the MMU: byte and aligned accesses only (memcpy keeps to them). */
static void take_module(void)
{
	uint64_t start, end, e;
	uint64_t img = (uint64_t)(uintptr_t)__image_start;
	bool in_ram = false;

	if (!module_range(&start, &end))
		return;
	for (uint32_t i = 0; i < board.n_mem; i++)
		if (!__builtin_add_overflow(board.mem[i].addr, board.mem[i].size, &e) &&
		    start >= board.mem[i].addr && end <= e)
			in_ram = true;
	if (!in_ram || (start < image_end() && end > img)) {
		kprintf("arm64: boot module at 0x%lx-0x%lx is not in free RAM: ignored\n", start,
		        end);
		return;
	}
	if (end - start > BOOT_MODULE_MAX) {
		wipe((volatile uint8_t *)(uintptr_t)start, (size_t)(end - start));
		kprintf("arm64: boot module of %lu bytes is larger than %u: zeroed and ignored\n",
		        end - start, BOOT_MODULE_MAX);
		return;
	}
	module_len = (size_t)(end - start);
	memcpy(module_copy, (const void *)(uintptr_t)start, module_len);
	wipe((volatile uint8_t *)(uintptr_t)start, module_len);
	module_given = true;
	kprintf("arm64: boot module of %zu bytes at 0x%lx taken (the loader's copy zeroed)\n",
	        module_len, start);
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

void arm64_main(uint64_t x0);
__attribute__((no_stack_protector, noreturn)) void arm64_main(uint64_t x0)
{
	enum fdt_result r;
	const uint8_t *fdt;
	const uint8_t *store;
	size_t store_len = 0;

	(void)x0;
	fdt = find_fdt(&r);
	uart_init(board.uart.addr ? board.uart.addr : VIRT_UART);
	if (!fdt) {
		kprintf("arm64: no usable device tree (%s): cannot find memory or devices\n",
		        fdt_result_str(r));
		power_off(EXIT_PANIC);
	}
	memcpy(cmdline, board.bootargs, sizeof cmdline);
	power_init(cmdline);
	set_log_level();
	klog(KLOG_DEBUG, "arm64: device tree at 0x%lx, %u nodes; cmdline \"%s\"\n",
	     (uint64_t)(uintptr_t)fdt, board.n_nodes, cmdline);
	if (board.bootargs_truncated)
		kprintf("arm64: command line longer than %u bytes, truncated\n",
		        FDT_BOOTARGS_MAX - 1);
	image_init();
	if (!image_store(&store, &store_len))
		store = NULL;
	take_module();
	setup_memory();
	mmu_init(board.mem, board.n_mem, (uint64_t)(uintptr_t)store, store_len);
	mmu_map_device(board.uart.addr ? board.uart.addr : VIRT_UART, 0x1000, "PL011 UART");
	/* SHA-256 (core code, free to use unaligned loads) once Normal memory is
	 * on. Nothing protected is live across the guard's change but this
	 * function, which is not protected. */
	random_init();
	libc_guard_init();
	trap_init();
	if (!gic_init())
		arm64_panic(EXIT_PANIC, "no usable GIC in the device tree (version %d)",
		            board.gic_version);
	timer_init();
	discover_net();
	kprintf("arm64: ready in %lu us (entry to main; %s, timer %lu Hz, random from %s, %u "
	        "page tables)\n",
	        timer_ns() / 1000, gic_name(), timer_freq(), random_source(), mmu_tables_used());
	irq_enable();
	plat_exit(kmain());
}

void plat_heap(void **base, size_t *len)
{
	uint64_t first_free;

	if (heap_taken++)
		arm64_panic(EXIT_PANIC, "plat_heap called twice");
	balloc_freeze(&first_free);
	heap_start = (first_free + 4095) & ~4095ull;
	*base = (void *)(uintptr_t)heap_start;
	*len = (size_t)(heap_end - heap_start);
}

const char *plat_cmdline(void)
{
	return cmdline;
}

/* Interrupts masked while deciding, so an interrupt between the check and WFI
 * still wakes it (WFI wakes on a pending interrupt even when masked), then
 * unmasked so the handler runs and acknowledges. */
void plat_yield_until(uint64_t deadline_ns)
{
	vnet_flush();
	irq_disable();
	if (!vnet_rx_ready() && timer_ns() < deadline_ns) {
		timer_arm(deadline_ns);
		wfi();
	}
	irq_enable();
}
