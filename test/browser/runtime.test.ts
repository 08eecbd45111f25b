// In real chromium: the runtime alone (no tfjs on the page) loads a policy and acts as it does in Node.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { Rng } from '../../plugin/core/index.js';
import { exportPolicy, QLearner } from '../../plugin/learn/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import { launchBrowser, servePage, type ServedPage } from '../support/browser.js';
import '../support/tf.js';

let browser: Browser;
let served: ServedPage;
before(async () => {
  browser = await launchBrowser();
  served = await servePage('test/browser/pages/runtime-page.ts');
});
after(async () => {
  await browser?.close();
  await served?.close();
});

test('a policy exported in Node gives the same actions and utilities in the browser, with no tfjs loaded', async () => {
  const spec = { nAgents: 3, obsSize: 8, stateSize: 2, nActions: 5, episodeLimit: 10 };
  const learner = new QLearner(spec, { hiddenDim: 16, seed: 2 });
  const json = JSON.stringify(exportPolicy(learner));
  learner.dispose();
  const rng = new Rng(1);
  const observations = Array.from({ length: 30 }, () => Array.from({ length: spec.obsSize }, () => rng.uniform(-1, 1)));
  const policy = loadPolicy(json);
  policy.resetEpisode();
  const actions: number[] = [];
  const q: number[][] = [];
  observations.forEach((o, i) => {
    actions.push(policy.act(i % 3, o));
    q.push(Array.from(policy.lastQValues(i % 3)));
  });

  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(served.url);
  await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true);
  const result = (await page.evaluate(([j, o]) => (globalThis as unknown as { decide: (a: string, b: number[][]) => unknown }).decide(j, o), [json, observations] as const)) as {
    actions: number[];
    q: number[][];
  };
  assert.deepEqual(result.actions, actions);
  assert.deepEqual(result.q, q);
  const hasTf = await page.evaluate(() => Object.keys(globalThis).some((k) => /^tf$|tensorflow/i.test(k)));
  assert.equal(hasTf, false);
  assert.ok(requests.every((u) => !/\.wasm|tfjs/.test(u)), requests.join(', '));
  await page.close();
});
