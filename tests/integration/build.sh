#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line and the deck compiler against the real binary: errors that
# name file and line, reproducible output, inspect, export, new, raw decks.
. "$(dirname "$0")/../lib.sh"

# build_fails NAME WANT_REGEX: build $TMP/bad and expect failure with that message.
build_fails() {
	local out rc
	out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/bad.store" --no-pdf 2>&1)
	rc=$?
	if [ $rc = 1 ] && printf '%s' "$out" | grep -Eq -- "$2"; then
		ok "$1"
	else
		notok "$1: exit $rc, output:"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
}

bad_deck() {
	rm -rf "$TMP/bad"
	mkdir -p "$TMP/bad/d"
	printf -- "$1" >"$TMP/bad/d/deck.md"
}

# ---- the command line ----
out=$("$UNIDECK" --version)
expect_match "--version" '^unideck [0-9]+\.[0-9]+\.[0-9]+$' "$out"
out=$("$UNIDECK" --help)
expect_match "--help lists the commands" 'serve DIR\|FILE' "$out"
for cmd in new serve build inspect export; do
	out=$("$UNIDECK" $cmd --help)
	expect_match "$cmd --help" "^usage: unideck $cmd" "$out"
done
out=$("$UNIDECK" frobnicate 2>&1 >/dev/null)
rc=$?
expect_eq "an unknown command exits 2" 2 "$rc"
expect_match "and says so on stderr" "no command 'frobnicate'" "$out"
out=$("$UNIDECK" build 2>&1)
expect_eq "build without arguments exits 2" 2 "$?"
out=$("$UNIDECK" build "$TMP/none" -o "$TMP/x" 2>&1)
if printf '%s' "$out" | grep -q $'\033'; then notok "no colour when not on a terminal"; else ok "no colour when not on a terminal"; fi
out=$(script -qec "NO_COLOR=1 $UNIDECK build $TMP/none -o $TMP/x" /dev/null 2>&1)
if printf '%s' "$out" | grep -q $'\033'; then notok "NO_COLOR disables colour on a terminal"; else ok "NO_COLOR disables colour on a terminal"; fi
out=$(script -qec "env -u NO_COLOR TERM=xterm $UNIDECK build $TMP/none -o $TMP/x" /dev/null 2>&1)
expect_match "colour on a terminal otherwise" $'\033\\[' "$out"

