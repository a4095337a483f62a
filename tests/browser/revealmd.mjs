// SPDX-License-Identifier: MIT
// Browser test: decks in the style of reveal-md and of raw reveal.js with
// Markdown, as unideck serves them (tests/browser/revealmd.sh builds them).
//
// usage: node tests/browser/revealmd.mjs BASE_URL SHOTS_DIR RMD_SLIDES RAW_SLIDES
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const base = process.argv[2].replace(/\/$/, '');
const shots = process.argv[3];
const want = { rmd: Number(process.argv[4]), raw: Number(process.argv[5]) };
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		// Nothing leaves this machine: every host name but 127.0.0.1 fails to resolve.
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });

async function deck(slug, check) {
	const outside = [], failures = [], errors = [];
	const page = await context.newPage();
	page.on('request', (r) => {
		const u = r.url();
		if (!u.startsWith(base + '/') && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
	});
	page.on('requestfailed', (r) => {
		if (r.failure()?.errorText === 'net::ERR_ABORTED' && r.url().includes('/_unideck/follow/')) return;
		failures.push(`${r.url()} ${r.failure()?.errorText}`);
	});
	page.on('response', (r) => { if (r.status() >= 400) failures.push(`${r.url()} ${r.status()}`); });
	page.on('pageerror', (e) => errors.push(String(e)));
	page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.text()} (${m.location()?.url})`); });
	try {
		await page.goto(`${base}/${slug}/`, { waitUntil: 'load' });
		await page.waitForFunction(() => window.Reveal && Reveal.isReady && Reveal.isReady(), null, { timeout: 20000 });
		await page.waitForTimeout(300);
		const total = await page.evaluate(() => Reveal.getTotalSlides());
		ok(total === want[slug], `[${slug}] Chromium shows the ${want[slug]} slides the build counted (reveal.js: ${total})`);
		await check(page);
		await page.screenshot({ path: `${shots}/${slug}.png` });
	} catch (e) {
		ok(false, `[${slug}] browser run: ${e}`);
	}
	ok(outside.length === 0, `[${slug}] no request left the server${outside.length ? ': ' + outside.join(' ') : ''}`);
	ok(failures.length === 0, `[${slug}] every request succeeded${failures.length ? ': ' + failures.join(' ') : ''}`);
	ok(errors.length === 0, `[${slug}] no script or console errors${errors.length ? ': ' + errors.join(' | ') : ''}`);
	await page.close();
}

await deck('rmd', async (page) => {
	const cfg = await page.evaluate(() => ({ c: Reveal.getConfig().controls, t: Reveal.getConfig().transition }));
	ok(cfg.c === false && cfg.t === 'fade', `[rmd] revealOptions reach reveal.js (controls ${cfg.c}, transition ${cfg.t})`);
	const notes = await page.evaluate(() => Reveal.getSlideNotes(Reveal.getSlides()[0]) || '');
	ok(/notes of the first slide[\s\S]*that go on/.test(notes), `[rmd] the first slide's notes run to its end ("${notes.trim().slice(0, 50)}")`);
	const idx = await page.evaluate(() => { Reveal.slide(1, 1); return Reveal.getIndices(); });
	ok(idx.h === 1 && idx.v === 1, `[rmd] the second slide has one below it (${idx.h}/${idx.v})`);
	const theme = await page.evaluate(() => document.getElementById('theme').getAttribute('href'));
	ok(/\/_reveal\/[0-9.]+\/theme\/moon\.css$/.test(theme), `[rmd] the theme URL is reveal.js's moon theme (${theme})`);
	const hl = await page.waitForFunction(() => document.querySelector('pre code.hljs'), null, { timeout: 10000 })
		.then(() => true, () => false);
	ok(hl, '[rmd] the code is highlighted');
	const logo = await page.evaluate(() => document.querySelector('img[src="/img/logo.png"]') !== null);
	ok(logo, '[rmd] a _site/ image by absolute path');
});
await deck('raw', async (page) => {
	const texts = await page.evaluate(() => Reveal.getSlides().map((s) => s.textContent.trim()));
	ok(texts.includes('External two') && texts.includes('In-page three') && !texts.some((t) => t.includes('not a slide')),
		`[raw] in-page and external Markdown are slides, a <section> in a script is not (${texts.join(', ')})`);
});
await browser.close();
process.exit(failed ? 1 : 0);
