// Two threads for the worker's updates (issue 20): in a cross-origin-isolated
// page the training worker starts a helper copy of itself that takes half of
// each batch's episodes (one job an update); elsewhere it trains on one
// thread and says why.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

const serve = { bundles: { '/worker.js': 'plugin/worker/worker-entry.ts' }, dirs: { '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' } };
const pages: ScenarioPage[] = [];
after(async () => {
  for (const p of pages) await p.close();
});

describe('kernel threads in the browser worker', () => {
  test('cross-origin isolated (COOP/COEP): threads 2 starts the helper, which runs jobs while the worker trains', async () => {
    const page = await openScenarioPage('test/browser/pages/worker-page.ts', { ...serve, headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } });
    pages.push(page);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const r = await page.run<any>('threads', 2);
    console.log(`# isolated, threads 2: ${JSON.stringify(r)}`);
    assert.equal(r.isolated, true);
    assert.equal(r.readyThreads, 2);
    assert.deepEqual(r.kernelThreads, { threads: 2, note: null });
    assert.equal(r.threads, 2);
    // Every update hands the helper its half of the batch (one host-step job), none runs alone.
    assert.ok(r.updates >= 40 && r.helperJobs >= r.updates, `the helper ran ${r.helperJobs} jobs in ${r.updates} updates`);
    // auto: two threads only with 4 or more cores (the game needs one); says so otherwise.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const auto = await page.run<any>('threads');
    console.log(`# isolated, auto: ${JSON.stringify(auto)}`);
    if (auto.cores >= 4) assert.equal(auto.threads, 2);
    else {
      assert.equal(auto.threads, 1);
      assert.match(auto.kernelThreads.note, /cores/);
    }
  });

  test('not isolated: one thread, and the trainer says it needs COOP/COEP', async () => {
    const page = await openScenarioPage('test/browser/pages/worker-page.ts', serve);
    pages.push(page);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const r = await page.run<any>('threads', 2);
    assert.equal(r.isolated, false);
    assert.equal(r.threads, 1);
    assert.equal(r.helperJobs, 0);
    assert.match(r.kernelThreads.note, /cross-origin isolated.*Cross-Origin-Opener-Policy: same-origin.*Cross-Origin-Embedder-Policy: require-corp/);
    assert.ok(r.updates >= 40);
  });
});