# ---- broken decks name file and line ----
bad_deck '---\ntitle: x\n# no end\n'
build_fails "unterminated front matter" 'bad/d/deck.md:1: error: front matter is not terminated'
bad_deck '---\ntitle: x\ntheme: neon\n---\n# a\n'
build_fails "unknown theme, with the valid ones" 'deck.md:3: error: unknown theme .neon.: use one of .*black'
bad_deck '---\ntitle: x\n---\n# a\n\n---\n\n![x](missing.png)\n'
build_fails "a missing image" "deck.md:8: error: 'missing.png' does not exist"
bad_deck '---\ntitle: x\n---\n# a\n\n<video src="clip.mp4"></video>\n'
build_fails "a missing video" "deck.md:6: error: 'clip.mp4' does not exist"
bad_deck '---\ntitle: x\n---\n<!-- .slide: data-background-image="bg.jpg" -->\n# a\n'
build_fails "a missing background image" "deck.md:4: error: 'bg.jpg' does not exist"
bad_deck '---\ntitle: x\n---\n# a\n\nok\n\n\xff\xfe bad\n'
build_fails "invalid UTF-8" 'deck.md:8: error: invalid UTF-8 at byte 1 of the line'
bad_deck '---\ntitle: x\ndate: 2026-02-30\n---\n# a\n'
build_fails "a bad date" "deck.md:3: error: date '2026-02-30' is not a date"
bad_deck '---\ntitle: x\n---\n# a\n\n![x](https://example.com/x.png)\n'
build_fails "an image from outside the server" "deck.md:6: error: 'https://example.com/x.png' is loaded from outside the server"
bad_deck '---\ntitle: x\n---\n# a\n\n![x](../../etc/passwd)\n'
build_fails "a path out of the deck" "deck.md:6: error: '../../etc/passwd' points outside"
bad_deck '---\ntitle: x\ntransition: spin\n---\n# a\n'
build_fails "unknown transition" "deck.md:3: error: unknown transition 'spin'"
bad_deck '---\ntitle: x\nnot a key\n---\n# a\n'
build_fails "a front matter line that is not key: value" "deck.md:3: error: front matter: could not find expected ':'"
rm -rf "$TMP/bad" && mkdir -p "$TMP/bad/long-folder-name" "$TMP/bad/other"
printf -- '---\nslug: talk\n---\n# a\n' >"$TMP/bad/long-folder-name/deck.md"
printf -- '---\nslug: talk\n---\n# b\n' >"$TMP/bad/other/deck.md"
build_fails "two decks with one address" "other/deck.md: error: two decks claim the address /talk/"
printf -- '---\nslug: No Way\n---\n# b\n' >"$TMP/bad/other/deck.md"
build_fails "a slug that cannot be an address" "other/deck.md:2: error: slug 'No Way' cannot be an address"
printf -- '# b\n' >"$TMP/bad/other/deck.md"
out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/slug.store" --no-pdf)
expect_match "a short slug gives the deck its address, and one slide is '1 slide'" 'talk +1 slide ' "$out"
check "and the deck lives there" sh -c "'$UNIDECK' inspect '$TMP/slug.store' | grep -q '^/talk/index.html'"
mkdir -p "$TMP/empty"
out=$("$UNIDECK" build "$TMP/empty" -o "$TMP/e.store" --no-pdf 2>&1)
expect_match "an empty decks folder is an error" 'no decks here' "$out"
mkdir -p "$TMP/bad/Bad_Name" && printf '# x\n' >"$TMP/bad/Bad_Name/deck.md"
bad_deck '# fine\n'
mkdir -p "$TMP/bad/Bad_Name" && printf '# x\n' >"$TMP/bad/Bad_Name/deck.md"
build_fails "a folder name that cannot be an address" "Bad_Name: error: 'Bad_Name' cannot be a deck's address"
check "nothing was written by failed builds" test ! -e "$TMP/bad.store"

# ---- the default decks: progress, reproducibility, inspect ----
out=$("$UNIDECK" build "$ROOT/decks" -o "$TMP/a.store")
expect_match "progress names each deck" 'unideck +[0-9]+ slides' "$out"
slides=$(printf '%s\n' "$out" | sed -n 's/^ *unideck *\([0-9]*\) slides.*/\1/p')
expect_match "and ends with totals" 'decks, [0-9]+ files: .* raw, .* gzip .* brotli .*store .* in [0-9.]+ s' "$out"
out=$("$UNIDECK" build "$ROOT/decks" -o "$TMP/b.store" --quiet)
expect_eq "--quiet prints nothing" "" "$out"
check "the same input gives a byte-identical store" cmp "$TMP/a.store" "$TMP/b.store"
cp -r "$ROOT/decks" "$TMP/decks-copy"
touch "$TMP/decks-copy/unideck/deck.md"
SOURCE_DATE_EPOCH=1700000000 "$UNIDECK" build "$ROOT/decks" -o "$TMP/c.store" -q --no-pdf
SOURCE_DATE_EPOCH=1700000000 "$UNIDECK" build "$TMP/decks-copy" -o "$TMP/d.store" -q --no-pdf
check "SOURCE_DATE_EPOCH makes it independent of file times" cmp "$TMP/c.store" "$TMP/d.store"
ins=$("$UNIDECK" inspect "$TMP/a.store")
expect_match "PDF handouts are in the store" '^/unideck/unideck.pdf +application/pdf' "$ins"
expect_match "inspect lists a deck page" '^/unideck/index.html +text/html; charset=utf-8 +no-cache +[0-9]+ +[0-9]+ +[0-9]+ +"[0-9a-f]{24}"' "$ins"
expect_match "inspect lists the runtime as immutable" '^/_reveal/[0-9.]+/reveal.js +text/javascript.* immutable' "$ins"
if echo "$ins" | grep -q 'plugin/markdown.js'; then notok "only the runtime files in use"; else ok "only the runtime files in use"; fi
expect_match "video is not compressed" '^/features/media/clip.mp4 +video/mp4 +no-cache +[0-9]+ +- +- ' "$ins"
json=$("$UNIDECK" inspect "$TMP/a.store" --json | python3 -c 'import json,sys; v=[json.loads(l) for l in sys.stdin]; print(len(v), all("etag" in x["identity"] for x in v))')
expect_match "inspect --json is JSON" '^[0-9]+ True$' "$json"
hdr=$("$UNIDECK" inspect "$TMP/a.store" /index.html)
expect_match "inspect PATH shows the precomputed headers" 'Content-Length: [0-9]+' "$hdr"
printf 'garbage' >"$TMP/g.store"
out=$("$UNIDECK" inspect "$TMP/g.store" 2>&1)
expect_match "inspect refuses a file that is not a store" 'not a unideck store' "$out"
head -c 100000 "$TMP/a.store" >"$TMP/t.store"
out=$("$UNIDECK" inspect "$TMP/t.store" 2>&1)
expect_match "inspect refuses a truncated store" 'error: ' "$out"

