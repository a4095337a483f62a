// SPDX-License-Identifier: MIT
// Browser test: Debian's Chromium loads a deck over HTTPS from the booted
// image, trusting the test's own CA through an NSS database of its own (no
// --ignore-certificate-errors), and a second Chromium without that CA must
// refuse the same page.
//
// usage: node tests/browser/tls-image.mjs URL TRUSTING_HOME EMPTY_HOME SHOTS_DIR
// (URL on https://deck.test:PORT/, which is mapped to 127.0.0.1)
import { chromium } from 'playwright-core';

const [url, trustHome, emptyHome, shots] = process.argv.slice(2);
const port = new URL(url).port;
let failed = 0;
const ok = (cond, name) => {
	console.log(`${cond ? 'ok' : 'not ok'} - ${name}`);
	if (!cond) failed++;
};
const launch = (home) =>
	chromium.launch({
		executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
		env: { ...process.env, HOME: home },
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
			// deck.test is the guest through the port forward; nothing else resolves.
			'--host-resolver-rules=MAP deck.test 127.0.0.1, MAP * ~NOTFOUND'],
	});

let browser = await launch(trustHome);
try {
	const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
	const errors = [];
	page.on('pageerror', (e) => errors.push(String(e)));
	const failures = [];
	page.on('requestfailed', (r) => {
		if (r.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`${r.url()} ${r.failure()?.errorText}`);
	});
	const resp = await page.goto(url, { waitUntil: 'load' });
	ok(resp && resp.status() === 200, `the deck loads over HTTPS (status ${resp && resp.status()})`);
	const sec = resp ? await resp.securityDetails() : null;
	ok(sec && sec.protocol === 'TLS 1.2', `over TLS 1.2 (${sec && sec.protocol})`);
	ok(sec && /unideck-test-ca/.test(sec.issuer || ''), `the certificate is the test CA's (${sec && sec.issuer})`);
	const hsts = resp ? (await resp.allHeaders())['strict-transport-security'] : undefined;
	ok(/max-age=\d+/.test(hsts || ''), `HSTS reaches the browser (${hsts})`);
	await page.waitForSelector('.reveal .slides section', { timeout: 60000 });
	const slides = await page.$$eval('.reveal .slides > section', (s) => s.length);
	ok(slides > 3, `reveal.js runs the deck (${slides} slides)`);
	await page.keyboard.press('ArrowRight');
	await page.waitForTimeout(500);
	const idx = await page.evaluate(() => (window.Reveal ? Reveal.getIndices().h : -1));
	ok(idx === 1, `the arrow key turns the slide (at ${idx})`);
	ok(failures.length === 0, `every subresource arrived over HTTPS${failures.length ? ': ' + failures.slice(0, 3).join(', ') : ''}`);
	ok(errors.length === 0, `no page errors${errors.length ? ': ' + errors[0] : ''}`);
	await page.screenshot({ path: `${shots}/tls-image.png` });
} catch (e) {
	ok(false, `the HTTPS deck: ${e}`);
}
await browser.close();

// Without the CA the same certificate must not be accepted.
browser = await launch(emptyHome);
try {
	const page = await (await browser.newContext()).newPage();
	let err = '';
	try {
		await page.goto(url, { waitUntil: 'load', timeout: 60000 });
	} catch (e) {
		err = String(e);
	}
	ok(/ERR_CERT_AUTHORITY_INVALID/.test(err), `without the test CA Chromium refuses it (${err.split('\n')[0] || 'it loaded'})`);
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
