// SPDX-License-Identifier: MIT
// reveal-md decks served by unideck against reveal-md's own rendering of the
// same files (`reveal-md deck.md --static`, served by a plain static server):
// every slide (every fragment shown) screenshotted from both at 1280x720 and
// compared pixel by pixel (a pixel differs when a channel differs by more than
// 32 of 255); at most MAX_DIFF of them may differ on any slide. Also: the same
// slides in the same places, and no console error or failed request under
// unideck.
//
// usage: node tests/browser/revealmd-shots.mjs UNIDECK_URL REF_URL SHOTS_DIR MAX_DIFF DECK...
// REF_URL/DECK/ is reveal-md's static output for DECK. A DECK written
// OURS=REF! is a control that must fail: unideck's OURS (a deliberately
// different deck) against reveal-md's REF must differ by more than MAX_DIFF.
import { chromium } from 'playwright-core';

const [base, refBase, shots, maxDiff, ...decks] = process.argv.slice(2);
const MAX_DIFF = Number(maxDiff);
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
		'--font-render-hinting=none', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const viewport = { width: 1280, height: 720 };
const ctx = await browser.newContext({ viewport });
const problems = [];
ctx.on('requestfailed', (r) => {
	if (r.url().startsWith(base) && !/favicon|_unideck\/(follow|events)/.test(r.url()))
		problems.push(`failed ${r.url()} ${r.failure().errorText}`);
});
ctx.on('response', (r) => { if (r.url().startsWith(base) && r.status() >= 400 && !/favicon/.test(r.url())) problems.push(`${r.status()} ${r.url()}`); });
const cmp = await ctx.newPage();
async function diff(a, b) {
	return cmp.evaluate(async ([a64, b64]) => {
		const load = (s) => new Promise((r) => { const i = new Image(); i.onload = () => r(i); i.src = 'data:image/png;base64,' + s; });
		const [ia, ib] = await Promise.all([load(a64), load(b64)]);
		const w = ia.width, h = ia.height;
		const get = (img) => { const c = document.createElement('canvas'); c.width = w; c.height = h; const x = c.getContext('2d'); x.drawImage(img, 0, 0); return x.getImageData(0, 0, w, h).data; };
		const da = get(ia), db = get(ib);
		let n = 0;
		for (let i = 0; i < da.length; i += 4)
			if (Math.abs(da[i] - db[i]) > 32 || Math.abs(da[i + 1] - db[i + 1]) > 32 || Math.abs(da[i + 2] - db[i + 2]) > 32) n++;
		return n / (w * h);
	}, [a.toString('base64'), b.toString('base64')]);
}
const ready = (page) => page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
// Where every slide is, in order: "h/v".
const places = (page) => page.evaluate(() => Reveal.getSlides().map((s) => { const i = Reveal.getIndices(s); return `${i.h}/${i.v || 0}`; }));
// A slide with all its fragments shown, transitions done, fonts in.
async function show(page, place) {
	const [h, v] = place.split('/').map(Number);
	await page.evaluate(([a, b]) => { Reveal.slide(a, b, 999); }, [h, v]);
	await page.evaluate(() => document.fonts.ready);
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	await sleep(900); // reveal.js's default transition is 0.8 s in either
}

for (const spec of decks) {
	const control = spec.endsWith('!');
	const [slug, refSlug] = control ? spec.slice(0, -1).split('=') : [spec, spec];
	try {
		const ours = await ctx.newPage();
		ours.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(`${slug}: ${m.text()}`); });
		ours.on('pageerror', (e) => problems.push(`${slug}: ${e.message}`));
		const ref = await ctx.newPage();
		await ours.goto(`${base}/${slug}/`);
		await ref.goto(`${refBase}/${refSlug}/`);
		await ready(ours);
		await ready(ref);
		const a = await places(ours), b = await places(ref);
		ok(a.join(' ') === b.join(' '), `${slug}: the same ${b.length} slides in the same places as reveal-md (${a.join(' ')} | ${b.join(' ')})`);
		let worst = 0, where = '';
		for (const p of b) {
			await show(ours, p);
			await show(ref, p);
			const sa = await ours.screenshot(), sb = await ref.screenshot();
			const d = await diff(sa, sb);
			console.log(`# ${slug} ${p}: ${(d * 100).toFixed(2)}% of pixels differ`);
			if (d > worst) { worst = d; where = p; }
			if (d > MAX_DIFF && !control) {
				await ours.screenshot({ path: `${shots}/revealmd-${slug}-${p.replace('/', '-')}-unideck.png` });
				await ref.screenshot({ path: `${shots}/revealmd-${slug}-${p.replace('/', '-')}-reveal-md.png` });
			}
		}
		if (control) {
			ok(worst > MAX_DIFF, `${slug} against reveal-md's ${refSlug}: the measure sees the difference (worst ${(worst * 100).toFixed(2)}% of pixels, more than ${(MAX_DIFF * 100).toFixed(1)}%)`);
			await ours.close();
			await ref.close();
			continue;
		}
		ok(worst <= MAX_DIFF, `${slug}: every slide looks as reveal-md draws it (worst ${(worst * 100).toFixed(2)}% of pixels differ, slide ${where}; at most ${(MAX_DIFF * 100).toFixed(1)}%)`);
		await ours.close();
		await ref.close();
	} catch (e) {
		ok(false, `${slug}: browser run: ${e}`);
	}
}
ok(problems.length === 0, `no console error, exception or failed request under unideck${problems.length ? ': ' + problems.slice(0, 5).join('; ') : ''}`);
await browser.close();
process.exit(failed ? 1 : 0);