# ---- export ----
"$UNIDECK" export "$TMP/a.store" "$TMP/www" >/dev/null
check "export writes each file" cmp "$TMP/www/features/media/clip.mp4" "$ROOT/decks/features/media/clip.mp4"
check "export writes the gzip variant beside it" sh -c "gzip -dc '$TMP/www/index.html.gz' | cmp - '$TMP/www/index.html'"
pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/unideck/unideck.pdf")
expect_eq "the handout has one page per slide" "$slides" "$pages"
out=$(env PATH=/nonexistent CHROMIUM= "$UNIDECK" build "$ROOT/decks" -o "$TMP/nochrome.store" 2>&1)
expect_match "without Chromium the build warns and goes on" 'warning: Chromium is not installed: building without PDF handouts' "$out"
check "and writes the store" test -s "$TMP/nochrome.store"

# ---- without notes ----
"$UNIDECK" build "$ROOT/decks" -o "$TMP/n.store" -q --without-notes --no-pdf
"$UNIDECK" export "$TMP/n.store" "$TMP/wn" >/dev/null
if grep -q 'class="notes"' "$TMP/wn/unideck/index.html"; then notok "--without-notes strips notes"; else ok "--without-notes strips notes"; fi
check "and notes are there otherwise" grep -q 'class="notes"' "$TMP/www/unideck/index.html"
mkdir -p "$TMP/wnmd/r"
printf '<html><body><div class="slides"><section data-markdown><script type="text/template">\n# a\n\nNote: secret\n</script></section></div></body></html>\n' >"$TMP/wnmd/r/index.html"
out=$("$UNIDECK" build "$TMP/wnmd" -o "$TMP/wnmd.store" --no-pdf --without-notes 2>&1)
expect_match "--without-notes says it cannot reach notes in Markdown the browser renders" "r/index.html: warning: --without-notes does not reach the speaker notes of Markdown" "$out"

# ---- new ----
(cd "$TMP" && "$UNIDECK" new my-talk >/dev/null)
check "new writes decks/NAME/deck.md" test -f "$TMP/decks/my-talk/deck.md"
check "which builds" "$UNIDECK" build "$TMP/decks" -o "$TMP/new.store" -q --no-pdf
out=$(cd "$TMP" && "$UNIDECK" new my-talk 2>&1)
expect_match "new refuses an existing deck" 'exists already' "$out"
out=$(cd "$TMP" && "$UNIDECK" new My_Talk 2>&1)
expect_match "new refuses a name that cannot be an address" 'cannot be a deck' "$out"

