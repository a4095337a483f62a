#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes decks that carry their own reveal.js (2.6.2, 3.x, 4.x and 5.x, copied
# from the npm aliases in package.json) into DIR, one deck per major version,
# each laid out as that version's own demo page lays a deck out. Each has 5
# slides: 4 horizontal, one of them a vertical stack of 2, one with 2 fragments.
# Not a test by itself (not executable, so tests/run leaves it alone): run by
# tests/browser/ownreveal.sh.
# usage: ownreveal-fixtures.sh ROOT DIR
set -eu
root=$1 dir=$2
mkdir -p "$dir"

. "$(dirname "$0")/ownreveal-lib.sh"

# reveal.js 2.6.2: js/reveal.min.js, head.js dependencies, css/theme, and the
# print sheet added by the page's own script (as its demo does).
d=$dir/reveal2
mkdir -p "$d"
cp -r "$root/node_modules/reveal.js-2/js" "$root/node_modules/reveal.js-2/lib" "$d/"
mkdir -p "$d/css/theme" "$d/plugin"
cp -r "$root/node_modules/reveal.js-2/css/print" "$root/node_modules/reveal.js-2/css/reveal.min.css" "$d/css/"
cp "$root/node_modules/reveal.js-2/css/theme/serif.css" "$d/css/theme/" # it loads no fonts
cp -r "$root/node_modules/reveal.js-2/plugin/notes" "$d/plugin/"
rm -rf "$d/lib/font"
own_page_headjs "reveal.js 2 deck" css/reveal.min.css js/reveal.min.js 2.6.2 \
	'<meta name="author" content="Old Hand">' >"$d/index.html"

# reveal.js 3.x: js/reveal.js, css/reveal.css, css/theme, lib/, plugin/notes.
d=$dir/reveal3
mkdir -p "$d/css" "$d/lib/css" "$d/plugin"
cp -r "$root/node_modules/reveal.js-3/js" "$d/"
cp "$root/node_modules/reveal.js-3/css/reset.css" "$root/node_modules/reveal.js-3/css/reveal.css" "$d/css/"
cp -r "$root/node_modules/reveal.js-3/css/print" "$root/node_modules/reveal.js-3/css/theme" "$d/css/"
cp -r "$root/node_modules/reveal.js-3/lib/font" "$root/node_modules/reveal.js-3/lib/js" "$d/lib/"
cp "$root/node_modules/reveal.js-3/lib/css/monokai.css" "$d/lib/css/"
cp -r "$root/node_modules/reveal.js-3/plugin/notes" "$d/plugin/"
rm -f "$d/css/theme/"{beige,blood,league,moon,night,simple,sky,solarized}.css # web fonts
rm -rf "$d/css/theme/source" "$d/css/theme/template"
{
	cat <<'HTML'
<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>reveal.js 3 deck</title>
<link rel="stylesheet" href="css/reset.css">
<link rel="stylesheet" href="css/reveal.css">
<link rel="stylesheet" href="css/theme/black.css">
<link rel="stylesheet" href="lib/css/monokai.css">
<script>
var link = document.createElement('link');
link.rel = 'stylesheet';
link.type = 'text/css';
link.href = window.location.search.match(/print-pdf/gi) ? 'css/print/pdf.css' : 'css/print/paper.css';
document.getElementsByTagName('head')[0].appendChild(link);
</script>
HTML
	own_body 3
	cat <<'HTML'
<script src="js/reveal.js"></script>
<script>
Reveal.initialize({
	hash: true, transition: 'none',
	dependencies: [ { src: 'plugin/notes/notes.js', async: true } ]
});
</script>
</body>
</html>
HTML
} >"$d/index.html"

# reveal.js 4.x and 5.x: dist/ and plugin/, plugins as objects.
for v in 4 5; do
	d=$dir/reveal$v
	mkdir -p "$d/dist/theme" "$d/plugin"
	cp "$root/node_modules/reveal.js-$v/dist/reveal.js" "$root/node_modules/reveal.js-$v/dist/reveal.css" \
		"$root/node_modules/reveal.js-$v/dist/reset.css" "$d/dist/"
	cp "$root/node_modules/reveal.js-$v/dist/theme/white.css" "$d/dist/theme/"
	cp -r "$root/node_modules/reveal.js-$v/dist/theme/fonts" "$d/dist/theme/"
	cp -r "$root/node_modules/reveal.js-$v/plugin/notes" "$d/plugin/"
	rm -f "$d/plugin/notes/"*.esm.js* "$d/plugin/notes/"plugin.js "$d/plugin/notes/"speaker-view.html
	{
		cat <<'HTML'
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>reveal.js VERSION deck</title>
<link rel="stylesheet" href="dist/reset.css">
<link rel="stylesheet" href="dist/reveal.css">
<link rel="stylesheet" href="dist/theme/white.css">
HTML
		own_body VERSION
		cat <<'HTML'
<script src="dist/reveal.js"></script>
<script src="plugin/notes/notes.js"></script>
<script>
Reveal.initialize({ hash: true, transition: 'none', plugins: [ RevealNotes ] });
</script>
</body>
</html>
HTML
	} | sed "s/VERSION/$v/" >"$d/index.html"
done
