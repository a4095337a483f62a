#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Math rendered at build time (KaTeX), in headless Chromium: the formulas are
# laid out by KaTeX's stylesheet and fonts from the store, with no script of
# KaTeX's and nothing loaded from outside the server; the PDF prints them.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "math browser test: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if ! command -v node >/dev/null || [ ! -d "$ROOT/node_modules/katex" ]; then
	skip "math browser test: Node.js or node_modules/katex is missing (npm ci)"
	exit 0
fi
mkdir -p "$TMP/decks/math"
cat >"$TMP/decks/math/deck.md" <<'MD'
---
title: Math in the browser
---

# Inline $e^{i\pi} + 1 = 0$ and \(\sqrt{2}\)

$$\int_0^1 x^2\,dx = \frac{1}{3}$$

---

\[ \sum_{k=1}^n k = \frac{n(n+1)}{2} \]

`$not math$`
MD
check "the math deck builds with its PDF" "$UNIDECK" build "$TMP/decks" -o "$TMP/m.store" --quiet
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/m.store" "$TMP/www" >/dev/null
pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/math/math.pdf" 2>/dev/null)
expect_eq "its PDF has one page per slide" 2 "$pages"
start_server "$TMP/m.store" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/math.mjs" "http://127.0.0.1:$PORT" "$ROOT/build/screenshots"
rc=$?
stop_server
finish && exit $rc
