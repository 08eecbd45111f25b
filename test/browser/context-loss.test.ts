// In real chromium: the trainer host on WebGL loses its context and carries on on WASM from its last weights.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

let page: ScenarioPage;
before(async () => {
  page = await openScenarioPage('test/browser/pages/context-page.ts', { dirs: { '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' } });
});
after(async () => {
  await page?.close();
});

test('on WebGL context loss training moves to WASM and continues from the last weights snapshot', async () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const r = await page.run<any>('contextLoss');
  console.log(`# context loss: ${r.reason}`);
  assert.deepEqual(r.errors, []);
  assert.equal(r.choice, 'wasm');
  assert.match(r.reason, /WebGL context was lost|WebGL update failed/);
  assert.ok(r.resumedAt >= 10 && r.resumedAt <= r.lostAt && r.resumedAt % 5 === 0, `resumed at ${r.resumedAt}, lost at ${r.lostAt}`);
  assert.equal(r.sameAsSnapshot, true, 'training resumed from exactly the weights of the last snapshot');
  assert.equal(r.finalBackend, 'wasm');
  assert.ok(r.finalUpdates >= 25);
});
