// SPDX-License-Identifier: MIT
// What reveal.js does with the constructs of tests/browser/constructs.sh's
// deck, served by unideck, in Chromium.
//
// usage: node tests/browser/constructs.mjs BASE_URL SLUG
import { chromium } from 'playwright-core';

const [base, slug] = process.argv.slice(2);
let failed = 0;
const ok = (c, n) => { console.log(`${c ? 'ok' : 'not ok'} - ${n}`); if (!c) failed++; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required',
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
const problems = [];
ctx.on('requestfailed', (r) => { if (!/favicon|_unideck\/(follow|events)/.test(r.url())) problems.push(`failed ${r.url()}`); });
ctx.on('response', (r) => { if (r.status() >= 400 && !/favicon/.test(r.url())) problems.push(`${r.status()} ${r.url()}`); });
const page = await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url || '')) problems.push(`console: ${m.text()} at ${m.location().url}`); });
page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
const go = async (h, f) => { await page.evaluate(([a, b]) => Reveal.slide(a, 0, b), [h, f]); await sleep(1000); };
try {
	await page.goto(`${base}/${slug}/`);
	await page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
	ok(await page.evaluate(() => Reveal.getTotalSlides()) === 7, 'seven slides');
	await sleep(1000);
	const video = await page.evaluate(() => {
		const v = document.querySelector('.backgrounds .slide-background.present video');
		return v ? { src: v.currentSrc || (v.querySelector('source') || {}).src, loop: v.loop, muted: v.muted, ready: v.readyState } : null;
	});
	ok(video && /\/v\.webm$/.test(video.src) && video.loop && video.muted,
		`the background video plays the deck's file, looped and muted (${JSON.stringify(video)})`);
	ok(video && video.ready >= 2, `and Chromium decodes it (readyState ${video && video.ready})`);
	await go(1);
	const bg = await page.evaluate(() => {
		const b = document.querySelector('.backgrounds .slide-background.present');
		const c = b && b.querySelector('.slide-background-content');
		const s = c ? getComputedStyle(c) : null;
		return s ? { image: s.backgroundImage, size: s.backgroundSize, opacity: s.opacity } : null;
	});
	ok(bg && /bg\.png/.test(bg.image) && bg.size === 'contain' && Number(bg.opacity) === 0.5,
		`the background image, its size and opacity (${JSON.stringify(bg)})`);
	const notes = await page.evaluate(() => Reveal.getSlideNotes ? Reveal.getSlideNotes() : '');
	ok(/capital notes/.test(notes || ''), `Notes: are the slide's speaker notes (${(notes || '').replace(/\s+/g, ' ').trim()})`);
	await go(2);
	const st = await page.evaluate(() => ({
		state: (document.querySelector('.reveal-viewport') || document.documentElement).classList.contains('alarm'),
		tr: Reveal.getCurrentSlide().getAttribute('data-transition'),
	}));
	ok(st.state, 'data-state sets its class on the viewport');
	ok(st.tr === 'zoom', `data-transition is the slide's (${st.tr})`);
	await go(3);
	await page.evaluate(() => Reveal.next());
	await sleep(100);
	const aa = await page.evaluate(() => Reveal.getCurrentSlide().getAttribute('data-auto-animate'));
	ok(aa === 'running' || aa === '', `auto-animate runs between the two slides (${aa})`);
	await sleep(1200);
	await go(5, -1);
	await page.evaluate(() => Reveal.next());
	await sleep(300);
	const shown = await page.evaluate(() => Array.from(Reveal.getCurrentSlide().querySelectorAll('.fragment.visible')).map((e) => e.textContent.trim()));
	ok(shown.length === 1 && /shown first/.test(shown[0]), `data-fragment-index orders the fragments (${shown.join(', ')})`);
	await go(6, -1);
	const lines = async () => page.evaluate(() => {
		// One <code> per step, the later ones fragments: the last one shown.
		const steps = Array.from(Reveal.getCurrentSlide().querySelectorAll('pre code'))
			.filter((c) => !c.classList.contains('fragment') || c.classList.contains('visible'));
		const code = steps[steps.length - 1];
		const hl = code ? Array.from(code.querySelectorAll('tr.highlight-line td.hljs-ln-code')).map((td) => td.getAttribute('data-line-number')) : [];
		return hl.join(',');
	});
	const l0 = await lines();
	await page.evaluate(() => Reveal.next());
	await sleep(300);
	const l1 = await lines();
	ok(l0 === '1' && l1 === '2,3', `code line highlights step as [1|2-3] (${l0} then ${l1})`);
} catch (e) {
	ok(false, `browser run: ${e}`);
}
ok(problems.length === 0, `no console error, exception or failed request${problems.length ? ': ' + problems.slice(0, 5).join('; ') : ''}`);
await browser.close();
process.exit(failed ? 1 : 0);
