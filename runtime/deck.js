// SPDX-License-Identifier: MIT
// unideck's deck-side script, loaded by every deck after reveal.js:
// - live follow: with #present=TOKEN this page drives everyone else's; without
//   it, the page follows the presenter until its viewer navigates by hand
//   (a button re-attaches);
// - 'U' goes back to the index of decks;
// - the print view (?print-pdf) tells `unideck build` when it is laid out.
// It runs on every reveal.js from 2.x to 6.x: decks that carry their own copy
// keep it, so the API is detected (revealApi below) rather than assumed.
// Updates are authenticated with HMAC-SHA256 keyed by the token (written out
// below: crypto.subtle exists only on HTTPS and localhost, and decks are often
// served over plain HTTP on a local network). The token never leaves the page.
(function () {
	'use strict';
	if (!window.Reveal) return;

	// ---- the reveal.js API present ----
	// 2.x: addEventListener, slide, getIndices, isReady (2.5+), a 'ready' event; no
	//      VERSION, no key bindings, no 'pdf-ready' (its print view is the deck's
	//      own css/print/pdf.css, applied by CSS alone).
	// 3.x: VERSION; addKeyBinding from 3.5; 'pdf-ready' from 3.5 too.
	// 4.x-6.x: on/off as well, addKeyBinding, 'pdf-ready'.
	// Everything below goes through this object; a feature whose call is missing
	// is left out, never an error.
	var api = revealApi(window.Reveal);

	function revealApi(R) {
		var major = typeof R.VERSION === 'string' ? parseInt(R.VERSION, 10) || 0 : 2;
		var on = typeof R.on === 'function' ? R.on.bind(R)
			: typeof R.addEventListener === 'function' ? R.addEventListener.bind(R) : null;
		var readyNow = function () {
			if (typeof R.isReady === 'function') return R.isReady();
			// 2.4 has no isReady: it is ready once it has a current slide.
			return typeof R.getCurrentSlide === 'function' && !!R.getCurrentSlide();
		};
		var waiting = [], fired = false;
		function flush() {
			if (fired) return;
			fired = true;
			waiting.splice(0).forEach(function (fn) { fn(); });
		}
		if (readyNow()) fired = true;
		else if (on) on('ready', flush);
		return {
			major: major,
			on: function (name, fn) { if (on) on(name, fn); },
			// Runs (fn) once reveal.js has started (at once when it has).
			ready: function (fn) {
				if (fired || readyNow()) { fired = true; fn(); } else waiting.push(fn);
			},
			canFollow: !!on && typeof R.slide === 'function' && typeof R.getIndices === 'function',
			slide: function (h, v, f) { R.slide(h, v, f); },
			indices: function () { return R.getIndices(); },
			// A key: reveal.js's own binding where it has one (so that its help
			// lists it), else a listener of ours that keeps out of the way of
			// inputs and of modified keys, as reveal.js does.
			bindKey: function (code, key, description, fn) {
				if (typeof R.addKeyBinding === 'function') {
					R.addKeyBinding({ keyCode: code, key: key, description: description }, fn);
					return;
				}
				document.addEventListener('keydown', function (e) {
					var t = e.target, tag = t && t.tagName ? t.tagName.toLowerCase() : '';
					if (e.keyCode !== code || e.ctrlKey || e.metaKey || e.altKey) return;
					if (tag === 'input' || tag === 'textarea' || tag === 'select' ||
						(t && t.isContentEditable)) return;
					e.preventDefault();
					fn();
				}, false);
			},
			// Whether this version lays the print view out in script and says so
			// with 'pdf-ready' (3.5 and later).
			pdfEvent: major >= 4 || (major === 3 && typeof R.addKeyBinding === 'function'),
		};
	}

	api.bindKey(85, 'U', 'Back to the index of decks', function () { location.href = '/'; });

	// Handouts (?print-pdf): one page per slide, every fragment shown. This runs
	// before reveal.js lays the print pages out (it waits a frame first).
	// reveal.js 6.0.2's own pdfSeparateFragments: false breaks headless printing.
	if (/print-pdf/.test(location.search)) {
		// reveal.js before 5 breaks the page after the last slide too, so handouts
		// got a blank last page (5.0 fixed it the same way).
		var tail = document.createElement('style');
		// 3.4 wraps each slide in a .pdf-page but keeps the break on the
		// section inside it, down a final stack too.
		tail.textContent = '.reveal .slides .pdf-page:last-of-type,' +
			'.reveal .slides > .pdf-page:last-of-type > section,' +
			'.reveal .slides > section.stack:last-of-type > .pdf-page:last-of-type > section,' +
			'.reveal .slides > section:last-of-type,' +
			'.reveal .slides > section:last-of-type > section:last-of-type' +
			'{page-break-after:avoid !important;break-after:avoid !important}';
		document.head.appendChild(tail);
		document.querySelectorAll('.reveal .slides .fragment').forEach(function (el) {
			el.classList.remove('fragment');
		});
		// A video's printed frame depends on decoding races; print its poster, or a
		// plain placeholder naming it, so that handouts are the same every time.
		document.querySelectorAll('.reveal .slides video').forEach(function (v) {
			var src = v.getAttribute('src') || (v.querySelector('source') || {}).src || '';
			var box;
			if (v.poster) {
				box = document.createElement('img');
				box.src = v.poster;
			} else {
				box = document.createElement('div');
				box.textContent = '\u25b6 ' + decodeURIComponent(src.split('/').pop() || 'video');
				box.style.cssText = 'display:inline-flex;align-items:center;justify-content:center;' +
					'border:2px solid currentColor;font-size:.6em;opacity:.7';
			}
			box.style.width = (v.getAttribute('width') || 480) + 'px';
			if (!v.poster) box.style.height = Math.round((v.getAttribute('width') || 480) * 9 / 16) + 'px';
			v.parentNode.replaceChild(box, v);
		});
		// Links into this server would point at the printing server's address in
		// the PDF, useless to a reader and different in every build: keep them as
		// text. Links elsewhere stay links.
		document.querySelectorAll('.reveal .slides a[href]').forEach(function (a) {
			if (a.origin === location.origin) a.removeAttribute('href');
		});
		// `unideck build` prints once this mark is set: after reveal.js has laid
		// the pages out and every font, image and background is in, so that the same deck always prints the same PDF.
		whenPrintLaidOut(function () {
			var waits = [document.fonts ? document.fonts.ready : null];
			// Background videos (data-background-video) are made by reveal.js
			// itself; hide them for the same reason as the others.
			document.querySelectorAll('video').forEach(function (v) {
				v.pause();
				v.style.visibility = 'hidden';
			});
			Array.prototype.forEach.call(document.images, function (img) {
				if (!img.complete) waits.push(new Promise(function (r) { img.onload = img.onerror = r; }));
			});
			document.querySelectorAll('[style*="url("]').forEach(function (el) {
				var m = /url\(["']?([^"')]+)/.exec(el.getAttribute('style'));
				if (m) waits.push(new Promise(function (r) {
					var i = new Image();
					i.onload = i.onerror = r;
					i.src = m[1];
				}));
			});
			var settled = Promise.all(waits.filter(Boolean)).then(function () {
				return new Promise(function (r) {
					requestAnimationFrame(function () { requestAnimationFrame(r); });
				});
			});
			var late = new Promise(function (r) { setTimeout(r, 15000); });
			Promise.race([settled, late]).then(function () {
				document.documentElement.setAttribute('data-unideck-printed', '');
			});
		});
	}

	// Calls (fn) once, when the print view is laid out: on 'pdf-ready' where
	// reveal.js sends it (3.5+), or when it has laid its pages out already; on
	// 2.x, once it has started and its own print stylesheet is in.
	function whenPrintLaidOut(fn) {
		var done = false;
		function once() {
			if (!done) {
				done = true;
				fn();
			}
		}
		if (api.major >= 3) {
			api.on('pdf-ready', once);
			api.ready(function () {
				if (document.querySelector('.pdf-page')) once();
				// A 3.x without the event lays the pages out as it starts.
				else if (!api.pdfEvent) setTimeout(once, 500);
			});
			return;
		}
		api.ready(function () { ownPrintSheet(once); });
	}

	// reveal.js 2.x prints through css/print/pdf.css beside its reveal.js, which
	// its demo page adds with a script of its own. A page that lacks that script
	// gets the sheet of its own copy here, so that it prints one slide a page.
	function ownPrintSheet(fn) {
		var links = document.querySelectorAll('link[rel="stylesheet"]'), i, script, base, link;
		for (i = 0; i < links.length; i++)
			if (/print\/pdf\.css(\?|#|$)/.test(links[i].getAttribute('href') || '')) {
				if (links[i].sheet) fn();
				else links[i].addEventListener('load', fn), links[i].addEventListener('error', fn);
				return;
			}
		script = Array.prototype.filter.call(document.scripts, function (s) {
			return /(^|\/)js\/reveal(\.min)?\.js(\?|#|$)/.test(s.getAttribute('src') || '');
		})[0];
		if (!script) {
			fn();
			return;
		}
		base = script.getAttribute('src').replace(/js\/reveal(\.min)?\.js.*$/, '');
		link = document.createElement('link');
		link.rel = 'stylesheet';
		link.href = base + 'css/print/pdf.css';
		link.addEventListener('load', fn);
		link.addEventListener('error', fn);
		document.head.appendChild(link);
	}

	// ---- SHA-256 (FIPS 180-4) and HMAC (RFC 2104) over UTF-8 strings ----
	var K = [0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
		0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
		0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
		0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
		0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138,
		0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1,
		0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
		0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
		0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb,
		0xbef9a3f7, 0xc67178f2];

	function sha256(bytes) {
		var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
			0x1f83d9ab, 0x5be0cd19];
		var len = bytes.length, total = ((len + 9 + 63) >> 6) << 6;
		var m = new Uint8Array(total), w = new Array(64), i, j;
		m.set(bytes);
		m[len] = 0x80;
		var bits = len * 8;
		for (i = 0; i < 8; i++) m[total - 1 - i] = Math.floor(bits / Math.pow(2, 8 * i)) & 255;
		function ror(x, n) { return (x >>> n) | (x << (32 - n)); }
		for (j = 0; j < total; j += 64) {
			for (i = 0; i < 16; i++)
				w[i] = (m[j + 4 * i] << 24) | (m[j + 4 * i + 1] << 16) | (m[j + 4 * i + 2] << 8) | m[j + 4 * i + 3];
			for (i = 16; i < 64; i++) {
				var s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >>> 3);
				var s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >>> 10);
				w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
			}
			var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
			for (i = 0; i < 64; i++) {
				var t1 = (hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
				var t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
				hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
			}
			h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
			h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
		}
		var out = new Uint8Array(32);
		for (i = 0; i < 32; i++) out[i] = (h[i >> 2] >>> (24 - 8 * (i & 3))) & 255;
		return out;
	}

	function hmacHex(key, msg) {
		var enc = new TextEncoder(), k = enc.encode(key), i;
		if (k.length > 64) k = sha256(k);
		var ipad = new Uint8Array(64 + enc.encode(msg).length), opad = new Uint8Array(96);
		for (i = 0; i < 64; i++) {
			ipad[i] = (k[i] || 0) ^ 0x36;
			opad[i] = (k[i] || 0) ^ 0x5c;
		}
		ipad.set(enc.encode(msg), 64);
		opad.set(sha256(ipad), 64);
		var d = sha256(opad), s = '';
		for (i = 0; i < 32; i++) s += (d[i] < 16 ? '0' : '') + d[i].toString(16);
		return s;
	}
	window.unideckHmacHex = hmacHex; // for the tests

	// ---- live follow ----
	// Not inside frames: the speaker view shows the deck in iframes (current and
	// upcoming slide), and those must neither drive nor follow.
	// Nor when printing (?print-pdf): an open event stream would keep the
	// headless printer waiting for the page to go quiet.
	// Nor where this reveal.js cannot be driven (no events or no slide()).
	if (!window.EventSource || window.top !== window || /print-pdf/.test(location.search)) return;
	if (!api.canFollow) return;
	var slug = location.pathname.split('/')[1];
	if (!slug) return;
	var key = 'unideck-present-' + slug;
	// The token comes in the fragment (#present=TOKEN): a browser never sends a
	// fragment, in the request line or in any Referer, so it stays on this
	// machine (a query string crossed the network on every asset request).
	// reveal.js (hash: true) may have rewritten the fragment before this
	// script ran; the navigation entry still has the address as opened.
	var nav = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
	var opened = nav && nav.name.indexOf('#') >= 0 ? nav.name.slice(nav.name.indexOf('#')) : '';
	var re = /^#present=([A-Za-z0-9._~-]+)$/;
	var m = re.exec(location.hash) || re.exec(opened);
	var token = m && m[1];
	if (token) {
		// Keep it out of the address bar, history and screenshots.
		sessionStorage.setItem(key, token);
		history.replaceState(null, '', location.pathname + location.search +
			(re.test(location.hash) ? '' : location.hash));
	} else {
		token = sessionStorage.getItem(key);
	}
	var presenting = !!token, attached = true, applying = false, nonce = null, n = 0;
	var button = null;

	function showButton(show) {
		if (presenting) return;
		if (!button) {
			button = document.createElement('button');
			button.id = 'unideck-follow';
			button.textContent = 'Follow the presenter';
			button.style.cssText = 'position:fixed;left:1em;bottom:1em;z-index:1000;' +
				'padding:.5em 1em;font:16px system-ui,sans-serif;border-radius:.4em;' +
				'border:1px solid #888;background:#fff;color:#222;cursor:pointer';
			button.addEventListener('click', function () {
				attached = true;
				showButton(false);
				if (last) go(last);
			});
			document.body.appendChild(button);
		}
		button.style.display = show ? 'block' : 'none';
	}

	var last = null;
	function go(d) {
		if (!d.set) return;
		api.ready(function () {
			applying = true;
			api.slide(d.h, d.v, d.f < 0 ? -1 : d.f);
			applying = false;
		});
	}

	function position() {
		var i = api.indices();
		return { h: i.h, v: i.v || 0, f: typeof i.f === 'number' ? i.f : -1 };
	}

	function send() {
		if (!presenting || !nonce) return;
		var p = position();
		n += 1;
		var msg = nonce + '/' + slug + '/' + n + '/' + p.h + '/' + p.v + '/' + p.f;
		var body = 'n=' + n + '&h=' + p.h + '&v=' + p.v + '&f=' + p.f + '&mac=' + hmacHex(token, msg);
		fetch('/_unideck/follow/' + slug, {
			method: 'POST', body: body,
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		}).then(function (r) {
			if (r.status === 409) send(); // someone else's number was higher: go past it
		}, function () {});
	}

	// The server sends the position every 15 s. A stream silent for 40 s is
	// dead without having closed (its server crashed, a balancer still holds
	// the connection): open a new one, as EventSource does after a close.
	var es = null, heard = Date.now();
	function listen() {
		es = new EventSource('/_unideck/follow/' + slug);
		es.addEventListener('hello', onHello);
		es.addEventListener('slide', onSlide);
		es.addEventListener('upstream', onUpstream);
	}
	setInterval(function () {
		if (Date.now() - heard < 40000) return;
		heard = Date.now();
		es.close();
		listen();
	}, 5000);
	function onHello(e) {
		heard = Date.now();
		var d = JSON.parse(e.data);
		nonce = d.nonce;
		if (d.n > n) n = d.n;
		last = d;
		if (presenting) send();
		else if (attached) go(d);
	}
	function onSlide(e) {
		heard = Date.now();
		var d = JSON.parse(e.data);
		if (d.n > n) n = d.n;
		last = d;
		if (!presenting && attached) {
			var p = position();
			if (p.h !== d.h || p.v !== d.v || p.f !== d.f) go(d);
		}
	}

	// A relay instance (upstream=) says when its way to the presenter's
	// instance is lost and when it is back: the page says so, and keeps its
	// slide until the position flows again.
	var notice = null;
	function onUpstream(e) {
		heard = Date.now();
		var d = JSON.parse(e.data);
		document.documentElement.dataset.unideckUpstream = d.ok ? 'ok' : 'lost';
		if (!notice) {
			notice = document.createElement('div');
			notice.id = 'unideck-upstream';
			notice.setAttribute('role', 'status');
			notice.style.cssText = 'position:fixed;right:1em;bottom:1em;z-index:1000;' +
				'padding:.4em .8em;font:14px system-ui,sans-serif;border-radius:.4em;' +
				'background:#fff3cd;color:#5c4400;border:1px solid #d4b106';
			notice.textContent = 'Reconnecting to the presenter\u2026';
			document.body.appendChild(notice);
		}
		notice.style.display = d.ok ? 'none' : 'block';
	}
	listen();

	['slidechanged', 'fragmentshown', 'fragmenthidden'].forEach(function (name) {
		api.on(name, function () {
			if (presenting) {
				send();
			} else if (!applying && attached && last && last.set) {
				var p = position();
				if (p.h !== last.h || p.v !== last.v || p.f !== last.f) {
					attached = false; // the viewer browses on their own
					showButton(true);
				}
			}
		});
	});
	document.documentElement.dataset.unideckFollow = presenting ? 'presenting' : 'following';
})();
