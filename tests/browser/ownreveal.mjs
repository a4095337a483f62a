// SPDX-License-Identifier: MIT
// Decks that carry their own reveal.js (2.6.2, 3, 4, 5) in Chromium, served by
// a preview server (`unideck serve DIR --token T`): the deck's own copy is what
// loads (never the store's 6.x), the slide count, no console error and no
// failed request, live follow between two browser contexts, the U key, and live
// reload after an edit. unideck's runtime must use each version's own API.
//
// usage: node tests/browser/ownreveal.mjs BASE_URL TOKEN DECKS_DIR SHOTS_DIR
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [base, token, decksDir, shots] = process.argv.slice(2, 6);
// OWNREVEAL_VERSIONS (JSON, the same fields) replaces the list: the other
// releases of tests/browser/ownreveal-versions.sh.
const versions = process.env.OWNREVEAL_VERSIONS ? JSON.parse(process.env.OWNREVEAL_VERSIONS) : [
	{ slug: 'reveal2', major: 2, script: '/reveal2/js/reveal.min.js' },
	{ slug: 'reveal3', major: 3, script: '/reveal3/js/reveal.js' },
	{ slug: 'reveal4', major: 4, script: '/reveal4/dist/reveal.js' },
	{ slug: 'reveal5', major: 5, script: '/reveal5/dist/reveal.js' },
];
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
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
// Every problem a page has: console errors, uncaught exceptions, failed
// requests and error statuses.
function watch(ctx, problems) {
	ctx.on('page', (page) => {
		page.on('console', (m) => { if (m.type() === 'error' && !/\/favicon\.ico$/.test(m.location().url)) problems.push(`console: ${m.text()} at ${m.location().url}`); });
		page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	});
	ctx.on('requestfailed', (r) => {
		// A page that navigates away (the U key, a reload) cancels its event streams.
		if (/_unideck\/(follow|events)/.test(r.url()) && /ERR_ABORTED/.test(r.failure().errorText)) return;
		if (new URL(r.url()).pathname === '/favicon.ico') return;
		problems.push(`failed: ${r.url()} ${r.failure().errorText}`);
	});
	ctx.on('response', (r) => { if (r.status() >= 400 && new URL(r.url()).pathname !== '/favicon.ico') problems.push(`${r.status()}: ${r.url()}`); });
}
// Reveal.isReady appeared in 2.5; before it, ready is a current slide.
const ready = (page) => page.waitForFunction(() => window.Reveal && (Reveal.isReady ? Reveal.isReady()
	: !!document.querySelector('.reveal .slides section.present')), null, { timeout: 20000 });
const where = (page) => page.evaluate(() => {
	const i = Reveal.getIndices();
	return `${i.h}/${i.v || 0}/${typeof i.f === 'number' ? i.f : -1}`;
});

for (const ver of versions) {
	const problems = [];
	const pctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	const fctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
	watch(pctx, problems);
	watch(fctx, problems);
	const loaded = [];
	fctx.on('request', (r) => loaded.push(new URL(r.url()).pathname));
	const name = `reveal.js ${ver.version || ver.major}`;
	try {
		const follower = await fctx.newPage();
		await follower.goto(`${base}/${ver.slug}/`);
		await ready(follower);
		const presenter = await pctx.newPage();
		await presenter.goto(`${base}/${ver.slug}/#present=${token}`);
		await ready(presenter);

		ok(loaded.includes(ver.script), `${name}: the deck's own copy loads (${ver.script})`);
		ok(!loaded.some((p) => p.startsWith('/_reveal/')), `${name}: nothing of the store's reveal.js loads`);
		const said = await follower.evaluate(() => window.Reveal.VERSION || null);
		if (ver.version) // Reveal.VERSION came with 3.3
			ok(said === ver.version || (said === null && /^(2\.|3\.[012]\.)/.test(ver.version)),
				`${name}: the page runs reveal.js ${ver.version} (Reveal.VERSION ${said})`);
		else
			ok((said ? parseInt(said, 10) : 2) === ver.major, `${name}: the page runs reveal.js ${ver.major} (${said})`);
		const slides = await follower.evaluate(() =>
			Array.from(document.querySelectorAll('.reveal .slides section')).filter((s) => !s.querySelector('section')).length);
		ok(slides === 5, `${name}: 5 slides (${slides})`);
		const html = await (await fetch(`${base}/`)).text();
		ok(new RegExp(`href="/${ver.slug}/"[^]*?5 slides`).test(html), `${name}: the index counts 5 slides`);

		// Live follow: a slide, a fragment, a vertical stack.
		await presenter.keyboard.press('ArrowRight');
		await presenter.keyboard.press('ArrowRight');
		let p = await where(presenter);
		// Before 2.6, getIndices().f counts the fragments shown (1), after it
		// is the index of the last one shown (0).
		const first = ver.version && /^2\.[45]\./.test(ver.version) ? '1/0/1' : '1/0/0';
		ok(p === first, `${name}: the presenter is on slide 2, fragment 1 (${p})`);
		ok(await within(5000, async () => (await where(follower)) === p),
			`${name}: the follower follows slide and fragment (${await where(follower)})`);
		const shown = (page) => page.evaluate(() => document.querySelectorAll('.reveal .slides section.present .fragment.visible').length);
		const fs = [await shown(presenter), await shown(follower)];
		ok(fs[0] === 1 && fs[1] === 1, `${name}: one fragment shown on both (${fs.join(', ')})`);
		await presenter.keyboard.press('ArrowRight');
		await presenter.keyboard.press('ArrowRight');
		await presenter.keyboard.press('ArrowDown');
		p = await where(presenter);
		ok(p === '2/1/-1', `${name}: the presenter is down the stack (${p})`);
		ok(await within(5000, async () => (await where(follower)) === p),
			`${name}: the follower follows into the stack (${await where(follower)})`);
		await follower.screenshot({ path: `${shots}/own-${ver.slug}.png` });

		// U goes back to the index.
		await Promise.all([follower.waitForURL(`${base}/`, { timeout: 10000 }), follower.keyboard.press('u')]);
		ok(new URL(follower.url()).pathname === '/', `${name}: U goes back to the index`);

		// Live reload: an edit reloads the open deck.
		const file = `${decksDir}/${ver.slug}/index.html`;
		const page = await fctx.newPage();
		await page.goto(`${base}/${ver.slug}/`);
		await ready(page);
		writeFileSync(file, readFileSync(file, 'utf8').replace('<h2>Last</h2>', '<h2>Last, edited</h2>'));
		ok(await within(15000, async () => (await page.content().catch(() => '')).includes('Last, edited')),
			`${name}: the open deck reloads after an edit`);
		await ready(page);
	} catch (e) {
		ok(false, `${name}: browser run: ${e}`);
	}
	ok(problems.length === 0, `${name}: no console error, exception or failed request` +
		(problems.length ? ` (${problems.slice(0, 5).join('; ')})` : ''));
	await pctx.close();
	await fctx.close();
}
await browser.close();
process.exit(failed ? 1 : 0);
