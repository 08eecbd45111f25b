/**
 * The agent network's forward and backward passes in the learner's
 * WebAssembly kernel over a share of a batch's rows, without tfjs: the
 * learner's thread and its helper thread (kernel-threads.ts) run the same
 * code on their own rows. fused-agent.ts makes the differentiable op of them.
 */
import type { AgentNetShape } from '../core/agent-arch.js';
import { KernelArena, linearBackward, PACK_FLOATS, type KernelSlot, type Resident } from './wasm-kernel.js';

/** Weight names in the order the op takes them. */
export const WEIGHTS = {
  gru: ['agent.fc1.w', 'agent.fc1.b', 'agent.gru.wih', 'agent.gru.bih', 'agent.gru.whh', 'agent.gru.bhh', 'agent.fc2.w', 'agent.fc2.b'],
  mlp: ['agent.fc1.w', 'agent.fc1.b', 'agent.fc2.w', 'agent.fc2.b', 'agent.fc3.w', 'agent.fc3.b'],
} as const;

/**
 * Rows `[from, from + count)` of each step of a time-major `[steps, rows, width]` array
 * (a thread's share of a batch: agent rows, or whole episodes with width per episode).
 * @example
 * ```ts
 * const half = rowsOf(x, 51, 96, 38, 48, 48); // [51, 48, 38]
 * ```
 */
export function rowsOf(x: Float32Array, steps: number, rows: number, width: number, from: number, count: number): Float32Array {
  const out = new Float32Array(steps * count * width);
  for (let t = 0; t < steps; t++) out.set(x.subarray((t * rows + from) * width, (t * rows + from + count) * width), t * count * width);
  return out;
}

/**
 * Rows `picks` (in that order) of every step of `x` `[steps, rows, width]`:
 * `[steps, picks.length, width]`, a new array.
 * @example
 * ```ts
 * const some = pickRows(x, 51, 32, 114, [3, 7]); // [51, 2, 114]
 * ```
 */
export function pickRows(x: Float32Array, steps: number, rows: number, width: number, picks: readonly number[]): Float32Array {
  const out = new Float32Array(steps * picks.length * width);
  for (let t = 0; t < steps; t++) {
    picks.forEach((r, k) => out.set(x.subarray((t * rows + r) * width, (t * rows + r + 1) * width), (t * picks.length + k) * width));
  }
  return out;
}

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
function plan(shape: AgentNetShape, In: number, steps: number, rows: number) {
  const H = shape.hiddenDim;
  const m = steps * rows;
  return {
    H, In, m, A: shape.nActions, n: rows * H, G: 3 * H, gru: shape.kind === 'gru',
    names: WEIGHTS[shape.kind],
    sizes: savedSizes(shape, steps, rows, In),
    packFloats: PACK_FLOATS,
  };
}

/**
 * Runs the network forward in the kernel over `rows` rows (tensor-free, so a
 * helper thread runs the same code on its share of the rows); returns the
 * memory view and where q and the saved arrays are.
 */
export function agentForwardRows(slot: KernelSlot, shape: AgentNetShape, x: Float32Array, steps: number, rows: number, weights: readonly Float32Array[], keep: boolean) {
  const { H, In, m, A, n, G, gru, names, sizes, packFloats } = plan(shape, x.length / (steps * rows), steps, rows);
  slot.claim();
  const kernel = slot.kernel;
  const arena = new KernelArena(kernel);
  const at = arena.layout(sizes);
  const q = arena.take(m * A);
  const scratch = gru ? [arena.take(rows * G), arena.take(rows * G)] : [];
  const pack = arena.take(packFloats);
  const mem = arena.f32();
  mem.set(x, at.x / 4);
  sizes.slice(1, 1 + names.length).forEach(([key], i) => mem.set(weights[i], at[key] / 4));
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
  // What backward needs stays in the slot's memory (copied out only if another call needs it first).
  const kept = keep ? slot.keep(at.x, at.end) : null;
  return { mem, at, q, qFloats: m * A, last, kept };
}

/**
 * The backward pass of {@link agentForwardRows} from dL/dq `[steps * rows,
 * nActions]`: the weight gradients, as views into the slot's memory in the
 * order of the weights (valid until the slot's next call).
 */
export function agentBackwardRows(slot: KernelSlot, shape: AgentNetShape, inputWidth: number, steps: number, rows: number, kept: Resident, dqValues: Float32Array): Float32Array[] {
  const { H, In, m, A, n, G, gru, names, sizes, packFloats } = plan(shape, inputWidth, steps, rows);
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
  return sizes.slice(1, 1 + names.length).map(([key, floats]) => mm.subarray(grads[key] / 4, grads[key] / 4 + floats));
}
