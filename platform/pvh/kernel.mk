# SPDX-License-Identifier: MIT
# The x86_64 VM target (platform/pvh): kernel objects, test kernels and the
# hosted helpers that test them.
#
# Included by the top Makefile; also works alone: make -f platform/pvh/kernel.mk.
#   make kernel          build/kernel/test-kernel.elf and the hosted helpers
#   make kernel-core     the layers above platform/ compiled with kernel flags
#   make build/kernel/unideck.elf   the image without a store (needs app/kmain.c);
#                        unideck.debug.elf beside it keeps the debug info
# KCC picks the kernel compiler (gcc or clang; default $(CC)); KLD the linker.
#
# Every image is linked twice: the first link has an empty symbol table, the
# second the table of the first's functions (scripts/pvh-ksyms), placed after all
# code so no function moves; the build checks that every function kept its address.

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
KCC ?= $(CC)
KLD ?= ld
K := build/kernel

.PHONY: kernel kernel-core kernel-clang
kernel: $(K)/test-kernel.elf $(K)/host/test_pvh $(K)/host/test_mb2 $(K)/host/elfpatch $(K)/host/tsc-khz \
	$(if $(and $(filter-out clang%,$(notdir $(KCC))),$(shell command -v clang)),kernel-clang)

# The same test kernel built by clang (the boot tests run it when present).
kernel-clang:
	$(MAKE) -f platform/pvh/kernel.mk KCC=clang K=$(K)-clang $(K)-clang/test-kernel.elf

KWARN ?= $(if $(WARN),$(WARN),-std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
	-Wcast-qual -Wsign-compare -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes)
KCC_INC := $(shell $(KCC) -print-file-name=include)

# Freestanding, identity-mapped at 1 MiB (-mcmodel=small, no PIC); frame pointers
# for backtraces; the stack protector's guard is a global (libc.c); code built
# for Linux (libbearssl.a) reads the same guard at %fs:0x28 (libc.c sets FS).
KERNEL_CFLAGS := -O2 -g $(KWARN) -I. -ffreestanding -nostdinc -isystem $(KCC_INC) \
	-fno-pic -fno-pie -mcmodel=small -mno-red-zone -fno-omit-frame-pointer \
	-mno-omit-leaf-frame-pointer -fstack-protector-strong -mstack-protector-guard=global \
	-fno-asynchronous-unwind-tables -fno-strict-aliasing -fno-common -fcf-protection=none
# The platform never touches SSE, so interrupt handlers need not save it.
PVH_CFLAGS := $(KERNEL_CFLAGS) -mgeneral-regs-only
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --build-id=none \
	-T platform/pvh/kernel.ld

# The pvh target's source list: its own folder, the code shared by the VM
# targets (platform/kernel) and the virtio drivers (platform/virtio).
VMK_SRC := platform/kernel/balloc.c platform/kernel/fortify.c platform/kernel/image.c \
	platform/kernel/kprintf.c platform/kernel/pstate.c \
	platform/kernel/ksyms.c lib/cmdline.c
VIRTIO_SRC := platform/virtio/pci.c platform/virtio/virtq.c platform/virtio/vmmio.c \
	platform/virtio/vblk.c platform/virtio/vnet.c platform/virtio/vpci.c platform/virtio/vrng.c
PVH_SRC := platform/pvh/acpi.c platform/pvh/boot.c platform/pvh/clock.c platform/pvh/cpu.c \
	platform/pvh/ioapic.c platform/pvh/lapic.c platform/pvh/libc.c platform/pvh/memmap.c \
	platform/pvh/paging.c platform/pvh/pcicfg.c platform/pvh/power.c platform/pvh/random.c \
	platform/pvh/mb2.c platform/pvh/rtc.c platform/pvh/serial.c platform/pvh/startinfo.c \
	platform/pvh/trap.c \
	platform/pvh/vplat.c $(VMK_SRC) $(VIRTIO_SRC)
