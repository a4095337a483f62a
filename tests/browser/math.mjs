// SPDX-License-Identifier: MIT
// The math deck of tests/browser/math.sh in Chromium.
// usage: node tests/browser/math.mjs BASE_URL SHOTS_DIR
import { chromium } from 'playwright-core';

const [base, shots] = process.argv.slice(2, 4);
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const problems = [], scripts = [];
try {
	const ctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	const page = await ctx.newPage();
	page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(m.text()); });
	page.on('pageerror', (e) => problems.push(e.message));
	ctx.on('requestfailed', (r) => { if (!/favicon|_unideck\/follow/.test(r.url())) problems.push(`failed ${r.url()}`); });
	ctx.on('response', (r) => { if (r.status() >= 400 && !/favicon/.test(r.url())) problems.push(`${r.status()} ${r.url()}`); });
	ctx.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
	await page.goto(`${base}/math/`);
	await page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
	await page.evaluate(() => document.fonts.ready);
	const r = await page.evaluate(() => ({
		katex: document.querySelectorAll('.katex').length,
		display: document.querySelectorAll('.katex-display').length,
		// KaTeX's stylesheet hides the MathML copy and lays out fractions.
		mathmlHidden: getComputedStyle(document.querySelector('.katex-mathml')).position === 'absolute',
		frac: !!document.querySelector('.katex .mfrac .frac-line'),
		fonts: Array.from(document.fonts).filter((f) => /^"?KaTeX/.test(f.family) && f.status === 'loaded').map((f) => f.family),
		code: document.querySelector('code').textContent,
		// black sets headings in capitals; e^{i\pi} must not become E^{I\Pi}.
		caps: getComputedStyle(document.querySelector('h1 .katex')).textTransform,
	}));
	ok(r.katex === 4, `four formulas are rendered (${r.katex})`);
	ok(r.display === 2, `two of them as display math (${r.display})`);
	ok(r.mathmlHidden && r.frac, "KaTeX's stylesheet from the store lays them out");
	ok(r.fonts.some((f) => /KaTeX_Main/.test(f)) && r.fonts.some((f) => /KaTeX_Math/.test(f)),
		`KaTeX's fonts load from the store (${[...new Set(r.fonts)].join(', ')})`);
	ok(r.caps === 'none', `a heading's capitals leave its math alone (${r.caps})`);
	ok(r.code === '$not math$', `code stays code (${r.code})`);
	ok(!scripts.some((s) => /katex/i.test(s)), `no KaTeX script at view time (${scripts.join(' ')})`);
	await page.screenshot({ path: `${shots}/math.png` });
	await page.keyboard.press('ArrowRight');
	await page.waitForTimeout(300);
	await page.screenshot({ path: `${shots}/math-2.png` });
} catch (e) {
	ok(false, `browser run: ${e}`);
}
ok(problems.length === 0, `no console error, exception or failed request${problems.length ? ': ' + problems.slice(0, 4).join('; ') : ''}`);
await browser.close();
process.exit(failed ? 1 : 0);
