// The `neutral` mixer init (the `game` preset's): the state-only terms of
// Q_tot start at zero. Under PyTorch's init some seeds start Q_tot above any
// return the task can pay, and the squad then learns to avoid the goal
// (docs/tuning.md): plates seed 3 is one of them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../../plugin/core/index.js';
import { makeEnv } from '../../plugin/envs/index.js';
import { mixerInitSpecs, mixerParamSpecs, mixForward, ParamSet, QLearner, train, type MixerShape } from '../../plugin/learn/index.js';
import { tf } from '../support/tf.js';

const shape: MixerShape = { kind: 'qmix', nAgents: 3, stateSize: 6, embedDim: 8, hypernetLayers: 2, hypernetEmbed: 16, nonNegative: 'abs' };

describe('neutral mixer init', () => {
  test('Q_tot is 0 at zero utilities for any state, the utilities still matter, and every other weight is the torch init of the same seed', () => {
    const torch = ParamSet.create(mixerParamSpecs(shape), new Rng(5));
    const neutral = ParamSet.create(mixerInitSpecs(shape, 'neutral'), new Rng(5));
    const zeroed = new Set(['mixer.hyperB1.w', 'mixer.hyperB1.b', 'mixer.v.1.w', 'mixer.v.1.b']);
    const a = torch.read();
    const b = neutral.read();
    for (const name of Object.keys(a)) {
      if (zeroed.has(name)) assert.ok(b[name].data.every((x) => x === 0), `${name} should start at 0`);
      else assert.deepEqual(Array.from(b[name].data), Array.from(a[name].data), `${name} differs from the torch init`);
    }
    const rng = new Rng(9);
    const rows = 64;
    const states = tf.tensor2d(Float32Array.from({ length: rows * 6 }, () => rng.uniform(-3, 3)), [rows, 6]);
    const zeros = tf.zeros([rows, 3]) as tf.Tensor2D;
    const ones = tf.ones([rows, 3]) as tf.Tensor2D;
    const atZero = mixForward(shape, neutral, zeros, states).dataSync();
    const atOne = mixForward(shape, neutral, ones, states).dataSync();
    const torchAtZero = mixForward(shape, torch, zeros, states).dataSync();
    assert.ok(atZero.every((x) => x === 0), 'Q_tot(0, s) = 0');
    assert.ok(atOne.every((x) => x > 0), 'monotonic and not flat: Q_tot(1, s) > 0');
    assert.ok(torchAtZero.some((x) => Math.abs(x) > 0.05), 'the torch init has a state-only offset (else this test shows nothing)');
    tf.dispose([states, zeros, ones]);
    torch.dispose();
    neutral.dispose();
  });

  test("plates seed 3: under the torch init Q_tot starts above the win's reward and the squad learns to avoid the plates; the neutral init solves it", async () => {
    const env = makeEnv('plates:6x6');
    const torchLearner = new QLearner(env.spec, { preset: 'game', seed: 3, mixerInit: 'torch' });
    const start = torchLearner.mix(new Float32Array(2), env.reset(0).state as Float32Array)[0];
    torchLearner.dispose();
    assert.ok(start > 1, `seed 3's torch init should start Q_tot above 1 (the win's reward), got ${start}`);
    // Rewards as the env pays them: standardised (the game preset's default), the offset no
    // longer traps the squad (the test below).
    const run = async (mixerInit: 'torch' | 'neutral') => {
      const r = await train({ env: 'plates:6x6', algo: 'qmix', seed: 3, steps: 24_000, config: { preset: 'game', mixerInit, standardiseRewards: false }, keepBest: true, stopAt: 0.9, logEvery: 3000, testEpisodes: 50 });
      r.trainer.dispose();
      return r;
    };
    const neutral = await run('neutral');
    assert.ok(neutral.solved, `neutral: best test win rate ${neutral.best?.testWinRate}`);
    const torch = await run('torch');
    // A broken learner fails both; a working one fails only the torch seed (0 of 50 greedy tests won, trained to 24k steps).
    assert.ok((torch.best?.testWinRate ?? 0) <= 0.1, `torch: best test win rate ${torch.best?.testWinRate}`);
  });
});

describe('standardised rewards (the game preset)', () => {
  test("plates seed 3 under torch's init: the offset that traps the squad with raw rewards does not with standardised ones", async () => {
    // Raw rewards: the torch-init run above wins at most 10% of tests in 24k steps. Standardised
    // (divided by the rewards' running std, far below 1 while wins are rare), the win is worth
    // many times the offset's 1.15.
    const r = await train({ env: 'plates:6x6', algo: 'qmix', seed: 3, steps: 24_000, config: { preset: 'game', mixerInit: 'torch' }, keepBest: true, stopAt: 0.9, logEvery: 3000, testEpisodes: 50 });
    assert.equal(r.trainer.learner.config.standardiseRewards, true, 'the game preset standardises rewards');
    r.trainer.dispose();
    assert.ok(r.solved, `torch init + standardised rewards: best test win rate ${r.best?.testWinRate}`);
  });
});
