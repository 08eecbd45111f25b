import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentParamSpecs, Rng, type AgentNetShape } from '../../plugin/core/index.js';
import { AgentInputs, agentForward, ParamSet } from '../../plugin/learn/index.js';
import { tf } from '../support/tf.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** PyTorch's Linear -> ReLU -> GRUCell -> Linear, one row at a time, in plain JS. */
function referenceGru(shape: AgentNetShape, w: Record<string, { data: Float32Array }>, xs: Float32Array[]): number[][] {
  const { inputSize: I, hiddenDim: H, nActions: A } = shape;
  const lin = (x: ArrayLike<number>, W: Float32Array, b: Float32Array, inN: number, outN: number) =>
    Array.from({ length: outN }, (_, j) => {
      let s = b[j];
      for (let i = 0; i < inN; i++) s += x[i] * W[i * outN + j];
      return s;
    });
  let h = new Array<number>(H).fill(0);
  const out: number[][] = [];
  for (const x of xs) {
    const f = lin(x, w['agent.fc1.w'].data, w['agent.fc1.b'].data, I, H).map((v) => Math.max(0, v));
    const gi = lin(f, w['agent.gru.wih'].data, w['agent.gru.bih'].data, H, 3 * H);
    const gh = lin(h, w['agent.gru.whh'].data, w['agent.gru.bhh'].data, H, 3 * H);
    const next = new Array<number>(H);
    for (let j = 0; j < H; j++) {
      const r = sigmoid(gi[j] + gh[j]);
      const z = sigmoid(gi[H + j] + gh[H + j]);
      const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
      next[j] = (1 - z) * n + z * h[j];
    }
    h = next;
    out.push(lin(h, w['agent.fc2.w'].data, w['agent.fc2.b'].data, H, A));
  }
  return out;
}

describe('agent network', () => {
  const shape: AgentNetShape = { kind: 'gru', inputSize: 5, hiddenDim: 7, nActions: 3 };

  test('the batched GRU follows the PyTorch GRUCell equations for every row and step', () => {
    const rng = new Rng(4);
    const p = ParamSet.create(agentParamSpecs(shape), rng);
    const steps = 6;
    const rows = 4;
    const x = Float32Array.from({ length: steps * rows * shape.inputSize }, () => rng.uniform(-2, 2));
    const inputs = new AgentInputs(x, steps, rows, shape.inputSize);
    const q = tf.tidy(() => agentForward(shape, p, inputs).q.dataSync());
    inputs.dispose();
    const w = p.read();
    for (let r = 0; r < rows; r++) {
      const seq = Array.from({ length: steps }, (_, t) => x.subarray((t * rows + r) * shape.inputSize, (t * rows + r + 1) * shape.inputSize));
      const ref = referenceGru(shape, w, seq);
      for (let t = 0; t < steps; t++) {
        for (let u = 0; u < shape.nActions; u++) {
          const got = q[(t * rows + r) * shape.nActions + u];
          assert.ok(Math.abs(got - ref[t][u]) < 1e-5, `row ${r} step ${t} action ${u}: ${got} vs ${ref[t][u]}`);
        }
      }
    }
    p.dispose();
  });

  test('stepping one step at a time with the carried hidden state equals the whole-sequence pass', () => {
    const rng = new Rng(9);
    const p = ParamSet.create(agentParamSpecs(shape), rng);
    const steps = 4;
    const rows = 3;
    const x = Float32Array.from({ length: steps * rows * shape.inputSize }, () => rng.uniform(-1, 1));
    const all = new AgentInputs(x, steps, rows, shape.inputSize);
    const whole = tf.tidy(() => agentForward(shape, p, all).q.dataSync());
    all.dispose();
    let h: tf.Tensor2D | null = null;
    for (let t = 0; t < steps; t++) {
      const xt = new AgentInputs(x.slice(t * rows * shape.inputSize, (t + 1) * rows * shape.inputSize), 1, rows, shape.inputSize);
      const o = agentForward(shape, p, xt, h);
      const q = o.q.dataSync();
      for (let i = 0; i < q.length; i++) assert.ok(Math.abs(q[i] - whole[t * rows * shape.nActions + i]) < 1e-6);
      h?.dispose();
      h = o.hidden;
      xt.dispose();
      o.q.dispose();
    }
    h?.dispose();
    p.dispose();
  });

  test('the MLP agent is Linear-ReLU-Linear-ReLU-Linear with torch fan-in initialisation bounds', () => {
    const mlp: AgentNetShape = { kind: 'mlp', inputSize: 4, hiddenDim: 8, nActions: 2 };
    const specs = agentParamSpecs(mlp);
    assert.deepEqual(
      specs.map((s) => [s.name, s.shape.join('x')]),
      [
        ['agent.fc1.w', '4x8'], ['agent.fc1.b', '8'], ['agent.fc2.w', '8x8'], ['agent.fc2.b', '8'], ['agent.fc3.w', '8x2'], ['agent.fc3.b', '2'],
      ],
    );
    assert.equal(specs[0].bound, 0.5); // 1 / sqrt(4)
    const p = ParamSet.create(specs, new Rng(1));
    for (const [name, w] of Object.entries(p.read())) {
      const bound = specs.find((s) => s.name === name)!.bound;
      assert.ok(w.data.every((v) => Math.abs(v) <= bound), name);
    }
    p.dispose();
  });
});
