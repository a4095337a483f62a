#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Which reveal.js a raw deck gets: its own copy when its references resolve (in
# its folder, or by absolute path in the site's shared folder decks/_site/),
# the store's copy only for runtime references that resolve nowhere.
. "$(dirname "$0")/../lib.sh"
d=$TMP/decks
mkdir -p "$d/_site/reveal-2.6.2/js" "$d/_site/reveal-2.6.2/css/theme" "$d/old" "$d/bare"
echo 'var Reveal = {};' >"$d/_site/reveal-2.6.2/js/reveal.min.js"
echo '.reveal {}' >"$d/_site/reveal-2.6.2/css/theme/horizon.css"
cat >"$d/old/index.html" <<'HTML'
<!doctype html><html><head><title>Old</title>
<link rel="stylesheet" href="/reveal-2.6.2/css/theme/horizon.css" id="theme">
</head><body><div class="reveal"><div class="slides"><section>One</section></div></div>
<script src="/reveal-2.6.2/js/reveal.min.js"></script>
<script>Reveal.initialize({});</script></body></html>
HTML
cat >"$d/bare/index.html" <<'HTML'
<!doctype html><html><head><title>Bare</title>
<link rel="stylesheet" href="dist/reveal.css"><link rel="stylesheet" href="dist/theme/black.css">
</head><body><div class="reveal"><div class="slides"><section>One</section></div></div>
<script src="dist/reveal.js"></script>
<script>Reveal.initialize({});</script></body></html>
HTML
out=$("$UNIDECK" build "$d" -o "$TMP/s.store" --no-pdf 2>&1)
expect_match "a deck whose reveal.js 2.6.2 and horizon theme are in decks/_site builds" '^wrote ' "$out"
mkdir -p "$TMP/www"
"$UNIDECK" export "$TMP/s.store" "$TMP/www" >/dev/null 2>&1
page=$(cat "$TMP/www/old/index.html" 2>/dev/null)
expect_match "its absolute references are kept as written" \
	'href="/reveal-2.6.2/css/theme/horizon.css".*' "$page"
expect_match "its script too" 'src="/reveal-2.6.2/js/reveal.min.js"' "$page"
if printf '%s' "$page" | grep -q '/_reveal/'; then notok "nothing of it points at the store's copy"; else ok "nothing of it points at the store's copy"; fi
bare=$(cat "$TMP/www/bare/index.html" 2>/dev/null)
expect_match "a deck without a copy of its own gets the store's reveal.js" \
	'src="/_reveal/[0-9.]+/reveal.js"' "$bare"
expect_match "and the store's theme" 'href="/_reveal/[0-9.]+/theme/black.css"' "$bare"
finish
