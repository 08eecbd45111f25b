import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { collateEpisodes, Rng, type EnvSpec } from '../../plugin/core/index.js';
import { AgentInputs, agentForward, fusedMix, QLearner } from '../../plugin/learn/index.js';
import { ChannelHelper, makeKernelChannel } from '../../plugin/learn/kernel-channel.js';
import { kernelHelper, kernelThreads, setKernelHelper } from '../../plugin/learn/kernel-threads.js';
import { useKernelThreads } from '../../plugin/node/kernel-threads.js';
import { randomEpisodes } from '../support/episodes.js';
import { tf } from '../support/tf.js';

// Two threads split the agent network's rows (the helper runs the kernel on
// its share in a worker thread); results must equal one thread's within
// float32 rounding: Q-values, every weight gradient, and 50 updates' losses.
after(() => useKernelThreads(1));

const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 12 };
// Batches of 32: 96 agent rows x 13 steps and 384 mixer rows, above the sizes that stay on one thread.
const small = { hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, seed: 3, batchSize: 32, targetUpdateInterval: 10 };

function worstRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

/** Q, gradients of a loss on Q in every agent weight, and the last hidden state, on the current thread count. */
function forwardAndGrads(agent: 'gru' | 'mlp') {
  const learner = new QLearner(spec, { ...small, agent });
  const rng = new Rng(8);
  const steps = 7;
  const rows = 160; // split 80 / 80 (7 steps x 160 rows: above the one-thread size)
  const width = learner.agentShape.inputSize;
  const x = new AgentInputs(Float32Array.from({ length: steps * rows * width }, () => rng.uniform(-1, 1)), steps, rows, width);
  const p = learner.online.agent;
  const target = tf.tensor2d(Float32Array.from({ length: steps * rows * spec.nActions }, () => rng.uniform(-1, 1)), [steps * rows, spec.nActions]);
  let q: Float32Array = new Float32Array(0);
  let hidden: Float32Array | null = null;
  const { grads } = tf.variableGrads(() => {
    const o = agentForward(learner.agentShape, p, x, null, { grad: true });
    const flat = tf.reshape(o.q, [steps * rows, spec.nActions]);
    q = flat.dataSync() as Float32Array;
    hidden = o.hidden ? (o.hidden.dataSync() as Float32Array).slice() : null;
    o.hidden?.dispose();
    return tf.sum(tf.mul(flat, target)) as tf.Scalar;
  }, p.variables);
  // By weight name (tfjs names variables uniquely per learner).
  const g = Object.fromEntries(p.specs.map((s, i) => [s.name, (grads[p.variables[i].name].dataSync() as Float32Array).slice()]));
  Object.values(grads).forEach((t) => t.dispose());
  target.dispose();
  x.dispose();
  learner.dispose();
  return { q: q.slice(), hidden, grads: g };
}

/** Q_tot and the gradients into the utilities and every mixer weight, on the current thread count. */
function mixAndGrads() {
  const learner = new QLearner(spec, small);
  const rng = new Rng(9);
  const rows = 300; // split 150 / 150
  const qs = tf.tensor2d(Float32Array.from({ length: rows * spec.nAgents }, () => rng.uniform(-1, 1)), [rows, spec.nAgents]);
  const states = tf.tensor2d(Float32Array.from({ length: rows * spec.stateSize }, () => rng.uniform(-1, 1)), [rows, spec.stateSize]);
  const p = learner.online.mixer;
  const w = tf.tensor2d(Float32Array.from({ length: rows }, () => rng.uniform(-1, 1)), [rows, 1]);
  let qTot = new Float32Array(0);
  const f = () => {
    const out = fusedMix(learner.mixerShape, p, qs, states);
    qTot = (out.dataSync() as Float32Array).slice();
    return tf.sum(tf.mul(out, w)) as tf.Scalar;
  };
  const { grads } = tf.variableGrads(f, p.variables);
  const dq = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(fusedMix(learner.mixerShape, p, q as tf.Tensor2D, states), w)))(qs);
  const g = Object.fromEntries(p.specs.map((sp, i) => [sp.name, (grads[p.variables[i].name].dataSync() as Float32Array).slice()]));
  g.dq = (dq.dataSync() as Float32Array).slice();
  Object.values(grads).forEach((t) => t.dispose());
  [qs, states, w, dq].forEach((t) => t.dispose());
  learner.dispose();
  return { qTot, grads: g };
}

