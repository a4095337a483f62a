// SPDX-License-Identifier: MIT
// unideck's build-time Marp: a Marp deck (deck.md with `marp: true`) rendered by
// Marp's own engine (@marp-team/marp-core), cut into one reveal.js slide per
// Marp slide, each holding Marp's own slide (inline SVG) in a declarative
// shadow root with Marp's CSS, so that reveal.js drives what Marp drew.
//
// usage: node marp.mjs DECK.md CSS_URL KATEX_FONTS_URL
// Run by tools/deck/marp.c. stdout: NUL-terminated records, a letter then text:
//   T title, A author, D date, V venue, S description, L lang (from the front
//   matter, for unideck's index), W width, H height (the slide size), N count,
//   C Marp's CSS, B the slides' HTML, F fragments in the deck (0 if none),
//   ! "LINE<tab>warning", E "LINE<tab>error" (then exit 1).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
const { Marp } = require('@marp-team/marp-core');
const yaml = require('js-yaml');

const [file, cssUrl, katexFonts] = process.argv.slice(2, 5);
const out = [];
const rec = (k, v) => out.push(k + String(v).replace(/\0/g, ''));
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const finish = (code) => {
	// Exit once the pipe has taken it all: exiting at once cuts large output.
	process.stdout.write(out.map((r) => r + '\0').join(''), () => process.exit(code));
};

const src = readFileSync(file, 'utf8');
// The front matter, for the index and for checks; Marp reads it again itself.
const fm = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(\r?\n|$)/.exec(src);
let meta = {};
if (fm) {
	try {
		meta = yaml.load(fm[1]) || {};
	} catch (e) {
		rec('E', `${(e.mark ? e.mark.line + 2 : 1)}\t${e.reason || e.message}`);
		finish(1);
		await new Promise(() => {}); // until finish exits
	}
}
const lineOf = (key) => {
	if (!fm) return 1;
	const lines = fm[1].split('\n');
	for (let i = 0; i < lines.length; i++) if (new RegExp(`^${key}\\s*:`).test(lines[i])) return i + 2;
	return 1;
};
for (const [k, key] of [['T', 'title'], ['A', 'author'], ['D', 'date'], ['V', 'venue'], ['S', 'description'], ['L', 'lang']]) {
	let v = meta[key];
	if (v instanceof Date) v = v.toISOString().slice(0, 10);
	if (v !== undefined && v !== null) rec(k, v);
}

const marp = new Marp({
	html: true,
	script: false, // the page loads Marp's browser helper once, from the store
	math: { katexFontPath: katexFonts },
});
const theme = meta.theme;
if (theme !== undefined && !marp.themeSet.has(String(theme)))
	rec('!', `${lineOf('theme')}\tunknown Marp theme '${theme}': Marp uses its default theme; the built-in ones are ${[...marp.themeSet.themes()].map((t) => t.meta.theme).join(', ')}`);
const { html, css, comments } = marp.render(src, { htmlAsArray: true });

// Web fonts from other hosts (gaia and uncover import them): the deck loads
// nothing from outside its server, so they fall back to local fonts, as
// unideck does for reveal.js themes.
let own = css.replace(/@import\s+(url\()?["']?(https?:)?\/\/[^;]*;/g, '');
if (own !== css) own += '\n/* unideck: @import of web fonts removed, so the deck loads nothing from outside its server. */\n';
const m = /viewBox="0 0 (\d+) (\d+)"/.exec(html[0] || '');
rec('W', m ? m[1] : 1280);
rec('H', m ? m[2] : 720);
rec('N', html.length);
rec('C', own);
// The slide fills its reveal.js slide as it fills marp-cli's viewer; fragments
// not yet shown are hidden the way marp-cli's viewer hides them.
const hostCss = 'div.marpit,div.marpit>svg[data-marpit-svg]{display:block;width:100%;height:100%}' +
	'[data-bespoke-marp-fragment=inactive]{visibility:hidden}';
let fragments = 0;
const body = html.map((raw, i) => {
	// Marp quotes background URLs with &quot; inside style attributes; as
	// url('...') they read the same and unideck's reference check sees them.
	const slide = raw.replace(/url\(&quot;([^'&]*?)&quot;\)/g, "url('$1')");
	const n = Number((/data-marpit-fragments="(\d+)"/.exec(slide) || [])[1] || 0);
	fragments += n;
	const frags = Array.from({ length: n }, (_, k) =>
		`<span class="fragment unideck-marp-fragment" data-fragment-index="${k}"></span>`).join('');
	const notes = (comments[i] || []).filter((c) => c.trim());
	return `<section class="unideck-marp" data-marp-slide="${i + 1}">` +
		`<div class="unideck-marp-host"><template shadowrootmode="open">` +
		`<link rel="stylesheet" href="${esc(cssUrl)}"><style>${hostCss}</style>` +
		`<div class="marpit">${slide}</div></template></div>${frags}` +
		(notes.length ? `<aside class="notes">${notes.map((c) => `<p>${esc(c)}</p>`).join('\n')}</aside>` : '') +
		'</section>';
}).join('\n');
rec('F', fragments);
rec('B', body);
finish(0);
