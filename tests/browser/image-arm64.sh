#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The decks browser test (decks.mjs) against the arm64 image: the default decks
# with their PDF handouts built with --arch arm64, booted by `unideck run`
# (qemu-system-aarch64 -M virt under TCG, from the ELF header), and loaded by
# headless Chromium through the port forward: the index, its PDF links, slide
# counts, a slide turned, speaker notes, the features deck, nothing leaving
# the server. (Live follow against the image is image.sh's, on x86_64.)
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "arm64 image browser test: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if ! command -v qemu-system-aarch64 >/dev/null || [ ! -f "$ROOT/build/arm64/unideck.elf" ]; then
	skip "arm64 image browser test: qemu-system-aarch64 or build/arm64/unideck.elf missing"
	exit 0
fi
check "build the default decks into an arm64 image, with PDFs" \
	"$UNIDECK" build "$ROOT/decks" -o "$TMP/decks-arm64.elf" --arch arm64 --quiet
if ! boot_image "$TMP/run.log" "$TMP/decks-arm64.elf" --mem 64M; then
	notok "the arm64 image boots and serves"
	exit 1
fi
ok "the arm64 image boots and serves ($(grep -c '^arm64: net:' "$TMP/run.log") NIC)"
mkdir -p "$ROOT/build/screenshots/image-arm64"
node "$ROOT/tests/browser/decks.mjs" "http://127.0.0.1:$PORT" \
	"$ROOT/build/screenshots/image-arm64" | sed 's/^\(not \)\{0,1\}ok - /&arm64 image: /'
kill -INT "$RUN"
wait "$RUN"
expect_eq "Ctrl-C stops the arm64 VM and unideck run exits 0" 0 "$?"
exit 0
