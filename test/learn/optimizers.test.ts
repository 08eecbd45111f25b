import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clipByGlobalNorm, TorchOptimizer } from '../../plugin/learn/index.js';
import { tf } from '../support/tf.js';

describe('optimisers follow the PyTorch formulas', () => {
  test('Adam: two steps on a known gradient', () => {
    const v = tf.variable(tf.tensor1d([1.0]));
    const opt = new TorchOptimizer([{ variables: [v], lr: 0.1 }], { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    tf.tidy(() => opt.apply([tf.tensor1d([0.5])]));
    // step 1: m = 0.05, v = 0.00025; mhat = 0.5, vhat = 0.25 -> p = 1 - 0.1 * 0.5 / (0.5 + 1e-8)
    const p1 = 1 - (0.1 * 0.5) / (0.5 + 1e-8);
    assert.ok(Math.abs(v.dataSync()[0] - p1) < 1e-6);
    tf.tidy(() => opt.apply([tf.tensor1d([-1.0])]));
    const m = 0.9 * 0.05 + 0.1 * -1;
    const s = 0.999 * 0.00025 + 0.001 * 1;
    const p2 = p1 - ((0.1 / (1 - 0.81)) * m) / (Math.sqrt(s) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
    assert.ok(Math.abs(v.dataSync()[0] - p2) < 1e-5, `${v.dataSync()[0]} vs ${p2}`);
    assert.equal(opt.step, 2);
    opt.dispose();
    v.dispose();
  });

  test('RMSProp: epsilon outside the square root, as torch does', () => {
    const v = tf.variable(tf.tensor1d([2.0]));
    const opt = new TorchOptimizer([{ variables: [v], lr: 0.01 }], { kind: 'rmsprop', alpha: 0.99, eps: 1e-2 });
    tf.tidy(() => opt.apply([tf.tensor1d([0.3])]));
    // square_avg = 0.01 * 0.09 = 0.0009; p = 2 - 0.01 * 0.3 / (0.03 + 0.01)
    const expected = 2 - (0.01 * 0.3) / (Math.sqrt(0.0009) + 1e-2);
    assert.ok(Math.abs(v.dataSync()[0] - expected) < 1e-6, `${v.dataSync()[0]} vs ${expected}`);
    // tfjs's own rmsprop would give 2 - 0.01 * 0.3 / sqrt(0.0009 + 0.01): a different number.
    assert.ok(Math.abs(expected - (2 - (0.01 * 0.3) / Math.sqrt(0.0009 + 0.01))) > 1e-3);
    opt.dispose();
    v.dispose();
  });

  test('separate parameter groups use their own learning rates', () => {
    const a = tf.variable(tf.tensor1d([0]));
    const b = tf.variable(tf.tensor1d([0]));
    const opt = new TorchOptimizer([{ variables: [a], lr: 0.1 }, { variables: [b], lr: 0.01 }], { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    tf.tidy(() => opt.apply([tf.tensor1d([1]), tf.tensor1d([1])]));
    assert.ok(Math.abs(a.dataSync()[0] + 0.1) < 1e-6);
    assert.ok(Math.abs(b.dataSync()[0] + 0.01) < 1e-6);
    const state = opt.getState();
    assert.equal(state.slots.length, 4);
    opt.dispose();
    tf.dispose([a, b]);
  });

  test('global-norm clipping scales all gradients together only above the limit', () => {
    tf.tidy(() => {
      const g = [tf.tensor1d([3]), tf.tensor1d([4])];
      const clipped = clipByGlobalNorm(g, 1);
      assert.ok(Math.abs(clipped.norm.dataSync()[0] - 5) < 1e-6);
      assert.ok(Math.abs(clipped.grads[0].dataSync()[0] - 0.6) < 1e-5);
      assert.ok(Math.abs(clipped.grads[1].dataSync()[0] - 0.8) < 1e-5);
      const loose = clipByGlobalNorm(g, 10);
      assert.equal(loose.grads[1].dataSync()[0], 4);
    });
  });
});
