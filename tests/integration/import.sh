#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `unideck import mirage-decks`: a mirage-decks-shaped tree (written by
# tests/integration/mirage-fixture.sh) into decks: the deck list and speakers
# from the OCaml, the pages in their original frames, deck.yaml beside them,
# the shared assets in _site/; refusals name what and where, and write nothing.
. "$(dirname "$0")/../lib.sh"
if [ ! -d "$ROOT/node_modules/reveal.js-2" ]; then
	skip "import: node_modules/reveal.js-2 is missing (npm ci)"
	exit 0
fi
bash "$ROOT/tests/integration/mirage-fixture.sh" "$ROOT" "$TMP/m"
out=$("$UNIDECK" import mirage-decks "$TMP/m" -o "$TMP/decks" 2>&1)
expect_match "the archive is imported" '^imported 4 decks of 4 ' "$out"
line=$(grep -n 'youtube.com/embed/aaaaaaaaaaa' "$TMP/m/slides/old240/index.html" | cut -d: -f1)
expect_match "an iframe from outside, in in-page Markdown, becomes a link: a warning with the archive's file and line" \
	"slides/old240/index.html:$line: warning: <iframe> of '//www.youtube.com/embed/aaaaaaaaaaa' \(a page outside the server\) replaced by a link" "$out"
expect_match "and in content.md" \
	"slides/2014ccc/content.md:8: warning: <iframe> of 'https://www.youtube-nocookie.com/embed/bbbbbbbbbbb'" "$out"
expect_match "the link keeps the frame's address and size" \
	'<a class="unideck-outside" target="_blank" rel="noopener" href="https://www.youtube.com/embed/aaaaaaaaaaa" style="[^"]*width:600px;height:400px;' \
	"$(cat "$TMP/decks/old240/index.html")"
ccc=$(cat "$TMP/decks/2014ccc/content.md")
expect_match "and its fallback text goes with the frame" 'href="https://www.youtube-nocookie.com/embed/bbbbbbbbbbb"[^>]*>Online only[^<]*</a>$' "$ccc"
case $ccc in *'<iframe width="480"'*) notok "the outside iframe is gone from content.md" ;; *) ok "the outside iframe is gone from content.md" ;; esac
expect_match "an iframe in a code span stays as written" '`<iframe src="https://example.org/span"></iframe>`' "$ccc"
expect_match "and one in fenced code" '^<iframe src="https://example.org/fenced"></iframe>$' "$ccc"
expect_eq "neither is warned of" 0 "$(printf '%s\n' "$out" | grep -c 'example.org')"
expect_eq "every deck of slides.ml, and _site, nothing else (not the commented-out one, not templates/)" \
	"2014ccc _site new262 old240 themed262" "$(ls "$TMP/decks" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "deck.yaml holds the metadata, quoted as YAML" \
	'title: "Markdown in content.md"|author: "Ada Lovelace, Bob \"The Builder\" Smith"|date: 2014-11-20|venue: "FunConf 2014"' \
	"$(paste -sd '|' "$TMP/decks/new262/deck.yaml")"
old=$(cat "$TMP/decks/old240/index.html")
expect_match "the 2.4.0 frame: its theme and scripts from the site root" \
	'href="/reveal-2.4.0/css/theme/horizon.css" id="theme".*' "$old"
expect_match "with its sections inside" '<h2>A stack</h2><img src="arch.png"' "$old"
expect_match "and the base, author and description of the original" '<base href="/old240/">' "$old"
expect_match "author" '<meta name="author" content="Ada Lovelace">' "$old"
new=$(cat "$TMP/decks/new262/index.html")
expect_match "the 2.6.2 frame: content.md with the archive's separators" \
	'data-markdown="content.md" data-separator="\^\\n\\n----\\n" data-vertical="\^\\n\\n" data-notes="\^Note:"' "$new"
