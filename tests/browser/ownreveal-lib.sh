# SPDX-License-Identifier: MIT
# Helpers for the decks that carry their own reveal.js: the slides every such
# deck has, the page reveal.js 2 and 3 lay a deck out in, and the checks on
# the built store. Sourced by ownreveal-fixtures.sh (functions only: it has no
# tests/lib.sh), ownreveal.sh and ownreveal-versions.sh; not a test by itself
# (not executable, so tests/run leaves it alone).

# own_slides: the same 5 slides for every version (4 horizontal, one a
# vertical stack of 2, one with 2 fragments), VERSION left for the caller.
own_slides() {
	cat <<'HTML'
<section><h1>Own reveal.js</h1><p>version VERSION</p></section>
<section><h2>Fragments</h2><p class="fragment">one</p><p class="fragment">two</p>
<aside class="notes">Speaker notes of slide two.</aside></section>
<section><section><h2>Stack top</h2></section><section><h2>Stack below</h2></section></section>
<section><h2>Last</h2></section>
HTML
}

# own_body VERSION: the head's end, the page's body up to its scripts: the
# slides (VERSION in them) inside reveal.js's two divs.
own_body() {
	printf '</head>\n<body>\n<div class="reveal"><div class="slides">\n'
	own_slides | sed "s/VERSION/$1/"
	printf '</div></div>\n'
}

# own_page_headjs TITLE CSS SCRIPT VERSION [HEAD_LINE]: a deck laid out as
# reveal.js 2's own index.html lays one out: head.js dependencies, css/theme,
# the print sheet added by the page's own script for ?print-pdf; HEAD_LINE
# (a whole line) goes after the title.
own_page_headjs() {
	cat <<HTML
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>$1</title>
HTML
	if [ -n "${5:-}" ]; then printf '%s\n' "$5"; fi
	cat <<HTML
<link rel="stylesheet" href="$2">
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
HTML
	own_body "$4"
	cat <<HTML
<script src="lib/js/head.min.js"></script>
<script src="$3"></script>
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
}

# own_build NAME DECKS: build DECKS with PDFs into $TMP/own.store, check that
# no reference was pointed at the store's reveal.js, export it to $TMP/www.
own_build() {
	local paths
	check "$1" "$UNIDECK" build "$2" -o "$TMP/own.store" --quiet
	paths=$("$UNIDECK" inspect "$TMP/own.store")
	if printf '%s\n' "$paths" | grep -q '^/_reveal/'; then
		notok "no reference was pointed at the store's reveal.js: $(printf '%s\n' "$paths" | grep '^/_reveal/' | head -3 | tr '\n' ' ')"
	else
		ok "no reference was pointed at the store's reveal.js"
	fi
	mkdir -p "$TMP/www"
	"$UNIDECK" export "$TMP/own.store" "$TMP/www" >/dev/null
}

# own_served LABEL DECKDIR SLUG: the exported deck SLUG is DECKDIR's
# index.html but for our two scripts; own_pdf_pages SLUG: its PDF's pages.
own_served() {
	expect_eq "$1: the deck is served unchanged" \
		"$(sed 's|<script src="/_unideck/deck.js"></script>||; s|<script src="/_unideck/present.js"></script>||' "$TMP/www/$3/index.html" | tr -d '\n')" \
		"$(tr -d '\n' <"$2/index.html")"
}
own_pdf_pages() {
	python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page\b", open(sys.argv[1],"rb").read())))' "$TMP/www/$1/$1.pdf" 2>/dev/null
}
