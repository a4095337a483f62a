#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The browser tests again, against the booted unikernel: the default decks
# (with their PDF handouts) built into an image, booted by `unideck run` under
# QEMU, and loaded by headless Chromium through the port forward: the decks
# test (decks.mjs) and the presenter features (follow.mjs, whose server restart
# is a reboot of the VM).
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "image browser tests: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if ! command -v qemu-system-x86_64 >/dev/null || [ ! -f "$ROOT/build/kernel/unideck.elf" ]; then
	skip "image browser tests: QEMU or build/kernel/unideck.elf missing"
	exit 0
fi
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') # 128 bits, as the build requires
check "build the default decks into an image, with PDFs and a built-in token" \
	"$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.elf" --quiet --token "$token"
"$UNIDECK" export "$TMP/decks.elf" "$TMP/export" >/dev/null 2>&1
if [ ! -d "$TMP/export" ]; then
	notok "the image's store exports"
elif grep -rq "$token" "$TMP/export"; then
	notok "the built-in token is not in the store"
else
	ok "the built-in token is not in the store (only in the kernel's arguments)"
fi
if ! boot_image "$TMP/run.log" "$TMP/decks.elf"; then
	notok "the image boots and serves"
	exit 1
fi
mkdir -p "$ROOT/build/screenshots/image"
node "$ROOT/tests/browser/decks.mjs" "http://127.0.0.1:$PORT" "$ROOT/build/screenshots/image" |
	sed 's/^\(not \)\{0,1\}ok - /&image: /'
kill -INT "$RUN"
wait "$RUN"
node "$ROOT/tests/browser/follow.mjs" "$UNIDECK" "$TMP/decks.elf" "$token" \
	"$ROOT/build/screenshots/image" | sed 's/^\(not \)\{0,1\}ok - /&image: /'
exit 0
