// SPDX-License-Identifier: MIT
// Browser test of the presenter features: live follow between two browser
// contexts, a forged and a replayed update, detaching and re-attaching, the
// speaker-notes window, and a video that seeks with ranges.
//
// usage: node tests/browser/follow.mjs UNIDECK STORE|IMAGE.elf TOKEN SHOTS_DIR
// It runs `UNIDECK serve STORE` itself, so that it can restart it; given an
// image, `UNIDECK run IMAGE` boots it under QEMU (token on the kernel command
// line) and a restart is a reboot; the image carries the token built in.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const [unideck, store, token, shots] = process.argv.slice(2, 6);
const port = await new Promise((resolve) => {
	const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const base = `http://127.0.0.1:${port}`;
let server = null;
async function startServer() {
	const args = store.endsWith('.elf')
		? ['run', store, '--port', String(port)]
		: ['serve', store, '--port', String(port), '--token', token, '--quiet'];
	server = spawn(unideck, args, { stdio: ['ignore', 'ignore', 'pipe'] });
	let said = '', exited = null;
	server.stderr.on('data', (d) => { said += d; });
	server.once('exit', (code) => { exited = code; });
	// A boot under TCG on a loaded machine: up to three minutes.
	for (let i = 0; i < 1800 && exited === null; i++) {
		try { if ((await fetch(`${base}/`)).ok) return; } catch (e) { /* not yet */ }
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(exited === null ? 'the server did not start'
		: `the server stopped (${exited}) before serving: ${said.trim()}`);
}
async function stopServer() {
	if (server.exitCode !== null || server.signalCode !== null) return;
	const done = new Promise((r) => server.once('exit', r));
	server.kill('SIGINT');
	await done;
}
await startServer();
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Poll (fn) until it is true or (ms) pass; returns whether it became true.
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
		'--autoplay-policy=no-user-gesture-required',
		// Nothing leaves this machine: every host name but 127.0.0.1 fails to resolve.
		'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const ready = (page) => page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 20000 });
const where = (page) => page.evaluate(() => {
	const i = Reveal.getIndices();
	return `${i.h}/${i.v || 0}/${typeof i.f === 'number' ? i.f : -1}`;
});

try {
	const pctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	const fctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
	const presenter = await pctx.newPage();
	const follower = await fctx.newPage();
	await follower.goto(`${base}/features/`);
	await ready(follower);
	// Every request the presenter's browser makes, with its Referer: the
	// token rides in the fragment and must be in none of them (issue 14).
	const leaks = [];
	presenter.on('request', (r) => {
		const h = r.headers();
		if (r.url().includes(token) || (h.referer || '').includes(token)) leaks.push(r.url());
	});
	await presenter.goto(`${base}/features/#present=${token}`);
	await ready(presenter);
	ok(!(await presenter.url()).includes(token), 'the token leaves the address bar at once');
	const html = await (await fetch(`${base}/features/`)).text();
	ok(!html.includes(token), 'the token is not in the public page');

	// Slides and fragments: the follower matches within a second.
	await presenter.keyboard.press('ArrowRight'); // to "Fragments"
	await presenter.keyboard.press('ArrowRight'); // first fragment
	await presenter.keyboard.press('ArrowRight'); // second fragment
	let p = await where(presenter);
	ok(p === '1/0/1', `the presenter is on slide 2, fragment 2 (${p})`);
	ok(await within(1000, async () => (await where(follower)) === p),
		`the follower matches within a second (${await where(follower)})`);
	await presenter.keyboard.press('ArrowRight');
	await presenter.keyboard.press('ArrowRight');
	await presenter.keyboard.press('ArrowRight'); // "Vertical slides"
	await presenter.keyboard.press('ArrowDown');
	p = await where(presenter);
	ok(await within(1000, async () => (await where(follower)) === p),
		`and follows into a vertical stack (${p})`);
	await follower.screenshot({ path: `${shots}/follower.png` });

	ok(leaks.length === 0, `the token is in no request and no Referer (${leaks.length}: ${leaks[0] || ''})`);

	// A forged update and a replayed one change nothing.
	const nonce = await follower.evaluate(() => new Promise((resolve) => {
		const es = new EventSource(location.pathname.replace(/^\/([^/]+)\/.*/, '/_unideck/follow/$1'));
		es.addEventListener('hello', (e) => { es.close(); resolve(JSON.parse(e.data)); });
	}));
	const post = (body) => fetch(`${base}/_unideck/follow/features`, {
		method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
	const before = await where(follower);
	let r = await post(`n=${nonce.n + 100}&h=0&v=0&f=-1&mac=${'0'.repeat(64)}`);
	ok(r.status === 403, `a forged update is refused with 403 (${r.status})`);
	const guess = await presenter.evaluate((a) => unideckHmacHex('wrong-token', a), `${nonce.nonce}/features/${nonce.n + 100}/0/0/-1`);
	r = await post(`n=${nonce.n + 100}&h=0&v=0&f=-1&mac=${guess}`);
	ok(r.status === 403, `an update signed with another token is refused (${r.status})`);
	const old = `${nonce.nonce}/features/${nonce.n}/${nonce.h}/${nonce.v}/${nonce.f}`;
	const replay = await presenter.evaluate(([k, m]) => unideckHmacHex(k, m), [token, old]);
	r = await post(`n=${nonce.n}&h=${nonce.h}&v=${nonce.v}&f=${nonce.f}&mac=${replay}`);
	ok(r.status === 409, `a replayed update is refused with 409 (${r.status})`);
	await sleep(300);
	ok((await where(follower)) === before, 'and the follower has not moved');

	// Detach, browse, re-attach.
	await follower.keyboard.press('ArrowLeft');
	const mine = await where(follower);
	await presenter.keyboard.press('ArrowRight');
	await sleep(700);
	ok((await where(follower)) === mine, 'a follower who navigates is detached');
	ok(await follower.isVisible('#unideck-follow'), 'and offered a button to follow again');
	await follower.click('#unideck-follow');
	p = await where(presenter);
	ok(await within(1000, async () => (await where(follower)) === p), `the button re-attaches (${p})`);

	// The speaker view opens under the headers unideck sends.
	const [notes] = await Promise.all([
		pctx.waitForEvent('page', { timeout: 10000 }),
		presenter.keyboard.press('s'),
	]);
	await notes.waitForLoadState('load');
	const frames = await within(8000, async () => (await notes.$$('iframe')).length >= 2);
	ok(frames, 'the speaker view opens with the current and next slide');
	const framed = await within(8000, async () => {
		const f = notes.frames().find((fr) => fr.url().includes('/features/'));
		return f && (await f.evaluate(() => !!(window.Reveal && Reveal.isReady())).catch(() => false));
	});
	ok(framed, 'the deck loads inside the speaker view (X-Frame-Options: SAMEORIGIN)');
	await notes.screenshot({ path: `${shots}/speaker-view.png` });
	const still = await where(presenter);
	await sleep(500);
	ok((await where(follower)) === still, "the speaker view's frames neither drive nor follow");
	await notes.close();

	// A server restart: both sides reconnect by themselves and the follower
	// resumes where the presenter is.
	await stopServer();
	await presenter.keyboard.press('ArrowLeft');
	p = await where(presenter);
	await startServer();
	ok(await within(8000, async () => (await where(follower)) === p),
		`after a server restart the follower resumes at the presenter's slide (${p})`);

	// A video seeks, over ranges.
	const ranges = [];
	fctx.on('response', (res) => {
		if (res.url().includes('/media/clip.') && res.status() === 206) ranges.push(res.url());
	});
	const vpage = await fctx.newPage();
	await vpage.goto(`${base}/features/#/10`);
	await ready(vpage);
	const seeked = await vpage.evaluate(() => new Promise((resolve) => {
		const v = document.querySelector('.present video') || document.querySelector('video');
		const done = () => resolve({ t: v.currentTime, state: v.readyState });
		v.muted = true;
		const go = () => {
			v.addEventListener('seeked', done, { once: true });
			v.currentTime = 2.5;
		};
		if (v.readyState >= 1) {
			go();
		} else {
			v.addEventListener('loadedmetadata', go, { once: true });
			v.load();
		}
		setTimeout(() => resolve({ t: -1, state: v.readyState }), 8000);
	}));
	ok(seeked.t >= 2 && seeked.state >= 1, `the video seeks (to ${seeked.t}, readyState ${seeked.state})`);
	ok(ranges.length > 0, `with 206 Partial Content (${ranges.length} ranged responses)`);
} catch (e) {
	ok(false, `browser run: ${e}`);
}
await browser.close();
await stopServer();
process.exit(failed ? 1 : 0);
