#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decks that bring their own reveal.js (2.6.2, 3, 4, 5 from the npm aliases):
# built with PDFs (through each version's own print view: one page per slide),
# then previewed and driven in headless Chromium (tests/browser/ownreveal.mjs).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ownreveal-lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "own reveal.js tests: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
for v in 2 3 4 5; do
	if [ ! -d "$ROOT/node_modules/reveal.js-$v" ]; then
		skip "own reveal.js tests: node_modules/reveal.js-$v is not installed (npm ci)"
		exit 0
	fi
done
bash "$ROOT/tests/browser/ownreveal-fixtures.sh" "$ROOT" "$TMP/decks"
own_build "decks with their own reveal.js 2, 3, 4, 5 build with PDFs" "$TMP/decks"
for v in 2 3 4 5; do
	own_served "reveal.js $v" "$TMP/decks/reveal$v" "reveal$v"
	expect_eq "reveal.js $v: its PDF has one page per slide" 5 "$(own_pdf_pages "reveal$v")"
done
# 2.x prints through its own css/print/pdf.css: letter, landscape (792x612 pt).
expect_match "reveal.js 2: the PDF comes through its own print sheet (letter landscape)" \
	'MediaBox *\[ *0 0 792 612' "$(python3 -c 'import sys; print(open(sys.argv[1],"rb").read().decode("latin1"))' "$TMP/www/reveal2/reveal2.pdf" | grep -a MediaBox | head -1)"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') # 128 bits, as the server requires
start_server "$TMP/decks" --token "$token" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/ownreveal.mjs" "http://127.0.0.1:$PORT" "$token" "$TMP/decks" "$ROOT/build/screenshots"
rc=$?
stop_server
finish && exit $rc
