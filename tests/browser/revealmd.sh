#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decks in the style of other tools, written here, built and served by unideck
# and checked in Debian's headless Chromium: a reveal-md deck (custom separators,
# notes, revealOptions, highlightTheme, a theme URL) and a raw reveal.js deck
# with in-page and external Markdown and shared _site/ assets. Each must show
# the slide count the build reported, with no script error, no console error,
# no failed request and nothing loaded from outside.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null; then
	skip "reveal-md browser test: Chromium is not installed (scripts/deps.sh test installs it)"
	exit 0
fi
if [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "reveal-md browser test: playwright-core is not installed (npm ci)"
	exit 0
fi
D=$TMP/decks
mkdir -p "$D/rmd" "$D/raw/img" "$D/_site/img" "$D/_site/css"
cat >"$D/rmd/deck.md" <<'MD'
---
title: reveal-md style
theme: https://unpkg.com/reveal.js@4/dist/theme/moon.css
highlightTheme: zenburn
separator: "^\r?\n---\r?\n$"
verticalSeparator: "^\r?\n--\r?\n$"
notesSeparator: "^Note:"
revealOptions:
  transition: fade
  controls: false
  progress: true
---

# First

Note: notes of the first slide
that go on

---

## Second

```python [1|2]
print("a")
print("b")
```

--

## Second, below

![logo](/img/logo.png)

---

## Third
MD
printf '\x89PNG\r\n\x1a\n' >"$D/_site/img/logo.png"
printf 'h1 { border-bottom: 2px solid; }\n' >"$D/_site/css/site.css"
# Chromium asks every site for /favicon.ico: _site/ is where a decks folder has one.
printf '\0\0\1\0' >"$D/_site/favicon.ico"
printf 'png' >"$D/raw/img/a.png"
cat >"$D/raw/content.md" <<'MD'
# External one

---

# External two
MD
cat >"$D/raw/index.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>Raw Markdown | Site</title>
<link rel="stylesheet" href="dist/reveal.css">
<link rel="stylesheet" href="dist/theme/white.css">
<link rel="stylesheet" href="/css/site.css">
</head><body><div class="reveal"><div class="slides">
<section>Plain</section>
<section data-visibility="hidden">Hidden: reveal.js removes it</section>
<section data-markdown>
<script type="text/template">
## In-page one
---
## In-page two
---
## In-page three
</script>
</section>
<section data-markdown="content.md"></section>
</div></div>
<script>window.notASlide = "<section>not a slide</section>";</script>
<script src="dist/reveal.js"></script>
<script src="plugin/markdown/markdown.js"></script>
<script>Reveal.initialize({ hash: true, plugins: [RevealMarkdown] });</script>
</body></html>
HTML
out=$("$UNIDECK" build "$D" -o "$TMP/decks.store" --no-pdf 2>&1)
rc=$?
expect_eq "the decks build" 0 "$rc"
if printf '%s' "$out" | grep -q warning; then notok "with no warning: $out"; else ok "with no warning"; fi
rmd=$(printf '%s\n' "$out" | sed -n 's/^ *rmd *\([0-9]*\) slide.*/\1/p')
raw=$(printf '%s\n' "$out" | sed -n 's/^ *raw *\([0-9]*\) slide.*/\1/p')
expect_eq "the build counts the reveal-md deck's slides" 4 "$rmd"
expect_eq "and the raw deck's, its Markdown rendered" 6 "$raw"
start_server "$TMP/decks.store" || exit 1
node "$ROOT/tests/browser/revealmd.mjs" "http://127.0.0.1:$PORT" "$ROOT/build/screenshots" "$rmd" "$raw"
rc=$?
stop_server
[ $rc = 0 ] && finish
