// SPDX-License-Identifier: MIT
// unideck's build-time math: TeX to HTML with KaTeX, so that a deck's math needs
// no script and no CDN at view time (the KaTeX CSS and fonts come from the store).
//
// Run by tools/deck/math.c as a filter. stdin: records "D<tex>\0" (display) or
// "I<tex>\0" (inline). stdout: one record per input, in order, "O<html>\0" or
// "E<message>\0" (KaTeX's parse error). `node math.mjs --version` prints
// KaTeX's version.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'));
const katex = require('katex');
if (process.argv[2] === '--version') {
	process.stdout.write(`${katex.version}\n`);
	process.exit(0);
}
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const input = Buffer.concat(chunks).toString('utf8');
const out = [];
for (const rec of input.split('\0')) {
	if (!rec) continue;
	const display = rec[0] === 'D';
	try {
		out.push('O' + katex.renderToString(rec.slice(1), {
			displayMode: display, throwOnError: true, output: 'htmlAndMathml', strict: 'ignore',
		}));
	} catch (e) {
		out.push('E' + String(e.message || e).replace(/\0/g, ''));
	}
}
process.stdout.write(out.map((r) => r + '\0').join(''));
