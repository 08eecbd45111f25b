import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng, type EnvSpec } from '../../plugin/core/index.js';
import { TWO_STEP_UNIFORM_CONFIG } from '../../plugin/envs/index.js';
import { BatchActor, QLearner, TfjsActor, train } from '../../plugin/learn/index.js';
import { tf } from '../support/tf.js';

test('the batched actor gives each env copy the utilities its own actor would, memory reset per env', () => {
  const spec: EnvSpec = { nAgents: 2, obsSize: 4, stateSize: 2, nActions: 3, episodeLimit: 10 };
  const learner = new QLearner(spec, { hiddenDim: 8, seed: 5 });
  const K = 3;
  const batch = new BatchActor(learner, K);
  const singles = Array.from({ length: K }, () => new TfjsActor(learner));
  const rng = new Rng(2);
  const q = new Float32Array(K * 2 * 3);
  const qs = new Float32Array(2 * 3);
  const last: (Int32Array | null)[] = [null, null, null];
  for (let t = 0; t < 6; t++) {
    if (t === 3) {
      // env 1 starts a new episode: only its memory is cleared
      batch.startEpisode(1);
      singles[1].resetEpisode();
      last[1] = null;
    }
    const obs = Array.from({ length: K }, () => Float32Array.from({ length: 8 }, () => rng.uniform(-1, 1)));
    obs.forEach((o, k) => batch.setInputs(k, o, last[k]));
    batch.forward(q);
    for (let k = 0; k < K; k++) {
      singles[k].qValues(obs[k], last[k], qs);
      for (let i = 0; i < qs.length; i++) assert.ok(Math.abs(q[k * 6 + i] - qs[i]) < 1e-5, `step ${t} env ${k}`);
      last[k] = Int32Array.from([t % 3, (t + 1) % 3]);
    }
  }
  batch.dispose();
  singles.forEach((s) => s.dispose());
  learner.dispose();
});

test('train() with 4 env copies stepped together learns the two-step game and leaves no tensors', async () => {
  const before = tf.memory().numTensors;
  const r = await train({ env: 'two-step', algo: 'qmix', steps: 3000, seed: 3, envs: 4, config: TWO_STEP_UNIFORM_CONFIG, logEvery: 3000 });
  assert.equal(r.metrics.envSteps, 3000);
  assert.equal(r.metrics.episodes, 1500);
  assert.equal(r.metrics.testReturnMean, 8);
  r.trainer.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(train({ env: 'two-step', steps: 10, envs: 0 }), /envs must be a positive integer/);
});
