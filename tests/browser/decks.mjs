// SPDX-License-Identifier: MIT
// Browser test: Debian's Chromium, driven by playwright-core, loads the decks a
// unideck server serves and checks what a member of the audience would see.
//
// usage: node tests/browser/decks.mjs BASE_URL SHOTS_DIR
// Prints "ok - ..." / "not ok - ..." lines; exits non-zero on any failure.
import { chromium } from 'playwright-core';

const base = process.argv[2].replace(/\/$/, '');
const shots = process.argv[3];
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--autoplay-policy=no-user-gesture-required',
		// Nothing leaves this machine: every host name but 127.0.0.1 fails to resolve.
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
const outside = [];
const failures = [];
context.on('request', (r) => {
	if (!r.url().startsWith(base + '/') && !r.url().startsWith('data:') && !r.url().startsWith('blob:'))
		outside.push(r.url());
});
context.on('requestfailed', (r) => {
	// An event stream is cut when the page navigates away, and Chromium's media
	// player cancels a video fetch once it has what it wants (then asks for
	// ranges, checked by the video test): neither is a failure of the server.
	const aborted = r.failure()?.errorText === 'net::ERR_ABORTED';
	if (aborted && (r.url().includes('/_unideck/follow/') || r.resourceType() === 'media')) return;
	failures.push(`${r.url()} ${r.failure()?.errorText}`);
});
context.on('response', (r) => {
	if (r.status() >= 400) failures.push(`${r.url()} ${r.status()}`);
});
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));

try {
	// The index lists every deck.
	await page.goto(base + '/', { waitUntil: 'load' });
	let pages = -1;
	const links = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href')));
	ok(links.includes('/unideck/'), 'the index links the unideck deck');
	ok(links.includes('/features/'), 'the index links the features deck');
	ok(links.includes('/unideck/unideck.pdf'), 'and its PDF handout');
	const pdf = await (await fetch(base + '/unideck/unideck.pdf')).arrayBuffer();
	pages = (Buffer.from(pdf).toString('latin1').match(/\/Type\s*\/Page\b/g) || []).length;
	await page.screenshot({ path: `${shots}/index.png` });

	// The default deck: slides, navigation, notes.
	await page.goto(base + '/unideck/', { waitUntil: 'load' });
	await page.waitForFunction(() => window.Reveal && Reveal.isReady && Reveal.isReady(), null, { timeout: 20000 });
	const total = await page.evaluate(() => Reveal.getTotalSlides());
	const sections = await page.evaluate(() =>
		document.querySelectorAll('.reveal .slides section:not(.stack)').length);
	ok(total > 5 && total === sections, `the deck has its ${sections} slides (reveal counts ${total})`);
	ok(pages === total, `the PDF handout has one page per slide (${pages} pages)`);
	const before = await page.evaluate(() => Reveal.getIndices().h);
	await page.keyboard.press('ArrowRight');
	await page.waitForTimeout(600);
	const after = await page.evaluate(() => Reveal.getIndices().h);
	ok(before === 0 && after === 1, `right arrow turns the slide (${before} -> ${after})`);
	await page.screenshot({ path: `${shots}/unideck-slide2.png` });
	const notes = await page.evaluate(() => {
		for (let i = 0; i < Reveal.getTotalSlides(); i++) {
			const n = Reveal.getSlideNotes(Reveal.getSlides()[i]);
			if (n && n.trim()) return n.trim();
		}
		return '';
	});
	ok(notes.length > 10, `speaker notes are there ("${notes.slice(0, 40)}...")`);
	const md = await page.evaluate(() => document.querySelectorAll('[data-markdown]').length);
	ok(md === 0, 'the browser receives finished HTML, no Markdown to parse');

	// The features deck: fragment, code, background image, video.
	await page.goto(base + '/features/', { waitUntil: 'load' });
	await page.waitForFunction(() => window.Reveal && Reveal.isReady && Reveal.isReady(), null, { timeout: 20000 });
	ok(await page.evaluate(() => document.querySelectorAll('.fragment').length > 0), 'a fragment');
	ok(await page.evaluate(() => document.querySelectorAll('pre code.hljs').length > 0), 'code is highlighted');
	ok(await page.evaluate(() => document.querySelectorAll('[data-background-image]').length > 0), 'a background image');
	const vid = await page.evaluate(() => {
		const v = document.querySelector('video[src], video source[src]');
		return v ? (v.src || v.getAttribute('src')) : '';
	});
	ok(vid !== '', `a video (${vid})`);
	await page.screenshot({ path: `${shots}/features.png` });

	ok(outside.length === 0, `no request left the server${outside.length ? ': ' + outside.join(' ') : ''}`);
	ok(failures.length === 0, `every request succeeded${failures.length ? ': ' + failures.join(' ') : ''}`);
	ok(errors.length === 0, `no script errors${errors.length ? ': ' + errors.join(' ') : ''}`);
} catch (e) {
	ok(false, `browser run: ${e}`);
}
await browser.close();
process.exit(failed ? 1 : 0);
