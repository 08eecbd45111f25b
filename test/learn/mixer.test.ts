import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Rng } from '../../plugin/core/index.js';
import { mixerParamSpecs, mixForward, ParamSet, QLearner, type MixerShape } from '../../plugin/learn/index.js';
import { setWeights, tf } from '../support/tf.js';

const shape = (over: Partial<MixerShape> = {}): MixerShape => ({
  kind: 'qmix',
  nAgents: 4,
  stateSize: 6,
  embedDim: 8,
  hypernetLayers: 2,
  hypernetEmbed: 16,
  nonNegative: 'abs',
  ...over,
});

function randn(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() + rng.next() + rng.next() - 1.5) * 2 * scale);
}

describe('mixers', () => {
  for (const nonNegative of ['abs', 'softplus'] as const) {
    for (const hypernetLayers of [1, 2] as const) {
      test(`QMIX (${nonNegative}, ${hypernetLayers}-layer hypernets) is monotonic: dQ_tot/dQ_a >= 0 over random states and utilities`, () => {
        const s = shape({ nonNegative, hypernetLayers });
        const rng = new Rng(17);
        const p = ParamSet.create(mixerParamSpecs(s), rng);
        const rows = 512;
        const qs = tf.tensor2d(randn(rng, rows * s.nAgents, 10), [rows, s.nAgents]);
        const states = tf.tensor2d(randn(rng, rows * s.stateSize, 3), [rows, s.stateSize]);
        // Rows are independent, so the gradient of the sum gives each row's dQ_tot/dQ_a.
        const g = tf.grad((q: tf.Tensor) => tf.sum(mixForward(s, p, q as tf.Tensor2D, states)))(qs);
        const grads = g.dataSync();
        let min = Infinity;
        let positive = 0;
        for (const v of grads) {
          min = Math.min(min, v);
          if (v > 1e-6) positive++;
        }
        assert.ok(min >= 0, `found dQ_tot/dQ_a = ${min}`);
        assert.ok(positive > grads.length / 2, 'the mixer should actually depend on the utilities');
        tf.dispose([qs, states, g]);
        p.dispose();
      });
    }
  }

  test('VDN is exactly the sum of utilities and IQL leaves them as they are', () => {
    const rng = new Rng(3);
    const q = tf.tensor2d(randn(rng, 30, 5), [10, 3]);
    const st = tf.zeros([10, 2]) as tf.Tensor2D;
    const none = ParamSet.create([], rng);
    const vdn = mixForward(shape({ kind: 'vdn', nAgents: 3, stateSize: 2 }), none, q, st);
    const expected = tf.sum(q, 1, true);
    assert.deepEqual(Array.from(vdn.dataSync()), Array.from(expected.dataSync()));
    const iql = mixForward(shape({ kind: 'none', nAgents: 3, stateSize: 2 }), none, q, st);
    assert.deepEqual(Array.from(iql.dataSync()), Array.from(q.dataSync()));
    tf.dispose([q, st, vdn, expected]);
  });

  test('a tiny mixer with chosen weights gives the hand-computed Q_tot', () => {
    // 2 agents, embed 2, state [1], 1-layer hypernets, abs.
    // |W1| = [[1, 2], [0.5, 3]] (agent x embed), b1 = [0.5, -1], |W2| = [1, 2],
    // V(s) = [2, 3] . relu([1, -1]) + 0.5 = 2.5.
    const s = shape({ nAgents: 2, stateSize: 1, embedDim: 2, hypernetLayers: 1 });
    const p = ParamSet.create(mixerParamSpecs(s), new Rng(0));
    const values: Record<string, number[]> = {
      'mixer.hyperW1.w': [1, -2, 0.5, 3],
      'mixer.hyperW1.b': [0, 0, 0, 0],
      'mixer.hyperB1.w': [0.5, -1],
      'mixer.hyperB1.b': [0, 0],
      'mixer.hyperW2.w': [-1, 2],
      'mixer.hyperW2.b': [0, 0],
      'mixer.v.0.w': [1, -1],
      'mixer.v.0.b': [0, 0],
      'mixer.v.1.w': [2, 3],
      'mixer.v.1.b': [0.5],
    };
    setWeights(p, (name) => values[name]);
    const out = tf.tidy(() => mixForward(s, p, tf.tensor2d([1, 2, -3, 1], [2, 2]), tf.tensor2d([1, 1], [2, 1])).dataSync());
    // q = [1, 2]: hidden = elu([1 + 1 + 0.5, 2 + 6 - 1]) = [2.5, 7]; Q_tot = 2.5 + 14 + 2.5 = 19
    assert.ok(Math.abs(out[0] - 19) < 1e-5, String(out[0]));
    // q = [-3, 1]: pre = [-2, -4]; elu = [e^-2 - 1, e^-4 - 1]; Q_tot = (e^-2 - 1) + 2 (e^-4 - 1) + 2.5
    const expected = Math.exp(-2) - 1 + 2 * (Math.exp(-4) - 1) + 2.5;
    assert.ok(Math.abs(out[1] - expected) < 1e-5, `${out[1]} vs ${expected}`);
    p.dispose();
  });
});

test('credit: dQ_tot/dQ_i of the online mixer (finite differences for QMIX, ones for VDN, none for IQL)', () => {
  const spec = { nAgents: 3, obsSize: 4, stateSize: 5, nActions: 2, episodeLimit: 5 };
  const state = Float32Array.of(0.3, -0.2, 0.5, 0.1, 0.9);
  const qs = Float32Array.of(0.4, 1.2, -0.3);
  const qmix = new QLearner(spec, { mixer: 'qmix', seed: 4, mixingEmbedDim: 8, hypernetEmbed: 16 });
  const credit = qmix.credit(qs, state)!;
  const h = 1e-2;
  for (let i = 0; i < 3; i++) {
    const up = Float32Array.from(qs);
    const down = Float32Array.from(qs);
    up[i] += h;
    down[i] -= h;
    const numeric = (qmix.mix(up, state)[0] - qmix.mix(down, state)[0]) / (2 * h);
    assert.ok(Math.abs(credit[i] - numeric) < 2e-3, `agent ${i}: ${credit[i]} vs ${numeric}`);
    assert.ok(credit[i] >= 0, 'monotonic mixer: non-negative credit');
  }
  assert.throws(() => qmix.credit(Float32Array.of(1, 2), state), /credit needs 3 Q-values, got 2/);
  qmix.dispose();
  const vdn = new QLearner(spec, { mixer: 'vdn' });
  assert.deepEqual(Array.from(vdn.credit(qs, state)!), [1, 1, 1]);
  vdn.dispose();
  const iql = new QLearner(spec, { mixer: 'none' });
  assert.equal(iql.credit(qs, state), null);
  iql.dispose();
});
