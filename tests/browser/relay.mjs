// SPDX-License-Identifier: MIT
// Chromium followers of a live-follow relay tree, for tests/netns/relay.sh
// (run inside its network namespace).
//
// usage: node tests/browser/relay.mjs PRESENT_BASE TOKEN SIGNAL_DIR FOLLOW_BASE...
// Opens /features/ at each FOLLOW_BASE (the balancer, a relay) as a follower,
// then presents through PRESENT_BASE as deck.js does (the hello's nonce, an
// HMAC over nonce/slug/n/h/v/f) and checks each page's Reveal.getIndices()
// reaches the presenter's position. Then waits for SIGNAL_DIR/lost (the test
// stopped the origin): the relayed pages must say the upstream is lost; and
// for SIGNAL_DIR/back (restarted): they must say it is back, and follow a new
// move made with the new origin's nonce.
import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [present, token, signals, ...bases] = process.argv.slice(2);
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

// The nonce from the presenter's instance's hello (a short read of the stream).
async function nonceOf(base) {
	const ctl = new AbortController();
	const r = await fetch(`${base}/_unideck/follow/features`, { signal: ctl.signal });
	const reader = r.body.getReader();
	let text = '';
	while (!/"nonce":"[0-9a-f]{32}"/.test(text)) {
		const { value, done } = await reader.read();
		if (done) break;
		text += new TextDecoder().decode(value);
	}
	ctl.abort();
	return /"nonce":"([0-9a-f]{32})"/.exec(text)[1];
}

let n = 100;
async function move(nonce, h, v, f) {
	n += 1;
	const mac = createHmac('sha256', token).update(`${nonce}/features/${n}/${h}/${v}/${f}`).digest('hex');
	const r = await fetch(`${present}/_unideck/follow/features`, {
		method: 'POST', body: `n=${n}&h=${h}&v=${v}&f=${f}&mac=${mac}`,
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	return r.status;
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		// Nothing leaves the namespace: every name fails but our addresses.
		`--host-resolver-rules=MAP * ~NOTFOUND${[present, ...bases].map((b) => `, EXCLUDE ${new URL(b).hostname}`).join('')}`],
});
try {
	const pages = [];
	for (const b of bases) {
		const ctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
		const p = await ctx.newPage();
		await p.goto(`${b}/features/`);
		await p.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 30000 });
		pages.push([b, p]);
	}
	const at = (p) => p.evaluate(() => {
		const i = Reveal.getIndices();
		return `${i.h}/${i.v || 0}`;
	});
	let nonce = await nonceOf(present);
	for (const [h, v] of [[2, 0], [4, 0], [1, 0]]) {
		const st = await move(nonce, h, v, -1);
		ok(st === 204, `presenter update to ${h}/${v} accepted (${st})`);
		for (const [b, p] of pages)
			ok(await within(15000, async () => (await at(p)) === `${h}/${v}`),
				`Chromium following at ${b} shows slide ${h}/${v}`);
	}
	// The origin stops: every relayed page says so.
	console.log('# waiting for the origin to stop');
	await within(120000, async () => existsSync(`${signals}/lost`));
	for (const [b, p] of pages.slice(1)) {
		ok(await within(30000, () => p.evaluate(() =>
			document.documentElement.dataset.unideckUpstream === 'lost' &&
			getComputedStyle(document.getElementById('unideck-upstream')).display !== 'none')),
		`Chromium at ${b}: "reconnecting" shown while the upstream is lost`);
	}
	await within(120000, async () => existsSync(`${signals}/back`));
	for (const [b, p] of pages.slice(1)) {
		ok(await within(30000, () => p.evaluate(() =>
			document.documentElement.dataset.unideckUpstream === 'ok' &&
			getComputedStyle(document.getElementById('unideck-upstream')).display === 'none')),
		`Chromium at ${b}: the notice goes once the upstream is back`);
	}
	nonce = await nonceOf(present);
	n = 0;
	const st = await move(nonce, 3, 0, -1);
	ok(st === 204, `presenter update to the restarted origin accepted (${st})`);
	for (const [b, p] of pages)
		// A page the balancer had on the old origin notices its silent
		// stream after 40 s (deck.js) and reconnects.
		ok(await within(90000, async () => (await at(p)) === '3/0'),
			`Chromium following at ${b} follows the restarted origin to 3/0`);
} catch (e) {
	ok(false, `browser session: ${e.message}`);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
