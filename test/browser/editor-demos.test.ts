// The editor's demonstrations section on the demo page: record the squad's
// scripted play, save the file, load it back, train on both. A file of its
// own: the main editor test file is near the runner's per-file time limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { serveDemo } from '../../demo-game/server.js';

let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const problems: string[] = [];

const message = (): Promise<string> => page.locator('.pq-message').innerText();
const trainerSteps = (): Promise<number> => page.evaluate(() => (globalThis as unknown as { editor: { currentTrainer: { envSteps: number } | null } }).editor.currentTrainer?.envSteps ?? 0);

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 90_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await page.waitForTimeout(250);
  }
}

before(async () => {
  mkdirSync('test-results', { recursive: true });
  server = await serveDemo(0);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${server.url}editor.html`);
  await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('editor: record the squad\'s scripted play as demonstrations, save the file, load it back, and training takes both; a policy file is refused as demonstrations', async () => {
  await page.selectOption('select[name=backend]', 'wasm');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.selectOption('#pq-timescale', 'max');
  await page.getByRole('button', { name: 'Record demonstrations' }).click();
  const status = (): Promise<string> => page.locator('.pq-demos-status').innerText();
  await waitFor(status, (s) => Number(/^(\d+) rounds recorded/.exec(s)?.[1] ?? 0) >= 3, 'three recorded rounds');
  await page.getByRole('button', { name: 'Stop recording' }).click();
  const recorded = Number(/^(\d+) rounds recorded/.exec(await status())![1]);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save demonstrations' }).click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'gardeners.demos.json');
  const path = 'test-results/editor.demos.json';
  await download.saveAs(path);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(file.format, 'phaser-qmix-demonstrations');
  assert.equal(file.episodes.length, recorded);
  assert.equal(file.spec.nAgents, 3);
  await page.setInputFiles('input[aria-label="load demonstration files"]', path);
  await waitFor(message, (m) => new RegExp(`Loaded editor\\.demos\\.json: ${recorded} rounds`).test(m), 'the load message');
  await page.setInputFiles('input[aria-label="load demonstration files"]', 'assets/carrot-heist/policy.json');
  await waitFor(message, (m) => /Could not load policy\.json: demonstration file: format is "phaser-qmix\/policy"/.test(m), 'the refusal');
  await page.getByRole('button', { name: 'Start' }).click();
  // The loaded file and the rounds recorded: twice the rounds, a quarter of every batch.
  await waitFor(status, (s) => s.includes(`Training on ${2 * recorded} demonstration rounds, 25% of every batch`), 'the trainer taking them');
  await waitFor(trainerSteps, (n) => n > 200, 'training');
  await page.screenshot({ path: 'test-results/editor-demos.png' });
  await page.getByRole('button', { name: 'Reset' }).click();
  assert.deepEqual(problems, []);
});
