import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../plugin/core/index.js';
import { linear } from '../../plugin/learn/linear.js';
import { tf } from '../support/tf.js';

test('the hand-written dense-layer gradient equals tfjs autodiff of the plain layer (linear and relu)', () => {
  const rng = new Rng(12);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  tf.tidy(() => {
    const x = tf.tensor2d(rand(7 * 5), [7, 5]);
    const w = tf.tensor2d(rand(5 * 4), [5, 4]);
    const b = tf.tensor1d(rand(4));
    const r = tf.tensor2d(rand(7 * 4), [7, 4]); // a random upstream gradient
    for (const act of ['linear', 'relu'] as const) {
      const ours = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(linear(xx as tf.Tensor2D, ww, bb, act), r)))([x, w, b]);
      const plain = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => {
        const pre = tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb);
        return tf.sum(tf.mul(act === 'relu' ? tf.relu(pre) : pre, r));
      })([x, w, b]);
      for (let i = 0; i < 3; i++) {
        const a = ours[i].dataSync();
        const e = plain[i].dataSync();
        assert.equal(a.length, e.length);
        for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - e[k]) < 1e-5, `${act} grad ${i}[${k}]: ${a[k]} vs ${e[k]}`);
      }
      const y = linear(x, w, b, act).dataSync();
      const yPlain = (act === 'relu' ? tf.relu(tf.add(tf.matMul(x, w), b)) : tf.add(tf.matMul(x, w), b)).dataSync();
      for (let k = 0; k < y.length; k++) assert.ok(Math.abs(y[k] - yPlain[k]) < 1e-6);
    }
  });
});
