// SPDX-License-Identifier: MIT
// unideck's build-time Mermaid: ```mermaid diagrams drawn to SVG by mermaid
// (from npm) inside headless Chromium (the one that prints the PDFs), driven
// over the DevTools protocol on a pipe, so that decks carry static, offline
// diagrams and no Mermaid script at view time.
//
// usage: node mermaid.mjs CHROMIUM [THEME] (Mermaid's: default, dark, ...)
// Run by tools/deck/mermaid.c as a filter. stdin: diagram sources, each ending in
// NUL. stdout: per diagram, in order, "O<svg>\0" or "E<message>\0".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [chromium, theme = 'default'] = process.argv.slice(2, 4);
const here = dirname(fileURLToPath(import.meta.url));
const mermaidJs = join(here, '..', '..', 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const sources = Buffer.concat(chunks).toString('utf8').split('\0').filter((s) => s.length);

const dir = mkdtempSync(join(tmpdir(), 'unideck-mermaid-'));
const page = join(dir, 'draw.html');
writeFileSync(page, `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<script src="${pathToFileURL(mermaidJs)}"></script></body></html>`);
const child = spawn(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
	'--host-resolver-rules=MAP * ~NOTFOUND', `--user-data-dir=${join(dir, 'profile')}`,
	'--remote-debugging-pipe'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] });
const [toChrome, fromChrome] = [child.stdio[3], child.stdio[4]];
let nextId = 1, buf = '';
const waiting = new Map();
fromChrome.on('data', (d) => {
	buf += d.toString('utf8');
	let z;
	while ((z = buf.indexOf('\0')) >= 0) {
		const msg = JSON.parse(buf.slice(0, z));
		buf = buf.slice(z + 1);
		if (msg.id && waiting.has(msg.id)) {
			waiting.get(msg.id)(msg);
			waiting.delete(msg.id);
		}
	}
});
const call = (method, params = {}, sessionId) => new Promise((resolve) => {
	const id = nextId++;
	waiting.set(id, resolve);
	toChrome.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
});
const out = [];
let code = 0;
try {
	const { result: { targetId } } = await call('Target.createTarget', { url: 'about:blank' });
	const { result: { sessionId } } = await call('Target.attachToTarget', { targetId, flatten: true });
	await call('Page.navigate', { url: pathToFileURL(page).href }, sessionId);
	const evaluate = async (expression) => (await call('Runtime.evaluate',
		{ expression, awaitPromise: true, returnByValue: true }, sessionId)).result;
	let ready = false;
	for (let i = 0; i < 300 && !ready; i++) {
		const r = await evaluate("typeof mermaid === 'object' && document.readyState === 'complete'");
		ready = !!(r && r.result && r.result.value);
		if (!ready) await new Promise((r2) => setTimeout(r2, 100));
	}
	if (!ready) throw new Error('mermaid did not load in Chromium');
	await evaluate(`mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', deterministicIds: true, deterministicIDSeed: 'unideck', theme: ${JSON.stringify(theme)} })`);
	for (let i = 0; i < sources.length; i++) {
		const expr = `(async () => {
			try {
				const { svg } = await mermaid.render('unideck-mermaid-${i}', ${JSON.stringify(sources[i])});
				return 'O' + svg;
			} catch (e) {
				return 'E' + String(e && e.message || e).split('\\n').filter(Boolean).join(' ');
			}
		})()`;
		const r = await evaluate(expr);
		out.push(r && r.result && typeof r.result.value === 'string' ? r.result.value : 'Emermaid gave no result');
	}
} catch (e) {
	process.stderr.write(String(e.message || e));
	code = 1;
}
const gone = new Promise((r) => child.once('exit', r));
await Promise.race([call('Browser.close'), new Promise((r) => setTimeout(r, 5000))]);
child.kill('SIGKILL');
await gone;
// Chromium's helpers may write its profile for a moment after it has gone.
try {
	rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
} catch (e) {
	process.stderr.write(`could not remove ${dir}: ${e.message}\n`);
}
process.stdout.write(out.map((r) => r.replace(/\0/g, '') + '\0').join(''), () => process.exit(code));
