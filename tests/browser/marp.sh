#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Marp decks (`marp: true`): built by unideck with Marp's engine, served, and
# compared in Chromium with what marp-cli (npm devDependency) renders for the
# same files (tests/browser/marp.mjs); their PDFs have one page per slide.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
MARP=$ROOT/node_modules/.bin/marp
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "Marp tests: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if ! command -v node >/dev/null || [ ! -x "$MARP" ] || [ ! -d "$ROOT/node_modules/@marp-team/marp-core" ]; then
	skip "Marp tests: Node.js, marp-core or marp-cli is missing (npm ci)"
	exit 0
fi
d=$TMP/decks
mkdir -p "$d/gaia" "$d/uncover" "$d/default" "$d/divider" "$TMP/ref"
png() { # png FILE R G B: a 64x36 PNG of one colour
	python3 - "$@" <<'PY'
import struct, sys, zlib
f, r, g, b = sys.argv[1], *map(int, sys.argv[2:5])
raw = b''.join(b'\x00' + bytes((r, g, b)) * 64 for _ in range(36))
c = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open(f, 'wb').write(b'\x89PNG\r\n\x1a\n' + c(b'IHDR', struct.pack('>IIBBBBB', 64, 36, 8, 2, 0, 0, 0)) + c(b'IDAT', zlib.compress(raw)) + c(b'IEND', b''))
PY
}
png "$d/gaia/bg.png" 200 80 40
png "$d/gaia/pic.png" 20 120 200
png "$d/uncover/bg.png" 30 160 90
cat >"$d/gaia/deck.md" <<'MD'
---
marp: true
title: Marp on unideck
author: Ada Lovelace
date: 2026-05-04
venue: Marp Meetup
theme: gaia
paginate: true
header: The header
footer: The footer
---

# <!-- fit --> A fitting header

* first item
* second item

<!-- the first slide's note -->

---

<!-- _class: lead -->
<!-- _paginate: false -->

## A lead slide

![w:200](pic.png)

---

![bg left](bg.png)

## Background on the left

Math: $e^{i\pi} + 1 = 0$

$$
\int_0^1 x^2\,dx = \frac{1}{3}
$$

---

<!-- _backgroundColor: #123 -->
<!-- _color: #fed -->

## A spot colour
MD
cat >"$d/uncover/deck.md" <<'MD'
---
marp: true
theme: uncover
class: invert
---

# Uncover

---

![bg](bg.png)

## Over a background

---

![bg](bg.png)
![bg](bg.png)

## Two backgrounds
MD
cat >"$d/default/deck.md" <<'MD'
---
marp: true
size: 4:3
math: katex
paginate: true
---

# Default theme, 4:3

```js
const x = 1; // highlighted by Marp
```

---

## KaTeX math

$\sum_{k=1}^n k = \frac{n(n+1)}{2}$

| a | b |
|---|---|
| 1 | 2 |
MD
cat >"$d/divider/deck.md" <<'MD'
---
marp: true
headingDivider: 2
---

# One

text

## Two

more

## Three

last
MD
for s in gaia uncover default divider; do
	mkdir -p "$TMP/ref/$s"
	cp "$d/$s/"*.png "$TMP/ref/$s/" 2>/dev/null
	(cd "$d/$s" && "$MARP" --html --bespoke.osc=false deck.md -o "$TMP/ref/$s/index.html" >/dev/null 2>&1) ||
		notok "marp-cli renders $s"
done
check "the Marp decks build with PDFs" "$UNIDECK" build "$d" -o "$TMP/marp.store" --quiet
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/marp.store" "$TMP/www" >/dev/null
for s in gaia:4 uncover:3 default:2 divider:3; do
	pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/${s%%:*}/${s%%:*}.pdf" 2>/dev/null)
	expect_eq "${s%%:*}: its PDF has one page per slide" "${s##*:}" "$pages"
done
index=$(cat "$TMP/www/index.html")
expect_match "the index has the Marp deck's title, author and venue" 'Marp on unideck.*|Ada Lovelace' "$index"
expect_match "and its date" '2026-05-04|May 2026|4 May' "$index"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n') # 128 bits, as the server requires
start_server "$TMP/marp.store" --token "$token" || exit 1
mkdir -p "$ROOT/build/screenshots"
node "$ROOT/tests/browser/marp.mjs" "http://127.0.0.1:$PORT" "$TMP/ref" "$ROOT/build/screenshots" "$token" \
	gaia:4 uncover:3 default:2 divider:3
rc=$?
stop_server
finish && exit $rc
