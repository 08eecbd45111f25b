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
import { KernelArena, kernelSlot, linearBackward, PACK_FLOATS, tensorFrom, type KernelSlot } from './wasm-kernel.js';
import type { ParamSet } from './params.js';

/** Weight names in the order the op takes them. */
const WEIGHTS = {
  gru: ['agent.fc1.w', 'agent.fc1.b', 'agent.gru.wih', 'agent.gru.bih', 'agent.gru.whh', 'agent.gru.bhh', 'agent.fc2.w', 'agent.fc2.b'],
  mlp: ['agent.fc1.w', 'agent.fc1.b', 'agent.fc2.w', 'agent.fc2.b', 'agent.fc3.w', 'agent.fc3.b'],
} as const;

/** The arrays the backward pass needs, in the forward pass's layout. */
function savedSizes(shape: AgentNetShape, steps: number, rows: number, inputWidth: number): [string, number][] {
  const H = shape.hiddenDim;
  const A = shape.nActions;
  const m = steps * rows;
  const weights: [string, number][] = shape.kind === 'gru'
    ? [['w1', inputWidth * H], ['b1', H], ['wih', H * 3 * H], ['bih', 3 * H], ['whh', H * 3 * H], ['bhh', 3 * H], ['w2', H * A], ['b2', A]]
    : [['w1', inputWidth * H], ['b1', H], ['w2', H * H], ['b2', H], ['w3', H * A], ['b3', A]];
  const acts: [string, number][] = shape.kind === 'gru'
    ? [['a1', m * H], ['hs', (steps + 1) * rows * H], ['rs', m * H], ['zs', m * H], ['ns', m * H], ['ghn', m * H]]
    : [['a1', m * H], ['a2', m * H]];
  return [['x', m * inputWidth], ...weights, ...acts];
}

/** Sizes and names one batch shape needs; shared by the forward and backward passes. */
function plan(shape: AgentNetShape, x: Float32Array, steps: number, rows: number) {
  const H = shape.hiddenDim;
  const In = x.length / (steps * rows);
  const m = steps * rows;
  return {
    H, In, m, A: shape.nActions, n: rows * H, G: 3 * H, gru: shape.kind === 'gru',
    names: WEIGHTS[shape.kind],
    sizes: savedSizes(shape, steps, rows, In),
    packFloats: PACK_FLOATS,
  };
}

/** Runs the network forward in the kernel; returns the memory view and where q and the saved arrays are. */
function runForward(slot: KernelSlot, shape: AgentNetShape, x: Float32Array, steps: number, rows: number, weights: tf.Tensor[], keep: boolean) {
  const { H, In, m, A, n, G, gru, names, sizes, packFloats } = plan(shape, x, steps, rows);
  slot.claim();
  const kernel = slot.kernel;
  const arena = new KernelArena(kernel);
  const at = arena.layout(sizes);
  const q = arena.take(m * A);
  const scratch = gru ? [arena.take(rows * G), arena.take(rows * G)] : [];
  const pack = arena.take(packFloats);
  const mem = arena.f32();
  mem.set(x, at.x / 4);
  sizes.slice(1, 1 + names.length).forEach(([key], i) => mem.set(weights[i].dataSync() as Float32Array, at[key] / 4));
  kernel.linear(m, H, In, at.x, at.w1, at.b1, at.a1, true, pack);
  if (gru) {
    // Without a backward pass to come, the gates are not stored (address 0).
    const [rs, zs, ns, ghn] = keep ? [at.rs, at.zs, at.ns, at.ghn] : [0, 0, 0, 0];
    kernel.forward(steps, rows, H, H, at.a1, at.wih, at.bih, at.whh, at.bhh, at.hs, rs, zs, ns, ghn, scratch[0], scratch[1], pack);
    kernel.linear(m, A, H, at.hs + 4 * n, at.w2, at.b2, q, false, pack);
  } else {
    kernel.linear(m, H, H, at.a1, at.w2, at.b2, at.a2, true, pack);
    kernel.linear(m, A, H, at.a2, at.w3, at.b3, q, false, pack);
  }
  // The GRU's state after the last step, copied out (small) for callers that carry it on.
  const last = gru ? mem.slice((at.hs + 4 * steps * n) / 4, (at.hs + 4 * (steps + 1) * n) / 4) : null;
  return { mem, at, value: tensorFrom(mem, q, m * A, [m, A]) as tf.Tensor2D, last };
}

