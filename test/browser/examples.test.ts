// The examples under examples/, run in Chromium as a user runs them. The
// script-tag example loads Phaser's own script-tag build and the package's
// browser build (dist/browser/, built here first), trains its squad in the
// prebuilt worker (WASM files beside it), then ships it greedy.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { buildBrowser } from '../../plugin/browser/build.js';
import { launchBrowser } from '../support/browser.js';

const ROOT = resolve('.');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves the repository's examples, dist/browser and Phaser's dist, as an npm install lays them out. */
async function serveRepo(): Promise<{ url: string; close(): Promise<void> }> {
  const allowed = ['examples', 'dist/browser', 'node_modules/phaser/dist'].map((p) => join(ROOT, p) + sep);
  const server: Server = createServer((req, res) => {
    const file = normalize(join(ROOT, decodeURIComponent((req.url ?? '/').split('?')[0])));
    if (!allowed.some((a) => file.startsWith(a)) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

test('script-tag example: Phaser and phaser-qmix from script tags, training in the prebuilt worker, then shipped greedy', async () => {
  const sizes = await buildBrowser();
  console.log(`browser build: ${JSON.stringify(sizes)}`);
  const server = await serveRepo();
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Every file the example asks for must be there (the browser's own favicon request aside).
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
    page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
    await page.goto(`${server.url}examples/script-tag/index.html`);
    const status = () => page.locator('#status').innerText();
    // Updates arrive from the worker: the squad trains (waits on the page, not on a clock).
    await page.waitForFunction(() => /mode train · ([2-9]\d|\d{3,}) updates/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 240_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { example: { ship(): Promise<string> } }).example.ship()), 'phaser-qmix/policy');
    await page.waitForFunction(() => /mode greedy/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 60_000 });
    const before = await page.evaluate(() => (window as unknown as { example: { scene(): { returns: number[] } } }).example.scene().returns.length);
    await page.waitForFunction((n) => (window as unknown as { example: { scene(): { returns: number[] } } }).example.scene().returns.length >= n + 3, before, { timeout: 60_000 });
    await page.screenshot({ path: 'test-results/example-script-tag.png' });
    console.log(`script-tag example: ${await status()}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
