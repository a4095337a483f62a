// SPDX-License-Identifier: MIT
// The diagrams deck of tests/browser/mermaid.sh in Chromium.
// usage: node tests/browser/mermaid.mjs BASE_URL SHOTS_DIR
import { chromium } from 'playwright-core';
const [base, shots] = process.argv.slice(2, 4);
let failed = 0;
const ok = (c, n) => { console.log(`${c ? 'ok' : 'not ok'} - ${n}`); if (!c) failed++; };
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'] });
const problems = [], scripts = [];
try {
	const ctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	const page = await ctx.newPage();
	page.on('console', (m) => { if (m.type() === 'error' && !/favicon/.test(m.location().url)) problems.push(m.text()); });
	page.on('pageerror', (e) => problems.push(e.message));
	ctx.on('requestfailed', (r) => { if (!/favicon|_unideck\/follow/.test(r.url())) problems.push(`failed ${r.url()}`); });
	ctx.on('response', (r) => { if (r.status() >= 400 && !/favicon/.test(r.url())) problems.push(`${r.status()} ${r.url()}`); });
	ctx.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
	await page.goto(`${base}/diagrams/`);
	await page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
	const r = await page.evaluate(() => {
		const svgs = Array.from(document.querySelectorAll('.unideck-mermaid > svg'));
		const box = svgs[0].getBoundingClientRect();
		return { n: svgs.length, w: box.width, h: box.height, text: svgs.map((s) => s.textContent).join(' '),
			nodes: svgs[0].querySelectorAll('.node').length };
	});
	ok(r.n === 2, `two diagrams are inline SVG (${r.n})`);
	ok(r.w > 100 && r.h > 20, `the flowchart is laid out (${Math.round(r.w)}x${Math.round(r.h)})`);
	ok(r.nodes === 3, `with its three nodes (${r.nodes})`);
	ok(/Write/.test(r.text) && /Serve/.test(r.text) && /Follower/.test(r.text), 'and their labels');
	ok(!scripts.some((s) => /mermaid/i.test(s)), `no Mermaid script at view time (${scripts.join(' ')})`);
	await page.screenshot({ path: `${shots}/mermaid.png` });
} catch (e) {
	ok(false, `browser run: ${e}`);
}
ok(problems.length === 0, `no console error, exception or failed request${problems.length ? ': ' + problems.slice(0, 4).join('; ') : ''}`);
await browser.close();
process.exit(failed ? 1 : 0);
