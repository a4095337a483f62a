#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A mirage-decks-shaped tree (tests/integration/mirage-fixture.sh) imported,
# built with PDFs, served by unideck and compared in Chromium with the same
# pages on a plain static server laid out as the archive's server laid them
# out (assets/ at the root, each deck under /NAME/).
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "mirage-decks browser test: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if [ ! -d "$ROOT/node_modules/reveal.js-2" ] || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "mirage-decks browser test: node_modules is not installed (npm ci)"
	exit 0
fi
bash "$ROOT/tests/integration/mirage-fixture.sh" "$ROOT" "$TMP/m"
check "the archive imports" "$UNIDECK" import mirage-decks "$TMP/m" -o "$TMP/decks"
"$UNIDECK" build "$TMP/decks" -o "$TMP/s.store" --quiet --no-pdf >/dev/null 2>&1
if ! "$UNIDECK" inspect "$TMP/s.store" 2>/dev/null | grep -q '^/css/site.css '; then
	skip "mirage-decks served: this build does not serve decks/_site/ at / (the compiler's _site support is not in this tree)"
	finish
	exit 0
fi
check "and builds with PDFs" "$UNIDECK" build "$TMP/decks" -o "$TMP/s.store" --quiet
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/s.store" "$TMP/www" >/dev/null
for s in old240:4 new262:6 themed262:2; do
	pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/${s%%:*}/${s%%:*}.pdf" 2>/dev/null)
	expect_eq "${s%%:*}: its PDF, through reveal.js 2's print sheet, has one page per slide" "${s##*:}" "$pages"
done
index=$(cat "$TMP/www/index.html")
expect_match "the index shows the real dates" '2013' "$index"
expect_match "speakers" 'Ada Lovelace, Bob' "$index"
expect_match "and venues" 'OSCON 2013' "$index"
# The plain static server: the archive's layout, the pages as imported.
mkdir -p "$TMP/plain"
cp -r "$TMP/m/assets/." "$TMP/plain/"
for s in old240 new262 themed262 2014ccc; do cp -r "$TMP/decks/$s" "$TMP/plain/$s"; done
python3 -m http.server 0 --bind 127.0.0.1 --directory "$TMP/plain" >"$TMP/plain.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do
	pport=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$TMP/plain.log" | head -n 1)
	[ -n "$pport" ] && break
	sleep 0.1
done
start_server "$TMP/s.store" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/mirage.mjs" "http://127.0.0.1:$PORT" "http://127.0.0.1:$pport" "$ROOT/build/screenshots" \
	old240:4 new262:6 themed262:2 2014ccc:2
rc=$?
stop_server
finish && exit $rc
