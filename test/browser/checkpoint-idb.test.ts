// In real chromium: a checkpoint saved to IndexedDB survives a page reload and resumes exactly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, servePage, type ServedPage } from '../support/browser.js';

let browser: Browser;
let served: ServedPage;
before(async () => {
  browser = await launchBrowser();
  served = await servePage('test/browser/pages/checkpoint-page.ts');
});
after(async () => {
  await browser?.close();
  await served?.close();
});

test('save to IndexedDB, reload the page, restore: training continues with the same losses', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(served.url);
  await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true);
  const reference = (await page.evaluate('phase1()')) as number[];
  await page.reload();
  await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true);
  const resumed = (await page.evaluate('phase2()')) as { losses: number[]; updatesAtLoad: number; saved: string[] };
  assert.deepEqual(errors, []);
  assert.equal(resumed.updatesAtLoad, 6);
  assert.deepEqual(resumed.saved, ['autosave']);
  assert.equal(reference.length, 6);
  assert.deepEqual(resumed.losses, reference);
  await page.close();
});
