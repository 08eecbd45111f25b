/**
 * The QMIX mixer over a whole batch as one differentiable op (forward and
 * hand-written backward) on the learner's WebAssembly SIMD kernel, for the
 * `abs` weight constraint with 1- or 2-layer hypernetworks.
 *
 * Why: through tfjs, one mixer pass is about 40 small kernels and its
 * backward about 80 more; they cost more than the mixer's arithmetic. Here the
 * hypernetworks are the kernel's dense layers and the mixing itself is one
 * loop over rows. Gradients flow into the utilities and every mixer weight;
 * the states are data. The plain `mixForward` stays as the reference the
 * tests compare against (and runs `softplus`, VDN and IQL).
 */
import * as tf from './tf.js';
import type { ParamSet } from './params.js';
import type { MixerShape } from './mixers.js';
import { mixerParamSpecs, mixForward } from './mixers.js';
import { kernelHelper, type KernelRole } from './kernel-threads.js';
import { mixBackwardRows, mixForwardRows } from './mixer-rows.js';
import { kernelTensor } from './read.js';
import { fusedKernelsOn, kernelSlot, wasmKernel, type KernelSlot, type Resident } from './wasm-kernel.js';

/**
 * Whether {@link fusedMix} runs this mixer here: fused kernels on
 * (`useFusedKernels`), QMIX with `abs`, a CPU-side backend, and the
 * kernel available.
 * @example
 * ```ts
 * const qTot = canFuseMixer(shape) ? fusedMix(shape, p, qs, states) : mixForward(shape, p, qs, states);
 * ```
 */
export function canFuseMixer(s: MixerShape): boolean {
  return fusedKernelsOn() && s.kind === 'qmix' && s.nonNegative === 'abs' && tf.getBackend() !== 'webgl' && wasmKernel() !== null;
}

/** The rows each thread takes: the first share here, the rest on the helper (none without one). */
function shareOf(rows: number): number {
  // Below this many rows the hand-off (tens of microseconds) costs more than half the work saves.
  return kernelHelper()?.ready && rows >= 256 ? Math.ceil(rows / 2) : rows;
}

/**
 * The mixer's forward pass over all rows, split with the helper thread when
 * there is one: Q_tot `[rows]` and what backward needs.
 */
function mixForwardSplit(slot: KernelSlot, role: KernelRole, s: MixerShape, states: Float32Array, qs: Float32Array, weights: readonly Float32Array[], keep: boolean) {
  const { stateSize: S, nAgents: N } = s;
  const rows = qs.length / N;
  const mine = shareOf(rows);
  if (mine === rows) {
    // One thread: Q_tot stays a view of the kernel's memory, made a tensor at once.
    const r = mixForwardRows(slot, s, states, qs, weights, keep);
    return { qTot: r.qTot, kept: r.kept, mine };
  }
  const helper = kernelHelper()!;
  helper.start({ kind: 'mix-forward', role, mixer: s, rows: rows - mine, keep }, [states.subarray(mine * S), qs.subarray(mine * N), ...weights]);
  const r = mixForwardRows(slot, s, states.subarray(0, mine * S), qs.subarray(0, mine * N), weights, keep);
  const qTot = new Float32Array(rows);
  qTot.set(r.qTot);
  qTot.set(helper.finish()[0], mine);
  return { qTot, kept: r.kept, mine };
}

/**
 * The backward pass matching {@link mixForwardSplit}: `[dL/dq, ...weight
 * gradients]`, dL/dq by rows, the weight gradients summed over both
 * threads' rows in `mixerParamSpecs` order (on one thread, views of the
 * kernel's memory).
 */
function mixBackwardSplit(slot: KernelSlot, role: KernelRole, s: MixerShape, rows: number, f: { kept: Resident | null; mine: number }, dy: Float32Array): Float32Array[] {
  const N = s.nAgents;
  if (f.mine === rows) return mixBackwardRows(slot, s, rows, f.kept!, dy);
  const helper = kernelHelper()!;
  helper.start({ kind: 'mix-backward', role, mixer: s, rows: rows - f.mine, keep: false }, [dy.subarray(f.mine)]);
  const [dqMine, ...mine] = mixBackwardRows(slot, s, f.mine, f.kept!, dy.subarray(0, f.mine)).map((g) => g.slice());
  const [dqTheirs, ...theirs] = helper.finish();
  const dq = new Float32Array(rows * N);
  dq.set(dqMine);
  dq.set(dqTheirs, f.mine * N);
  for (let i = 0; i < mine.length; i++) for (let j = 0; j < mine[i].length; j++) mine[i][j] += theirs[i][j];
  return [dq, ...mine];
}

function makeFusedMix(slot: KernelSlot, s: MixerShape, states: Float32Array, rows: number) {
  const names = mixerParamSpecs(s).map((p) => p.name);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const qs = args[0] as tf.Tensor2D;
    const weights = args.slice(1, 1 + names.length) as tf.Tensor[];
    const f = mixForwardSplit(slot, 'mixer', s, states, qs.dataSync() as Float32Array, weights.map((w) => w.dataSync() as Float32Array), true);
    return {
      value: kernelTensor(f.qTot, [rows, 1]) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) => {
        const [dq, ...grads] = mixBackwardSplit(slot, 'mixer', s, rows, f, dy.dataSync() as Float32Array);
        return [kernelTensor(dq, [rows, s.nAgents]), ...grads.map((g, i) => kernelTensor(g, weights[i].shape))];
      },
    };
  });
}

/**
 * Q_tot `[rows, 1]` of the QMIX mixer for utilities `qs` `[rows, nAgents]`
 * and `states` `[rows, stateSize]`; differentiable in `qs` and every mixer
 * weight unless `grad` is false (target mixers: nothing is kept for a
 * backward pass). Only where {@link canFuseMixer} holds.
 * @example
 * ```ts
 * const qTot = fusedMix(shape, mixerParams, chosen, states); // [1600, 1]
 * ```
 */
export function fusedMix(s: MixerShape, p: ParamSet, qs: tf.Tensor2D, states: tf.Tensor2D, grad = true): tf.Tensor2D {
  const slot = kernelSlot(grad ? 'mixer' : 'scratch');
  if (!slot || !canFuseMixer(s)) throw new Error(`the fused mixer runs QMIX with abs weights on wasm or cpu only (got ${s.kind}, ${s.nonNegative}, ${tf.getBackend()})`);
  const weights = mixerParamSpecs(s).map((spec) => p.get(spec.name));
  const stateValues = states.dataSync() as Float32Array;
  if (!grad) {
    const f = mixForwardSplit(slot, 'scratch', s, stateValues, qs.dataSync() as Float32Array, weights.map((w) => w.dataSync() as Float32Array), false);
    return kernelTensor(f.qTot, [qs.shape[0], 1]) as tf.Tensor2D;
  }
  return makeFusedMix(slot, s, stateValues, qs.shape[0])(qs, ...weights) as tf.Tensor2D;
}

/**
 * The mixer's output: {@link fusedMix} where {@link canFuseMixer} holds,
 * else the plain tfjs `mixForward`. Same arguments and result as
 * `mixForward`; `grad` false skips what only a backward pass needs.
 * @example
 * ```ts
 * const qTot = mixQ(shape, mixerParams, chosen, states); // [rows, 1]
 * ```
 */
export function mixQ(s: MixerShape, p: ParamSet, qs: tf.Tensor2D, states: tf.Tensor2D, grad = true): tf.Tensor2D {
  return canFuseMixer(s) ? fusedMix(s, p, qs, states, grad) : mixForward(s, p, qs, states);
}
