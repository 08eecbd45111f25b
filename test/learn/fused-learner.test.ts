// The learner's WebAssembly kernels (fused agent network and QMIX mixer,
// hand-written backward passes) against the plain tfjs path through tfjs
// autodiff, which stays as the reference; the product against a naive one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { agentParamSpecs, collateEpisodes, Rng, type AgentNetShape } from '../../plugin/core/index.js';
import {
  AgentInputs, agentForward, canFuseMixer, kernelVariant, mixerParamSpecs, mixForward, mixQ, ParamSet, QLearner, useFusedKernels, wasmKernel, type MixerShape,
} from '../../plugin/learn/index.js';
import { KernelArena } from '../../plugin/learn/wasm-kernel.js';
import { buildKernelModule } from '../../plugin/learn/kernels/build.js';
import { compareLearners } from '../support/fused-compare.js';
import { randomEpisodes } from '../support/episodes.js';
import { tf } from '../support/tf.js';

after(() => useFusedKernels(true));

/** Every value of `got` within 1e-5 of `want`, relative to the largest |want|. */
function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * scale + 1e-7, `${what}[${i}]: fused ${got[i]} vs plain ${want[i]}`);
  }
}

test('the committed kernel bytes are what the AssemblyScript source compiles to', async () => {
  const committed = await readFile(new URL('../../plugin/learn/kernels/qmix-wasm.ts', import.meta.url), 'utf8');
  assert.equal(committed, await buildKernelModule('qmix'), 'run npm run build:kernels');
});

test('the kernel product equals a naive one on edge shapes, transposed reads, accumulation and long sums', () => {
  const kernel = wasmKernel();
  assert.ok(kernel, 'WebAssembly SIMD is available in Node');
  const rng = new Rng(4);
  // [M, N, K]: rows and columns off the 4 x 8 blocks, narrow outputs, sums longer than one 256-deep panel.
  for (const [M, N, K] of [[4, 8, 3], [7, 5, 9], [38, 64, 600], [13, 13, 257], [1, 3, 2], [96, 192, 64]]) {
    for (const transposed of [false, true]) {
      const arena = new KernelArena(kernel);
      const a = arena.take(M * K);
      const b = arena.take(K * N);
      const c = arena.take(M * N);
      const pack = arena.take(16 * 256);
      const mem = arena.f32();
      const A = Float32Array.from({ length: M * K }, () => rng.uniform(-1, 1));
      const B = Float32Array.from({ length: K * N }, () => rng.uniform(-1, 1));
      const C0 = Float32Array.from({ length: M * N }, () => rng.uniform(-1, 1));
      // A stored as [M, K], or as its transpose [K, M] read through strides.
      mem.set(transposed ? Float32Array.from({ length: M * K }, (_, i) => A[(i % M) * K + Math.floor(i / M)]) : A, a / 4);
      mem.set(B, b / 4);
      for (const accumulate of [false, true]) {
        mem.set(C0, c / 4);
        mem.fill(12345, c / 4 + M * N, c / 4 + M * N + 4);
        kernel.gemm(M, N, K, a, transposed ? 1 : K, transposed ? M : 1, b, c, accumulate, pack);
        const want = new Float64Array(M * N);
        for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
          let s = accumulate ? C0[i * N + j] : 0;
          for (let k = 0; k < K; k++) s += A[i * K + k] * B[k * N + j];
          want[i * N + j] = s;
        }
        const got = new Float32Array(kernel.memory.buffer, c, M * N);
        for (let i = 0; i < M * N; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-4 * Math.sqrt(K), `[${M}, ${N}, ${K}]${transposed ? ' transposed' : ''}${accumulate ? ' accumulated' : ''} at ${i}: ${got[i]} vs ${want[i]}`);
        // The slack after C is untouched: only real columns are stored.
        assert.deepEqual(Array.from(new Float32Array(kernel.memory.buffer, c + 4 * M * N, 4)), [12345, 12345, 12345, 12345]);
      }
    }
  }
});

