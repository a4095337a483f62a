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

PKGS := md4c libdeflate libbrotlienc libbrotlidec yaml-0.1
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# BearSSL (Debian's libbearssl-dev has no .pc file): the static archive, which
# the image links too. http/tls.c sees its headers and nothing else of /usr/include.
BEARSSL_INC := /usr/include/bearssl
BEARSSL_LIB := /usr/lib/$(shell $(CC) -print-multiarch 2>/dev/null)/libbearssl.a
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(BEARSSL_LIB)
TLS_CFLAGS := -isystem $(BEARSSL_INC) -isystem lib/bearssl_shim

# Per-target source lists (what each binary is made of; a new file is added here
# by name, never picked up by a wildcard). The layers above platform/ are one
# list, compiled freestanding for every target; app/kmain.c and app/server.c are
# the VM images' main and loop (platform/*/kernel.mk links them).
LIB_SRC := lib/hex.c lib/html.c lib/httpdate.c lib/ipv4addr.c lib/sdisk.c lib/sha256.c
HTTP_SRC := http/client.c http/http_conn.c http/http_hdr.c http/http_parse.c http/http_resp.c \
	http/http_static.c
STORE_SRC := store/store.c
APP_SRC := app/app.c app/follow.c app/netsrv.c app/relay.c app/relaynet.c
NET_SRC := net/arp.c net/cksum.c net/dhcp.c net/dns.c net/eth.c net/gso.c net/hash.c net/icmp.c \
	net/frag6.c net/icmp6.c net/ip6text.c net/ipv4.c net/ipv6.c net/nd6.c net/stack.c \
	net/stats.c net/tcp.c net/tcp_in.c net/tcp_opt.c net/tcp_out.c net/tcp_pool.c \
	net/tcp_sec.c net/tcp_timer.c net/udp.c
CORE_SRC := $(LIB_SRC) $(HTTP_SRC) $(STORE_SRC) $(APP_SRC) $(NET_SRC)
# The ACME client core (acme/): freestanding like the core, over BearSSL's
# headers (lib/mem.h for their <string.h>). Host builds only until the image
# links libbearssl.a; then it joins the image's lists with TLS_SRC.
ACME_SRC := acme/abuf.c acme/acme.c acme/csr.c acme/json.c acme/jws.c acme/pem.c \
	acme/state.c
ACME_CFLAGS := -isystem $(BEARSSL_INC) -isystem lib/bearssl_shim
# TLS (issue 17): freestanding too, but it needs BearSSL's headers and archive,
# so it is its own list; the hosted target links it, the images add it when they
# link libbearssl.a.
TLS_SRC := http/tls.c app/tls_redirect.c
# The hosted target (Linux) and the simulation, linked into the unideck command
# and the unit tests.
HOSTED_SRC := platform/hosted/hsock.c platform/hosted/pcapw.c platform/hosted/tap.c \
	platform/hosted/panic.c platform/hosted/clock.c platform/hosted/plat.c \
	platform/sim/simlink.c
# The one server loop (app/server.c, freestanding like the core) for the
# hosted drivers too: the TAP server and `unideck get` (tools/cli/tapnet.c).
HOSTED_APP_SRC := app/server.c
# The simulation's platform.h (two machines on one link), linked only into the
# simulation: it defines the plat_* functions the hosted target defines.
SIM_PLAT_SRC := platform/sim/simplat.c
# The unideck command by subsystem: tools/cli (the command line), tools/deck (the deck
# compiler), tools/store (the store writer), tools/image (ELF, disk and OCI images),
# tools/util (byte strings, text, build diagnostics shared by all four).
TOOLS_SRC := tools/cli/cli.c tools/cli/cmd_build.c tools/cli/cmd_export.c tools/cli/cmd_get.c \
	tools/cli/cmd_import.c tools/cli/cmd_import_frames.c tools/cli/cmd_import_ml.c tools/cli/cmd_new.c tools/cli/cmd_run.c \
	tools/cli/acme_host.c tools/cli/cmd_serve.c tools/cli/inspect.c tools/cli/relayks.c tools/cli/tapnet.c tools/cli/watch.c \
	tools/deck/deck.c tools/deck/deck_html.c tools/deck/deck_index.c tools/deck/deck_md.c \
	tools/deck/deck_refs.c tools/deck/deck_sep.c tools/deck/frontmatter.c tools/deck/htmlscan.c \
	tools/deck/marp.c tools/deck/math.c tools/deck/mdrender.c tools/deck/mermaid.c \
	tools/deck/node.c tools/deck/pdf.c \
	tools/store/bset.c tools/store/build.c tools/store/mime.c tools/store/storew.c \
	tools/image/disk.c tools/image/elfpatch.c tools/image/oci.c \
	tools/util/diag.c tools/util/sbuf.c tools/util/text.c tools/util/tls_files.c
