// backend 'auto' in a real Web Worker on headless Chromium, whose WebGL runs
// on SwiftShader (CHROMIUM_ARGS): the worker must see the software renderer,
// skip the WebGL trial, say why, and start training on wasm.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SOFTWARE_RENDERER } from '../../plugin/worker/backend-choice.js';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

let page: ScenarioPage;
before(async () => {
  page = await openScenarioPage('test/browser/pages/backend-choice-page.ts', {
    bundles: { '/worker.js': 'plugin/worker/worker-entry.ts' },
    dirs: { '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' },
  });
});
after(async () => {
  await page?.close();
});

test('the renderer probe reads the unmasked renderer: SwiftShader in this headless Chromium', async () => {
  const renderer = await page.run<string | null>('renderer');
  console.log(`# WebGL renderer: ${renderer}`);
  assert.equal(typeof renderer, 'string');
  assert.match(renderer as string, SOFTWARE_RENDERER);
});

test("'auto' on a software renderer runs no WebGL trial, names the renderer, and the first update arrives", async () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const r = await page.run<any>('auto');
  console.log(`# auto on SwiftShader: ${JSON.stringify(r.choice)}`);
  console.log(`# from Start: backend chosen ${(r.backendMs / 1000).toFixed(2)} s, ready ${(r.readyMs / 1000).toFixed(2)} s, first update ${(r.firstUpdateMs / 1000).toFixed(2)} s`);
  assert.equal(r.choice.choice, 'wasm');
  assert.equal(r.choice.timings.webgl, null, 'no WebGL timing');
  assert.ok(!('webglFirst' in r.choice.timings), 'no first WebGL update was timed');
  assert.match(r.choice.reason, /software renderer \(SwiftShader\)/);
  assert.match(r.choice.reason, /no trial/);
  assert.equal(r.reasonOnClient, r.choice.reason, 'the client keeps the reason');
  assert.equal(r.backend, 'wasm');
});
