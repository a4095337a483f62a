#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Marp decks at build time: detected by `marp: true`, rendered by Marp's engine,
# their metadata in the index, their problems reported with file and line.
. "$(dirname "$0")/../lib.sh"
if ! command -v node >/dev/null || [ ! -d "$ROOT/node_modules/@marp-team/marp-core" ]; then
	skip "Marp: Node.js or node_modules/@marp-team/marp-core is missing (npm ci)"
	exit 0
fi
mkdir -p "$TMP/decks/mp" "$TMP/decks/plain"
cat >"$TMP/decks/mp/deck.md" <<'MD'
---
marp: true
title: A Marp deck
author: Grace Hopper
date: 2026-02-03
venue: Somewhere
theme: gaia
style: |
  section { letter-spacing: 0; }
---

# One

<!-- a note -->

---

## Two
MD
printf -- '---\ntitle: Not Marp\nmarp: false\n---\n\n# Plain\n' >"$TMP/decks/plain/deck.md"
out=$("$UNIDECK" build "$TMP/decks" -o "$TMP/s.store" --no-pdf 2>&1)
expect_match "a Marp deck builds (multi-line style: included)" '^wrote ' "$out"
expect_match "with its slides counted" 'mp +2 slides' "$out"
"$UNIDECK" export "$TMP/s.store" "$TMP/www" >/dev/null
page=$(cat "$TMP/www/mp/index.html")
expect_match "its page holds Marp's slides" 'data-marpit-svg' "$page"
expect_match "Marp's comments become speaker notes" '<aside class="notes"><p>a note</p></aside>' "$page"
if grep -q 'data-marpit-svg' "$TMP/www/plain/index.html"; then notok "marp: false is a plain deck"; else ok "marp: false is a plain deck"; fi
css=$(cat "$TMP/www/_marp/decks/mp.css")
expect_match "Marp's CSS is served with the deck" 'div\.marpit' "$css"
if printf '%s' "$css" | grep -q '@import.*//'; then notok "gaia's web-font import is removed"; else ok "gaia's web-font import is removed"; fi
expect_match "the index shows its title and author" 'A Marp deck.*|Grace Hopper' "$(cat "$TMP/www/index.html")"

mkdir -p "$TMP/bad/theme" "$TMP/bad2/yaml" "$TMP/bad3/img"
printf -- '---\nmarp: true\ntitle: T\ntheme: neon\n---\n\n# x\n' >"$TMP/bad/theme/deck.md"
out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/b.store" --no-pdf 2>&1)
expect_match "an unknown Marp theme is a warning with file and line" "theme/deck.md:4: warning: unknown Marp theme 'neon'" "$out"
printf -- '---\nmarp: true\ntitle: [unclosed\n---\n\n# x\n' >"$TMP/bad2/yaml/deck.md"
out=$("$UNIDECK" build "$TMP/bad2" -o "$TMP/b2.store" --no-pdf 2>&1)
expect_match "broken front matter fails with file and line" 'yaml/deck.md:[34]: error: ' "$out"
printf -- '---\nmarp: true\n---\n\n# x\n\n![bg](missing.png)\n' >"$TMP/bad3/img/deck.md"
out=$("$UNIDECK" build "$TMP/bad3" -o "$TMP/b3.store" --no-pdf 2>&1)
expect_match "a missing background image fails with file and line" "img/deck.md:7: error: 'missing.png' does not exist" "$out"
finish