function losses(agent: 'gru' | 'mlp'): number[] {
  const episodes = randomEpisodes(spec, 64, 5);
  const rng = new Rng(6);
  const learner = new QLearner(spec, { ...small, agent });
  try {
    return Array.from({ length: 50 }, (_, i) => learner.update(collateEpisodes(spec, Array.from({ length: 32 }, () => episodes[rng.int(episodes.length)])), i + 1).loss);
  } finally {
    learner.dispose();
  }
}

describe('two threads for the update', () => {
  for (const agent of ['gru', 'mlp'] as const) {
    test(`${agent.toUpperCase()}: Q-values, gradients and 50 updates' losses on two threads equal one thread's within float32 rounding`, async () => {
      await useKernelThreads(1);
      assert.equal(kernelThreads(), 1);
      const one = forwardAndGrads(agent);
      const oneLosses = losses(agent);
      assert.equal(await useKernelThreads(2), 2, 'a helper thread starts in Node');
      assert.equal(kernelThreads(), 2);
      // The helper really takes part: count its jobs.
      const helper = kernelHelper()!;
      const start = helper.start.bind(helper);
      const kinds: string[] = [];
      helper.start = (job, inputs) => {
        kinds.push(job.kind);
        start(job, inputs);
      };
      // Each update says when it starts and ends (the helper stays awake between its jobs, and sleeps after).
      const calls: string[] = [];
      const [wake, rest] = [helper.wake!.bind(helper), helper.rest!.bind(helper)];
      helper.wake = () => (calls.push('wake'), wake());
      helper.rest = () => (calls.push('rest'), rest());
      const two = forwardAndGrads(agent);
      const twoLosses = losses(agent);
      helper.start = start;
      [helper.wake, helper.rest] = [wake, rest];
      assert.equal(calls.length, 2 * twoLosses.length, 'a wake and a rest per update');
      assert.ok(calls.every((c, i) => c === (i % 2 === 0 ? 'wake' : 'rest')), 'wake, then rest, update by update');
      // The network on its own splits its forward and backward passes; an update hands the helper half of its episodes, once.
      assert.deepEqual([...new Set(kinds)].sort(), ['agent-backward', 'agent-forward', 'host-step']);
      assert.equal(kinds.filter((k) => k === 'host-step').length, twoLosses.length, 'one host step per update on the helper');
      assert.ok(worstRelative(two.q, one.q) <= 1e-6, `Q differs by ${worstRelative(two.q, one.q)}`);
      if (agent === 'gru') assert.ok(worstRelative(two.hidden!, one.hidden!) <= 1e-6, 'last hidden state');
      for (const name of Object.keys(one.grads)) assert.ok(worstRelative(two.grads[name], one.grads[name]) <= 1e-5, `gradient ${name} differs by ${worstRelative(two.grads[name], one.grads[name])}`);
      const worst = Math.max(...oneLosses.map((l, i) => Math.abs(twoLosses[i] - l) / Math.max(1, Math.abs(l))));
      assert.ok(worst <= 1e-5, `losses differ by ${worst}`);
      assert.ok(oneLosses[0] !== oneLosses[49], 'the losses move');
    });
  }

  test('QMIX mixer: Q_tot, dL/dq and every weight gradient on two threads equal one thread\'s', async () => {
    await useKernelThreads(1);
    const one = mixAndGrads();
    assert.equal(await useKernelThreads(2), 2);
    const two = mixAndGrads();
    assert.ok(worstRelative(two.qTot, one.qTot) <= 1e-6, 'Q_tot');
    for (const name of Object.keys(one.grads)) assert.ok(worstRelative(two.grads[name], one.grads[name]) <= 1e-5, `gradient ${name} differs by ${worstRelative(two.grads[name], one.grads[name])}`);
  });

  test('a helper that stops answering is closed after its deadline with an error naming it, and updates go on on one thread', async () => {
    await useKernelThreads(1);
    // A channel nobody serves: the job is never taken.
    let closed = 0;
    const dead = new ChannelHelper(makeKernelChannel(), () => closed++, 300);
    setKernelHelper(dead);
    assert.equal(kernelThreads(), 1, 'not serving: not ready');
    dead.start({ kind: 'mix-forward', role: 'scratch', rows: 1, keep: false }, [new Float32Array(4)]);
    assert.throws(() => dead.finish(), /kernel helper thread: no answer within 0.3 s; it was closed/);
    assert.equal(closed, 1);
    assert.equal(dead.ready, false);
    setKernelHelper(null);
    assert.ok(losses('mlp').every(Number.isFinite));
  });

  test('back to one thread: the helper stops and updates run alone', async () => {
    assert.equal(await useKernelThreads(2), 2);
    assert.equal(await useKernelThreads(1), 1);
    assert.equal(kernelHelper(), null);
    assert.equal(kernelThreads(), 1);
  });
});
