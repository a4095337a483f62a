#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# reveal.js constructs that a deck.md carries through to reveal.js, each
# checked in Chromium by what reveal.js does with it (tests/browser/constructs.mjs):
# a background video (a real WebM made by ffmpeg), a background image with
# size and opacity, data-transition and data-state, auto-animate between two
# slides, fragments ordered by data-fragment-index, code line highlights
# stepping ([1|2-3]), and `Notes:` speaker notes. The build's references are
# checked too: a missing background video and an outside background iframe
# are errors at their lines.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "reveal.js constructs: Chromium or playwright-core is not installed"
	exit 0
fi
if ! command -v ffmpeg >/dev/null; then
	skip "reveal.js constructs: ffmpeg is not installed (scripts/deps.sh installs it) to make the video"
	exit 0
fi
D=$TMP/decks/k
mkdir -p "$D"
ffmpeg -loglevel error -y -f lavfi -i color=c=blue:s=64x48:d=1 -c:v libvpx -b:v 50k "$D/v.webm" ||
	notok "ffmpeg makes a WebM"
python3 - "$D/bg.png" <<'PY'
import struct, sys, zlib
rows = b''.join(b'\x00' + bytes((200, 40, 40)) * 16 for _ in range(16))
c = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + c(b'IHDR', struct.pack('>IIBBBBB', 16, 16, 8, 2, 0, 0, 0)) + c(b'IDAT', zlib.compress(rows)) + c(b'IEND', b''))
PY
cat >"$D/deck.md" <<'MD'
---
title: Constructs
---

<!-- .slide: data-background-video="v.webm" data-background-video-loop data-background-video-muted -->
# Video background

---

<!-- .slide: data-background-image="bg.png" data-background-size="contain" data-background-opacity="0.5" -->
## Image background

Notes: capital notes, as reveal-md writes them

---

<!-- .slide: data-transition="zoom" data-state="alarm" -->
## Transition and state

---

<!-- .slide: data-auto-animate -->
## Auto-animate

---

<!-- .slide: data-auto-animate -->
## Auto-animate

More

---

## Fragment order

- shown second <!-- .element: class="fragment" data-fragment-index="2" -->
- shown first <!-- .element: class="fragment" data-fragment-index="1" -->

---

## Line numbers

```js [1|2-3]
let a = 1;
let b = 2;
let c = a + b;
```
MD
check "the deck builds" "$UNIDECK" build "$TMP/decks" -o "$TMP/s.store" --no-pdf --quiet
# The build's own checks of the same attributes.
mkdir -p "$TMP/bad/k"
cp "$D/deck.md" "$TMP/bad/k/"
printf '\n---\n\n<!-- .slide: data-background-iframe="https://example.com/" -->\n## Outside\n\n---\n\n<!-- .slide: data-background-video="missing.webm" -->\n## Missing\n' >>"$TMP/bad/k/deck.md"
cp "$D/v.webm" "$D/bg.png" "$TMP/bad/k/"
out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/bad.store" --no-pdf 2>&1)
n=$(grep -n 'example.com' "$TMP/bad/k/deck.md" | cut -d: -f1)
expect_match "an outside background iframe is an error at its line" "deck.md:$n: error: 'https://example.com/' is loaded from outside the server" "$out"
n=$(grep -n 'missing.webm' "$TMP/bad/k/deck.md" | cut -d: -f1)
expect_match "a missing background video is an error at its line" "deck.md:$n: error: 'missing.webm' does not exist" "$out"
start_server "$TMP/s.store" || exit 1
node "$ROOT/tests/browser/constructs.mjs" "http://127.0.0.1:$PORT" k
rc=$?
stop_server
finish && exit $rc
