// Background training in a real Web Worker (Debian chromium): learning,
// a killed worker coming back from its IndexedDB autosave, auto backend.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

let scenarios: ScenarioPage;
before(async () => {
  scenarios = await openScenarioPage('test/browser/pages/worker-page.ts', {
    bundles: { '/worker.js': 'plugin/worker/worker-entry.ts' },
    dirs: { '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' },
  });
});
after(async () => {
  await scenarios?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = (name: string): Promise<any> => scenarios.run(name);

describe('WorkerTrainer in a real browser worker', () => {
  test('training in the worker lifts the return curve past a level a random policy never reaches', async () => {
    const r = await run('learn');
    console.log(`# worker learning curve (mean return per 100 episodes): ${r.curve.map((x: number) => x.toFixed(2)).join(' ')}; ${r.updates} updates, ${r.updatesPerSec.toFixed(0)} updates/s on ${r.backend}`);
    // A uniformly random pair averages 0.5 * 7 + 0.5 * 2.5 = 4.75 per episode; the first block is random play.
    assert.ok(r.curve[0] < 5.6, `first block ${r.curve[0]}`);
    // Learned play (2B then both 1, epsilon 0.05 at the end) averages about 7.5; random play over
    // 100 episodes would need to be 5 standard deviations lucky to pass 7.
    const last = r.curve.slice(-3);
    assert.ok(last.every((x: number) => x > 7), `last blocks ${last}`);
    assert.equal(r.greedy, 8);
    assert.equal(r.backend, 'wasm');
  });

  test('a killed worker restarts from the IndexedDB autosave while the game keeps playing', async () => {
    const r = await run('kill');
    assert.equal(r.faults.length, 1);
    assert.match(r.faults[0].reason, /sent nothing for 1000 ms/);
    assert.equal(r.readies[0], null);
    assert.ok(r.readies[1] >= 40 && r.readies[1] % 20 === 0 && r.readies[1] <= r.before, `resumed from ${r.readies[1]}, had ${r.before}`);
    // Lost = what the client had heard of when the fault came (metrics or weights, whichever came
    // last; messages posted just before the kill still arrive) minus the autosave it resumed from.
    const lost = r.faults[0].updatesLost;
    assert.ok(r.heardAtFault[0] >= r.before, `heard of ${r.heardAtFault[0]} at the fault, ${r.before} at the kill`);
    // (An autosave the worker finished but had not yet announced may be one interval, 20, newer than the client knew.)
    const sinceResumed = r.heardAtFault[0] - r.readies[1];
    assert.ok(lost === sinceResumed || lost === sinceResumed + 20, `lost ${lost}, heard of ${r.heardAtFault[0]}, resumed from ${r.readies[1]}`);
    assert.ok(r.playedDuringOutage > 0, 'episodes were played while the worker was down');
    assert.ok(r.after > r.readies[1] + 20);
  });

  test("backend 'auto' reports its choice with the timings it took (WebGL only where a trial can win) and trains on it", async () => {
    const r = await run('auto');
    console.log(`# auto backend: ${JSON.stringify(r.choice)}`);
    assert.ok(['wasm', 'webgl'].includes(r.choice.choice), r.choice.choice);
    assert.equal(typeof r.choice.timings.wasm, 'number');
    assert.ok('webgl' in r.choice.timings);
    assert.equal(r.backend, r.choice.choice);
    assert.ok(r.updates >= 20);
    const { wasm, webgl } = r.choice.timings;
    if (typeof webgl === 'number') assert.equal(r.choice.choice, webgl < wasm ? 'webgl' : 'wasm');
  });
});
