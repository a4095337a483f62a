#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# reveal-md decks (written here) rendered by reveal-md itself (from npm,
# pinned in package.json: `reveal-md deck.md --static`) and by unideck, every
# slide screenshotted in Chromium from both and compared pixel by pixel
# (tests/browser/revealmd-shots.mjs): the default separators and theme, custom
# separators with revealOptions and notes, slide and element attributes,
# backgrounds, fragments, highlighted code, tables and an image. A control deck
# (another theme) must fail the same measure. reveal-md 6.1.4 carries
# reveal.js 5.1.0 and unideck 6.0.2, whose serif and beige themes made
# headings bold (600): those two are not compared. REVEAL_MD may name another
# reveal-md install (its bin/reveal-md.js).
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
RMD=${REVEAL_MD:-$ROOT/node_modules/reveal-md/bin/reveal-md.js}
MAX_DIFF=0.03
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "reveal-md screenshots: Chromium or playwright-core is not installed"
	exit 0
fi
if [ ! -f "$RMD" ]; then
	skip "reveal-md screenshots: reveal-md is not installed (npm ci, with PUPPETEER_SKIP_DOWNLOAD=1 as scripts/deps.sh sets)"
	exit 0
fi
D=$TMP/decks R=$TMP/ref
mkdir -p "$D/plain" "$D/seps" "$D/attrs" "$D/control" "$R"
cat >"$D/plain/deck.md" <<'MD'
---
title: Plain reveal-md
theme: black
highlightTheme: monokai
---

# A title slide

A paragraph with **bold**, *emphasis* and `code`.

---

## A list

- one
- two
  - two and a half
- three

Note: the speaker notes of the list

---

## Code

```js
function add(a, b) {
  return a + b;
}
```

----

## Below: a table

| Tool | Renders |
|------|---------|
| reveal-md | in the browser |
| unideck | at build time |
MD
sed 's/^theme: black/theme: white/' "$D/plain/deck.md" >"$D/control/deck.md"
cat >"$D/seps/deck.md" <<'MD'
---
title: Separators
theme: white
separator: "^\r?\n===\r?\n$"
verticalSeparator: "^\r?\n\\+\\+\\+\r?\n$"
notesSeparator: "^Speaker:"
revealOptions:
  controls: false
  progress: false
  center: false
  transition: none
---

# Custom separators

Not split here:

---

still the first slide

===

## Second

Speaker: these notes end where the slide ends

+++

## Second, below

===

## Third
MD
python3 - "$D/attrs" <<'PY'
import struct, sys, zlib
raw = b''.join(b'\x00' + bytes((30 + x * 3, 120, 200 - x * 2)) * 1 for x in range(64) for _ in range(1))
rows = b''.join(b'\x00' + b''.join(bytes((30 + x * 3, 120 + y, 200 - x * 2)) for x in range(64)) for y in range(48))
c = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1] + '/pic.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + c(b'IHDR', struct.pack('>IIBBBBB', 64, 48, 8, 2, 0, 0, 0)) + c(b'IDAT', zlib.compress(rows)) + c(b'IEND', b''))
PY
cat >"$D/attrs/deck.md" <<'MD'
---
title: Attributes
theme: moon
---

<!-- .slide: data-background-color="#2d3e50" -->
# A background colour

---

<!-- .slide: class="center" -->
## Fragments and element attributes

- shown first <!-- .element: class="fragment" -->
- then this <!-- .element: class="fragment" -->

A paragraph in red <!-- .element: style="color: #e74c3c" -->

---

## An image

![a gradient](pic.png)

---

<!-- .slide: data-background-gradient="linear-gradient(to bottom, #283b95, #17b2c3)" -->
## A gradient background
MD
for s in plain seps attrs; do
	(cd "$D/$s" && node "$RMD" deck.md --static "$R/$s" >"$TMP/rmd-$s.log" 2>&1) ||
		{ notok "reveal-md renders $s: $(tail -3 "$TMP/rmd-$s.log" | tr '\n' ' ')"; }
done
out=$("$UNIDECK" build "$D" -o "$TMP/s.store" --no-pdf 2>&1)
expect_eq "unideck builds the same decks" 0 "$?"
if printf '%s\n' "$out" | grep -q 'warning:'; then
	notok "with no warning: $(printf '%s\n' "$out" | grep 'warning:' | head -3)"
else
	ok "with no warning"
fi
python3 -m http.server 0 --bind 127.0.0.1 --directory "$R" >"$TMP/ref.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do
	rport=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$TMP/ref.log" | head -n 1)
	[ -n "$rport" ] && break
	sleep 0.1
done
start_server "$TMP/s.store" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/revealmd-shots.mjs" "http://127.0.0.1:$PORT" "http://127.0.0.1:$rport" \
	"$ROOT/build/screenshots" "$MAX_DIFF" plain seps attrs 'control=plain!'
rc=$?
stop_server
finish && exit $rc
