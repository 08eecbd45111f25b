import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { clipByGlobalNorm, TorchOptimizer } from '../../plugin/learn/index.js';
import { tf } from '../support/tf.js';
import { Rng } from '../../plugin/core/index.js';
import { hostStep, hostSteps, type HostStepConstants } from '../../plugin/learn/host-optimizer.js';
import { wasmKernel } from '../../plugin/learn/wasm-kernel.js';

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

  // The host step (plain arrays, wasm and cpu) against the tfjs ops it replaces (WebGL's path).
  for (const settings of [
    { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    { kind: 'rmsprop', alpha: 0.99, eps: 1e-5 },
  ] as const) {
    test(`${settings.kind}: the host step gives the tfjs ops' parameters and moments bit for bit, and clips as they do`, () => {
      const rng = new Rng(4);
      const shapes = [[7, 5], [5], [3, 2]];
      const init = shapes.map((s) => Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1)));
      const make = (host: boolean) => {
        const vars = init.map((x, i) => tf.variable(tf.tensor(x, shapes[i])));
        const opt = new TorchOptimizer([{ variables: vars.slice(0, 2), lr: 3e-3 }, { variables: vars.slice(2), lr: 7e-4 }], settings, { host });
        return { vars, opt };
      };
      const host = make(true);
      const ops = make(false);
      assert.equal(host.opt.host, true);
      assert.equal(ops.opt.host, false);
      const values = (side: typeof host) => [...side.vars.map((v) => Array.from(v.dataSync())), ...side.opt.getState().slots.map((x) => Array.from(x))];
      const gradients = (scale: number) => init.map((x) => Float32Array.from({ length: x.length }, () => rng.uniform(-scale, scale)));
      // Unclipped steps (apply, and clipAndApply under the limit): no norm in them, so every bit must match.
      for (let step = 0; step < 20; step++) {
        const grads = gradients(0.5);
        const norms = [host, ops].map((side) =>
          tf.tidy(() => {
            const g = grads.map((x, i) => tf.tensor(x, shapes[i]));
            if (step % 2 === 0) side.opt.apply(g);
            else return side.opt.clipAndApply(g, 10).dataSync()[0];
            return 0;
          }),
        );
        assert.ok(Math.abs(norms[0] - norms[1]) <= 1e-6 * norms[1], `step ${step}: norm ${norms[0]} vs ${norms[1]}`);
        assert.deepEqual(values(host), values(ops), `step ${step}`);
      }
      // Clipped steps: the norm sums in float64 on the host and in float32 in tfjs, so equal within rounding.
      for (let step = 0; step < 10; step++) {
        const grads = gradients(40);
        const norms = [host, ops].map((side) => tf.tidy(() => side.opt.clipAndApply(grads.map((x, i) => tf.tensor(x, shapes[i])), 10).dataSync()[0]));
        assert.ok(norms[1] > 10 && Math.abs(norms[0] - norms[1]) <= 1e-6 * norms[1], `clipped step ${step}: norm ${norms[0]} vs ${norms[1]}`);
        const [a, b] = [values(host), values(ops)];
        a.forEach((xs, i) => xs.forEach((x, j) => assert.ok(Math.abs(x - b[i][j]) <= 1e-5 * Math.max(1e-3, Math.abs(b[i][j])), `clipped step ${step}, array ${i}[${j}]: ${x} vs ${b[i][j]}`)));
      }
      assert.equal(host.opt.step, 30);
      for (const side of [host, ops]) {
        side.opt.dispose();
        tf.dispose(side.vars);
      }
    });
  }

  test("the kernel's optimiser steps give the JS loop's bits, tails and extreme values included", () => {
    assert.ok(wasmKernel(), 'Node here has WebAssembly SIMD, so hostSteps runs the kernel');
    const f = Math.fround;
    const rng = new Rng(11);
    // Gradients over many magnitudes, zeros and signed zeros; lengths that leave 0-3 values past the four-lane body.
    const value = () => {
      const r = rng.next();
      if (r < 0.05) return 0;
      if (r < 0.08) return -0;
      return f((rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 16 - 10));
    };
    const lengths = [1, 2, 3, 4, 5, 7, 8, 33, 1026];
    const make = (kind: 'adam' | 'rmsprop') => lengths.map((n) => ({
      p: Float32Array.from({ length: n }, value),
      slots: Array.from({ length: kind === 'adam' ? 2 : 1 }, (_, k) => Float32Array.from({ length: n }, () => (k === 0 && kind === 'adam' ? value() : Math.abs(value())))),
      g: Float32Array.from({ length: n }, value),
    }));
    const constants: HostStepConstants[] = [
      { kind: 'adam', b1: f(0.9), omb1: f(0.1), b2: f(0.999), omb2: f(0.001), sqrtC2: f(Math.sqrt(1 - 0.999 ** 3)), eps: f(1e-8), lrOverC1: f(1e-3 / (1 - 0.9 ** 3)) },
      { kind: 'rmsprop', alpha: f(0.99), omAlpha: f(0.01), eps: f(1e-5), lr: f(5e-4) },
    ];
    for (const c of constants) {
      for (const coef of [1, f(0.37)]) {
        const before = make(c.kind);
        const copy = () => before.map((x) => ({ p: x.p.slice(), slots: x.slots.map((s) => s.slice()), g: x.g.slice() }));
        const [js, kernel] = [copy(), copy()];
        js.forEach((x) => hostStep(x.p, x.slots, x.g, coef, c));
        hostSteps(kernel.map((x) => x.p), kernel.map((x) => x.slots), kernel.map((x) => x.g), coef, kernel.map(() => c));
        js.forEach((x, i) => {
          const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(0)));
          assert.deepEqual(bits(kernel[i].p), bits(x.p), `${c.kind} coef ${coef} length ${x.p.length}: parameters`);
          x.slots.forEach((s, k) => assert.deepEqual(bits(kernel[i].slots[k]), bits(s), `${c.kind} coef ${coef} length ${x.p.length}: slot ${k}`));
        });
        // The step moved the parameters: arrays that never changed would pass the comparison too.
        const moved = js.reduce((k, x, i) => k + x.p.filter((v, j) => v !== before[i].p[j]).length, 0);
        assert.ok(moved > 100, `${moved} parameters moved`);
      }
    }
    assert.throws(() => hostSteps([new Float32Array(4)], [[new Float32Array(3)]], [new Float32Array(4)], 1, [constants[1]]), /variable 0: 4 parameters, 4 gradients, slots of 3/);
  });

  test('a host optimiser state restores into a tfjs one and back; a damaged one is refused', () => {
    const rng = new Rng(9);
    const x = Float32Array.from({ length: 64 }, () => rng.uniform(-2, 2));
    const settings = { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
    const a = tf.variable(tf.tensor1d(x));
    const b = tf.variable(tf.tensor1d(x));
    const host = new TorchOptimizer([{ variables: [a], lr: 1e-2 }], settings, { host: true });
    const ops = new TorchOptimizer([{ variables: [b], lr: 1e-2 }], settings, { host: false });
    for (let step = 0; step < 20; step++) {
      const g = Float32Array.from({ length: 64 }, () => rng.uniform(-1, 1));
      tf.tidy(() => host.apply([tf.tensor1d(g)]));
      tf.tidy(() => ops.apply([tf.tensor1d(g)]));
    }
    assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
    const hs = host.getState();
    const os = ops.getState();
    hs.slots.forEach((s, i) => assert.deepEqual(Array.from(s), Array.from(os.slots[i]), `slot ${i}`));
    // A state saved on the host loads into the tfjs optimiser (a checkpoint moving from wasm to WebGL) and back.
    const c = tf.variable(tf.tensor1d(x));
    const fresh = new TorchOptimizer([{ variables: [c], lr: 1e-2 }], settings, { host: false });
    fresh.setState(hs);
    assert.equal(fresh.step, 20);
    fresh.getState().slots.forEach((s, i) => assert.deepEqual(Array.from(s), Array.from(hs.slots[i])));
    // A damaged state is refused and leaves the host optimiser as it was.
    assert.throws(() => host.setState({ ...hs, slots: [hs.slots[0], Float32Array.of(-1)] }), /slot 1 has 1 values, expected 64/);
    assert.deepEqual(Array.from(host.getState().slots[1]), Array.from(hs.slots[1]));
    for (const o of [host, ops, fresh]) o.dispose();
    tf.dispose([a, b, c]);
  });
});
