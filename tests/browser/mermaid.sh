#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Mermaid diagrams drawn at build time, in headless Chromium: inline SVG with
# its labels laid out, no Mermaid script and nothing from outside the server
# at view time, and the PDF prints them.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "mermaid browser test: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if ! command -v node >/dev/null || [ ! -d "$ROOT/node_modules/mermaid" ] || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "mermaid browser test: Node.js, mermaid or playwright-core is missing (npm ci)"
	exit 0
fi
mkdir -p "$TMP/decks/diagrams"
cat >"$TMP/decks/diagrams/deck.md" <<'MD'
---
title: Diagrams
---

# A flowchart

```mermaid
graph LR
  A[Write] --> B{Build}
  B -->|ok| C[Serve]
```

---

## A sequence

```mermaid
sequenceDiagram
  Presenter->>Server: slide 3
  Server-->>Follower: slide 3
```
MD
check "the diagrams deck builds with its PDF" "$UNIDECK" build "$TMP/decks" -o "$TMP/g.store" --quiet
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/g.store" "$TMP/www" >/dev/null
pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/diagrams/diagrams.pdf" 2>/dev/null)
expect_eq "its PDF has one page per slide" 2 "$pages"
start_server "$TMP/g.store" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/mermaid.mjs" "http://127.0.0.1:$PORT" "$ROOT/build/screenshots"
rc=$?
stop_server
finish && exit $rc
