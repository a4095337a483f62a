// SPDX-License-Identifier: MIT
// Chromium over HTTPS from `unideck serve --cert --key`: the deck loads over
// TLS 1.2 from a certificate of a test CA that Chromium trusts only through the
// NSS database the test made (HOME is the test's), the page is a secure
// context with HSTS, live follow works over HTTPS (EventSource and the signed
// POST), and a Chromium without that CA refuses the same certificate.
//
// usage: node tests/browser/https.mjs PORT TOKEN TRUSTED_HOME UNTRUSTED_HOME SHOTS_DIR
import { chromium } from 'playwright-core';

const [port, token, trustedHome, untrustedHome, shots] = process.argv.slice(2, 7);
const base = `https://deck.test:${port}`;
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
const launch = (home) => chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	env: { ...process.env, HOME: home },
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
		'--disable-background-networking', '--disable-component-update', '--disable-sync',
		// deck.test is the server; nothing else resolves.
		'--host-resolver-rules=MAP deck.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
});
const ready = (page) => page.waitForFunction(() => window.Reveal && Reveal.isReady(), null, { timeout: 30000 });
const where = (page) => page.evaluate(() => {
	const i = Reveal.getIndices();
	return `${i.h}/${i.v || 0}/${typeof i.f === 'number' ? i.f : -1}`;
});

// Without the test CA: the certificate is refused.
{
	const b = await launch(untrustedHome);
	const page = await b.newPage();
	let err = '';
	try {
		await page.goto(`${base}/features/`, { timeout: 20000 });
	} catch (e) {
		err = String(e.message || e);
	}
	ok(/ERR_CERT_AUTHORITY_INVALID/.test(err), `a Chromium without the test CA refuses the certificate (${err.split('\n')[0]})`);
	await b.close();
}

const browser = await launch(trustedHome);
try {
	const pctx = await browser.newContext({ viewport: { width: 1024, height: 640 } });
	const fctx = await browser.newContext({ viewport: { width: 800, height: 500 } });
	const follower = await fctx.newPage();
	const resp = await follower.goto(`${base}/features/`);
	ok(resp && resp.status() === 200, `the deck loads over HTTPS (${resp && resp.status()})`);
	const sd = resp ? await resp.securityDetails() : null;
	ok(sd && sd.protocol === 'TLS 1.2', `over TLS 1.2 (${sd && sd.protocol})`);
	ok(sd && /unideck test CA/.test(sd.issuer || ''), `from the test CA (${sd && sd.issuer})`);
	ok(sd && sd.subjectName === 'deck.test', `for deck.test (${sd && sd.subjectName})`);
	const h = resp ? resp.headers() : {};
	ok(/max-age=\d+/.test(h['strict-transport-security'] || ''), `with HSTS (${h['strict-transport-security']})`);
	await ready(follower);
	ok(await follower.evaluate(() => window.isSecureContext), 'the page is a secure context');
	const mixed = [];
	follower.on('request', (r) => { if (r.url().startsWith('http:')) mixed.push(r.url()); });
	await follower.reload();
	await ready(follower);
	ok(mixed.length === 0, `every subresource over HTTPS (${mixed.length} over http: ${mixed[0] || ''})`);
	const slides = await follower.evaluate(() => document.querySelectorAll('.slides section').length);
	ok(slides > 1, `the deck has its slides (${slides})`);

	// Live follow over HTTPS.
	const presenter = await pctx.newPage();
	await presenter.goto(`${base}/features/#present=${token}`);
	await ready(presenter);
	ok(!(await presenter.url()).includes(token), 'the presenter\'s token leaves the address bar');
	await presenter.keyboard.press('ArrowRight');
	await presenter.keyboard.press('ArrowRight');
	let p = await where(presenter);
	ok(p !== '0/0/-1', `the presenter moved (${p})`);
	ok(await within(10000, async () => (await where(follower)) === p),
		`the follower follows over HTTPS (${await where(follower)})`);
	await presenter.keyboard.press('ArrowRight');
	await presenter.keyboard.press('ArrowRight');
	await presenter.keyboard.press('ArrowRight');
	p = await where(presenter);
	ok(await within(10000, async () => (await where(follower)) === p),
		`and again (${p})`);
	await follower.screenshot({ path: `${shots}/https-follower.png` });
} catch (e) {
	ok(false, `the HTTPS browser run: ${e.message}`);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
