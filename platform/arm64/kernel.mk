# SPDX-License-Identifier: MIT
# The arm64 VM target (platform/arm64) for QEMU's virt: its kernel objects, the
# test kernel and the application image, built with Debian's cross compiler
# (gcc-aarch64-linux-gnu, scripts/deps.sh).
#
#   make kernel-arm64                  build/arm64/test-kernel.elf
#   make build/arm64/unideck.elf       the image without a store
# A64CC picks the compiler; without one the arm64 targets say so and stop.

A64CC ?= aarch64-linux-gnu-gcc
A64LD ?= aarch64-linux-gnu-ld
A64NM ?= aarch64-linux-gnu-nm
A64OBJCOPY ?= aarch64-linux-gnu-objcopy
A := build/arm64
A64_HAVE := $(shell command -v $(A64CC) 2>/dev/null)

.PHONY: kernel-arm64
ifneq ($(A64_HAVE),)
A64_INC := $(shell $(A64CC) -print-file-name=include)
A64_LIBGCC := $(shell $(A64CC) -print-libgcc-file-name)
A64WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual \
	-Wsign-compare -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes
# Freestanding, identity-mapped at 0x40200000 (small code model, no PIC); frame
# records for backtraces; the stack protector's guard is a global (libc.c).
A64_CFLAGS := -O2 -g $(A64WARN) -I. -ffreestanding -nostdinc -isystem $(A64_INC) \
	-fno-pic -fno-pie -mcmodel=small -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-fstack-protector-strong -mstack-protector-guard=global -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fno-common -mbranch-protection=none
# The platform never touches FP/SIMD (interrupts need not save it) and runs in
# part before the MMU, when every access must be aligned.
A64_PLAT_CFLAGS := $(A64_CFLAGS) -mgeneral-regs-only -mstrict-align
A64_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --build-id=none \
	-T platform/arm64/kernel.ld

# The arm64 target's source list: its folder, the shared kernel code and the
# virtio drivers (the same files as x86_64's).
ARM64_SRC := platform/arm64/boot.c platform/arm64/fdt.c platform/arm64/gic.c \
	platform/arm64/libc.c platform/arm64/mmu.c platform/arm64/pcie.c \
	platform/arm64/power.c platform/arm64/timer.c platform/arm64/trap.c \
	platform/arm64/uart.c platform/arm64/vplat.c $(VMK_SRC) $(VIRTIO_SRC)
ARM64_OBJ := $(ARM64_SRC:%.c=$(A)/%.o) $(A)/platform/arm64/entry.o
# The test kernel takes the core files the platform needs (SHA-256 for
# plat_random, the state disk's format for plat_state_*); the image has them
# from the core.
ARM64_TEST_OBJ := $(A)/tests/pvh/test_arm64.o $(A)/tests/pvh/test_state.o \
	$(A)/core/lib/sha256.o $(A)/core/lib/sdisk.o
A64_CORE_OBJ := $(CORE_SRC:%.c=$(A)/core/%.o) $(TLS_SRC:%.c=$(A)/core/%.o) \
	$(VM_APP_SRC:%.c=$(A)/core/%.o)

$(A)/platform/%.o: platform/%.c
	@mkdir -p $(@D)
	$(A64CC) $(A64_PLAT_CFLAGS) -MMD -MP -c $< -o $@
$(A)/platform/arm64/libc.o: platform/arm64/libc.c
	@mkdir -p $(@D)
	$(A64CC) $(A64_PLAT_CFLAGS) -fno-tree-loop-distribute-patterns -MMD -MP -c $< -o $@
$(A)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(A64CC) $(A64_PLAT_CFLAGS) -MMD -MP -c $< -o $@
$(A)/platform/arm64/entry.o: platform/arm64/entry.S
	@mkdir -p $(@D)
	$(A64CC) -I. -MMD -MP -c $< -o $@
$(A)/tests/pvh/%.o: tests/pvh/%.c
	@mkdir -p $(@D)
	$(A64CC) $(A64_PLAT_CFLAGS) -MMD -MP -c $< -o $@
$(A)/core/%.o: %.c
	@mkdir -p $(@D)
	$(A64CC) $(A64_CFLAGS) $(A64EXTRA) -MMD -MP -c $< -o $@
# BearSSL from Debian's arm64 package (multiarch: libbearssl-dev:arm64,
# scripts/deps.sh): PIC like x86_64's (kernel.ld keeps its GOT read-only),
# _FORTIFY_SOURCE (libc.c has the __*_chk) and a global stack guard.
A64_BEARSSL_LIB := /usr/lib/aarch64-linux-gnu/libbearssl.a
$(A)/core/http/tls.o $(A)/core/app/ktls.o: A64EXTRA := -isystem /usr/include/bearssl \
	-isystem lib/bearssl_shim
$(A)/ksyms-empty.o: $(K)/ksyms-empty.S
	@mkdir -p $(@D)
	$(A64CC) -c $< -o $@

# The same two-pass link as x86_64's (platform/pvh/kernel.mk).
define a64_link
	$(A64LD) $(A64_LDFLAGS) -o $(1).pass1 $(2) $(A)/ksyms-empty.o $(A64_LIBGCC)
	NM=$(A64NM) scripts/pvh-ksyms $(1).pass1 $(1).ksyms.S
	$(A64CC) -c $(1).ksyms.S -o $(1).ksyms.o
	$(A64LD) $(A64_LDFLAGS) -o $(1) $(2) $(1).ksyms.o $(A64_LIBGCC)
	NM=$(A64NM) scripts/pvh-ksyms --check $(1).pass1 $(1) || { rm -f $(1); exit 1; }
	rm -f $(1).pass1
endef

$(A)/test-kernel.elf: $(ARM64_OBJ) $(ARM64_TEST_OBJ) $(A)/ksyms-empty.o platform/arm64/kernel.ld \
	scripts/pvh-ksyms
	$(call a64_link,$@,$(ARM64_OBJ) $(ARM64_TEST_OBJ))

$(A)/unideck.elf: $(ARM64_OBJ) $(A64_CORE_OBJ) $(A)/ksyms-empty.o platform/arm64/kernel.ld
	$(call a64_link,$@,$(ARM64_OBJ) $(A64_CORE_OBJ) $(A64_BEARSSL_LIB))
	cp $@ $(A)/unideck.debug.elf
	$(A64OBJCOPY) --strip-debug $@

kernel-arm64: $(A)/unideck.elf $(A)/test-kernel.elf
else
kernel-arm64:
	@echo "kernel-arm64: $(A64CC) not found (apt-get install gcc-aarch64-linux-gnu)"
endif
