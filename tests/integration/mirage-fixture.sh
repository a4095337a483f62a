#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes a small tree shaped like the mirage-decks repository into DIR (not a
# copy of it: written here): src/people.ml and src/slides.ml with three decks
# (one in the reveal.js 2.4.0 frame with section fragments, one in the 2.6.2
# frame with content.md and the archive's Markdown separators, one with a
# theme of its own), one deck commented out, and assets/ with reveal.js copies
# (npm's reveal.js 2.6.2 standing in for both of the archive's versions), a
# theme, site CSS and images. Run by tests/integration/import.sh and
# tests/browser/mirage.sh (not executable: tests/run leaves it alone).
# Slides: old240 4 (a stack of 2), new262 6 (3 across; 2, then 3, in stacks),
# themed262 2, 2014ccc 2 (a name that sorts before _site). As in the real
# archive: YouTube iframes (in old240's in-page Markdown and in 2014ccc's
# content.md), and horizon's @font-face lists an .eot that is not there.
# usage: mirage-fixture.sh ROOT DIR
set -eu
root=$1 dir=$2
r2=$root/node_modules/reveal.js-2
mkdir -p "$dir/src" "$dir/assets/css" "$dir/assets/img" "$dir/assets/js/vendor" \
	"$dir/assets/highlight.js-8.2/styles" "$dir/slides/old240" "$dir/slides/new262" \
	"$dir/slides/themed262" "$dir/slides/templates" "$dir/slides/2014ccc"
cat >"$dir/src/people.ml" <<'ML'
(* The speakers. *)
type t = { name: string; uri: string option; email: string option; }

let ada = {
  name = "Ada Lovelace";
  uri = Some "http://example.org/ada";
  email = None;
}

let bob = {
  name = "Bob \"The Builder\" Smith";
  uri = None;
  email = Some "bob@example.org";
}
ML
cat >"$dir/src/slides.ml" <<'ML'
open Tyxml

let decks =
  let open Deck in
  [
    { permalink = "themed262";
      given = Date.t (2015, 03, 09);
      speakers = [People.bob];
      venue = "A Workshop";
      title = "Themed: serif";
      style = Reveal262 (Some "serif");
    };
    (* { permalink = "gone";
         given = Date.t (2014, 01, 01);
         speakers = [People.ada];
         venue = "Nowhere"; title = "Commented out"; style = Reveal240; }; *)
    { permalink = "new262";
      given = Date.t (2014, 11, 20);
      speakers = [People.ada; People.bob];
      venue = "FunConf 2014";
      title = "Markdown in content.md";
      style = Reveal262 None;
    };

    { permalink = "2014ccc";
      given = Date.t (2014, 12, 27);
      speakers = [People.ada];
      venue = "A Congress";
      title = "A name before _site";
      style = Reveal262 None;
    };

    { permalink = "old240";
      given = Date.t (2013, 07, 24);
      speakers = [People.ada];
      venue = "OSCON 2013";
      title = "The frame of 2.4.0";
      style = Reveal240;
    };
  ]

let deck_to_html d = ignore d
ML
for v in reveal-2.4.0 reveal.js-2.6.2; do
	mkdir -p "$dir/assets/$v/css/theme" "$dir/assets/$v/plugin"
	cp -r "$r2/js" "$r2/lib" "$dir/assets/$v/"
	rm -rf "$dir/assets/$v/lib/font"
	cp -r "$r2/css/print" "$dir/assets/$v/css/"
	cp "$r2/css/reveal.min.css" "$dir/assets/$v/css/"
	cp "$r2/css/theme/serif.css" "$dir/assets/$v/css/theme/"
	for p in markdown notes highlight zoom-js; do cp -r "$r2/plugin/$p" "$dir/assets/$v/plugin/"; done
	# As the archive's themes: an .eot source that is not there, beside one that is.
	mkdir -p "$dir/assets/$v/lib/font"
	font=$(fc-match -f '%{file}' sans 2>/dev/null || true)
	if [ -f "$font" ]; then
		cp "$font" "$dir/assets/$v/lib/font/heading.ttf"
	else
		printf 'stand-in' >"$dir/assets/$v/lib/font/heading.ttf"
	fi
	cat >"$dir/assets/$v/css/theme/horizon.css" <<'CSS'
