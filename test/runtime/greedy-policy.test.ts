import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build } from 'esbuild';
import { Rng, type EnvSpec } from '../../plugin/core/index.js';
import { exportPolicy, QLearner } from '../../plugin/learn/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import '../support/tf.js';

const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 2, nActions: 4, episodeLimit: 20 };
const learner = new QLearner(spec, { hiddenDim: 16, seed: 3 });
const text = JSON.stringify(exportPolicy(learner));
learner.dispose();
const rng = new Rng(4);
const obs = () => Float32Array.from({ length: spec.obsSize }, () => rng.uniform(-1, 1));

describe('GreedyPolicy', () => {
  test('one agent decides from its own observation alone: the others inputs do not change its choice', () => {
    const p = loadPolicy(text);
    const mine = obs();
    p.resetEpisode();
    const alone = p.act(1, mine);
    const qAlone = Array.from(p.lastQValues(1));
    // Same agent, same history, while the other agents see wildly different things.
    const q = loadPolicy(text);
    q.resetEpisode();
    q.act(0, obs().map((v) => v * 100));
    q.act(2, obs());
    assert.equal(q.act(1, mine), alone);
    assert.deepEqual(Array.from(q.lastQValues(1)), qAlone);
  });

  test('masks are respected and the hidden state carries over until the episode is reset', () => {
    const p = loadPolicy(text);
    const o = obs();
    p.resetEpisode();
    const best = p.act(0, o);
    const firstQ = Array.from(p.lastQValues(0));
    const mask = [1, 1, 1, 1];
    mask[best] = 0;
    p.resetEpisode();
    assert.notEqual(p.act(0, o, mask), best);
    // A second step with the same observation differs (memory + previous action)...
    p.resetEpisode();
    p.act(0, o);
    p.act(0, o);
    assert.notDeepEqual(Array.from(p.lastQValues(0)), firstQ);
    // ...and after a reset the first step is reproduced exactly.
    p.resetEpisode();
    p.act(0, o);
    assert.deepEqual(Array.from(p.lastQValues(0)), firstQ);
    assert.throws(() => p.act(0, o, [0, 0, 0, 0]), /agent 0 has no available action/);
    assert.throws(() => p.act(3, o), /agent index 3 is not in 0\.\.2/);
    assert.throws(() => p.act(0, o.subarray(0, 5)), /observation has 5 numbers, the policy expects 6/);
    // A mask of the wrong length, and observations that are not finite, are hook bugs: named, not acted on.
    assert.throws(() => p.act(0, o, [1, 1]), /action mask has 2 entries, the policy has 4 actions/);
    for (const bad of [NaN, Infinity]) {
      const x = Float32Array.from(o);
      x[2] = bad;
      assert.throws(() => p.act(0, x), new RegExp(`observation\\[2\\] is ${bad}: observations must be finite`));
    }
  });

  test('qValuesMany: several copies in one call equal one policy per copy, each with its own memory and resets', () => {
    const K = 3;
    const many = loadPolicy(text);
    const alone = Array.from({ length: K }, () => loadPolicy(text));
    const memories = Array.from({ length: K }, () => ({ hidden: null as Float32Array | null }));
    const N = spec.nAgents;
    const O = spec.obsSize;
    const A = spec.nActions;
    const last = new Int32Array(K * N).fill(-1);
    const q = new Float32Array(K * N * A);
    const one = new Float32Array(N * A);
    for (const p of alone) p.resetEpisode();
    let maxDiff = 0;
    for (let t = 0; t < 12; t++) {
      // Copy 1 starts a new episode at step 5 (as an arena whose round ended).
      if (t === 5) {
        memories[1].hidden?.fill(0);
        last.fill(-1, N, 2 * N);
        alone[1].resetEpisode();
      }
      const o = new Float32Array(K * N * O);
      for (let i = 0; i < o.length; i++) o[i] = rng.uniform(-1, 1);
      many.qValuesMany(memories, o, last, q);
      for (let k = 0; k < K; k++) {
        const first = last[k * N] < 0;
        alone[k].qValues(o.subarray(k * N * O, (k + 1) * N * O), first ? null : last.subarray(k * N, (k + 1) * N), one);
        for (let i = 0; i < N * A; i++) maxDiff = Math.max(maxDiff, Math.abs(one[i] - q[k * N * A + i]));
      }
      for (let r = 0; r < K * N; r++) last[r] = (t + r) % A;
    }
    assert.equal(maxDiff, 0);
    assert.ok(memories.every((m) => m.hidden !== null && m.hidden.some((v) => v !== 0)));
    assert.throws(() => many.qValuesMany(memories, new Float32Array(5), last, q), /qValuesMany for 3 copies of 3 agents needs obs of 54/);
  });

  test('deciding allocates nothing after warm-up: heap growth per decision is well under one byte', () => {
    // Allocation, not GC counts: a collection may be triggered by anything
    // else in the process (the test runner, tsx), which made a count flaky on
    // a loaded machine. Heap growth over a batch measures what deciding
    // itself allocates; the median over batches discards a batch in which a
    // scavenge happened to run (its growth is negative or small).
    const p = loadPolicy(text);
    const inputs = Array.from({ length: 16 }, obs);
    const mask = new Uint8Array([1, 1, 1, 1]);
    p.resetEpisode();
    for (let i = 0; i < 5000; i++) p.act(i % 3, inputs[i % 16], mask); // warm-up (JIT)
    const perBatch = 10000;
    const growth: number[] = [];
    for (let b = 0; b < 9; b++) {
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < perBatch; i++) p.act(i % 3, inputs[i % 16], mask);
      growth.push(process.memoryUsage().heapUsed - before);
    }
    growth.sort((a, b) => a - b);
    const median = growth[4];
    // One small typed array per decision (the cheapest leak) is >= 64 bytes,
    // i.e. 640 KB per batch; the bound is 8 KB per batch (< 1 byte/decision).
    assert.ok(median < 8192, `deciding grew the heap by ${median} bytes per ${perBatch} decisions (batches: ${growth.join(', ')})`);
  });

  test('the runtime entry bundles, minified with its imports, to at most 15 KB and pulls in neither tfjs nor Phaser', async () => {
    const out = await build({ entryPoints: ['plugin/runtime/index.ts'], bundle: true, minify: true, format: 'esm', write: false, metafile: true, platform: 'browser' });
    const bytes = out.outputFiles[0].contents.length;
    const inputs = Object.keys(out.metafile.inputs);
    assert.ok(!inputs.some((f) => /tensorflow|phaser/.test(f)), inputs.join(', '));
    console.log(`# runtime bundle: ${bytes} bytes minified (${inputs.length} modules)`);
    assert.ok(bytes <= 15 * 1024, `runtime bundle is ${bytes} bytes`);
  });
});
