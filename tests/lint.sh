#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Static analysis: cppcheck and clang-tidy (checks and the reasons for those left
# out are in .clang-tidy) over every C file of the project, tests included for
# cppcheck. Suppressions, where a finding is wrong, sit inline with a reason.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
if command -v cppcheck >/dev/null; then
	if cppcheck --quiet --enable=warning,portability --std=c11 -I. --inline-suppr \
		--error-exitcode=1 lib http store app net platform tools tests/unit fuzz \
		>"$TMP/cppcheck.log" 2>&1; then
		ok "cppcheck: no findings"
	else
		notok "cppcheck: findings"
		head -40 "$TMP/cppcheck.log" | sed 's/^/#   /'
	fi
else
	skip "cppcheck is not installed"
fi
if command -v clang-tidy >/dev/null; then
	flags="-std=c11 -I. -D_GNU_SOURCE -DUD_VERSION=\\\"lint\\\" $(pkg-config --cflags md4c libdeflate libbrotlienc 2>/dev/null)"
	ls lib/*.c http/*.c store/*.c app/*.c net/*.c platform/hosted/*.c platform/sim/*.c \
		tools/*/*.c | grep -v '^app/kmain.c$' |
		xargs -P "$(nproc)" -n 6 sh -c 'clang-tidy --quiet "$@" -- '"$flags" _ \
		>"$TMP/tidy.log" 2>&1
	n=$(grep -cE '(warning|error): ' "$TMP/tidy.log")
	if [ "$n" = 0 ]; then
		ok "clang-tidy: no findings"
	else
		notok "clang-tidy: $n findings"
		grep -E '(warning|error): ' "$TMP/tidy.log" | sort -u | head -40 | sed 's/^/#   /'
	fi
else
	skip "clang-tidy is not installed"
fi
