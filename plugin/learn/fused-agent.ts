/**
 * The whole agent network over a whole batch as one differentiable op
 * (forward and hand-written backward), run by a WebAssembly SIMD kernel of
 * our own (`kernels/assembly/qmix.ts`): fc1 -> GRU over every step -> fc2 for
 * the recurrent agent, fc1 -> fc2 -> fc3 for the feed-forward one.
 *
 * Why: through tfjs, a 51-step GRU update launches thousands of small
 * kernels (about 8,400 per reference update), and most of the time went to
 * launching them. Here the inputs go into the kernel's memory once, every
 * step's products and gate arithmetic run with their operands in cache, and
 * the kernel's 4 x 8 blocked product beats tfjs-wasm's matmul on these shapes
 * (about 39 against 17 GFLOP/s for [96, 64] x [64, 192] on our 2-core
 * machine). The agent inputs are data, so no gradient is computed for them.
 * The plain path (`agentForward` with `useFusedKernels(false)`) stays as the
 * reference the tests compare against.
 *
 * GRU gates follow PyTorch's GRUCell (r, z, n), as in `agent-net.ts`.
 */
import * as tf from './tf.js';
import type { AgentNetShape } from '../core/agent-arch.js';
import { agentBackwardRows, agentForwardRows, rowsOf, WEIGHTS } from './agent-rows.js';
import { kernelHelper, type KernelRole } from './kernel-threads.js';
import { kernelTensor } from './read.js';
import { kernelSlot, type KernelSlot, type Resident } from './wasm-kernel.js';
import type { ParamSet } from './params.js';

/**
 * The rows each thread takes: the first share here, the rest on the helper
 * (none without one). Small ops stay on one thread: handing a job over costs
 * tens of microseconds, more than half of a tiny op saves (two-step's batch
 * is 3 steps x 64 rows).
 */
function shareOf(steps: number, rows: number): number {
  return kernelHelper()?.ready && rows >= 8 && steps * rows >= MIN_ROW_STEPS ? Math.ceil(rows / 2) : rows;
}

/** Below this many row-steps (rows x steps) the agent network runs on one thread. */
const MIN_ROW_STEPS = 1024;

/** Puts two threads' `[steps, rowsA | rowsB, width]` halves back together as `[steps, rowsA + rowsB, width]`. */
function joinRows(a: Float32Array, b: Float32Array, steps: number, rowsA: number, rowsB: number, width: number): Float32Array {
  const rows = rowsA + rowsB;
  const out = new Float32Array(steps * rows * width);
  for (let t = 0; t < steps; t++) {
    out.set(a.subarray(t * rowsA * width, (t + 1) * rowsA * width), t * rows * width);
    out.set(b.subarray(t * rowsB * width, (t + 1) * rowsB * width), (t * rows + rowsA) * width);
  }
  return out;
}

/**
 * The forward pass over all rows, split with the helper thread when there
 * is one: q `[steps * rows, A]` (on one thread a view of the slot's memory,
 * valid until its next call), the last GRU state, and what backward needs.
 */
function agentForwardSplit(slot: KernelSlot, role: KernelRole, shape: AgentNetShape, x: Float32Array, steps: number, rows: number, weights: readonly Float32Array[], keep: boolean) {
  const A = shape.nActions;
  const H = shape.hiddenDim;
  const width = x.length / (steps * rows);
  const mine = shareOf(steps, rows);
  if (mine === rows) {
    // One thread: q stays a view of the kernel's memory, made a tensor at once.
    const r = agentForwardRows(slot, shape, x, steps, rows, weights, keep);
    return { q: r.mem.subarray(r.q / 4, r.q / 4 + r.qFloats), last: r.last, kept: r.kept, mine, width };
  }
  const helper = kernelHelper()!;
  const theirs = rows - mine;
  helper.start({ kind: 'agent-forward', role, shape, steps, rows: theirs, keep }, [rowsOf(x, steps, rows, width, mine, theirs), ...weights]);
  const r = agentForwardRows(slot, shape, rowsOf(x, steps, rows, width, 0, mine), steps, mine, weights, keep);
  const qMine = r.mem.slice(r.q / 4, r.q / 4 + r.qFloats);
  const [qTheirs, lastTheirs] = helper.finish();
  const q = joinRows(qMine, qTheirs, steps, mine, theirs, A);
  const last = r.last ? joinRows(r.last, lastTheirs, 1, mine, theirs, H) : null;
  return { q, last, kept: r.kept, mine, width };
}