# ---- a raw reveal.js deck ----
mkdir -p "$TMP/raw/r"
cat >"$TMP/raw/r/index.html" <<'HTML'
<!doctype html>
<html><head><title>Raw deck</title>
<link rel="stylesheet" href="dist/reveal.css">
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/reveal.js@5/dist/theme/night.css">
<link rel="stylesheet" href="plugin/highlight/monokai.css">
</head><body><div class="reveal"><div class="slides">
<section>One<aside class="notes">secret note</aside></section>
<section><section>Two</section><section>Three</section></section>
</div></div>
<script src="node_modules/reveal.js/dist/reveal.js"></script>
<script src="plugin/notes/notes.js"></script>
<script>Reveal.initialize({ plugins: [RevealNotes] });</script>
</body></html>
HTML
out=$("$UNIDECK" build "$TMP/raw" -o "$TMP/raw.store")
expect_match "a raw deck counts its slides" 'r +3 slides' "$out"
"$UNIDECK" export "$TMP/raw.store" "$TMP/rawx" >/dev/null
page=$(cat "$TMP/rawx/r/index.html")
expect_match "dist/ paths resolve to the runtime" 'href="/_reveal/[0-9.]+/reveal.css"' "$page"
expect_match "CDN paths resolve to the runtime" 'href="/_reveal/[0-9.]+/theme/night.css"' "$page"
expect_match "node_modules paths resolve" 'src="/_reveal/[0-9.]+/reveal.js"' "$page"
expect_match "reveal 4 plugin paths resolve" 'src="/_reveal/[0-9.]+/plugin/notes.js"' "$page"
check "the rest is served as written" grep -q 'Reveal.initialize({ plugins: \[RevealNotes\] });' "$TMP/rawx/r/index.html"
if grep -q 'googleapis' "$TMP/rawx/_reveal/"*/theme/night.css; then notok "web fonts removed from themes"; else ok "web fonts removed from themes"; fi
printf '<html><body><img src="https://example.com/a.png"></body></html>\n' >"$TMP/raw/r/index.html"
out=$("$UNIDECK" build "$TMP/raw" -o "$TMP/raw2.store" --no-pdf 2>&1)
expect_match "raw decks are offline too, with the line" "index.html:1: error: 'https://example.com/a.png' is loaded from outside" "$out"
# ---- reveal-md decks: separators, revealOptions, highlightTheme, theme URLs ----
mkdir -p "$TMP/rmd/talk"
cat >"$TMP/rmd/talk/deck.md" <<'MD'
---
title: A reveal-md talk
author: Grace Hopper
date: 2024-05-06
theme: https://cdn.jsdelivr.net/npm/reveal.js@4/dist/theme/solarized.css
highlightTheme: base16/zenburn
separator: <!--s-->
verticalSeparator: <!--v-->
notesSeparator: "^Note:"
revealOptions:
  transition: fade
  controls: false
  slideNumber: c/t
---

# One

Note: the first note
---
still the note: --- is not a separator here

<!--s-->

## Two

```js
<!--s--> inside code is code
```

<!--v-->

## Two, below

<!--s-->

## Three
MD
out=$("$UNIDECK" build "$TMP/rmd" -o "$TMP/rmd.store" --no-pdf 2>&1)
expect_match "a reveal-md deck with custom separators has its 4 slides" 'talk +4 slides' "$out"
if printf '%s' "$out" | grep -q 'warning'; then notok "and every key is understood: $out"; else ok "and every key is understood"; fi
"$UNIDECK" export "$TMP/rmd.store" "$TMP/rmdx" >/dev/null
page=$(cat "$TMP/rmdx/talk/index.html")
expect_match "revealOptions reach Reveal.initialize" 'controls: false' "$page"
expect_match "with their strings" 'slideNumber: "c/t"' "$page"
expect_match "a theme URL naming a reveal.js theme is that theme" 'href="/_reveal/[0-9.]+/theme/solarized.css"' "$page"
expect_match "highlightTheme base16/zenburn is zenburn" 'plugin/highlight/zenburn.css' "$page"
expect_match "notes run to the end of their slide, past a --- line" 'still the note: ---' "$page"
expect_match "a separator inside fenced code is code" '&lt;!--s--&gt; inside code is code' "$page"

