// The fused GRU sequence (hand-written backward) against the plain
// step-by-step path through tfjs autodiff, which stays as the reference.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { agentParamSpecs, collateEpisodes, Rng, type AgentNetShape, type EnvSpec } from '../../plugin/core/index.js';
import { AgentInputs, agentForward, ParamSet, QLearner, useFusedKernels } from '../../plugin/learn/index.js';
import { randomEpisodes } from '../support/episodes.js';
import { tf } from '../support/tf.js';

after(() => useFusedKernels(true));

const shape: AgentNetShape = { kind: 'gru', inputSize: 7, hiddenDim: 16, nActions: 4 };

function gradsOf(fused: boolean, p: ParamSet, inputs: AgentInputs, weights: tf.Tensor): Record<string, Float32Array> {
  useFusedKernels(fused);
  const vars = p.specs.map((s) => p.get(s.name) as tf.Variable);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(agentForward(shape, p, inputs).q, weights)) as tf.Scalar, vars);
  const out = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
  out.value = value.dataSync() as Float32Array;
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

test('fused GRU sequence: Q-values and every weight gradient equal the autodiff path', () => {
  const rng = new Rng(11);
  const p = ParamSet.create(agentParamSpecs(shape), rng);
  const steps = 9;
  const rows = 5;
  const x = Float32Array.from({ length: steps * rows * shape.inputSize }, () => rng.uniform(-2, 2));
  const inputs = new AgentInputs(x, steps, rows, shape.inputSize);
  const weights = tf.tensor3d(Float32Array.from({ length: steps * rows * shape.nActions }, () => rng.uniform(-1, 1)), [steps, rows, shape.nActions]);
  const fused = gradsOf(true, p, inputs, weights);
  const plain = gradsOf(false, p, inputs, weights);
  assert.deepEqual(Object.keys(fused).sort(), Object.keys(plain).sort());
  for (const k of Object.keys(plain)) {
    const scale = Math.max(1e-3, ...Array.from(plain[k], Math.abs));
    for (let i = 0; i < plain[k].length; i++) {
      assert.ok(Math.abs(fused[k][i] - plain[k][i]) <= 1e-5 * scale + 1e-7, `${k}[${i}]: fused ${fused[k][i]} vs plain ${plain[k][i]}`);
    }
  }
  inputs.dispose();
  weights.dispose();
  p.dispose();
});

test('fused and plain GRU learners give the same losses over 50 updates from the same seed (within 1e-5)', () => {
  const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 12 };
  const episodes = randomEpisodes(spec, 64, 5);
  const rng = new Rng(6);
  const batches = Array.from({ length: 50 }, () => {
    const pick = Array.from({ length: 8 }, () => episodes[rng.int(episodes.length)]);
    return collateEpisodes(spec, pick);
  });
  const losses = (fused: boolean): number[] => {
    useFusedKernels(fused);
    const learner = new QLearner(spec, { hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, seed: 3, batchSize: 8, targetUpdateInterval: 10 });
    const out = batches.map((b, i) => learner.update(b, i + 1).loss);
    learner.dispose();
    return out;
  };
  const fused = losses(true);
  const plain = losses(false);
  for (let i = 0; i < plain.length; i++) assert.ok(Math.abs(fused[i] - plain[i]) <= 1e-5 * Math.max(1, Math.abs(plain[i])), `update ${i + 1}: fused ${fused[i]} vs plain ${plain[i]}`);
  assert.ok(plain[0] !== plain[49], 'the losses move');
});