/**
 * The backward pass matching {@link agentForwardSplit}: weight gradients
 * summed over both threads' rows, in the order of `WEIGHTS` (on one thread,
 * views of the kernel's memory).
 */
function agentBackwardSplit(slot: KernelSlot, role: KernelRole, shape: AgentNetShape, steps: number, rows: number, f: { kept: Resident | null; mine: number; width: number }, dq: Float32Array): Float32Array[] {
  const A = shape.nActions;
  if (f.mine === rows) return agentBackwardRows(slot, shape, f.width, steps, rows, f.kept!, dq);
  const helper = kernelHelper()!;
  const theirs = rows - f.mine;
  helper.start({ kind: 'agent-backward', role, shape, steps, rows: theirs, keep: false, width: f.width }, [rowsOf(dq, steps, rows, A, f.mine, theirs)]);
  const mineGrads = agentBackwardRows(slot, shape, f.width, steps, f.mine, f.kept!, rowsOf(dq, steps, rows, A, 0, f.mine)).map((g) => g.slice());
  const theirsGrads = helper.finish();
  for (let i = 0; i < mineGrads.length; i++) {
    const g = mineGrads[i];
    const h = theirsGrads[i];
    for (let j = 0; j < g.length; j++) g[j] += h[j];
  }
  return mineGrads;
}

function makeFusedAgent(slot: KernelSlot, role: KernelRole, shape: AgentNetShape, x: Float32Array, steps: number, rows: number, lastOut: { last: Float32Array | null }) {
  const m = steps * rows;
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const weights = args.slice(0, WEIGHTS[shape.kind].length) as tf.Tensor[];
    const f = agentForwardSplit(slot, role, shape, x, steps, rows, weights.map((w) => w.dataSync() as Float32Array), true);
    lastOut.last = f.last;
    return {
      value: kernelTensor(f.q, [m, shape.nActions]) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) => agentBackwardSplit(slot, role, shape, steps, rows, f, dy.dataSync() as Float32Array).map((g, i) => kernelTensor(g, weights[i].shape)),
    };
  });
}

/** Output of {@link fusedAgentQ}. */
export interface FusedAgentOutput {
  /** Q-values `[steps * rows, nActions]`. */
  readonly q: tf.Tensor2D;
  /** The GRU's state after the last step `[rows, H]`, without a gradient (null for the MLP). */
  readonly hidden: tf.Tensor2D | null;
}

/**
 * The agent network over agent inputs `x` (`[steps, rows, inputSize]`
 * time-major, flat), the GRU starting from a zero state. Q-values are
 * differentiable in every agent weight of `p`, unless `grad` is false (target
 * networks): then nothing is kept for a backward pass.
 * @example
 * ```ts
 * const { q } = fusedAgentQ(shape, params, inputs.data, 51, 96); // q: [51 * 96, 5]
 * ```
 */
export function fusedAgentQ(shape: AgentNetShape, p: ParamSet, x: Float32Array, steps: number, rows: number, grad = true): FusedAgentOutput {
  const role: KernelRole = grad ? 'agent' : 'scratch';
  const slot = kernelSlot(role);
  if (!slot) throw new Error('the fused agent network needs WebAssembly SIMD, which this runtime lacks (use the plain path: useFusedKernels(false))');
  const weights = WEIGHTS[shape.kind].map((name) => p.get(name));
  const out: { last: Float32Array | null } = { last: null };
  let q: tf.Tensor2D;
  if (grad) {
    q = makeFusedAgent(slot, role, shape, x, steps, rows, out)(...weights) as tf.Tensor2D;
  } else {
    const f = agentForwardSplit(slot, role, shape, x, steps, rows, weights.map((w) => w.dataSync() as Float32Array), false);
    q = kernelTensor(f.q, [steps * rows, shape.nActions]) as tf.Tensor2D;
    out.last = f.last;
  }
  return { q, hidden: out.last ? tf.tensor2d(out.last, [rows, shape.hiddenDim]) : null };
}
