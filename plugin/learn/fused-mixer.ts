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
import { fusedKernelsOn, KernelArena, kernelSlot, linearBackward, PACK_FLOATS, tensorFrom, wasmKernel, type KernelSlot } from './wasm-kernel.js';

/** A dense layer of the mixer: its weight names, sizes and whether a relu follows. */
interface Layer {
  readonly w: string;
  readonly b: string;
  readonly inW: number;
  readonly outW: number;
  readonly relu: boolean;
  /** Name of the input activation ('s' for the state) and of the output. */
  readonly input: string;
  readonly output: string;
}

/** The mixer's dense layers in forward order (hypernetworks of the state, then V). */
function layersOf(s: MixerShape): Layer[] {
  const { stateSize: S, embedDim: E, nAgents: N, hypernetEmbed: HE } = s;
  const hyper = (name: string, out: number, output: string): Layer[] =>
    s.hypernetLayers === 1
      ? [{ w: `mixer.${name}.w`, b: `mixer.${name}.b`, inW: S, outW: out, relu: false, input: 's', output }]
      : [
          { w: `mixer.${name}.0.w`, b: `mixer.${name}.0.b`, inW: S, outW: HE, relu: true, input: 's', output: `${output}.h` },
          { w: `mixer.${name}.1.w`, b: `mixer.${name}.1.b`, inW: HE, outW: out, relu: false, input: `${output}.h`, output },
        ];
  return [
    ...hyper('hyperW1', N * E, 'w1'),
    { w: 'mixer.hyperB1.w', b: 'mixer.hyperB1.b', inW: S, outW: E, relu: false, input: 's', output: 'b1' },
    ...hyper('hyperW2', E, 'w2'),
    { w: 'mixer.v.0.w', b: 'mixer.v.0.b', inW: S, outW: E, relu: true, input: 's', output: 'va' },
    { w: 'mixer.v.1.w', b: 'mixer.v.1.b', inW: E, outW: 1, relu: false, input: 'va', output: 'v' },
  ];
}

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

/** Names, sizes and layout of one batch size; shared by the forward and backward passes. */
function plan(s: MixerShape, rows: number) {
  const { stateSize: S, embedDim: E, nAgents: N } = s;
  const layers = layersOf(s);
  const specs = mixerParamSpecs(s);
  const names = specs.map((p) => p.name);
  const sizeOf = new Map(specs.map((p) => [p.name, p.shape.reduce((a, b) => a * b, 1)]));
  // Saved for the backward pass, in one piece: inputs, weights, activations.
  const saved: [string, number][] = [
    ['s', rows * S],
    ['q', rows * N],
    ...names.map((name): [string, number] => [name, sizeOf.get(name)!]),
    ...layers.map((l): [string, number] => [l.output, rows * l.outW]),
    ['hid', rows * E],
  ];
  return { S, E, N, layers, names, sizeOf, saved };
}

/** Runs the mixer forward in the kernel; returns the memory view, the layout and Q_tot. */
function runForward(slot: KernelSlot, s: MixerShape, states: Float32Array, qs: tf.Tensor2D, weights: tf.Tensor[]) {
  const rows = qs.shape[0];
  const { E, N, layers, names, saved } = plan(s, rows);
  slot.claim();
  const kernel = slot.kernel;
  const arena = new KernelArena(kernel);
  const at = arena.layout(saved);
  const out = arena.take(rows);
  const pack = arena.take(PACK_FLOATS);
  const mem = arena.f32();
  mem.set(states, at.s / 4);
  mem.set(qs.dataSync() as Float32Array, at.q / 4);
  names.forEach((name, i) => mem.set(weights[i].dataSync() as Float32Array, at[name] / 4));
  for (const l of layers) kernel.linear(rows, l.outW, l.inW, at[l.input], at[l.w], at[l.b], at[l.output], l.relu, pack);
  kernel.mixForward(rows, N, E, at.q, at.w1, at.b1, at.w2, at.v, at.hid, out);
  return { mem, at, value: tensorFrom(mem, out, rows, [rows, 1]) as tf.Tensor2D };
}

function makeFusedMix(slot: KernelSlot, s: MixerShape, states: Float32Array, rows: number) {
  const { E, N, layers, names, sizeOf, saved } = plan(s, rows);
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const qs = args[0] as tf.Tensor2D;
    const weights = args.slice(1, 1 + names.length) as tf.Tensor[];
    const { at, value } = runForward(slot, s, states, qs, weights);
    // What backward needs stays in the slot's memory (copied out only if another call needs it first).
    const kept = slot.keep(at.s, at.end);
    return {
      value,
      gradFunc: (dy: tf.Tensor) => {
        const back = slot.resume(kept);
        const kernel = slot.kernel;
        const b = back.layout(saved);
        const dout = back.take(rows);
        const dq = back.take(rows * N);
        // dL/d(each layer's output) and dL/d(each weight).
        const d: Record<string, number> = {};
        for (const l of layers) d[l.output] = back.take(rows * l.outW);
        const grads: Record<string, number> = {};
        for (const name of names) grads[name] = back.take(sizeOf.get(name)!);
        const wT = back.take(Math.max(...layers.map((l) => l.inW * l.outW)));
        const pk = back.take(PACK_FLOATS);
        const m = back.f32();
        m.set(dy.dataSync() as Float32Array, dout / 4);
        // Into the utilities, b1 and the hypernetworks' outputs (through their abs).
        kernel.mixBackward(rows, N, E, b.q, b.w1, b.w2, b.hid, dout, dq, d.w1, d.b1, d.w2);
        m.copyWithin(d.v / 4, dout / 4, dout / 4 + rows);
        // Layers in reverse; a hidden layer's gradient goes through its relu before its own weights.
        for (let i = layers.length - 1; i >= 0; i--) {
          const l = layers[i];
          if (l.relu) kernel.reluGrad(rows * l.outW, b[l.output], d[l.output]);
          const dInput = l.input === 's' ? null : d[l.input];
          linearBackward(kernel, rows, l.inW, l.outW, b[l.input], b[l.w], d[l.output], grads[l.w], grads[l.b], dInput, wT, pk);
        }
        return [tensorFrom(m, dq, rows * N, [rows, N]), ...names.map((name, i) => tensorFrom(m, grads[name], sizeOf.get(name)!, weights[i].shape))];
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
  if (!grad) return runForward(slot, s, stateValues, qs, weights).value;
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