function makeFusedAgent(slot: KernelSlot, shape: AgentNetShape, x: Float32Array, steps: number, rows: number, lastOut: { last: Float32Array | null }) {
  const { H, In, m, A, n, G, gru, names, sizes, packFloats } = plan(shape, x, steps, rows);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const weights = args.slice(0, names.length) as tf.Tensor[];
    const { at, value, last } = runForward(slot, shape, x, steps, rows, weights, true);
    lastOut.last = last;
    // What backward needs stays in the slot's memory (copied out only if another call needs it first).
    const kept = slot.keep(at.x, at.end);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const back = slot.resume(kept);
        const kernel = slot.kernel;
        const b = back.layout(sizes);
        const take = (floats: number) => back.take(floats);
        const dq = take(m * A);
        const grads: Record<string, number> = {};
        for (const [key, floats] of sizes.slice(1, 1 + names.length)) grads[key] = take(floats);
        const wT = take(Math.max(G * H, H * A, H * H)); // one transposed weight at a time
        const da = take(m * H);
        const db = take(m * H);
        const gruScratch = gru ? { dgx: take(rows * G), dgh: take(rows * G), dh: take(n), carry: take(n), whhT: take(G * H) } : null;
        const pk = take(packFloats);
        const mm = back.f32();
        const dqValues = dy.dataSync() as Float32Array;
        mm.set(dqValues, dq / 4);
        // Steps after the last one with a nonzero dL/dq add exact zeros to
        // every gradient (in training, the last step's Q only feeds the
        // double-Q argmax), so the backward pass stops short of them.
        let last = dqValues.length - 1;
        while (last >= 0 && dqValues[last] === 0) last--;
        const used = last < 0 ? 0 : Math.floor(last / (rows * A)) + 1;
        const mu = used * rows;
        // Output layer, then back through the hidden layers (relu' from their outputs).
        if (gru) {
          const s = gruScratch!;
          linearBackward(kernel, mu, H, A, b.hs + 4 * n, b.w2, dq, grads.w2, grads.b2, da, wT, pk);
          kernel.transpose(H, G, b.wih, wT);
          kernel.transpose(H, G, b.whh, s.whhT);
          kernel.backward(used, rows, H, H, b.a1, wT, s.whhT, b.hs, b.rs, b.zs, b.ns, b.ghn, da, db, grads.wih, grads.bih, grads.whh, grads.bhh, s.dgx, s.dgh, s.dh, s.carry, pk);
        } else {
          linearBackward(kernel, mu, H, A, b.a2, b.w3, dq, grads.w3, grads.b3, da, wT, pk);
          kernel.reluGrad(mu * H, b.a2, da);
          linearBackward(kernel, mu, H, H, b.a1, b.w2, da, grads.w2, grads.b2, db, wT, pk);
        }
        // db now holds dL/d(a1); the inputs are data, so fc1 needs no dInput.
        kernel.reluGrad(mu * H, b.a1, db);
        linearBackward(kernel, mu, In, H, b.x, b.w1, db, grads.w1, grads.b1, null, wT, pk);
        return sizes.slice(1, 1 + names.length).map(([key, floats], i) => tensorFrom(mm, grads[key], floats, weights[i].shape));
      },
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
  const slot = kernelSlot(grad ? 'agent' : 'scratch');
  if (!slot) throw new Error('the fused agent network needs WebAssembly SIMD, which this runtime lacks (use the plain path: useFusedKernels(false))');
  const weights = WEIGHTS[shape.kind].map((name) => p.get(name));
  const out: { last: Float32Array | null } = { last: null };
  let q: tf.Tensor2D;
  if (grad) {
    q = makeFusedAgent(slot, shape, x, steps, rows, out)(...weights) as tf.Tensor2D;
  } else {
    const run = runForward(slot, shape, x, steps, rows, weights, false);
    q = run.value;
    out.last = run.last;
  }
  return { q, hidden: out.last ? tf.tensor2d(out.last, [rows, shape.hiddenDim]) : null };
}