# ---- unknown keys are warnings with their line, never passed on ----
mkdir -p "$TMP/warn/w"
printf -- '---\ntitle: W\nfrobnicate: 1\npaginate: true\nrevealOptions:\n  menu: {side: left}\n---\n# w\n' >"$TMP/warn/w/deck.md"
out=$("$UNIDECK" build "$TMP/warn" -o "$TMP/warn.store" --no-pdf 2>&1)
expect_match "an unknown key is a warning naming it and its line" "w/deck.md:3: warning: unknown key 'frobnicate'" "$out"
expect_match "a Marp directive in a deck that is not Marp is a warning" "w/deck.md:4: warning: 'paginate' is a Marp directive" "$out"
expect_match "an unknown revealOptions key too" "w/deck.md:6: warning: unknown key 'revealOptions.menu'" "$out"
"$UNIDECK" export "$TMP/warn.store" "$TMP/warnx" >/dev/null
if grep -Eq 'frobnicate|paginate|menu' "$TMP/warnx/w/index.html"; then notok "and none reaches Reveal.initialize"; else ok "and none reaches Reveal.initialize"; fi

# ---- raw decks: in-page and external Markdown, CSS files, _site/, metadata ----
mkdir -p "$TMP/raw3/deck/img" "$TMP/raw3/deck/css" "$TMP/raw3/_site/img" "$TMP/raw3/_site/css"
printf 'png' >"$TMP/raw3/deck/img/a.png"
printf 'png' >"$TMP/raw3/_site/img/logo.png"
printf 'h1 { background: url(../img/logo.png); }\n' >"$TMP/raw3/_site/css/site.css"
printf '@import url(https://fonts.googleapis.com/css?family=Lato);\n.x { background: url("../img/a.png"); }\n@import "more.css";\n' >"$TMP/raw3/deck/css/extra.css"
printf '.y { color: red; }\n' >"$TMP/raw3/deck/css/more.css"
printf 'date: 2015-09-01\nvenue: A Conference\n' >"$TMP/raw3/deck/deck.yaml"
cat >"$TMP/raw3/deck/content.md" <<'MD'
# External one

![a](img/a.png)

---

# External two

---

# External three
MD
cat >"$TMP/raw3/deck/index.html" <<'HTML'
<!doctype html>
<html><head><title>Raw Talk | My Site</title>
<meta name="author" content="Ada &amp; Charles">
<link rel="stylesheet" href="dist/reveal.css">
<link rel="stylesheet" href="css/extra.css">
<link rel="stylesheet" href="/css/site.css">
</head><body><div class="reveal"><div class="slides">
<section><img src="/img/logo.png">Plain</section>
<section data-markdown>
<script type="text/template">
## In-page one
![a](img/a.png)
---
## In-page two
</script>
</section>
<section data-markdown="content.md"></section>
</div></div>
<script>var notASlide = "<section>x</section>";</script>
<script src="dist/reveal.js"></script>
<script>Reveal.initialize({});</script>
</body></html>
HTML
out=$("$UNIDECK" build "$TMP/raw3" -o "$TMP/raw3.store" --no-pdf 2>&1)
expect_match "in-page and external Markdown count as the slides they make, <section> in a script does not" 'deck +6 slides' "$out"
expect_match "the title without the site's name" 'deck +6 slides .* Raw Talk$' "$out"
"$UNIDECK" export "$TMP/raw3.store" "$TMP/raw3x" >/dev/null
idx=$(cat "$TMP/raw3x/index.html")
expect_match "the index has the author from <meta name=author>" 'Ada &amp; Charles' "$idx"
expect_match "and the date and venue from deck.yaml" 'A Conference .*2015-09-01' "$idx"
check "_site/ files are served at /" cmp "$TMP/raw3x/img/logo.png" "$TMP/raw3/_site/img/logo.png"
check "deck.yaml is not served" test ! -e "$TMP/raw3x/deck/deck.yaml"
expect_match "a web-font @import in a deck's CSS is a warning at its line" "deck/css/extra.css:1: warning: @import url\(https://fonts.googleapis.com" "$out"
if grep -q googleapis "$TMP/raw3x/deck/css/extra.css"; then notok "and it is removed from the served copy"; else ok "and it is removed from the served copy"; fi
check "the rest of the style sheet is served" grep -q '@import "more.css"' "$TMP/raw3x/deck/css/extra.css"

