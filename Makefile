# SPDX-License-Identifier: MIT
# unideck: plain GNU make. `make` builds build/unideck; see README for the rest.

.DEFAULT_GOAL := all

CC ?= cc
ifeq ($(origin CC),default)
CC := gcc
endif
O ?= -O2
VERSION := $(shell cat VERSION)

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wcast-qual \
	-Wsign-compare -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes
BASE_CFLAGS := $(O) -g $(WARN) -I. -DUD_VERSION='"$(VERSION)"' -fno-strict-aliasing
# Layers above platform/ see only the compiler's own headers (stddef, stdint,
# stdbool, stdarg, limits): no libc, so no libc I/O can creep in.
CC_INC := $(shell $(CC) -print-file-name=include)
# Where host objects go: build/ for the default compiler; `make clang` uses build/clang.
B ?= build
CORE_CFLAGS := -ffreestanding -fbuiltin -nostdinc -isystem $(CC_INC)
HOST_CFLAGS := -D_GNU_SOURCE
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

PKGS := md4c libdeflate libbrotlienc libbrotlidec
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# BearSSL (Debian's libbearssl-dev has no .pc file): the static archive, which
# the image links too. http/tls.c sees its headers and nothing else of /usr/include.
BEARSSL_INC := /usr/include/bearssl
BEARSSL_LIB := /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/libbearssl.a
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(BEARSSL_LIB)
TLS_CFLAGS := -isystem $(BEARSSL_INC) -isystem http/tls_shim

# app/kmain.c is the VM image's main (platform/pvh/kernel.mk links it there only).
CORE_SRC := $(filter-out app/kmain.c,$(wildcard lib/*.c http/*.c store/*.c app/*.c net/*.c))
# The image patcher is hosted code that lives with the VM platform it serves.
HOSTED_SRC := $(wildcard platform/hosted/*.c platform/sim/*.c) platform/pvh/elfpatch.c
TOOLS_SRC := $(filter-out tools/main.c,$(wildcard tools/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_LIB_SRC := $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))

# Two flavours of every host object: release (build/rel) and sanitised (build/san).
define flavour
$(1)_CORE_OBJ := $$(CORE_SRC:%.c=$(B)/$(1)/%.o)
$(1)_HOST_OBJ := $$(HOSTED_SRC:%.c=$(B)/$(1)/%.o) $$(TOOLS_SRC:%.c=$(B)/$(1)/%.o)
$(1)_UNIT_LIB := $$(UNIT_LIB_SRC:%.c=$(B)/$(1)/%.o)
$(1)_UNIT_BIN := $$(UNIT_SRC:tests/unit/%.c=$(B)/$(1)/tests/%)

$(B)/$(1)/lib/%.o $(B)/$(1)/http/%.o $(B)/$(1)/store/%.o $(B)/$(1)/app/%.o \
$(B)/$(1)/net/%.o: EXTRA := $$(CORE_CFLAGS)
$(B)/$(1)/http/tls.o: EXTRA := $$(CORE_CFLAGS) $$(TLS_CFLAGS)

$(B)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) $$(BASE_CFLAGS) $$($(1)_FLAGS) $$(EXTRA) $$(if $$(EXTRA),,$$(HOST_CFLAGS) $$(PKG_CFLAGS)) -MMD -MP -c $$< -o $$@

$(B)/$(1)/unideck: $(B)/$(1)/tools/main.o $$($(1)_HOST_OBJ) $$($(1)_CORE_OBJ)
	$$(CC) $$($(1)_FLAGS) -o $$@ $$^ $$(PKG_LIBS)

# Unit tests link against an archive, so each pulls in only the modules it uses.
$(B)/$(1)/libud.a: $$($(1)_HOST_OBJ) $$($(1)_CORE_OBJ)
	rm -f $$@
	ar rcs $$@ $$^

$(B)/$(1)/tests/%: $(B)/$(1)/tests/unit/%.o $$($(1)_UNIT_LIB) $(B)/$(1)/libud.a
	@mkdir -p $$(@D)
	$$(CC) $$($(1)_FLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef

rel_FLAGS :=
san_FLAGS := $(SAN_FLAGS)
$(eval $(call flavour,rel))
$(eval $(call flavour,san))

.PHONY: all deps run test unit clang check-format format clean bench soak fuzz
.SECONDARY:

all: build/unideck build/kernel/unideck.elf

build/unideck: $(B)/rel/unideck
	cp $< $@

# The same code built and unit-tested by clang (every compiler CI builds with).
clang:
	$(MAKE) CC=clang B=build/clang build/clang/rel/unideck build/clang/san/unideck unit

deps:
	@scripts/deps.sh

# The default decks as a bootable image, booted under QEMU (KVM when it works).
run: deps all
	build/unideck build decks/ -o build/decks.elf
	build/unideck run build/decks.elf

unit: $(rel_UNIT_BIN) $(san_UNIT_BIN)

# Everything a test needs, then the runner (tests/run) runs them in parallel.
test: deps
	$(MAKE) all build/san/unideck unit
	$(MAKE) clang
	tests/run

# Benchmarks against nginx and the other peers, all in one run: bench/RESULTS.md.
bench:
	@scripts/deps.sh bench
	$(MAKE) all
	python3 bench/bench.py

# Mixed load with faults for SOAK_SECONDS (default 600): memory, connections, errors.
soak: deps
	$(MAKE) all build/san/unideck
	scripts/soak.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

check-format:
	@clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build

include platform/pvh/kernel.mk

-include $(shell find build -name '*.d' 2>/dev/null)
include fuzz/fuzz.mk
