// SPDX-License-Identifier: MIT
// The imported mirage-decks fixture in Chromium: every deck served by unideck
// shows as many slides as the same pages on a plain static server (python's
// http.server over the archive's layout: assets/ at the root), and as many as
// the fixture holds; no console error or failed request under unideck.
//
// usage: node tests/browser/mirage.mjs UNIDECK_URL STATIC_URL SHOTS_DIR DECK:SLIDES...
import { chromium } from 'playwright-core';

const [ours, plain, shots, ...decks] = process.argv.slice(2);
let failed = 0;
const ok = (c, n) => { console.log(`${c ? 'ok' : 'not ok'} - ${n}`); if (!c) failed++; };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
// Slides once reveal.js (and its Markdown plugin, for content.md) is done.
async function count(base, slug, problems) {
	const ctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	if (problems) {
		ctx.on('requestfailed', (r) => { if (!/favicon|_unideck\/(follow|events)/.test(r.url())) problems.push(`failed ${r.url()}`); });
		ctx.on('response', (r) => { if (r.status() >= 400 && !/favicon/.test(r.url())) problems.push(`${r.status()} ${r.url()}`); });
	}
	const page = await ctx.newPage();
	if (problems) {
		page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(m.text()); });
		page.on('pageerror', (e) => problems.push(e.message));
	}
	await page.goto(`${base}/${slug}/`);
	await page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
	const n = await page.evaluate(() => Array.from(document.querySelectorAll('.reveal .slides section'))
		.filter((s) => !s.querySelector('section')).length);
	if (problems) await page.screenshot({ path: `${shots}/mirage-${slug}.png` });
	await ctx.close();
	return n;
}
for (const spec of decks) {
	const [slug, want] = spec.split(':');
	const problems = [];
	try {
		const a = await count(ours, slug, problems);
		const b = await count(plain, slug, null);
		ok(a === b, `${slug}: unideck shows the slides a plain static server shows (${a}, ${b})`);
		ok(a === Number(want), `${slug}: ${want} slides (${a})`);
	} catch (e) {
		ok(false, `${slug}: browser run: ${e}`);
	}
	ok(problems.length === 0, `${slug}: no console error, exception or failed request${problems.length ? ': ' + problems.slice(0, 4).join('; ') : ''}`);
}
await browser.close();
process.exit(failed ? 1 : 0);