# ---- a reveal.js copy in _site/, loaded by absolute path, is served as it is ----
rm -rf "$TMP/own" && mkdir -p "$TMP/own/old" "$TMP/own/_site/reveal-2.4.0/css/theme" "$TMP/own/_site/reveal-2.4.0/js"
printf '.reveal { color: #123; }\n' >"$TMP/own/_site/reveal-2.4.0/css/theme/horizon.css"
printf 'var Reveal = {};\n' >"$TMP/own/_site/reveal-2.4.0/js/reveal.min.js"
printf '# Shared one\n\n---\n\n# Shared two\n' >"$TMP/own/_site/shared.md"
printf '<html><head><link rel="stylesheet" href="/reveal-2.4.0/css/theme/horizon.css"></head><body><div class="reveal"><div class="slides"><section>a</section><section data-markdown="/shared.md"></section></div></div><script src="/reveal-2.4.0/js/reveal.min.js"></script></body></html>\n' >"$TMP/own/old/index.html"
out=$("$UNIDECK" build "$TMP/own" -o "$TMP/own.store" --no-pdf 2>&1)
expect_match "a deck loading reveal.js and Markdown from _site/ builds, and counts that Markdown's slides" 'old +3 slides ' "$out"
"$UNIDECK" export "$TMP/own.store" "$TMP/ownx" >/dev/null
check "and keeps its links to that copy" grep -q 'href="/reveal-2.4.0/css/theme/horizon.css"' "$TMP/ownx/old/index.html"

# ---- a broken build: every error in one run, each at its line, URLs as written ----
rm -rf "$TMP/many" && mkdir -p "$TMP/many/md" "$TMP/many/raw/css" "$TMP/many/_site"
cat >"$TMP/many/md/deck.md" <<'MD'
---
title: Many errors
theme: neon
date: 2026-13-01
---
# One

Some text.

---

![x](a.png?x=1&y=2)

![y](missing.png)

