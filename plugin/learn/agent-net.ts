/**
 * The agent network, one set of weights shared by every agent (pymarl's
 * RNNAgent, or a feed-forward variant). All agents of all episodes go through
 * it together: rows are (episode, agent) pairs, so there is no per-agent loop;
 * the GRU loops over time only.
 *
 * GRU equations are PyTorch's GRUCell, gates in the order r, z, n:
 *   r = sigmoid(x W_ir + b_ir + h W_hr + b_hr)
 *   z = sigmoid(x W_iz + b_iz + h W_hz + b_hz)
 *   n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
 *   h' = (1 - z) * n + z * h
 */
import * as tf from './tf.js';
import type { AgentNetShape } from '../core/agent-arch.js';
import { fusedKernelsOn, wasmKernel } from './wasm-kernel.js';
import { fusedAgentQ } from './fused-agent.js';
import { linear } from './linear.js';
import type { ParamSet } from './params.js';

/** Output of {@link agentForward}. */
export interface AgentOutput {
  /** Q-values `[steps, rows, nActions]`. */
  readonly q: tf.Tensor3D;
  /** GRU hidden state after the last step `[rows, H]` (null for the MLP; on the fused path it carries no gradient). */
  readonly hidden: tf.Tensor2D | null;
}

/**
 * Agent inputs of `steps` time steps x `rows` agents, time-major
 * (`[steps, rows, width]` flat), uploaded lazily in the form each network
 * wants: one `[steps * rows, width]` tensor for the MLP, one `[rows, width]`
 * tensor per step for the GRU. Per-step uploads matter on wasm: there,
 * slicing a tensor copies the whole input first, so cutting a [51, 96, 128]
 * tensor into its 51 steps cost about 85 ms, against about 1 ms to upload
 * the steps from JS.
 *
 * @example
 * ```ts
 * const inputs = new AgentInputs(buildBatchInputs(batch, config), batch.maxT + 1, batch.batchSize * nAgents, inputSize);
 * const { q } = agentForward(shape, params, inputs);
 * inputs.dispose();
 * ```
 */
export class AgentInputs {
  private wholeTensor: tf.Tensor2D | null = null;
  private stepTensors: tf.Tensor2D[] | null = null;

  constructor(
    readonly data: Float32Array,
    readonly steps: number,
    readonly rows: number,
    readonly width: number,
  ) {
    if (data.length !== steps * rows * width) {
      throw new Error(`agent inputs have ${data.length} values, expected ${steps} steps x ${rows} rows x ${width}`);
    }
  }

  /** `[steps * rows, width]` (kept until {@link AgentInputs.dispose}). */
  whole(): tf.Tensor2D {
    this.wholeTensor ??= tf.keep(tf.tensor2d(this.data, [this.steps * this.rows, this.width]));
    return this.wholeTensor;
  }

  /** One `[rows, width]` tensor per step (kept until {@link AgentInputs.dispose}). */
  perStep(): tf.Tensor2D[] {
    const n = this.rows * this.width;
    this.stepTensors ??= Array.from({ length: this.steps }, (_, t) => tf.keep(tf.tensor2d(this.data.subarray(t * n, (t + 1) * n), [this.rows, this.width])));
    return this.stepTensors;
  }

  dispose(): void {
    this.wholeTensor?.dispose();
    this.stepTensors?.forEach((t) => t.dispose());
    this.wholeTensor = null;
    this.stepTensors = null;
  }
}

/** Options of {@link agentForward}. */
export interface AgentForwardOptions {
  /** False where no gradient will be taken (target networks): the fused path then keeps nothing for a backward pass. Default true. */
  readonly grad?: boolean;
}

/**
 * Runs the agent network over all steps and rows of `inputs`.
 * @param h0 GRU hidden state `[rows, H]` before the first step; zeros when omitted
 * @example
 * ```ts
 * const { q } = tf.tidy(() => agentForward(shape, params, inputs)); // q: [steps, rows, nActions]
 * ```
 */
export function agentForward(shape: AgentNetShape, p: ParamSet, inputs: AgentInputs, h0?: tf.Tensor2D | null, options: AgentForwardOptions = {}): AgentOutput {
  const H = shape.hiddenDim;
  const { steps, rows } = inputs;
  // The fused op reads its operands into the kernel's memory: right for the
  // CPU-side backends (wasm, cpu); WebGL keeps the plain path on the GPU.
  if (fusedKernelsOn() && !h0 && tf.getBackend() !== 'webgl' && wasmKernel()) {
    const { q, hidden } = fusedAgentQ(shape, p, inputs.data, steps, rows, options.grad ?? true);
    return { q: tf.reshape(q, [steps, rows, shape.nActions]) as tf.Tensor3D, hidden };
  }
  const fc1w = p.get('agent.fc1.w');
  const fc1b = p.get('agent.fc1.b');
  if (shape.kind === 'mlp') {
    const fc1 = linear(inputs.whole(), fc1w, fc1b, 'relu');
    const fc2 = linear(fc1, p.get('agent.fc2.w'), p.get('agent.fc2.b'), 'relu');
    const q = linear(fc2, p.get('agent.fc3.w'), p.get('agent.fc3.b'));
    return { q: tf.reshape(q, [steps, rows, shape.nActions]), hidden: null };
  }
  const wih = p.get('agent.gru.wih');
  const bih = p.get('agent.gru.bih');
  const whh = p.get('agent.gru.whh');
  const bhh = p.get('agent.gru.bhh');
  const fc2w = p.get('agent.fc2.w');
  const fc2b = p.get('agent.fc2.b');
  const xs = inputs.perStep();
  let h: tf.Tensor2D = h0 ?? tf.zeros([rows, H]);
  const hs: tf.Tensor2D[] = [];
  for (let t = 0; t < steps; t++) {
    const fc1 = linear(xs[t], fc1w, fc1b, 'relu');
    // Each side's three gate projections in one matmul: [rows, 3H], split r|z and n.
    const [xRZ, xN] = tf.split(linear(fc1, wih, bih), [2 * H, H], 1);
    const [hRZ, hN] = tf.split(linear(h, whh, bhh), [2 * H, H], 1);
    const [r, z] = tf.split(tf.sigmoid(tf.add(xRZ, hRZ)), 2, 1);
    const n = tf.tanh(tf.add(xN, tf.mul(r, hN)));
    // (1 - z) * n + z * h  ==  n + z * (h - n)
    h = tf.add(n, tf.mul(z, tf.sub(h, n))) as tf.Tensor2D;
    hs.push(h);
  }
  // Output layer per step, then one concat of the small Q tensors: the
  // gradient of a stack of the hidden states would unstack (slow on wasm).
  const q = tf.concat(hs.map((ht) => linear(ht, fc2w, fc2b)), 0);
  return { q: tf.reshape(q, [steps, rows, shape.nActions]), hidden: h };
}
