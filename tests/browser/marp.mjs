// SPDX-License-Identifier: MIT
// Marp decks served by unideck against marp-cli's own HTML of the same files:
// every slide screenshotted at the slide's size from both and compared pixel by
// pixel (a pixel differs when a channel differs by more than 32 of 255); at
// most MAX_DIFF of them may differ. Also: the slide count, fragments stepping
// as in marp-cli, speaker notes from Marp's comments, live follow, the U key,
// no console error and no failed request.
//
// usage: node tests/browser/marp.mjs BASE_URL REF_DIR SHOTS_DIR TOKEN DECK:SLIDES...
// REF_DIR/DECK/index.html is marp-cli's output for deck DECK, beside its images.
import { chromium } from 'playwright-core';

const [base, refDir, shots, token, ...decks] = process.argv.slice(2);
const MAX_DIFF = 0.03;
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function within(ms, fn) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (await fn()) return true;
		await sleep(50);
	}
	return false;
}
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
		'--allow-file-access-from-files', '--font-render-hinting=none',
		// Nothing leaves this machine: marp-cli's page would load web fonts.
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
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
// The share of pixels that differ between two PNG screenshots (decoded by
// Chromium itself).
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
const settle = async (page) => {
	await page.evaluate(() => document.fonts.ready);
	await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	await sleep(150);
};

for (const spec of decks) {
	const [slug, want] = spec.split(':');
	const n = Number(want);
	try {
		const ours = await ctx.newPage();
		ours.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(`${slug}: ${m.text()}`); });
		ours.on('pageerror', (e) => problems.push(`${slug}: ${e.message}`));
		const ref = await ctx.newPage();
		await ours.goto(`${base}/${slug}/`);
		await ours.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
		const total = await ours.evaluate(() => Reveal.getTotalSlides());
		ok(total === n, `${slug}: ${n} slides (${total})`);
		const html = await (await fetch(`${base}/`)).text();
		ok(new RegExp(`href="/${slug}/"[^]*?${n} slides?`).test(html), `${slug}: the index counts ${n}`);
		await ref.goto(`file://${refDir}/${slug}/index.html`);
		let worst = 0, where = 0;
		for (let i = 0; i < n; i++) {
			await ours.evaluate((k) => Reveal.slide(k, 0, -1), i);
			await ref.evaluate((k) => { location.hash = '#' + (k + 1); }, i);
			await settle(ours);
			await settle(ref);
			const a = await ours.screenshot();
			const b = await ref.screenshot();
			const d = await diff(a, b);
			if (d > worst) { worst = d; where = i + 1; }
			if (d > MAX_DIFF) {
				await ours.screenshot({ path: `${shots}/marp-${slug}-${i + 1}-unideck.png` });
				await ref.screenshot({ path: `${shots}/marp-${slug}-${i + 1}-marp-cli.png` });
			}
		}
		await ours.evaluate(() => Reveal.slide(0, 0, -1));
		await settle(ours);
		await ours.screenshot({ path: `${shots}/marp-${slug}.png` });
		ok(worst <= MAX_DIFF, `${slug}: every slide looks as marp-cli draws it (worst ${(worst * 100).toFixed(2)}% of pixels differ, slide ${where}; at most ${MAX_DIFF * 100}%)`);
		await ref.close();
		await ours.close();
	} catch (e) {
		ok(false, `${slug}: browser run: ${e}`);
	}
}

// Fragments, notes, follow and U on the first deck (it has them all).
const [first] = decks[0].split(':');
try {
	const fctx = await browser.newContext({ viewport });
	const presenter = await ctx.newPage();
	const follower = await fctx.newPage();
	await follower.goto(`${base}/${first}/`);
	await follower.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
	await presenter.goto(`${base}/${first}/#present=${token}`);
	await presenter.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
	const items = (page) => page.evaluate(() => {
		const root = Reveal.getCurrentSlide().querySelector('.unideck-marp-host').shadowRoot;
		return Array.from(root.querySelectorAll('[data-marpit-fragment]')).map((e) => e.getAttribute('data-bespoke-marp-fragment')).join(',');
	});
	ok((await items(presenter)) === 'inactive,inactive', `a fragmented list starts hidden (${await items(presenter)})`);
	await presenter.keyboard.press('ArrowRight');
	ok((await items(presenter)) === 'active,inactive', `and steps item by item (${await items(presenter)})`);
	const where = (p) => p.evaluate(() => { const i = Reveal.getIndices(); return `${i.h}/${typeof i.f === 'number' ? i.f : -1}`; });
	ok(await within(5000, async () => (await where(follower)) === '0/0'), `the follower follows the fragment (${await where(follower)})`);
	ok(await within(5000, async () => (await items(follower)) === 'active,inactive'), 'and shows the same item');
	await presenter.keyboard.press('ArrowRight');
	await presenter.keyboard.press('ArrowRight');
	ok(await within(5000, async () => (await where(follower)) === '1/-1'), `and the next slide (${await where(follower)})`);
	const notes = await presenter.evaluate(() => Reveal.getSlideNotes(Reveal.getSlide(0)) || '');
	ok(/the first slide's note/.test(notes), `Marp's comments are the speaker notes (${notes.slice(0, 60)})`);
	await Promise.all([follower.waitForURL(`${base}/`, { timeout: 10000 }), follower.keyboard.press('u')]);
	ok(new URL(follower.url()).pathname === '/', 'U goes back to the index');
	await fctx.close();
} catch (e) {
	ok(false, `presenter features: ${e}`);
}
ok(problems.length === 0, `no console error, exception or failed request${problems.length ? ': ' + problems.slice(0, 4).join('; ') : ''}`);
await browser.close();
process.exit(failed ? 1 : 0);
