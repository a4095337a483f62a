#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Replay every saved crash (fuzz/regressions/<target>/), then fuzz each target
# for FUZZ_SECONDS (default 6) from its seed corpus, two targets at a time.
# A crash fails the run and its input is kept under build/fuzz/crashes/.
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-6}
if ! command -v clang >/dev/null; then
	echo "skip - fuzzing: clang is not installed"
	exit 0
fi
if ! make -s fuzz-build >build/fuzz-build.log 2>&1; then
	echo "not ok - the fuzz targets build (build/fuzz-build.log)"
	tail -20 build/fuzz-build.log
	exit 1
fi
mkdir -p build/fuzz/crashes
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

one() {
	t=$1
	bin=build/fuzz/bin/$t
	if [ -d "fuzz/regressions/$t" ] && [ -n "$(ls -A "fuzz/regressions/$t")" ]; then
		if "$bin" -runs=0 fuzz/regressions/"$t"/* >"build/fuzz/$t.replay.log" 2>&1; then
			echo "ok - $t: every saved crash input now passes"
		else
			echo "not ok - $t: a saved crash input fails again (build/fuzz/$t.replay.log)"
		fi
	fi
	work=build/fuzz/corpus/$t
	mkdir -p "$work"
	[ -d "fuzz/corpus/$t" ] && cp -n fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
	if "$bin" "$work" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="build/fuzz/crashes/$t-" >"build/fuzz/$t.log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "build/fuzz/$t.log" | grep -o '[0-9]*$')
		[ -z "$execs" ] && execs=$(grep -Eo '#[0-9]+' "build/fuzz/$t.log" | tail -1 | tr -d '#')
		echo "ok - $t: no crash in ${secs}s (${execs:-?} inputs)"
	else
		echo "not ok - $t: crashed (build/fuzz/$t.log; input in build/fuzz/crashes/)"
		grep -m1 -A3 'ERROR\|runtime error' "build/fuzz/$t.log" | sed 's/^/#   /'
	fi
}
export -f one
export secs
ls fuzz/*.c | xargs -n1 basename | sed 's/\.c$//' | xargs -P 2 -I{} bash -c 'one {}'
