// SPDX-License-Identifier: MIT
// The real mirage-decks archive, imported and served by unideck, in Chromium:
// every deck is opened and every slide turned (Reveal.next() until it stops
// moving, fragments included), under unideck and on a plain static server of
// the archive's layout. Each deck must show as many slides under unideck as
// there, visit every slide it has, and raise no script error, no console
// error and no failed request under unideck.
//
// usage: node tests/browser/mirage-archive.mjs UNIDECK_URL STATIC_URL SLUG[:BUILD_COUNT]...
import { chromium } from 'playwright-core';

const [ours, plain, ...decks] = process.argv.slice(2);
let failed = 0;
const ok = (c, n) => { console.log(`${c ? 'ok' : 'not ok'} - ${n}`); if (!c) failed++; };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });

async function run(base, slug, problems) {
	const ctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	const noise = /favicon|_unideck\/(follow|events)/;
	// Chromium's PDF viewer takes an <object data="x.pdf"> over: it cancels
	// the page's request (ERR_ABORTED) and loads the file again itself,
	// through its extension.
	const viewer = (r) => /^chrome-extension:/.test(r.url()) ||
		(/\.pdf$/.test(new URL(r.url()).pathname) && /ERR_ABORTED/.test(r.failure().errorText));
	ctx.on('requestfailed', (r) => { if (!noise.test(r.url()) && !viewer(r)) problems.push(`failed ${r.url()} ${r.failure().errorText}`); });
	ctx.on('response', (r) => { if (r.status() >= 400 && !noise.test(r.url())) problems.push(`${r.status()} ${r.url()}`); });
	const page = await ctx.newPage();
	page.on('console', (m) => { if (m.type() === 'error' && !noise.test(m.location().url || '')) problems.push(`console: ${m.text()}`); });
	page.on('pageerror', (e) => problems.push(`exception: ${e.message}`));
	await page.goto(`${base}/${slug}/`, { waitUntil: 'load' });
	// reveal.js 2.4.0's build has no isReady(): then the first slide shown.
	await page.waitForFunction(() => window.Reveal && (Reveal.isReady ? Reveal.isReady()
		: !!document.querySelector('.reveal .slides section.present')), null, { timeout: 30000 });
	await page.waitForTimeout(300);
	const r = await page.evaluate(async () => {
		const leaves = Array.from(document.querySelectorAll('.reveal .slides section'))
			.filter((s) => !s.querySelector('section')).length;
		Reveal.slide(0, 0);
		const seen = new Set();
		let last = '', still = 0, steps = 0;
		while (still < 3 && steps < 5000) {
			const i = Reveal.getIndices();
			seen.add(`${i.h}/${i.v || 0}`);
			const now = `${i.h}/${i.v || 0}/${i.f === undefined ? '' : i.f}`;
			still = now === last ? still + 1 : 0;
			last = now;
			Reveal.next();
			steps++;
			await new Promise((res) => setTimeout(res, 10));
		}
		return { leaves, visited: seen.size, steps };
	});
	await page.waitForTimeout(500);
	await ctx.close();
	return r;
}

for (const spec of decks) {
	const [slug, built] = spec.split(':');
	const problems = [], theirs = [];
	try {
		const a = await run(ours, slug, problems);
		const b = await run(plain, slug, theirs);
		ok(a.leaves === b.leaves, `${slug}: unideck shows the slides a plain static server shows (${a.leaves}, ${b.leaves})`);
		if (built !== undefined)
			ok(a.leaves === Number(built), `${slug}: the build counted them (${built}, ${a.leaves})`);
		ok(a.visited === a.leaves, `${slug}: turning every slide visits all ${a.leaves} (${a.visited} in ${a.steps} steps)`);
	} catch (e) {
		ok(false, `${slug}: browser run: ${e}`);
	}
	// A fault of the page itself (an exception the original pages raise on the
	// plain server too) is the author's, and the build must have warned of it
	// (mirage-archive.sh checks that); anything more is unideck's.
	const strip = (m) => m.replace(/^(\S+ )?https?:\/\/127\.0\.0\.1:\d+/, '$1');
	const own = new Set(theirs.map(strip));
	const mine = [...new Set(problems.map(strip))].filter((m) => !own.has(m) || !m.startsWith('exception'));
	ok(mine.length === 0, `${slug}: no script error, console error or failed request${mine.length ? ': ' + mine.slice(0, 5).join('; ') : ''}`);
	if (theirs.length)
		console.log(`# ${slug}: the original pages' own faults, on the plain server too: ${[...new Set(theirs.map(strip))].slice(0, 5).join('; ')}`);
}
await browser.close();
process.exit(failed ? 1 : 0);