PVH_OBJ := $(PVH_SRC:%.c=$(K)/%.o) $(K)/platform/pvh/entry.o $(K)/platform/pvh/isr.o
PVH_TEST_OBJ := $(K)/tests/pvh/test_kernel.o $(K)/tests/pvh/test_fault.o \
	$(K)/tests/pvh/test_net.o $(K)/tests/pvh/test_sse.o $(K)/tests/pvh/test_state.o \
	$(K)/core/lib/sdisk.o $(K)/core/lib/sha256.o

$(K)/platform/kernel/%.o: platform/kernel/%.c
	@mkdir -p $(@D)
	$(KCC) $(PVH_CFLAGS) -MMD -MP -c $< -o $@

$(K)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(KCC) $(PVH_CFLAGS) -MMD -MP -c $< -o $@

$(K)/platform/virtio/%.o: platform/virtio/%.c
	@mkdir -p $(@D)
	$(KCC) $(PVH_CFLAGS) -MMD -MP -c $< -o $@

$(K)/platform/pvh/%.o: platform/pvh/%.c
	@mkdir -p $(@D)
	$(KCC) $(PVH_CFLAGS) -MMD -MP -c $< -o $@

$(K)/platform/pvh/%.o: platform/pvh/%.S
	@mkdir -p $(@D)
	$(KCC) -I. -MMD -MP -c $< -o $@

# The test kernel is built like the platform, except its SSE check.
$(K)/tests/pvh/%.o: tests/pvh/%.c
	@mkdir -p $(@D)
	$(KCC) $(PVH_CFLAGS) -MMD -MP -c $< -o $@

