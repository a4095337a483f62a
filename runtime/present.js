// SPDX-License-Identifier: MIT
// unideck: the presenter's token taken out of the address before anything else
// runs. It comes as #present=TOKEN (a fragment never crosses the network);
// reveal.js 2.x to 4.x read the fragment when they start and take it for a
// slide's id (reveal.js 2 throws on it), so this script, first in <head>,
// keeps it for deck.js in sessionStorage and leaves the address without it.
(function () {
	var m = /^#present=([A-Za-z0-9._~-]+)$/.exec(location.hash);
	var slug = location.pathname.split('/')[1];
	if (!m || !slug) return;
	try {
		sessionStorage.setItem('unideck-present-' + slug, m[1]);
	} catch (e) {
		return; // no storage: deck.js finds it in the navigation entry
	}
	history.replaceState(null, '', location.pathname + location.search);
})();
