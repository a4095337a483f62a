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
finish
