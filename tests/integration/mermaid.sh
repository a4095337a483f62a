#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ```mermaid fences at build time: SVG when Chromium is there (the same bytes
# every build), a warning and the code kept as code when it is not, a parse
# error with file and line.
. "$(dirname "$0")/../lib.sh"
if ! command -v node >/dev/null || [ ! -f "$ROOT/node_modules/mermaid/dist/mermaid.min.js" ]; then
	skip "mermaid: Node.js or node_modules/mermaid is missing (npm ci)"
	exit 0
fi
mkdir -p "$TMP/decks/g"
cat >"$TMP/decks/g/deck.md" <<'MD'
---
title: Diagrams
---

# A flowchart

```mermaid
graph LR
  A[Write] --> B{Build}
  B -->|ok| C[Serve]
```

```js
// code stays code
```
MD
out=$(CHROMIUM=/nonexistent "$UNIDECK" build "$TMP/decks" -o "$TMP/n.store" --no-pdf 2>&1)
expect_match "without Chromium: a warning with file and line" 'g/deck.md:8: warning: mermaid diagram shown as code' "$out"
expect_match "and the build goes on" '^wrote ' "$out"
"$UNIDECK" export "$TMP/n.store" "$TMP/n" >/dev/null
expect_match "the diagram is shown as code" '<code class="language-mermaid" data-trim>graph LR' "$(cat "$TMP/n/g/index.html")"
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "mermaid diagrams drawn: Chromium is not installed"
	finish
	exit 0
fi
check "with Chromium the deck builds" "$UNIDECK" build "$TMP/decks" -o "$TMP/a.store" --no-pdf -q
check "and again" "$UNIDECK" build "$TMP/decks" -o "$TMP/b.store" --no-pdf -q
"$UNIDECK" export "$TMP/a.store" "$TMP/a" >/dev/null
"$UNIDECK" export "$TMP/b.store" "$TMP/b" >/dev/null
page=$(cat "$TMP/a/g/index.html")
expect_match "the diagram is inline SVG" '<div class="unideck-mermaid"><svg id="unideck-mermaid-0"' "$page"
expect_match "with its labels" 'Write.*Build.*Serve' "$page"
if printf '%s' "$page" | grep -q 'language-mermaid'; then notok "no mermaid code block is left"; else ok "no mermaid code block is left"; fi
expect_match "other code stays code" '<code class="language-js" data-trim>// code stays code' "$page"
if cmp -s "$TMP/a/g/index.html" "$TMP/b/g/index.html"; then ok "two builds draw the same bytes"; else notok "two builds draw the same bytes"; fi
mkdir -p "$TMP/bad/b"
printf -- '---\ntitle: B\n---\n\n# x\n\n```mermaid\ngraph TD\n  A --> B\n  B -->\n```\n' >"$TMP/bad/b/deck.md"
out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/bad.store" --no-pdf 2>&1)
expect_match "a diagram mermaid cannot parse fails with file and line" 'b/deck.md:10: error: mermaid: Parse error' "$out"
finish
