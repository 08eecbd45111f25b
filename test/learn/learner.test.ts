import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collateEpisodes, EpisodeBuffer, Rng, type EnvSpec, type EpisodeRecord, type QmixConfig } from '../../plugin/core/index.js';
import { QLearner, useBackend } from '../../plugin/learn/index.js';
import { randomEpisodes } from '../support/episodes.js';
import { setWeights, tf } from '../support/tf.js';

// Two agents whose utilities are fixed at [1, 2, 1000] for actions 0, 1, 2 (MLP
// with zero weights and that output bias); action 2 is never available.
const handSpec: EnvSpec = { nAgents: 2, obsSize: 1, stateSize: 1, nActions: 3, episodeLimit: 3 };
function handEpisodes(action2Available: boolean): EpisodeRecord[] {
  const avail = (steps: number) => {
    const a = new Uint8Array(steps * 2 * 3);
    for (let i = 0; i < steps * 2; i++) a.set([1, 1, action2Available ? 1 : 0], i * 3);
    return a;
  };
  return [
    // 2 steps, time-limit stop; actions [0, 1] then [1, 0]; rewards 1, 1
    { length: 2, terminated: false, obs: new Float32Array(6), state: new Float32Array(3), avail: avail(3), actions: Int32Array.from([0, 1, 1, 0]), rewards: Float32Array.from([1, 1]) },
    // 1 step, real terminal; actions [1, 1]; reward 5
    { length: 1, terminated: true, obs: new Float32Array(4), state: new Float32Array(2), avail: avail(2), actions: Int32Array.from([1, 1]), rewards: Float32Array.from([5]) },
  ];
}
function fixedUtilityLearner(config: Partial<QmixConfig>): QLearner {
  // Hand-computed one-step targets: the pymarl preset (tdLambda 0).
  const learner = new QLearner(handSpec, { preset: 'pymarl', agent: 'mlp', obsAgentId: false, obsLastAction: false, gamma: 0.99, batchSize: 2, ...config });
  setWeights(learner.online.agent, (name, size) => (name === 'agent.fc3.b' ? [1, 2, 1000] : new Array<number>(size).fill(0)));
  learner.hardUpdateTargets();
  return learner;
}

const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