/* The fixture's horizon theme (the archive has its own). */
@font-face {
	font-family: 'Heading';
	src: url('../../lib/font/heading.eot');
	src: url('../../lib/font/heading.eot?#iefix') format('embedded-opentype'),
	     url('../../lib/font/heading.ttf') format('truetype');
}
body { background: #1c2833; }
.reveal { font-family: sans-serif; font-size: 32px; color: #eee; }
.reveal h1 { font-family: 'Heading', sans-serif; }
.reveal h1, .reveal h2, .reveal h3 { color: #f5b041; }
CSS
done
cat >"$dir/assets/reveal.js-2.6.2/js/init.js" <<'JS'
// The fixture's init.js, as the archive's: the 2.6.2 decks' configuration.
Reveal.initialize({
	center: false, history: true, slideNumber: true,
	transition: Reveal.getQueryHash().transition || 'fade',
	dependencies: [
		{ src: '/reveal.js-2.6.2/lib/js/classList.js', condition: function () { return !document.body.classList; } },
		{ src: '/reveal.js-2.6.2/plugin/markdown/marked.js', condition: function () { return !!document.querySelector('[data-markdown]'); } },
		{ src: '/reveal.js-2.6.2/plugin/markdown/markdown.js', condition: function () { return !!document.querySelector('[data-markdown]'); } }
	]
});
Reveal.addEventListener('ready', function () {
	if (window.location.search.match(/print-pdf/gi)) {
		var link = document.createElement('link');
		link.rel = 'stylesheet';
		link.href = '/reveal.js-2.6.2/css/print/pdf.css';
		document.head.appendChild(link);
		var f = document.getElementById('footer');
		if (f) f.parentNode.removeChild(f);
	}
});
JS
echo '/* The fixture stands in for jQuery 2.0.3: its init.js does not use it. */' >"$dir/assets/js/vendor/jquery-2.0.3.min.js"
echo '.hljs { display: block; background: #3f3f3f; color: #dcdcdc; }' >"$dir/assets/highlight.js-8.2/styles/zenburn.css"
echo '#footer { position: fixed; bottom: 0; left: 0; z-index: 20; } #footer img { height: 24px; }' >"$dir/assets/css/site.css"
python3 - "$dir/assets/img" "$dir/slides/old240" <<'PY'
import struct, sys, zlib
def png(path, rgb):
    raw = b''.join(b'\x00' + bytes(rgb) * 32 for _ in range(32))
    c = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + c(b'IHDR', struct.pack('>IIBBBBB', 32, 32, 8, 2, 0, 0, 0)) + c(b'IDAT', zlib.compress(raw)) + c(b'IEND', b''))
png(sys.argv[1] + '/home.png', (240, 240, 240))
png(sys.argv[1] + '/print.png', (200, 200, 200))
png(sys.argv[2] + '/arch.png', (40, 120, 200))
PY
cat >"$dir/slides/old240/index.html" <<'HTML'
<section class="title">
  <h1>The frame of 2.4.0</h1>
  <p>Ada Lovelace</p>
</section>

<section>
  <section><h2>A stack</h2><img src="arch.png" alt="architecture"></section>
  <section><h2>Below it</h2><p class="fragment">a fragment</p></section>
</section>

<section data-markdown>
  <script type="text/template">
    ## In-page Markdown

    - with `<section>` in its text, which is not a slide

<iframe width="600" height="400" src="//www.youtube.com/embed/aaaaaaaaaaa" frameborder="0" allowfullscreen></iframe>
  </script>
</section>
HTML
printf '%s\n' '<!-- .slide: class="title" -->' '' '# Markdown in content.md' '' 'Ada Lovelace, Bob Smith' '' '' \
	'----' '' '# Two' '' '+ a point' '' 'Note: a speaker note' '' '' \
	'# Two, below' '' 'text' '' '' \
	'----' '' '# Three' '' '' '# Three, below' '' '' '# Three, further below' >"$dir/slides/new262/content.md"
printf '%s\n' '# Themed' '' '' '----' '' '# The end' >"$dir/slides/themed262/content.md"
printf '%s\n' '# A congress' '' '' '----' '' '# A video' '' \
	'<iframe width="480" height="360" src="https://www.youtube-nocookie.com/embed/bbbbbbbbbbb" frameborder="0" allowfullscreen="1"> &nbsp; </iframe>' \
	'' 'Shown as code, `<iframe src="https://example.org/span"></iframe>`, and:' '' '```html' \
	'<iframe src="https://example.org/fenced"></iframe>' '```' >"$dir/slides/2014ccc/content.md"
echo '<section><h1>A template, not a deck of slides.ml</h1></section>' >"$dir/slides/templates/index.html"
