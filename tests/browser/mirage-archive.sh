#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The real mirage-decks archive, when a snapshot of it is on this machine
# (MIRAGE_DECKS=DIR, a checkout or a bare git directory; by default the
# mirror that `fetch github:mirage/mirage-decks` leaves under /work/.mirror):
# every deck imported, built, served, and opened in Chromium with every slide
# turned (tests/browser/mirage-archive.mjs), against the same pages on a plain
# static server of the archive's layout. Nothing of the archive is kept.
# Blobs a snapshot lacks (large PDFs of three decks) get one-page stand-ins,
# named in the output.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
src=${MIRAGE_DECKS:-/work/.mirror/mirage+mirage-decks/repo}
if [ ! -e "$src/src/slides.ml" ] && ! git -C "$src" cat-file -e HEAD:src/slides.ml 2>/dev/null; then
	skip "the real mirage-decks archive: no snapshot at $src (set MIRAGE_DECKS to a checkout)"
	exit 0
fi
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "the real mirage-decks archive: Chromium or playwright-core is not installed"
	exit 0
fi
A=$TMP/archive
mkdir -p "$A"
if [ -e "$src/src/slides.ml" ]; then
	cp -r "$src/." "$A/"
else
	# A bare mirror: each blob written out; those it does not hold are noted.
	git -C "$src" ls-tree -r HEAD | while read -r _ type sha path; do
		[ "$type" = blob ] || continue
		mkdir -p "$A/$(dirname "$path")"
		git -C "$src" cat-file blob "$sha" >"$A/$path" 2>/dev/null || {
			rm -f "$A/$path"
			echo "$path" >>"$TMP/missing"
		}
	done
fi
if [ -s "$TMP/missing" ]; then
	echo "# the snapshot lacks $(wc -l <"$TMP/missing") files; one-page PDF stand-ins: $(tr '\n' ' ' <"$TMP/missing")"
	while read -r p; do
		printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' >"$A/$p"
	done <"$TMP/missing"
fi
want=$(grep -o 'permalink *= *"[^"]*"' "$A/src/slides.ml" | sort -u | wc -l)
check "every deck of the archive imports" "$UNIDECK" import mirage-decks "$A" -o "$TMP/decks"
got=$(find "$TMP/decks" -mindepth 1 -maxdepth 1 -type d ! -name _site | wc -l)
expect_eq "the import wrote every deck src/slides.ml lists" "$want" "$got"
"$UNIDECK" build "$TMP/decks" -o "$TMP/s.store" --no-pdf >"$TMP/build.out" 2>"$TMP/build.err"
rc=$?
expect_eq "and the whole archive builds (errors: $(grep -c 'error:' "$TMP/build.err"); $(grep 'error:' "$TMP/build.err" | head -3 | tr '\n' ' '))" 0 "$rc"
# The archive's own faults the build must name, with file and line.
expect_eq "the build warns of t2review14's four <script type\"text/template\"> (run as JavaScript), with their lines" 4 \
	"$(grep -c 'decks/t2review14/index.html:[0-9][0-9]*: warning: <script type"text/template">: the browser runs' "$TMP/build.err")"
for f in cam13 clweds13 fb13 qcon13 xensummit13; do
	expect_match "$f: the YouTube frame became a link" 'class="unideck-outside"[^>]*href="https://www.youtube.com/embed/' "$(cat "$TMP/decks/$f/index.html")"
done
counts=$(awk '$3 ~ /^slides?$/ {print $1 ":" $2}' "$TMP/build.out")
expect_eq "the build lists every deck with its slide count" "$want" "$(printf '%s\n' "$counts" | grep -c .)"
# With MIRAGE_ARCHIVE_PDF=1, the handouts too (about ten minutes here): each
# deck's PDF through its reveal.js 2.x print sheet, one page per slide.
if [ "${MIRAGE_ARCHIVE_PDF:-0}" = 1 ]; then
	"$UNIDECK" build "$TMP/decks" -o "$TMP/pdf.store" >/dev/null 2>"$TMP/pdf.err"
	expect_eq "the archive builds with PDFs" 0 "$?"
	expect_eq "with no PDF warning" "" "$(grep 'no PDF handout' "$TMP/pdf.err" | head -3)"
	mkdir -p "$TMP/wwwp"
	"$UNIDECK" export "$TMP/pdf.store" "$TMP/wwwp" >/dev/null
	bad=""
	for c in $counts; do
		p=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/wwwp/${c%%:*}/${c%%:*}.pdf" 2>/dev/null)
		[ "$p" = "${c##*:}" ] || bad="$bad ${c%%:*}:${p:-none}/${c##*:}"
	done
	expect_eq "every deck's PDF has one page per slide" "" "$bad"
else
	skip "the archive's PDFs: MIRAGE_ARCHIVE_PDF=1 builds them (about ten minutes)"
fi
# The index: every deck, with its date, speakers and venue from slides.ml.
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/s.store" "$TMP/www" >/dev/null
missing=""
for y in "$TMP/decks"/*/deck.yaml; do
	s=$(basename "$(dirname "$y")")
	venue=$(sed -n 's/^venue: "\(.*\)"$/\1/p' "$y" | sed 's/&/\&amp;/g; s/"/\&quot;/g; s/</\&lt;/g')
	author=$(sed -n 's/^author: "\(.*\)"$/\1/p' "$y" | sed 's/&/\&amp;/g; s/</\&lt;/g')
	year=$(sed -n 's/^date: \([0-9]\{4\}\).*/\1/p' "$y")
	grep -qF "href=\"/$s/\"" "$TMP/www/index.html" && grep -qF "$venue" "$TMP/www/index.html" &&
		grep -qF "$author" "$TMP/www/index.html" && grep -qF "$year" "$TMP/www/index.html" || missing="$missing $s"
done
expect_eq "the index lists every deck with its venue, speakers and year" "" "$missing"
mkdir -p "$TMP/plain"
cp -r "$A/assets/." "$TMP/plain/"
for d in "$TMP/decks"/*/; do
	s=$(basename "$d")
	[ "$s" = _site ] || cp -r "$d" "$TMP/plain/$s"
done
python3 -m http.server 0 --bind 127.0.0.1 --directory "$TMP/plain" >"$TMP/plain.log" 2>&1 &
PIDS+=($!)
for i in $(seq 1 100); do
	pport=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$TMP/plain.log" | head -n 1)
	[ -n "$pport" ] && break
	sleep 0.1
done
start_server "$TMP/s.store" || exit 1
# shellcheck disable=SC2086
node "$ROOT/tests/browser/mirage-archive.mjs" "http://127.0.0.1:$PORT" "http://127.0.0.1:$pport" $counts
rc=$?
stop_server
finish && exit $rc
