/**
 * The QMIX mixer's forward and backward passes in the learner's WebAssembly
 * kernel over a share of a batch's rows, without tfjs: the learner's thread
 * and its helper thread (kernel-threads.ts) run the same code on their own
 * rows. fused-mixer.ts makes the differentiable op of them.
 */
import { mixerParamSpecs, type MixerShape } from './mixer-specs.js';
import { KernelArena, linearBackward, PACK_FLOATS, type KernelSlot, type Resident } from './wasm-kernel.js';

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

/** Names, sizes and layout of one batch size; shared by the forward and backward passes. */
export function mixerPlan(s: MixerShape, rows: number) {
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

/**
 * Runs the mixer forward over `rows` rows of states `[rows, S]` and
 * utilities `[rows, N]` with the weights in {@link mixerParamSpecs} order;
 * returns Q_tot (a view, valid until the slot's next call) and, with `keep`,
 * what the backward pass needs.
 */
export function mixForwardRows(slot: KernelSlot, s: MixerShape, states: Float32Array, qs: Float32Array, weights: readonly Float32Array[], keep: boolean): { qTot: Float32Array; kept: Resident | null } {
  const rows = qs.length / s.nAgents;
  const { E, N, layers, names, saved } = mixerPlan(s, rows);
  slot.claim();
  const kernel = slot.kernel;
  const arena = new KernelArena(kernel);
  const at = arena.layout(saved);
  const out = arena.take(rows);
  const pack = arena.take(PACK_FLOATS);
  const mem = arena.f32();
  mem.set(states, at.s / 4);
  mem.set(qs, at.q / 4);
  names.forEach((name, i) => mem.set(weights[i], at[name] / 4));
  for (const l of layers) kernel.linear(rows, l.outW, l.inW, at[l.input], at[l.w], at[l.b], at[l.output], l.relu, pack);
  kernel.mixForward(rows, N, E, at.q, at.w1, at.b1, at.w2, at.v, at.hid, out);
  // What backward needs stays in the slot's memory (copied out only if another call needs it first).
  const kept = keep ? slot.keep(at.s, at.end) : null;
  return { qTot: mem.subarray(out / 4, out / 4 + rows), kept };
}

/**
 * The backward pass of {@link mixForwardRows} from dL/dQ_tot `[rows]`:
 * dL/dq `[rows, N]`, then the weight gradients in {@link mixerParamSpecs}
 * order (views, valid until the slot's next call).
 */
export function mixBackwardRows(slot: KernelSlot, s: MixerShape, rows: number, kept: Resident, dy: Float32Array): Float32Array[] {
  const { E, N, layers, names, sizeOf, saved } = mixerPlan(s, rows);
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
  m.set(dy, dout / 4);
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
  return [m.subarray(dq / 4, dq / 4 + rows * N), ...names.map((name) => m.subarray(grads[name] / 4, grads[name] / 4 + sizeOf.get(name)!))];
}
