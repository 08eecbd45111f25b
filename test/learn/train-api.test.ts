import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TWO_STEP_UNIFORM_CONFIG } from '../../plugin/envs/index.js';
import { train, type TrainProgress } from '../../plugin/learn/index.js';
import '../support/tf.js';

test('train() runs the loop, reports progress and resolves with metrics, a policy and a checkpoint handle', async () => {
  const seen: TrainProgress[] = [];
  const r = await train({ env: 'two-step', algo: 'qmix', steps: 2400, seed: 2, config: TWO_STEP_UNIFORM_CONFIG, logEvery: 600, onProgress: (p) => seen.push(p) });
  assert.deepEqual(seen.map((p) => p.envSteps), [600, 1200, 1800, 2400]);
  assert.equal(r.metrics.testReturnMean, 8);
  assert.equal(r.aborted, false);
  assert.equal(r.policy.training.algorithm, 'qmix');
  assert.equal(JSON.parse(r.checkpoint().manifest).trainer.envSteps, 2400);
  r.trainer.dispose();
});

test('train() stops early on an abort signal and says so', async () => {
  const abort = new AbortController();
  const r = await train({ env: 'meeting-gridworld', algo: 'vdn', steps: 1_000_000, logEvery: 100, testEpisodes: 1, onProgress: (p) => p.envSteps >= 300 && abort.abort(), signal: abort.signal });
  assert.equal(r.aborted, true);
  assert.ok(r.metrics.envSteps >= 300 && r.metrics.envSteps < 2000, String(r.metrics.envSteps));
  assert.ok(r.metrics.testWinRate !== undefined);
  r.trainer.dispose();
  await assert.rejects(train({ env: 'two-step', steps: 0 }), /steps must be a positive integer/);
  await assert.rejects(train({ env: 'two-step', steps: 10, algo: 'coma' as 'qmix' }), /unknown algo "coma"/);
});

test('train({ keepBest }) returns the policy of the best report (latest among ties) and keeps the final one apart', async () => {
  const seen: TrainProgress[] = [];
  const r = await train({ env: 'meeting-gridworld', algo: 'qmix', steps: 3000, seed: 3, logEvery: 500, testEpisodes: 10, keepBest: true, onProgress: (p) => seen.push(p) });
  const top = Math.max(...seen.map((p) => p.testWinRate!));
  const expected = seen.filter((p) => p.testWinRate === top).at(-1)!;
  assert.equal(r.best?.envSteps, expected.envSteps);
  assert.equal(r.policy.training.envSteps, expected.envSteps); // the snapshot, not the end
  assert.equal(r.finalPolicy.training.envSteps, r.metrics.envSteps);
  if (expected.envSteps !== r.metrics.envSteps) assert.notDeepEqual(r.policy.weights, r.finalPolicy.weights);
  r.trainer.dispose();
  const plain = await train({ env: 'two-step', steps: 200, logEvery: 100, testEpisodes: 1 });
  assert.equal(plain.best, undefined);
  assert.equal(plain.policy, plain.finalPolicy);
  plain.trainer.dispose();
});

test('a train() call that throws frees its trainer (no tensors left behind); a replay too large for the spec is refused by its size', async () => {
  const { tf } = await import('../support/tf.js');
  const { EpisodeTrainer } = await import('../../plugin/learn/index.js');
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) {
    await assert.rejects(train({ env: 'two-step', steps: 10, resume: { manifest: '{}', data: new Uint8Array(0) } }), /checkpoint/);
    // A callback that throws mid-run (a full disk in an autosave, a bug in a progress hook).
    await assert.rejects(train({ env: 'two-step', steps: 400, logEvery: 100, onProgress: () => { throw new Error('hook failed'); } }), /hook failed/);
    await assert.rejects(train({ env: 'two-step', steps: 400, config: { batchSize: 2 }, autosave: { everyUpdates: 1, save: async () => { throw new Error('disk full'); } } }), /disk full/);
  }
  assert.equal(tf.memory().numTensors, before);
  const spec = { nAgents: 8, obsSize: 4000, stateSize: 10, nActions: 5, episodeLimit: 200 };
  assert.throws(() => new EpisodeTrainer(spec, { bufferSize: 5000, batchSize: 8, hiddenDim: 4 }), /replay buffer of 5000 episodes of 200 steps would hold .* GB.*lower bufferSize/);
  assert.equal(tf.memory().numTensors, before);
});