$(K)/tests/pvh/test_sse.o: tests/pvh/test_sse.c
	@mkdir -p $(@D)
	$(KCC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

# The layers above platform/ as the image needs them (SSE allowed there).
KERNEL_CORE_OBJ := $(CORE_SRC:%.c=$(K)/core/%.o) $(TLS_SRC:%.c=$(K)/core/%.o)
$(K)/core/%.o: %.c
	@mkdir -p $(@D)
	$(KCC) $(KERNEL_CFLAGS) $(KEXTRA) -MMD -MP -c $< -o $@

# BearSSL in the image: Debian's libbearssl.a, the same archive `unideck serve`
# links (nothing vendored). It was built for Linux: PIC (its GOT is filled in
# by this static link, kernel.ld keeps it read-only), _FORTIFY_SOURCE (libc.c
# has the __*_chk functions it calls) and a stack protector that reads
# %fs:0x28 (libc.c points FS at the guard). Its system seeder (which opens
# /dev/urandom) gives way to app/ktls.c's, over plat_entropy; the X.509
# validator (and its time()) is not linked: nothing of ours calls it.
KBEARSSL_INC := /usr/include/bearssl
KBEARSSL_LIB := /usr/lib/x86_64-linux-gnu/libbearssl.a
KTLS_CFLAGS := -isystem $(KBEARSSL_INC) -isystem lib/bearssl_shim
$(K)/core/http/tls.o $(K)/core/app/ktls.o: KEXTRA := $(KTLS_CFLAGS)

$(K)/ksyms-empty.S: scripts/pvh-ksyms
	@mkdir -p $(@D)
	scripts/pvh-ksyms --empty $@

$(K)/%.o: $(K)/%.S
	$(KCC) -c $< -o $@

# pvh_link OUT, OBJECTS: the two-pass link described above.
define pvh_link
	$(KLD) $(KERNEL_LDFLAGS) -o $(1).pass1 $(2) $(K)/ksyms-empty.o
	scripts/pvh-ksyms $(1).pass1 $(1).ksyms.S
	$(KCC) -c $(1).ksyms.S -o $(1).ksyms.o
	$(KLD) $(KERNEL_LDFLAGS) -o $(1) $(2) $(1).ksyms.o
	scripts/pvh-ksyms --check $(1).pass1 $(1) || { rm -f $(1); exit 1; }
	rm -f $(1).pass1
endef

$(K)/test-kernel.elf: $(PVH_OBJ) $(PVH_TEST_OBJ) $(K)/ksyms-empty.o platform/pvh/kernel.ld scripts/pvh-ksyms
	$(call pvh_link,$@,$(PVH_OBJ) $(PVH_TEST_OBJ))

# The application image: the core, the VM main and its loop (VM_APP_SRC, the
# same for every VM target), and the platform.
VM_APP_SRC := app/kmain.c app/server.c app/ktls.c
VM_APP_OBJ := $(VM_APP_SRC:%.c=$(K)/core/%.o)
$(K)/unideck.elf: $(PVH_OBJ) $(KERNEL_CORE_OBJ) $(VM_APP_OBJ) $(K)/ksyms-empty.o \
	platform/pvh/kernel.ld
	$(call pvh_link,$@,$(PVH_OBJ) $(KERNEL_CORE_OBJ) $(VM_APP_OBJ) $(KBEARSSL_LIB))
	cp $@ $(K)/unideck.debug.elf
	objcopy --strip-debug $@

# Hosted helpers and unit tests, sanitised like the other host tests.
PVH_HOST_CFLAGS := -O1 -g $(KWARN) -I. -D_GNU_SOURCE -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
PVH_UNIT_SRC := tests/pvh/test_host.c lib/cmdline.c platform/pvh/startinfo.c \
	platform/pvh/memmap.c platform/virtio/virtq.c tools/image/elfpatch.c \
	platform/hosted/panic.c

$(K)/host/test_pvh: $(PVH_UNIT_SRC) $(wildcard platform/pvh/*.h platform/kernel/*.h \
	platform/virtio/*.h tools/image/*.h) lib/cursor.h lib/mem.h
	@mkdir -p $(@D)
	$(CC) $(PVH_HOST_CFLAGS) -o $@ $(PVH_UNIT_SRC)

$(K)/host/test_mb2: tests/pvh/test_mb2.c platform/pvh/mb2.c platform/pvh/mb2.h \
	platform/pvh/startinfo.h lib/cursor.h
	@mkdir -p $(@D)
	$(CC) $(PVH_HOST_CFLAGS) -o $@ tests/pvh/test_mb2.c platform/pvh/mb2.c

$(K)/host/elfpatch: tests/pvh/elfpatch_cli.c tools/image/elfpatch.c tools/image/elfpatch.h
	@mkdir -p $(@D)
	$(CC) -O2 -g $(KWARN) -I. -D_GNU_SOURCE -o $@ tests/pvh/elfpatch_cli.c tools/image/elfpatch.c

$(K)/host/tsc-khz: tools/image/tsc_khz.c tools/image/host_tsc.h
	@mkdir -p $(@D)
	$(CC) -O2 $(KWARN) -I. -D_GNU_SOURCE -o $@ $<

kernel-core: $(KERNEL_CORE_OBJ)

# The server's handshake cost in instructions (bench/tls_hs.sh): http/tls.c
# hosted, against BearSSL's client over memory.
build/bench/tls_hs: bench/tls_hs.c http/tls.c http/tls.h
	@mkdir -p $(@D)
	$(CC) -O2 -g $(KWARN) -I. -D_GNU_SOURCE -isystem $(KBEARSSL_INC) -isystem lib/bearssl_shim \
		-c http/tls.c -o $@.tls.o
	$(CC) -O2 -g $(KWARN) -I. -D_GNU_SOURCE -isystem $(KBEARSSL_INC) -c bench/tls_hs.c -o $@.o
	$(CC) -o $@ $@.o $@.tls.o $(KBEARSSL_LIB)

# The boot tests need the kernels.
test: kernel

# The top Makefile reads every build/**/*.d itself.
ifeq ($(firstword $(MAKEFILE_LIST)),platform/pvh/kernel.mk)
-include $(shell find $(K) -name '*.d' 2>/dev/null)
endif
