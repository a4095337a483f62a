#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Decks carrying their own copy of the reveal.js releases that package.json's
# aliases do not cover: 2.4.0 (not on npm: the copy mirage-decks carries, when
# a snapshot of that archive is here, MIRAGE_DECKS as for mirage-archive.sh),
# 2.5.0, 2.6.0, 3.0.0, 3.1.0, 3.2.0, 3.3.0 and 3.4.1 (`npm pack` into
# build/cache/reveal.js/ at test time, kept there, never committed). Each deck
# is laid out as that release's own index.html lays one out, built with its
# PDF, served, and driven in Chromium by tests/browser/ownreveal.mjs: its own
# copy loads, 5 slides, slides turn, fragments, live follow, U, live reload,
# no console error or failed request. A release that cannot be had says skip.
. "$(dirname "$0")/../lib.sh"
UNIDECK=$ROOT/build/unideck
if ! command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || [ ! -d "$ROOT/node_modules/playwright-core" ]; then
	skip "reveal.js releases: Chromium or playwright-core is not installed"
	exit 0
fi
cache=$ROOT/build/cache/reveal.js
mkdir -p "$cache" "$TMP/pkg" "$TMP/decks"
mirage=${MIRAGE_DECKS:-/work/.mirror/mirage+mirage-decks/repo}
versions=()
get() { # VERSION: its package in $TMP/pkg/VERSION, or false
	local v=$1 t=$cache/reveal.js-$1.tgz
	mkdir -p "$TMP/pkg/$v"
	if [ "$v" = 2.4.0 ]; then
		if [ -d "$mirage/assets/reveal-2.4.0" ]; then
			cp -r "$mirage/assets/reveal-2.4.0/." "$TMP/pkg/$v/"
		elif git -C "$mirage" cat-file -e HEAD:assets/reveal-2.4.0 2>/dev/null; then
			git -C "$mirage" ls-tree -r HEAD assets/reveal-2.4.0 | while read -r _ _ sha path; do
				mkdir -p "$TMP/pkg/$v/$(dirname "${path#assets/reveal-2.4.0/}")"
				git -C "$mirage" cat-file blob "$sha" >"$TMP/pkg/$v/${path#assets/reveal-2.4.0/}"
			done
		else
			return 1
		fi
		head -c 40 "$TMP/pkg/$v/js/reveal.min.js" | grep -q 'reveal.js 2.4.0' || return 1
		return 0
	fi
	[ -s "$t" ] || (cd "$cache" && timeout 120 npm pack "reveal.js@$v" --silent >/dev/null 2>&1) || return 1
	tar xzf "$t" -C "$TMP/pkg/$v" --strip-components=1
}
slides() {
	cat <<'HTML'
<section><h1>Own reveal.js</h1><p>version VERSION</p></section>
<section><h2>Fragments</h2><p class="fragment">one</p><p class="fragment">two</p>
<aside class="notes">Speaker notes of slide two.</aside></section>
<section><section><h2>Stack top</h2></section><section><h2>Stack below</h2></section></section>
<section><h2>Last</h2></section>
HTML
}
for v in 2.4.0 2.5.0 2.6.0 3.0.0 3.1.0 3.2.0 3.3.0 3.4.1; do
	if ! get "$v"; then
		skip "reveal.js $v: $([ "$v" = 2.4.0 ] && echo "not on npm, and no mirage-decks snapshot at $mirage carries it" || echo "npm pack reveal.js@$v failed (offline?)")"
		continue
	fi
	p=$TMP/pkg/$v slug=reveal-${v//./-} d=$TMP/decks/reveal-${v//./-}
	mkdir -p "$d/css/theme" "$d/lib/js" "$d/plugin" "$d/js"
	cp -r "$p/css/print" "$d/css/"
	cp "$p/css/theme/serif.css" "$d/css/theme/" # it loads no web fonts
	cp "$p/lib/js/head.min.js" "$p/lib/js/classList.js" "$d/lib/js/"
	cp -r "$p/plugin/notes" "$d/plugin/"
	case $v in
	2.*)
		cp "$p/js/reveal.min.js" "$d/js/"
		cp "$p/css/reveal.min.css" "$d/css/"
		script=js/reveal.min.js css=css/reveal.min.css major=2
		;;
	*)
		cp "$p/js/reveal.js" "$d/js/"
		cp "$p/css/reveal.css" "$d/css/"
		script=js/reveal.js css=css/reveal.css major=3
		;;
	esac
	{
		cat <<HTML
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>reveal.js $v deck</title>
<link rel="stylesheet" href="$css">
<link rel="stylesheet" href="css/theme/serif.css" id="theme">
<script>
if (window.location.search.match(/print-pdf/gi)) {
	var link = document.createElement('link');
	link.rel = 'stylesheet';
	link.type = 'text/css';
	link.href = 'css/print/pdf.css';
	document.getElementsByTagName('head')[0].appendChild(link);
}
</script>
</head>
<body>
<div class="reveal"><div class="slides">
HTML
		slides | sed "s/VERSION/$v/"
		cat <<HTML
</div></div>
<script src="lib/js/head.min.js"></script>
<script src="$script"></script>
<script>
Reveal.initialize({
	controls: true, progress: true, history: true, center: true, transition: 'none',
	dependencies: [
		{ src: 'lib/js/classList.js', condition: function() { return !document.body.classList; } },
		{ src: 'plugin/notes/notes.js', async: true, condition: function() { return !!document.body.classList; } }
	]
});
</script>
</body>
</html>
HTML
	} >"$d/index.html"
	versions+=("{\"slug\":\"$slug\",\"major\":$major,\"version\":\"$v\",\"script\":\"/$slug/$script\"}")
done
if [ ${#versions[@]} = 0 ]; then
	finish
	exit 0
fi
check "decks with their own reveal.js of each release build with PDFs" \
	"$UNIDECK" build "$TMP/decks" -o "$TMP/own.store" --quiet
paths=$("$UNIDECK" inspect "$TMP/own.store")
if printf '%s\n' "$paths" | grep -q '^/_reveal/'; then
	notok "no reference was pointed at the store's reveal.js: $(printf '%s\n' "$paths" | grep '^/_reveal/' | head -3 | tr '\n' ' ')"
else
	ok "no reference was pointed at the store's reveal.js"
fi
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/own.store" "$TMP/www" >/dev/null
for d in "$TMP/decks"/*/; do
	s=$(basename "$d")
	expect_eq "$s: the deck is served unchanged" \
		"$(sed 's|<script src="/_unideck/deck.js"></script>||; s|<script src="/_unideck/present.js"></script>||' "$TMP/www/$s/index.html" | tr -d '\n')" \
		"$(tr -d '\n' <"$d/index.html")"
	pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/$s/$s.pdf" 2>/dev/null)
	expect_eq "$s: its PDF, through its own print sheet, has one page per slide" 5 "$pages"
done
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
start_server "$TMP/decks" --token "$token" || exit 1
mkdir -p "$ROOT/build/screenshots"
OWNREVEAL_VERSIONS="[$(IFS=,; echo "${versions[*]}")]" \
	node "$ROOT/tests/browser/ownreveal.mjs" "http://127.0.0.1:$PORT" "$token" "$TMP/decks" "$ROOT/build/screenshots"
rc=$?
stop_server
finish && exit $rc
