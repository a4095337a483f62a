#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Presenter features in headless Chromium: live follow, forged and replayed
# updates, detaching, the speaker view, a seeking video.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "follow tests: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') # 128 bits, as the server requires
check "build the default decks" "$UNIDECK" build "$ROOT/decks" -o "$TMP/decks.store" --quiet
if grep -q "$token" "$TMP/decks.store"; then notok "the token is not in the store"; else ok "the token is not in the store"; fi
start_server "$TMP/decks.store" --token "$token" || exit 1
expect_match "the server prints where to present" "/DECK/#present=$token" "$(cat "$TMP/server.log")"
stop_server
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/follow.mjs" "$UNIDECK" "$TMP/decks.store" "$token" "$ROOT/build/screenshots"
rc=$?
finish && exit $rc
