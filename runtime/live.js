// SPDX-License-Identifier: MIT
// unideck live reload, loaded by pages of a preview build (`unideck serve DIR`):
// reload when the server has rebuilt the decks, or has come back after a restart.
(function () {
	'use strict';
	if (!window.EventSource) return;
	var lost = false;
	var es = new EventSource('/_unideck/events');
	es.addEventListener('reload', function () {
		location.reload();
	});
	es.onerror = function () {
		lost = true; // EventSource retries by itself
	};
	es.onopen = function () {
		if (lost) location.reload();
	};
})();