UNIT_SRC := $(wildcard tests/unit/test_*.c)
# The simulations' shared harness, linked only into test_sim and test_sim6.
SIM_HARNESS_SRC := tests/unit/sim_harness.c
UNIT_LIB_SRC := $(filter-out $(UNIT_SRC) $(SIM_HARNESS_SRC),$(wildcard tests/unit/*.c))

# Two flavours of every host object: release (build/rel) and sanitised (build/san).
define flavour
$(1)_CORE_OBJ := $$(CORE_SRC:%.c=$(B)/$(1)/%.o) $$(TLS_SRC:%.c=$(B)/$(1)/%.o) \
	$$(ACME_SRC:%.c=$(B)/$(1)/%.o)
$(1)_HOST_OBJ := $$(HOSTED_SRC:%.c=$(B)/$(1)/%.o) $$(TOOLS_SRC:%.c=$(B)/$(1)/%.o) \
	$$(HOSTED_APP_SRC:%.c=$(B)/$(1)/%.o)
$(1)_SIM_OBJ := $$(SIM_PLAT_SRC:%.c=$(B)/$(1)/%.o)
$(1)_SIM_HARNESS := $$(SIM_HARNESS_SRC:%.c=$(B)/$(1)/%.o)
$(1)_UNIT_LIB := $$(UNIT_LIB_SRC:%.c=$(B)/$(1)/%.o)
$(1)_UNIT_BIN := $$(UNIT_SRC:tests/unit/%.c=$(B)/$(1)/tests/%)

$(B)/$(1)/lib/%.o $(B)/$(1)/http/%.o $(B)/$(1)/store/%.o $(B)/$(1)/app/%.o \
$(B)/$(1)/net/%.o: EXTRA := $$(CORE_CFLAGS)
$(B)/$(1)/http/tls.o: EXTRA := $$(CORE_CFLAGS) $$(TLS_CFLAGS)
$(B)/$(1)/acme/%.o: EXTRA := $$(CORE_CFLAGS) $$(ACME_CFLAGS)

$(B)/$(1)/%.o: %.c
	@mkdir -p $$(@D)
	$$(CC) $$(BASE_CFLAGS) $$($(1)_FLAGS) $$(EXTRA) $$(if $$(EXTRA),,$$(HOST_CFLAGS) $$(PKG_CFLAGS)) -MMD -MP -c $$< -o $$@

$(B)/$(1)/unideck: $(B)/$(1)/tools/cli/main.o $$($(1)_HOST_OBJ) $$($(1)_CORE_OBJ)
	$$(CC) $$($(1)_FLAGS) -o $$@ $$^ $$(PKG_LIBS)

# Unit tests link against an archive, so each pulls in only the modules it uses.
$(B)/$(1)/libud.a: $$($(1)_HOST_OBJ) $$($(1)_CORE_OBJ)
	rm -f $$@
	ar rcs $$@ $$^

$(B)/$(1)/tests/%: $(B)/$(1)/tests/unit/%.o $$($(1)_UNIT_LIB) $(B)/$(1)/libud.a
	@mkdir -p $$(@D)
	$$(CC) $$($(1)_FLAGS) -o $$@ $$^ $$(PKG_LIBS)

# The simulation links its own platform ahead of the archive, so no hosted
# plat_* member is pulled in beside it.
$(B)/$(1)/tests/test_sim: $(B)/$(1)/tests/unit/test_sim.o $$($(1)_SIM_HARNESS) $$($(1)_SIM_OBJ) \
	$$($(1)_UNIT_LIB) $(B)/$(1)/libud.a
	@mkdir -p $$(@D)
	$$(CC) $$($(1)_FLAGS) -o $$@ $$^ $$(PKG_LIBS)
$(B)/$(1)/tests/test_sim6: $(B)/$(1)/tests/unit/test_sim6.o $$($(1)_SIM_HARNESS) $$($(1)_UNIT_LIB) \
	$(B)/$(1)/libud.a
	@mkdir -p $$(@D)
	$$(CC) $$($(1)_FLAGS) -o $$@ $$^ $$(PKG_LIBS)
endef

rel_FLAGS :=
san_FLAGS := $(SAN_FLAGS)
$(eval $(call flavour,rel))
$(eval $(call flavour,san))

.PHONY: all deps run test unit clang check-format format clean bench soak fuzz
.SECONDARY:

all: build/unideck build/kernel/unideck.elf kernel-arm64

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
	python3 bench/relay.py
	python3 bench/tls.py

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
include platform/arm64/kernel.mk

-include $(shell find build -name '*.d' 2>/dev/null)
include fuzz/fuzz.mk
