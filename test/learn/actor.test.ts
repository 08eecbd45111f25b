import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEnv } from '../../plugin/envs/registry.js';
import { BatchActor, LiveActor, makeActor, TfjsActor, useTfjsActing } from '../../plugin/learn/actor.js';
import { QLearner } from '../../plugin/learn/learner.js';
import { Trainer } from '../../plugin/learn/trainer.js';
import { Rng } from '../../plugin/core/rng.js';
import type { ActingMemory } from '../../plugin/core/runner.js';
import { tf } from '../support/tf.js';

// Acting through the learner's WebAssembly kernel (LiveActor, BatchActor) is
// checked against the tfjs reference (TfjsActor) on the same weights, step
// for step, with episode resets, previous actions, agent ids and weights that
// change between steps (the training loop's updates).
const env = makeEnv('lbf:8x8-2p-2f-coop');
const spec = env.spec;
const worst = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / Math.max(1, Math.abs(b[i]))), 0);

function inputs(rng: Rng, rows: number): { obs: Float32Array; last: Int32Array } {
  const obs = new Float32Array(rows * spec.obsSize).map(() => rng.next() * 2 - 1);
  const last = new Int32Array(rows).map(() => Math.floor(rng.next() * spec.nActions));
  return { obs, last };
}

/** Changes the online agent weights as an update would (and says so through weightsVersion, via setState). */
function perturb(learner: QLearner, rng: Rng): void {
  const state = learner.getState();
  for (const w of Object.values(state.online.agent)) for (let i = 0; i < w.length; i++) w[i] += (rng.next() - 0.5) * 0.2;
  learner.setState(state);
}

describe('acting through the kernel', () => {
  for (const config of [
    { agent: 'gru' as const },
    { agent: 'mlp' as const },
    { agent: 'gru' as const, obsLastAction: false, obsAgentId: false, hiddenDim: 13 },
  ]) {
    test(`LiveActor gives the tfjs actor's utilities step for step (${JSON.stringify(config)}), across resets and new weights`, () => {
      const learner = new QLearner(spec, { ...config, seed: 4 });
      const live = new LiveActor(learner);
      const ref = new TfjsActor(learner);
      const rng = new Rng(1, 'actor-test');
      const a = new Float32Array(spec.nAgents * spec.nActions);
      const b = new Float32Array(a.length);
      let largest = 0;
      let moved = 0;
      for (let episode = 0; episode < 4; episode++) {
        live.resetEpisode();
        ref.resetEpisode();
        for (let t = 0; t < 12; t++) {
          const { obs, last } = inputs(rng, spec.nAgents);
          if (t === 5) perturb(learner, rng);
          live.qValues(obs, t === 0 ? null : last, a);
          ref.qValues(obs, t === 0 ? null : last, b);
          largest = Math.max(largest, worst(a, b));
          if (t > 0) moved += 1;
        }
      }
      assert.ok(largest < 1e-4, `largest relative difference ${largest}`);
      assert.ok(moved > 0);
      // A wrong memory (no reset, or no GRU carry) would differ by far more: check the test can fail.
      const stale = new LiveActor(learner);
      const { obs } = inputs(rng, spec.nAgents);
      stale.qValues(obs, null, a);
      stale.qValues(obs, null, a); // second step: the memory moved on
      ref.resetEpisode();
      ref.qValues(obs, null, b);
      if (config.agent === 'gru') assert.ok(worst(a, b) > 1e-3, 'a GRU step after another differs from a first step');
      ref.dispose();
      learner.dispose();
    });
  }

  test('BatchActor and qValuesMany: several env copies in one call equal the tfjs batch, each copy with its own memory and resets', () => {
    const learner = new QLearner(spec, { seed: 9 });
    const K = 3;
    const n = spec.nAgents;
    const rows = K * n;
    const kernel = new BatchActor(learner, K);
    useTfjsActing(true);
    const ref = new BatchActor(learner, K);
    useTfjsActing(false);
    const many = new LiveActor(learner);
    const memories: ActingMemory[] = Array.from({ length: K }, () => ({ hidden: null }));
    const rng = new Rng(2, 'batch-test');
    const a = new Float32Array(rows * spec.nActions);
    const b = new Float32Array(a.length);
    const c = new Float32Array(a.length);
    const first = [true, true, true];
    let largest = 0;
    for (let t = 0; t < 20; t++) {
      if (t === 7) perturb(learner, rng);
      const { obs, last } = inputs(rng, rows);
      const lastMany = Int32Array.from(last);
      for (let k = 0; k < K; k++) {
        // Copy k starts a new episode every (5 + k) steps.
        if (t > 0 && t % (5 + k) === 0) {
          first[k] = true;
          kernel.startEpisode(k);
          ref.startEpisode(k);
          memories[k].hidden?.fill(0);
        }
        const o = obs.subarray(k * n * spec.obsSize, (k + 1) * n * spec.obsSize);
        const l = first[k] ? null : last.subarray(k * n, (k + 1) * n);
        if (first[k]) lastMany.fill(-1, k * n, (k + 1) * n);
        kernel.setInputs(k, o, l);
        ref.setInputs(k, o, l);
        first[k] = false;
      }
      kernel.forward(a);
      ref.forward(b);
      many.qValuesMany(memories, obs, lastMany, c);
      largest = Math.max(largest, worst(a, b), worst(c, b));
    }
    assert.ok(largest < 1e-4, `largest relative difference ${largest}`);
    assert.throws(() => many.qValuesMany(memories, new Float32Array(5), new Int32Array(rows), c), /qValuesMany for 3 copies of 2 agents needs obs of/);
    kernel.dispose();
    ref.dispose();
    learner.dispose();
  });

  test('training acts through the kernel by default, through tfjs on request, and leaves no tensors behind', () => {
    const learner = new QLearner(spec, { seed: 1 });
    assert.ok(makeActor(learner) instanceof LiveActor);
    useTfjsActing(true);
    assert.ok(makeActor(learner) instanceof TfjsActor);
    useTfjsActing(false);
    learner.dispose();
    const before = tf.memory().numTensors;
    const trainer = new Trainer(makeEnv('lbf:8x8-2p-2f-coop'), { batchSize: 4, bufferSize: 16, hiddenDim: 16 });
    for (let i = 0; i < 6; i++) trainer.trainEpisode();
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) trainer.trainEpisode();
    trainer.evaluate(3);
    assert.equal(tf.memory().numTensors, warm);
    trainer.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