![z](https://example.com/z.png)

![logo](/img/ucn-logo.png)
MD
printf 'h1 { background: url(missing-bg.png); }\n' >"$TMP/many/raw/css/theme.css"
cat >"$TMP/many/raw/index.html" <<'HTML'
<html><head><link rel="stylesheet" href="css/theme.css"></head><body>
<div class="reveal"><div class="slides">
<section data-markdown><script type="text/template">
# In a template

![t](template-missing.png)
</script></section>
<section data-markdown="nope.md"></section>
</div></div></body></html>
HTML
out=$("$UNIDECK" build "$TMP/many" -o "$TMP/many.store" --no-pdf 2>&1)
expect_match "a bad theme" 'md/deck.md:3: error: unknown theme' "$out"
expect_match "a bad date" "md/deck.md:4: error: date '2026-13-01'" "$out"
expect_match "an image with a query, at its line and as written" "md/deck.md:12: error: 'a.png\\?x=1&y=2' does not exist" "$out"
expect_match "a missing image" "md/deck.md:14: error: 'missing.png' does not exist" "$out"
expect_match "an image from outside" "md/deck.md:16: error: 'https://example.com/z.png' is loaded from outside" "$out"
expect_match "an absolute path that exists nowhere" "md/deck.md:18: error: '/img/ucn-logo.png' does not exist" "$out"
expect_match "a CSS file's url()" "raw/css/theme.css:1: error: 'missing-bg.png' does not exist" "$out"
expect_match "a URL inside a script template" "raw/index.html:6: error: 'template-missing.png' does not exist" "$out"
expect_match "an external Markdown file that is not there" "raw/index.html:8: error: 'nope.md' does not exist" "$out"
expect_match "all of them in one run" '^9 errors$' "$out"
order=$(printf '%s\n' "$out" | sed -n 's|.*/many/\([^:]*:[0-9]*\): error:.*|\1|p' | tr '\n' ' ')
expect_eq "in the order of their files and lines" "md/deck.md:3 md/deck.md:4 md/deck.md:12 md/deck.md:14 md/deck.md:16 md/deck.md:18 raw/css/theme.css:1 raw/index.html:6 raw/index.html:8 " "$order"
check "and nothing is written" test ! -e "$TMP/many.store"
if start_server "$TMP/many"; then
	page=$(curl -s --max-time 20 "http://127.0.0.1:$PORT/md/")
	expect_match "the preview's error page shows the first error" 'md/deck.md:3: unknown theme' "$page"
	expect_match "and the others" "raw/index.html:8: &#39;nope.md&#39; does not exist|raw/index.html:8: 'nope.md' does not exist" "$page"
	expect_match "and how many" '9 errors' "$page"
	stop_server
else
	notok "the preview server starts on a broken folder"
fi
rm -rf "$TMP/cap" && mkdir -p "$TMP/cap/c"
{ printf '# many\n\n'; for i in $(seq 1 150); do printf '![x](m%d.png)\n\n' "$i"; done; } >"$TMP/cap/c/deck.md"
out=$("$UNIDECK" build "$TMP/cap" -o "$TMP/cap.store" --no-pdf 2>&1)
expect_eq "errors are capped at 100 shown" 100 "$(printf '%s\n' "$out" | grep -c 'error:')"
expect_match "and say how many more there were" '^50 more errors not shown \(150 in all\)$' "$out"

# ---- _site/ may not shadow the index, a deck or the runtime ----
rm -rf "$TMP/shadow" && mkdir -p "$TMP/shadow/talk" "$TMP/shadow/_site/talk" "$TMP/shadow/_site/_reveal"
printf '# t\n' >"$TMP/shadow/talk/deck.md"
printf 'x' >"$TMP/shadow/_site/index.html"
printf 'x' >"$TMP/shadow/_site/talk/x.png"
printf 'x' >"$TMP/shadow/_site/_reveal/reveal.js"
out=$("$UNIDECK" build "$TMP/shadow" -o "$TMP/shadow.store" --no-pdf 2>&1)
expect_match "_site/index.html would hide the index" "_site/index.html: error: _site/ may not hold /index.html" "$out"
expect_match "_site/SLUG/ would shadow a deck" "_site/talk/x.png: error: _site/ may not hold /talk/x.png: a deck has that address" "$out"
expect_match "_site/_reveal/ would shadow the runtime" "error: _site/ may not hold /_reveal/reveal.js" "$out"

# ---- what old decks carry: scripts run as Markdown, fonts with fallbacks ----
rm -rf "$TMP/old" && mkdir -p "$TMP/old/raw/css/fonts"
printf 'woff' >"$TMP/old/raw/css/fonts/h.woff"
cat >"$TMP/old/raw/css/theme.css" <<'CSS'
@font-face {
	font-family: 'H';
	src: url('fonts/h.eot');
	src: url('fonts/h.eot?#iefix') format('embedded-opentype'), url('fonts/h.woff') format('woff');
}
@font-face { font-family: 'L'; src: local('L Sans'), url(fonts/l.ttf) format('truetype'); }
@font-face { font-family: 'G'; src: url(fonts/gone.woff) format('woff'); }
CSS
cat >"$TMP/old/raw/index.html" <<'HTML'
<html><head><link rel="stylesheet" href="css/theme.css"></head><body><div class="reveal"><div class="slides">
<section data-markdown><script type="text/template">
## A template
</script></section>
<section data-markdown><script type"text/template">
## A typo: run as JavaScript
</script></section>
<section data-markdown><script>
## No type
</script></section>
<section data-markdown><script type="text/javascript" src="x.js"></script></section>
</div></div></body></html>
HTML
printf '' >"$TMP/old/raw/x.js"
out=$("$UNIDECK" build "$TMP/old" -o "$TMP/old.store" --no-pdf 2>&1)
expect_match "a template <script> with a broken type is a warning at its line" \
	'raw/index.html:5: warning: <script type"text/template">: the browser runs this Markdown as JavaScript' "$out"
expect_match "and one with none" 'raw/index.html:8: warning: <script>: the browser runs this Markdown as JavaScript' "$out"
expect_eq "a real template, and a script with a src, are not" 2 "$(printf '%s\n' "$out" | grep -c 'runs this Markdown')"
expect_match "a missing .eot beside a woff is a warning: the browser takes the woff" \
	"raw/css/theme.css:3: warning: 'fonts/h.eot' does not exist .*falls back" "$out"
expect_match "so is a missing file after local()" "raw/css/theme.css:6: warning: 'fonts/l.ttf' does not exist" "$out"
expect_match "a rule with nothing to fall back to is an error" "raw/css/theme.css:7: error: 'fonts/gone.woff' does not exist" "$out"
expect_eq "and the only one" 1 "$(printf '%s\n' "$out" | grep -c ': error:')"

# ---- a deck named before _site sees _site's files ----
rm -rf "$TMP/early" && mkdir -p "$TMP/early/2014talk" "$TMP/early/_site/shared/css/theme" "$TMP/early/_site/shared/js"
printf 'h1 { color: red; }\n' >"$TMP/early/_site/shared/css/theme/old.css"
printf 'var Reveal = {};\n' >"$TMP/early/_site/shared/js/reveal.js"
printf '<html><head><link rel="stylesheet" href="/shared/css/theme/old.css"></head><body><div class="reveal"><div class="slides"><section>x</section></div></div><script src="/shared/js/reveal.js"></script></body></html>\n' >"$TMP/early/2014talk/index.html"
out=$("$UNIDECK" build "$TMP/early" -o "$TMP/early.store" --no-pdf 2>&1)
expect_eq "a deck whose name sorts before _site builds against _site's reveal.js and theme" 0 "$?"
"$UNIDECK" export "$TMP/early.store" "$TMP/earlyx" >/dev/null
expect_match "and keeps its links to them" 'href="/shared/css/theme/old.css".*src="/shared/js/reveal.js"' "$(tr -d '\n' <"$TMP/earlyx/2014talk/index.html")"

# ---- a deck that does not print is a warning, and the build goes on ----
if command -v "${CHROMIUM:-chromium}" >/dev/null 2>&1; then
	rm -rf "$TMP/nopdf" && mkdir -p "$TMP/nopdf/fine" "$TMP/nopdf/noreveal"
	printf -- '---\ntitle: Fine\n---\n# fine\n' >"$TMP/nopdf/fine/deck.md"
	printf '<html><body><div class="reveal"><div class="slides"><section>no reveal.js here</section></div></div></body></html>\n' >"$TMP/nopdf/noreveal/index.html"
	out=$("$UNIDECK" build "$TMP/nopdf" -o "$TMP/nopdf.store" 2>&1)
	rc=$?
	expect_eq "a deck whose PDF fails does not fail the build" 0 "$rc"
	expect_match "it is a warning naming the deck and why" "noreveal/index.html: warning: no PDF handout for the deck 'noreveal': its print view did not finish" "$out"
	ins=$("$UNIDECK" inspect "$TMP/nopdf.store")
	expect_match "the other deck has its PDF" '^/fine/fine.pdf ' "$ins"
	"$UNIDECK" export "$TMP/nopdf.store" "$TMP/nopdfx" >/dev/null
	if grep -q 'noreveal.pdf' "$TMP/nopdfx/index.html"; then notok "the index links no missing PDF"; else ok "the index links no missing PDF"; fi
	check "and links the one that exists" grep -q '/fine/fine.pdf' "$TMP/nopdfx/index.html"
else
	skip "a deck that does not print: Chromium is not installed"
fi
finish