function agentGrads(fused: boolean, shape: AgentNetShape, p: ParamSet, inputs: AgentInputs, weights: tf.Tensor): Record<string, Float32Array> {
  useFusedKernels(fused);
  const vars = p.specs.map((s) => p.get(s.name) as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(agentForward(shape, p, inputs).q, weights)) as tf.Scalar, vars);
  const out = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
  out.value = value.dataSync() as Float32Array;
  out.q = tf.tidy(() => agentForward(shape, p, inputs, null, { grad: false }).q.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

test('a batch too big for WebAssembly memory is refused with a message naming the size and the way out', () => {
  const kernel = wasmKernel()!;
  const arena = new KernelArena(kernel);
  arena.take(2 ** 30); // 4 GB of floats: past what a wasm32 memory can hold
  assert.throws(() => arena.f32(), /kernel needs 4097 MB for this batch .* useFusedKernels\(false\)/);
  // Nothing was written, and the kernel still works.
  const small = new KernelArena(kernel);
  const a = small.take(4);
  small.f32().set([1, 2, 3, 4], a / 4);
  assert.deepEqual(Array.from(new Float32Array(kernel.memory.buffer, a, 4)), [1, 2, 3, 4]);
});

describe('fused agent network', () => {
  // Hidden sizes on and off multiples of 4; 40 x 7 = 280 rows, so weight gradients sum over two panels.
  const cases: [string, AgentNetShape, number, number][] = [
    ['GRU, hidden 16', { kind: 'gru', inputSize: 7, hiddenDim: 16, nActions: 4 }, 9, 5],
    ['GRU, hidden 10, 280 rows', { kind: 'gru', inputSize: 9, hiddenDim: 10, nActions: 5 }, 40, 7],
    ['MLP, hidden 12', { kind: 'mlp', inputSize: 7, hiddenDim: 12, nActions: 3 }, 9, 5],
    ['MLP, hidden 9, 280 rows', { kind: 'mlp', inputSize: 11, hiddenDim: 9, nActions: 6 }, 40, 7],
  ];
  for (const [name, shape, steps, rows] of cases) {
    test(`${name}: Q-values and every weight gradient equal the plain path, and no tensor is left behind`, () => {
      const rng = new Rng(11);
      const p = ParamSet.create(agentParamSpecs(shape), rng);
      const x = Float32Array.from({ length: steps * rows * shape.inputSize }, () => rng.uniform(-2, 2));
      const inputs = new AgentInputs(x, steps, rows, shape.inputSize);
      const weights = tf.tensor3d(Float32Array.from({ length: steps * rows * shape.nActions }, () => rng.uniform(-1, 1)), [steps, rows, shape.nActions]);
      const before = tf.memory().numTensors;
      const fused = agentGrads(true, shape, p, inputs, weights);
      assert.equal(tf.memory().numTensors, before, 'fused forward and backward leak no tensor');
      const plain = agentGrads(false, shape, p, inputs, weights);
      assert.deepEqual(Object.keys(fused).sort(), Object.keys(plain).sort());
      for (const k of Object.keys(plain)) assertClose(fused[k], plain[k], k);
      inputs.dispose();
      weights.dispose();
      p.dispose();
    });
  }
});

test('two fused forward passes before their backward passes: the first one\'s saved arrays are copied out and back, gradients unchanged', () => {
  const shape: AgentNetShape = { kind: 'gru', inputSize: 5, hiddenDim: 8, nActions: 3 };
  const rng = new Rng(9);
  const p = ParamSet.create(agentParamSpecs(shape), rng);
  const make = (steps: number) => new AgentInputs(Float32Array.from({ length: steps * 4 * 5 }, () => rng.uniform(-2, 2)), steps, 4, 5);
  const [first, second] = [make(6), make(3)];
  const vars = p.specs.map((spec) => p.get(spec.name) as tf.Variable);
  const grads = (fused: boolean) => {
    useFusedKernels(fused);
    // Both forward passes run before either backward pass (the second claims the agent slot's memory).
    const { value, grads: g } = tf.variableGrads(() => tf.add(tf.sum(tf.square(agentForward(shape, p, first).q)), tf.sum(agentForward(shape, p, second).q)) as tf.Scalar, vars);
    const out: Record<string, Float32Array> = { value: value.dataSync() as Float32Array };
    for (const [k, t] of Object.entries(g)) out[k] = t.dataSync() as Float32Array;
    tf.dispose([value, ...Object.values(g)]);
    return out;
  };
  const fused = grads(true);
  const plain = grads(false);
  for (const k of Object.keys(plain)) assertClose(fused[k], plain[k], k);
  first.dispose();
  second.dispose();
  p.dispose();
});

test('steps after the last nonzero dL/dq are skipped by the backward pass, exactly (and all-zero dL/dq gives zero gradients)', () => {
  for (const shape of [{ kind: 'gru', inputSize: 6, hiddenDim: 8, nActions: 3 }, { kind: 'mlp', inputSize: 6, hiddenDim: 8, nActions: 3 }] as AgentNetShape[]) {
    const rng = new Rng(21);
    const p = ParamSet.create(agentParamSpecs(shape), rng);
    const steps = 7;
    const rows = 6;
    const inputs = new AgentInputs(Float32Array.from({ length: steps * rows * 6 }, () => rng.uniform(-2, 2)), steps, rows, 6);
    for (const zeroFrom of [4, 0]) {
      // Loss weights zero from step zeroFrom on (from 0: nothing reaches the weights).
      const w = Float32Array.from({ length: steps * rows * 3 }, (_, i) => (Math.floor(i / (rows * 3)) >= zeroFrom ? 0 : rng.uniform(-1, 1)));
      const weights = tf.tensor3d(w, [steps, rows, 3]);
      const fused = agentGrads(true, shape, p, inputs, weights);
      const plain = agentGrads(false, shape, p, inputs, weights);
      for (const k of Object.keys(plain)) assertClose(fused[k], plain[k], `${shape.kind}, zero from step ${zeroFrom}: ${k}`);
      const gradKeys = Object.keys(fused).filter((k) => k !== 'value' && k !== 'q');
      assert.equal(gradKeys.length, p.specs.length);
      if (zeroFrom === 0) for (const k of gradKeys) assert.ok(fused[k].every((v) => v === 0), `${k} is all zeros`);
      weights.dispose();
    }
    inputs.dispose();
    p.dispose();
  }
});

describe('fused QMIX mixer', () => {
  const shape = (hypernetLayers: 1 | 2): MixerShape => ({ kind: 'qmix', nAgents: 3, stateSize: 6, embedDim: 8, hypernetLayers, hypernetEmbed: 12, nonNegative: 'abs' });
  for (const layers of [1, 2] as const) {
    test(`${layers}-layer hypernetworks: Q_tot, dQ_tot/dQ_a and every weight gradient equal the plain mixer`, () => {
      const s = shape(layers);
      const rng = new Rng(5);
      const p = ParamSet.create(mixerParamSpecs(s), rng);
      const rows = 300;
      const qs = tf.tensor2d(Float32Array.from({ length: rows * 3 }, () => rng.uniform(-3, 3)), [rows, 3]);
      const states = tf.tensor2d(Float32Array.from({ length: rows * 6 }, () => rng.uniform(-2, 2)), [rows, 6]);
      const scale = tf.tensor2d(Float32Array.from({ length: rows }, () => rng.uniform(-1, 1)), [rows, 1]);
      const vars = p.specs.map((spec) => p.get(spec.name) as tf.Variable);
      const run = (fused: boolean) => {
        useFusedKernels(fused);
        assert.equal(canFuseMixer(s), fused);
        const before = tf.memory().numTensors;
        const f = (q: tf.Tensor) => tf.sum(tf.mul(mixQ(s, p, q as tf.Tensor2D, states), scale));
        const dq = tf.grad(f)(qs);
        const { value, grads } = tf.variableGrads(() => f(qs) as tf.Scalar, vars);
        const out: Record<string, Float32Array> = { dq: dq.dataSync() as Float32Array, value: value.dataSync() as Float32Array };
        for (const [k, g] of Object.entries(grads)) out[k] = g.dataSync() as Float32Array;
        out.noGrad = tf.tidy(() => mixQ(s, p, qs, states, false).dataSync() as Float32Array);
        tf.dispose([dq, value, ...Object.values(grads)]);
        assert.equal(tf.memory().numTensors, before, 'no tensor leak');
        return out;
      };
      const fused = run(true);
      const plain = run(false);
      assertClose(plain.noGrad, tf.tidy(() => mixForward(s, p, qs, states).dataSync()), 'plain mixQ is mixForward');
      for (const k of Object.keys(plain)) assertClose(fused[k], plain[k], k);
      tf.dispose([qs, states, scale]);
      p.dispose();
    });
  }

  test('softplus, VDN and IQL mixers stay on the plain path', () => {
    useFusedKernels(true);
    const s = shape(2);
    assert.equal(canFuseMixer(s), true);
    assert.equal(canFuseMixer({ ...s, nonNegative: 'softplus' }), false);
    assert.equal(canFuseMixer({ ...s, kind: 'vdn' }), false);
    assert.equal(canFuseMixer({ ...s, kind: 'none' }), false);
  });
});

for (const agent of ['gru', 'mlp'] as const) {
  test(`fused and plain ${agent.toUpperCase()} QMIX learners give the same losses over 50 updates from the same seed (within 1e-5)`, () => {
    assert.equal(kernelVariant(), 'relaxed-simd', 'Node runs the relaxed-SIMD build without a flag');
    const { fused, plain, worst } = compareLearners(agent);
    assert.ok(worst <= 1e-5, `largest relative loss difference ${worst}`);
    assert.ok(plain[0] !== plain[49], 'the losses move');
    assert.equal(fused.length, 50);
  });
}

// The host step (no tfjs ops between the kernels) against the tfjs path, over what it handles differently.
for (const [name, agent, config] of [
  ['VDN', 'mlp', { mixer: 'vdn' }],
  ['IQL', 'gru', { mixer: 'none' }],
  ['QMIX, one-step targets, no double Q, RMSProp, raw rewards', 'gru', { tdLambda: 0, doubleQ: false, optimizer: 'rmsprop', lr: 5e-4, standardiseRewards: false }],
  ['QMIX, TD(0.8), Adam, 1-layer hypernetworks', 'mlp', { tdLambda: 0.8, hypernetLayers: 1 }],
] as const) {
  test(`host step: ${name} gives the tfjs path's loss, gradient norm and statistics over 50 updates (within 1e-5)`, () => {
    const r = compareLearners(agent, config);
    assert.equal(r.host, true, 'the fused learner took the host step');
    assert.ok(r.worstStat <= 1e-5, `largest relative difference of a statistic ${r.worstStat}`);
    assert.ok(r.plain[0] !== r.plain[49], 'the losses move');
  });
}

test('host step: on only where it runs (softplus mixers and the plain path take the tfjs path), and it leaves no tensor behind', () => {
  const spec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 12 };
  useFusedKernels(true);
  const soft = new QLearner(spec, { nonNegative: 'softplus' });
  assert.equal(soft.hostUpdates, false);
  soft.dispose();
  const learner = new QLearner(spec, { hiddenDim: 16, batchSize: 8 });
  assert.equal(learner.hostUpdates, true);
  const batch = collateEpisodes(spec, randomEpisodes(spec, 8, 2));
  learner.update(batch);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) learner.update(batch);
  assert.equal(tf.memory().numTensors, before, 'host updates leak no tensor');
  useFusedKernels(false);
  assert.equal(learner.hostUpdates, false);
  useFusedKernels(true);
  learner.dispose();
});

test('the plain SIMD build (no fused multiply-add) gives the same losses too (a child Node with PHASER_QMIX_KERNEL=simd)', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../support/fused-compare.ts', import.meta.url))], { encoding: 'utf8', env: { ...process.env, PHASER_QMIX_KERNEL: 'simd' } });
  assert.equal(child.status, 0, child.stderr);
  const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as { variant: string; gru: { worst: number; plain: number[] }; mlp: { worst: number } };
  assert.equal(result.variant, 'simd');
  for (const agent of ['gru', 'mlp'] as const) assert.ok(result[agent].worst <= 1e-5, `${agent}: largest relative loss difference ${result[agent].worst}`);
});
