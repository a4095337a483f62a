#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Math in Markdown decks, rendered at build time by KaTeX: $..$, $$..$$, \(..\)
# and \[..\]; never inside code; prices stay text; KaTeX's CSS and fonts in the
# store; a TeX error names the file and line.
. "$(dirname "$0")/../lib.sh"
if ! command -v node >/dev/null || [ ! -d "$ROOT/node_modules/katex" ]; then
	skip "math: Node.js or node_modules/katex is missing (scripts/deps.sh, npm ci)"
	exit 0
fi
mkdir -p "$TMP/decks/m"
cat >"$TMP/decks/m/deck.md" <<'MD'
---
title: Math
---

# Euler: $e^{i\pi} + 1 = 0$, Pythagoras: \(a^2 + b^2 = c^2\)

$$\int_0^1 x^2\,dx = \frac{1}{3}$$

---

## Not math

`$x$ stays code` and this costs $5 and $10.

```
$$ y $$ \(z\)
```

\[ \sum_{k=1}^n k = \frac{n(n+1)}{2} \]

Note: notes can hold math too: $\alpha$
MD
check "a deck with math builds" "$UNIDECK" build "$TMP/decks" -o "$TMP/m.store" --no-pdf -q
"$UNIDECK" export "$TMP/m.store" "$TMP/www" >/dev/null
page=$(cat "$TMP/www/m/index.html")
tex=$(printf '%s' "$page" | grep -o '<annotation encoding="application/x-tex">[^<]*' | sed 's/.*">//')
expect_eq "every formula is rendered, in order (\$, \\(, \$\$, \\[, notes)" \
	'e^{i\pi} + 1 = 0|a^2 + b^2 = c^2|\int_0^1 x^2\,dx = \frac{1}{3}|\sum_{k=1}^n k = \frac{n(n+1)}{2}|\alpha' \
	"$(printf '%s\n' "$tex" | paste -sd '|')"
expect_eq "display math is display math" 2 "$(printf '%s' "$page" | grep -o 'class="katex-display"' | wc -l)"
expect_match "code spans keep their dollars" '<code>\$x\$ stays code</code>' "$page"
expect_match "fenced code keeps its dollars and brackets" '\$\$ y \$\$ \\\(z\\\)' "$page"
expect_match "prices stay text" 'costs \$5 and \$10\.' "$page"
expect_match "the page links KaTeX's stylesheet from the store" 'href="/_katex/[0-9.]+/katex.min.css"' "$page"
if printf '%s' "$page" | grep -q 'katex.*\.js\|unideck-math'; then
	notok "no KaTeX script and no placeholder is left in the page"
else
	ok "no KaTeX script and no placeholder is left in the page"
fi
ins=$("$UNIDECK" inspect "$TMP/m.store")
expect_match "KaTeX's fonts are in the store" '^/_katex/[0-9.]+/fonts/KaTeX_Main-Regular.woff2 ' "$ins"
css=$(cat "$TMP"/www/_katex/*/katex.min.css)
missing=0
for f in $(printf '%s' "$css" | grep -o 'url(fonts/[^)]*)' | sed 's/url(//; s/)//' | sort -u); do
	[ -f "$(echo "$TMP"/www/_katex/*/)$f" ] || { missing=1; echo "# missing $f"; }
done
expect_eq "every font the stylesheet names is in the store" 0 "$missing"

# A page without math needs no KaTeX at all.
mkdir -p "$TMP/plain/p"
printf -- '---\ntitle: Plain\n---\n\n# No math, $5\n' >"$TMP/plain/p/deck.md"
"$UNIDECK" build "$TMP/plain" -o "$TMP/p.store" --no-pdf -q
if "$UNIDECK" inspect "$TMP/p.store" | grep -q '^/_katex/'; then notok "a deck without math carries no KaTeX"; else ok "a deck without math carries no KaTeX"; fi

# A TeX error: file and line.
mkdir -p "$TMP/bad/b"
printf -- '---\ntitle: Bad\n---\n\n# One\n\n---\n\n## Two\n\nbroken: $\\frac{a}{b$ here\n' >"$TMP/bad/b/deck.md"
out=$("$UNIDECK" build "$TMP/bad" -o "$TMP/b.store" --no-pdf 2>&1)
expect_match "a TeX error fails the build with file and line" 'decks?/b/deck.md:11: error: math: KaTeX parse error' "$(printf '%s' "$out" | sed "s|$TMP/bad|decks|")"
finish