describe('QLearner', () => {
  for (const doubleQ of [true, false]) {
    test(`VDN update on a hand-made batch gives the hand-computed loss, unavailable actions excluded (doubleQ ${doubleQ})`, () => {
      const learner = fixedUtilityLearner({ mixer: 'vdn', doubleQ });
      const stats = learner.update(collateEpisodes(handSpec, handEpisodes(false)));
      // next value per agent = max over available {1, 2} = 2, so VDN next = 4.
      // targets: 1 + 0.99 * 4 = 4.96 (step 0), 4.96 (time-limit stop: bootstrapped), 5 (terminal).
      // chosen Q_tot: 1 + 2 = 3, 2 + 1 = 3, 2 + 2 = 4.
      close(stats.targetMean, (4.96 + 4.96 + 5) / 3);
      close(stats.qTotMean, 10 / 3);
      close(stats.loss, (2 * 1.96 ** 2 + 1) / 3);
      learner.dispose();
    });
  }

  test('IQL (no mixer) takes one TD error per agent and averages over agents and real steps', () => {
    const learner = fixedUtilityLearner({ mixer: 'none' });
    const stats = learner.update(collateEpisodes(handSpec, handEpisodes(false)));
    // per-agent targets 1 + 0.99 * 2 = 2.98 on episode 0, 5 on the terminal step.
    const sq = 2 * (1 - 2.98) ** 2 + 2 * (2 - 2.98) ** 2 + 2 * (2 - 5) ** 2;
    close(stats.loss, sq / 6);
    learner.dispose();
  });

  test('when the 1000-utility action is available the targets do use it (the mask above is what excluded it)', () => {
    const learner = fixedUtilityLearner({ mixer: 'vdn' });
    const stats = learner.update(collateEpisodes(handSpec, handEpisodes(true)));
    close(stats.targetMean, (2 * (1 + 0.99 * 2000) + 5) / 3, 1e-2);
    learner.dispose();
  });

  const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 8 };

  function bufferOf(count: number, seed: number): EpisodeBuffer {
    const buffer = new EpisodeBuffer(spec, count);
    for (const ep of randomEpisodes(spec, count, seed)) buffer.insert(ep);
    return buffer;
  }

  for (const config of [
    { agent: 'gru', mixer: 'qmix' },
    { agent: 'mlp', mixer: 'qmix', tdLambda: 0.6, targetUpdate: 'soft', optimizer: 'adam', standardiseRewards: true, nonNegative: 'softplus', hypernetLayers: 1 },
    { agent: 'gru', mixer: 'none', doubleQ: false },
  ] as Partial<QmixConfig>[]) {
    test(`no tensor leaks across 200 updates (${JSON.stringify(config)})`, () => {
      const before = tf.memory().numTensors;
      const learner = new QLearner(spec, { ...config, hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, batchSize: 8, targetUpdateInterval: 10 });
      const buffer = bufferOf(40, 1);
      const rng = new Rng(2);
      for (let i = 0; i < 5; i++) learner.update(buffer.sample(8, rng), i + 1);
      const warm = tf.memory().numTensors;
      for (let i = 0; i < 200; i++) {
        const s = learner.update(buffer.sample(8, rng), i + 6);
        assert.ok(Number.isFinite(s.loss));
      }
      assert.equal(tf.memory().numTensors, warm);
      learner.dispose();
      assert.equal(tf.memory().numTensors, before);
    });
  }

  test('a training step leaves the target networks untouched until the hard copy', () => {
    const learner = new QLearner(spec, { hiddenDim: 16, batchSize: 8, targetUpdateInterval: 3 });
    const buffer = bufferOf(20, 3);
    const rng = new Rng(4);
    const target0 = learner.target.agent.read()['agent.gru.whh'].data.slice();
    const mixer0 = learner.target.mixer.read()['mixer.hyperW1.0.w'].data.slice();
    const online0 = learner.online.agent.read()['agent.gru.whh'].data.slice();
    assert.equal(learner.update(buffer.sample(8, rng), 1).targetUpdated, false);
    assert.equal(learner.update(buffer.sample(8, rng), 2).targetUpdated, false);
    assert.deepEqual(learner.target.agent.read()['agent.gru.whh'].data, target0);
    assert.deepEqual(learner.target.mixer.read()['mixer.hyperW1.0.w'].data, mixer0);
    assert.notDeepEqual(learner.online.agent.read()['agent.gru.whh'].data, online0);
    assert.equal(learner.update(buffer.sample(8, rng), 3).targetUpdated, true);
    assert.deepEqual(learner.target.agent.read()['agent.gru.whh'].data, learner.online.agent.read()['agent.gru.whh'].data);
    assert.deepEqual(learner.target.mixer.read()['mixer.hyperW1.0.w'].data, learner.online.mixer.read()['mixer.hyperW1.0.w'].data);
    learner.dispose();
  });

  test('soft target updates move the target by tau towards the online weights', () => {
    const learner = new QLearner(spec, { hiddenDim: 16, batchSize: 8, targetUpdate: 'soft', tau: 0.25 });
    const buffer = bufferOf(20, 5);
    const before = learner.target.agent.read()['agent.fc1.w'].data.slice();
    learner.update(buffer.sample(8, new Rng(6)));
    const online = learner.online.agent.read()['agent.fc1.w'].data;
    const after = learner.target.agent.read()['agent.fc1.w'].data;
    for (let i = 0; i < before.length; i++) close(after[i], 0.25 * online[i] + 0.75 * before[i], 1e-6);
    learner.dispose();
  });

  test('the same seed gives the same losses; another seed does not', () => {
    const run = (seed: number) => {
      const learner = new QLearner(spec, { seed, hiddenDim: 16, batchSize: 8 });
      const buffer = bufferOf(30, 7);
      const rng = new Rng(8);
      const losses = Array.from({ length: 8 }, (_, i) => learner.update(buffer.sample(8, rng), i + 1).loss);
      learner.dispose();
      return losses;
    };
    const a = run(1);
    assert.deepEqual(run(1), a);
    assert.notDeepEqual(run(2), a);
  });

  test('wasm and cpu give the same first-update loss within 1e-5', async () => {
    const ref: EnvSpec = { nAgents: 3, obsSize: 30, stateSize: 40, nActions: 5, episodeLimit: 20 };
    const batch = collateEpisodes(ref, randomEpisodes(ref, 8, 9));
    const lossOn = async (backend: 'wasm' | 'cpu') => {
      await useBackend(backend);
      const learner = new QLearner(ref, { seed: 3, batchSize: 8 });
      const loss = learner.update(batch).loss;
      learner.dispose();
      return loss;
    };
    try {
      const wasm = await lossOn('wasm');
      const cpu = await lossOn('cpu');
      assert.ok(Math.abs(wasm - cpu) <= 1e-5 * Math.max(1, Math.abs(wasm)), `wasm ${wasm} vs cpu ${cpu}`);
    } finally {
      await useBackend('wasm');
    }
  });

  test('a batch of another shape is refused with both shapes named', () => {
    const learner = new QLearner(spec, { hiddenDim: 8, batchSize: 2 });
    const other: EnvSpec = { ...spec, obsSize: 7 };
    assert.throws(() => learner.update(collateEpisodes(other, randomEpisodes(other, 2, 1))), /batch shape \(agents 3, obs 7, .*does not match the learner's spec \(agents 3, obs 6/);
    learner.dispose();
    assert.throws(() => learner.update(collateEpisodes(spec, randomEpisodes(spec, 2, 1))), /disposed/);
  });
});
