# SPDX-License-Identifier: MIT
# libFuzzer targets: one per fuzz/*.c, each linked against all of unideck's host
# and freestanding objects built with coverage instrumentation (build/fuzz).
#
#   make fuzz                 run every target for FUZZ_SECONDS (default 300)
#   make fuzz-build           build them only
#   tests/fuzz/run.sh         what make test runs: replay fuzz/regressions, then a
#                             bounded run of each target (FUZZ_SECONDS, default 10)
#
# Corpora live in fuzz/corpus/<target>/ (seeds, kept in git); a crash found is
# written to build/fuzz/crashes/ and belongs in fuzz/regressions/<target>/.

FUZZ_SRC := $(wildcard fuzz/*.c)
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=build/fuzz/bin/%)
FUZZ_OBJ_DIR := build/fuzz/objs
FUZZ_SEAM := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

.PHONY: fuzz fuzz-build

# The instrumented objects come from a sub-make of the ordinary rules, with
# clang and the fuzzer's coverage flags, into their own folder.
ifneq ($(B),$(FUZZ_OBJ_DIR))
$(FUZZ_OBJ_DIR)/san/libud.a $(FUZZ_OBJ_DIR)/san/tests/unit/http_fake.o: FORCE_FUZZ_OBJS
	@$(MAKE) --no-print-directory CC=clang B=$(FUZZ_OBJ_DIR) \
		SAN_FLAGS="$(FUZZ_SEAM) -fno-omit-frame-pointer" \
		$(FUZZ_OBJ_DIR)/san/libud.a $(FUZZ_OBJ_DIR)/san/tests/unit/http_fake.o
endif
.PHONY: FORCE_FUZZ_OBJS

build/fuzz/bin/%: fuzz/%.c $(wildcard fuzz/*.h) $(FUZZ_OBJ_DIR)/san/libud.a $(FUZZ_OBJ_DIR)/san/tests/unit/http_fake.o
	@mkdir -p $(@D)
	clang $(BASE_CFLAGS) $(HOST_CFLAGS) $(PKG_CFLAGS) -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $< $(FUZZ_OBJ_DIR)/san/tests/unit/http_fake.o \
		$(FUZZ_OBJ_DIR)/san/libud.a $(PKG_LIBS)

# The virtqueue target compiles the platform's virtq.c into itself.
build/fuzz/bin/virtq: platform/virtio/virtq.c platform/virtio/virtq.h

# The device tree target compiles the arm64 platform's fdt.c into itself.
build/fuzz/bin/fdt: platform/arm64/fdt.c platform/arm64/fdt.h
build/fuzz/bin/mb2: platform/pvh/mb2.c platform/pvh/mb2.h platform/pvh/startinfo.h

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} tests/fuzz/run.sh
