// SPDX-License-Identifier: MIT
// unideck's deck-side script, loaded by every Markdown deck after reveal.js:
// the keyboard shortcut back to the index of decks ('u', for "up").
(function () {
	'use strict';
	if (!window.Reveal) return;
	Reveal.addKeyBinding({ keyCode: 85, key: 'U', description: 'Back to the index of decks' },
		function () {
			location.href = '/';
		});
})();
