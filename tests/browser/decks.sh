#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The default decks in headless Chromium, served by `unideck serve` from a built
# store (release binary: ASan would only slow the browser's requests down).
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "browser tests: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "browser tests: playwright-core is not installed (npm ci)"
	exit 0
fi
check "build the default decks" "$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.store" --quiet
start_server "$TMP/decks.store" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/decks.mjs" "http://127.0.0.1:$PORT" "$ROOT/build/screenshots"
rc=$?
stop_server
exit $rc
