// SPDX-License-Identifier: MIT
// unideck's side of Marp decks (tools/deck/marp.h), loaded after reveal.js:
// - each slide holds Marp's rendering in a declarative shadow root; a browser
//   without those gets the shadow root made here from its template;
// - Marp's fragmented lists step with reveal.js: every Marp slide carries as
//   many (hidden) reveal.js fragments as Marp counted, and the items of the
//   slide are shown as those are, the way marp-cli's viewer shows them; in the
//   print view (?print-pdf) every item is shown.
(function () {
	'use strict';
	var slides = document.querySelectorAll('.reveal .slides > section.unideck-marp');
	var printing = /print-pdf/.test(location.search);
	Array.prototype.forEach.call(slides, function (sec) {
		var host = sec.querySelector('.unideck-marp-host'), t;
		if (host && !host.shadowRoot && host.attachShadow) {
			t = host.querySelector('template[shadowrootmode]');
			if (t) {
				host.attachShadow({ mode: 'open' }).appendChild(t.content);
				t.parentNode.removeChild(t);
			}
		}
	});
	function sync() {
		Array.prototype.forEach.call(slides, function (sec) {
			var host = sec.querySelector('.unideck-marp-host');
			var root = host && host.shadowRoot;
			if (!root) return;
			var shown = sec.querySelectorAll('.unideck-marp-fragment.visible').length;
			root.querySelectorAll('[data-marpit-fragment]').forEach(function (el) {
				var k = parseInt(el.getAttribute('data-marpit-fragment'), 10) || 0;
				el.setAttribute('data-bespoke-marp-fragment', printing || k <= shown ? 'active' : 'inactive');
			});
		});
	}
	sync();
	if (window.Reveal && typeof Reveal.on === 'function')
		['ready', 'slidechanged', 'fragmentshown', 'fragmenthidden'].forEach(function (e) {
			Reveal.on(e, sync);
		});
})();
