// The examples under examples/, run in Chromium as a user runs them: each
// trains its squad in a worker until updates arrive, then ships it greedy.
// - script-tag: Phaser's own script-tag build and the package's browser
//   build (dist/browser/, built here first), the prebuilt worker with the
//   WASM files beside it;
// - esbuild and vite: copied into a fresh project that installs the packed
//   tarball with Phaser 4 and the tool; esbuild's build script, the real
//   `vite` dev server and a `vite build` (served statically).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildBrowser } from '../../plugin/browser/build.js';
import { launchBrowser } from '../support/browser.js';

const ROOT = resolve('.');
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
let browser: Browser;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Serves the files under `root` whose paths start with one of `allowed` (relative folders). */
async function serveStatic(root: string, allowed: readonly string[]): Promise<{ url: string; close(): Promise<void> }> {
  const dirs = allowed.map((p) => join(root, p) + (p === '' ? '' : sep));
  const server: Server = createServer((req, res) => {
    let path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(root, path));
    if (!dirs.some((a) => file.startsWith(a)) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Opens an example page, waits for 20+ updates from its worker, ships the squad greedy and watches three greedy episodes. */
async function playExample(url: string, name: string): Promise<string> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Every file the example asks for must be there (the browser's own favicon request aside).
  page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && errors.push(m.text()));
  await page.goto(url);
  // Updates arrive from the worker: the squad trains (waits on the page, not on a clock).
  await page.waitForFunction(() => /mode train · ([2-9]\d|\d{3,}) updates/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 240_000 });
  type Example = { example: { ship(): Promise<string>; scene(): { returns: number[] } } };
  assert.equal(await page.evaluate(() => (window as unknown as Example).example.ship()), 'phaser-qmix/policy');
  await page.waitForFunction(() => /mode greedy/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
  const episodes = await page.evaluate(() => (window as unknown as Example).example.scene().returns.length);
  await page.waitForFunction((n) => (window as unknown as Example).example.scene().returns.length >= n + 3, episodes, { timeout: 60_000 });
  await page.screenshot({ path: `test-results/example-${name}.png` });
  const status = await page.locator('#status').innerText();
  await page.close();
  assert.deepEqual(errors, [], name);
  return status;
}

test('script-tag example: Phaser and phaser-qmix from script tags, training in the prebuilt worker, then shipped greedy', async () => {
  console.log(`browser build: ${JSON.stringify(await buildBrowser())}`);
  const server = await serveStatic(ROOT, ['examples', 'dist/browser', 'node_modules/phaser/dist']);
  try {
    console.log(`script-tag example: ${await playExample(`${server.url}examples/script-tag/index.html`, 'script-tag')}`);
  } finally {
    await server.close();
  }
});

let tarball: string | null = null;

/** Copies examples/`name` into a fresh project and installs the packed tarball, Phaser 4 and `tool` (at the repository's version) into it. */
function installExample(name: string, tool: 'vite' | 'esbuild'): string {
  const work = mkdtempSync(join(tmpdir(), `pq-${name}-`));
  if (tarball === null) {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string }[];
    tarball = join(work, packed[0].filename);
  }
  const app = join(work, 'app');
  cpSync(join(ROOT, 'examples', name), app, { recursive: true });
  const version = (JSON.parse(readFileSync(join(ROOT, 'node_modules', tool, 'package.json'), 'utf8')) as { version: string }).version;
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'phaser@^4', `${tool}@${version}`], { cwd: app, stdio: 'pipe' });
  return app;
}

test('esbuild example, from the packed tarball: its build script bundles the game and the worker, and the squad trains and ships', async () => {
  const app = installExample('esbuild', 'esbuild');
  execFileSync(process.execPath, ['build.mjs'], { cwd: app, stdio: 'pipe' });
  const server = await serveStatic(join(app, 'dist'), ['']);
  try {
    console.log(`esbuild: ${await playExample(server.url, 'esbuild')}`);
  } finally {
    await server.close();
  }
});

test('vite example, from the packed tarball: the `vite` dev server and a `vite build` both train in the worker and ship', async () => {
  const app = installExample('vite', 'vite');
  const vite = join(app, 'node_modules/vite/bin/vite.js');
  // The dev server: the worker is served unbundled, its dependencies pre-bundled by Vite.
  const dev = spawn(process.execPath, [vite, '--host', '127.0.0.1', '--port', '0'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      const read = (d: Buffer): void => {
        out += d.toString();
        const m = /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) ok(m[1]);
      };
      dev.stdout.on('data', read);
      dev.stderr.on('data', read);
      dev.on('exit', (code) => fail(new Error(`vite exited with ${code}: ${out}`)));
    });
    console.log(`vite dev: ${await playExample(url, 'vite-dev')}`);
  } finally {
    dev.kill();
  }
  // The production build, served as static files.
  execFileSync(process.execPath, [vite, 'build'], { cwd: app, stdio: 'pipe' });
  const server = await serveStatic(join(app, 'dist'), ['']);
  try {
    console.log(`vite build: ${await playExample(server.url, 'vite-build')}`);
  } finally {
    await server.close();
  }
});