expect_match "its default theme is horizon" '/reveal.js-2.6.2/css/theme/horizon.css' "$new"
expect_match "a deck's own theme is used" '/reveal.js-2.6.2/css/theme/serif.css' "$(cat "$TMP/decks/themed262/index.html")"
expect_match "speakers are escaped in HTML" 'content="Ada Lovelace, Bob &quot;The Builder&quot; Smith"' "$new"
for f in reveal-2.4.0/js/reveal.min.js reveal.js-2.6.2/js/init.js css/site.css img/home.png; do
	[ -f "$TMP/decks/_site/$f" ] || notok "the shared assets are in _site: no $f"
done
ok "the shared assets are in _site"
[ -f "$TMP/decks/old240/arch.png" ] && [ -f "$TMP/decks/new262/content.md" ] && ok "each deck's own files are beside its page" || notok "each deck's own files are beside its page"
out=$("$UNIDECK" build "$TMP/decks" -o "$TMP/s.store" --no-pdf 2>&1)
expect_eq "the imported decks build" 0 "$?"
expect_match "a missing .eot source of an @font-face rule with others is a warning with file and line" \
	"decks/_site/reveal-2.4.0/css/theme/horizon.css:[0-9]+: warning: '../../lib/font/heading.eot' does not exist .*falls back to this @font-face rule's other sources" "$out"
paths=$("$UNIDECK" inspect "$TMP/s.store")
expect_match "2014ccc (a name that sorts before _site) is built with _site's reveal.js, as the others" \
	'^  2014ccc +2 slides' "$out"
if printf '%s\n' "$paths" | grep -q '^/_reveal/'; then
	notok "no deck's reference was pointed at the store's reveal.js: $(printf '%s\n' "$paths" | grep '^/_reveal/' | head -3 | tr '\n' ' ')"
else
	ok "no deck's reference was pointed at the store's reveal.js"
fi

# A second import refuses, names every target, and writes nothing.
before=$(find "$TMP/decks" -newer "$TMP/s.store" | wc -l)
out=$("$UNIDECK" import mirage-decks "$TMP/m" -o "$TMP/decks" 2>&1)
rc=$?
expect_eq "importing over existing decks fails" 1 "$rc"
expect_match "naming each of them" '_site exists already.*' "$out"
expect_eq "four decks and _site named" 5 "$(printf '%s\n' "$out" | grep -c 'exists already')"
expect_eq "and nothing was written" "$before" "$(find "$TMP/decks" -newer "$TMP/s.store" | wc -l)"
out=$("$UNIDECK" import mirage-decks "$TMP/m" -o "$TMP/decks" --force 2>&1)
expect_match "--force replaces them" '^imported 4 decks' "$out"

# What the importer cannot read: file and line.
cp -r "$TMP/m" "$TMP/bad"
sed -i 's/People.bob\]/People.carol]/' "$TMP/bad/src/slides.ml"
out=$("$UNIDECK" import mirage-decks "$TMP/bad" -o "$TMP/bad-out" 2>&1)
expect_match "an unknown speaker: file and line" "src/slides.ml:8: error: no person 'People.carol' in src/people.ml" "$out"
cp -r "$TMP/m" "$TMP/bad2"
sed -i 's/style = Reveal240;/style = Reveal300;/' "$TMP/bad2/src/slides.ml"
out=$("$UNIDECK" import mirage-decks "$TMP/bad2" -o "$TMP/bad-out" 2>&1)
expect_match "an unknown frame: file and line" "src/slides.ml:[0-9]+: error: expected 'Reveal262' here, found 'Reveal300'" "$out"
[ -e "$TMP/bad-out" ] && notok "a failed import writes nothing" || ok "a failed import writes nothing"
rm -rf "$TMP/bad3" && cp -r "$TMP/m" "$TMP/bad3" && rm -rf "$TMP/bad3/slides/new262"
out=$("$UNIDECK" import mirage-decks "$TMP/bad3" -o "$TMP/out3" 2>&1)
expect_match "a deck without its folder is a warning with file and line" "src/slides.ml:[0-9]+: warning: deck 'new262' has no folder slides/new262: skipped" "$out"
expect_match "and the rest is imported" '^imported 3 decks of 4' "$out"
out=$("$UNIDECK" import reveal-md "$TMP/m" -o "$TMP/x" 2>&1)
expect_match "another kind of archive is a usage error" "imports mirage-decks, not 'reveal-md'" "$out"
finish
