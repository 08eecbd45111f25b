/**
 * The optimiser step and the global-norm clip on plain Float32Arrays, for
 * backends whose tensors live in CPU memory (wasm, cpu). Imports no tfjs.
 *
 * Why: through tfjs the clip and the Adam step are about 16 ops per variable
 * (about 300 an update for the reference networks), and launching them cost
 * more than their arithmetic: about 7% of a one-thread GRU update and 10% of
 * a two-thread one. Here they are one loop per variable.
 *
 * Every operation is rounded to float32 (`Math.fround`) in the order the
 * tfjs formulas of `optimizers.ts` run them, with their constants as float32
 * scalars. A sum, product, quotient or square root of float32 values done in
 * float64 and rounded once is exactly the float32 result (53 >= 2 * 24 + 2
 * bits), so the parameters and moments come out bit for bit as tfjs computes
 * them (the test checks that). The one departure is the gradient norm: its
 * sum of squares accumulates in float64, where tfjs sums in float32, so the
 * norm (and a clipped gradient) can differ in the last bits.
 *
 * Where WebAssembly SIMD runs, {@link hostSteps} runs the same formulas in the
 * kernel on four lanes (kernels/assembly/optimizer.ts), with the same bits:
 * float32 operations are correctly rounded there too. In JS each rounding
 * is a conversion, and the 44k parameters of the reference networks took
 * about 0.35 ms a step, 2% of a two-thread GRU update, all of it on the
 * learner's thread while the helper waits.
 */

import { KernelArena, kernelSlot } from './wasm-kernel.js';

const f = Math.fround;

/** Constants of one step, as the float32 scalars tfjs would make of them. */
export type HostStepConstants =
  | { readonly kind: 'adam'; readonly b1: number; readonly omb1: number; readonly b2: number; readonly omb2: number; readonly sqrtC2: number; readonly eps: number; readonly lrOverC1: number }
  | { readonly kind: 'rmsprop'; readonly alpha: number; readonly omAlpha: number; readonly eps: number; readonly lr: number };

/**
 * The global L2 norm of `grads` and torch's clip coefficient for `maxNorm`
 * (`maxNorm / (norm + 1e-6)`, at most 1).
 * @example
 * ```ts
 * const { norm, coef } = hostClipCoefficient([Float32Array.of(3), Float32Array.of(4)], 1); // 5, 0.2
 * ```
 */
export function hostClipCoefficient(grads: readonly Float32Array[], maxNorm: number): { norm: number; coef: number } {
  let sum = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) sum += g[j] * g[j];
  const norm = f(Math.sqrt(sum));
  return { norm, coef: Math.min(f(f(maxNorm) / f(norm + f(1e-6))), 1) };
}

/**
 * One step on one variable, in place: `params` and `slots` (Adam: `[m, v]`,
 * RMSProp: `[squareAvg]`) are updated from the gradient `g` scaled by `coef`
 * (1 for none).
 * @example
 * ```ts
 * hostStep(values, [m, v], grad, 1, { kind: 'adam', b1: f(0.9), omb1: f(0.1), b2: f(0.999), omb2: f(0.001), sqrtC2: f(Math.sqrt(1 - 0.999)), eps: f(1e-8), lrOverC1: f(1e-3 / 0.1) });
 * ```
 */
export function hostStep(params: Float32Array, slots: readonly Float32Array[], g: Float32Array, coef: number, c: HostStepConstants): void {
  const n = params.length;
  if (g.length !== n || slots.some((s) => s.length !== n)) throw new RangeError(`optimizer step: ${n} parameters, ${g.length} gradients, slots of ${slots.map((s) => s.length).join('/')}`);
  if (c.kind === 'adam') {
    const [m, v] = slots;
    for (let j = 0; j < n; j++) {
      const gj = coef === 1 ? g[j] : f(g[j] * coef);
      const mj = f(f(m[j] * c.b1) + f(gj * c.omb1));
      const vj = f(f(v[j] * c.b2) + f(f(gj * gj) * c.omb2));
      m[j] = mj;
      v[j] = vj;
      // torch: p -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps)
      const denom = f(f(f(Math.sqrt(vj)) / c.sqrtC2) + c.eps);
      params[j] = f(params[j] - f(f(mj / denom) * c.lrOverC1));
    }
  } else {
    const [sq] = slots;
    for (let j = 0; j < n; j++) {
      const gj = coef === 1 ? g[j] : f(g[j] * coef);
      const sj = f(f(sq[j] * c.alpha) + f(f(gj * gj) * c.omAlpha));
      sq[j] = sj;
      // torch: p -= lr * g / (sqrt(square_avg) + eps)
      const denom = f(f(Math.sqrt(sj)) + c.eps);
      params[j] = f(params[j] - f(f(gj / denom) * c.lr));
    }
  }
}

/**
 * {@link hostStep} on every variable: in the WebAssembly kernel where it
 * runs (the same results, bit for bit), else in JS. `params[i]` with its
 * `slots[i]`, gradient `grads[i]` and constants `constants[i]`.
 * @example
 * ```ts
 * hostSteps([values], [[squareAvg]], [grad], 1, [{ kind: 'rmsprop', alpha: f(0.99), omAlpha: f(0.01), eps: f(1e-5), lr: f(5e-4) }]);
 * ```
 */
export function hostSteps(params: readonly Float32Array[], slots: readonly (readonly Float32Array[])[], grads: readonly Float32Array[], coef: number, constants: readonly HostStepConstants[]): void {
  const count = params.length;
  if (slots.length !== count || grads.length !== count || constants.length !== count) throw new RangeError(`optimizer step: ${count} variables, ${slots.length} slot lists, ${grads.length} gradients, ${constants.length} constant sets`);
  params.forEach((p, i) => {
    const n = p.length;
    const want = constants[i].kind === 'adam' ? 2 : 1;
    if (grads[i].length !== n || slots[i].length !== want || slots[i].some((s) => s.length !== n)) throw new RangeError(`optimizer step, variable ${i}: ${n} parameters, ${grads[i].length} gradients, slots of ${slots[i].map((s) => s.length).join('/')}`);
  });
  const slot = kernelSlot('scratch');
  if (!slot) {
    params.forEach((p, i) => hostStep(p, slots[i], grads[i], coef, constants[i]));
    return;
  }
  slot.claim();
  const kernel = slot.kernel;
  const arena = new KernelArena(kernel);
  // Each variable's arrays side by side: parameters, slots, gradient.
  const at = params.map((p, i) => [p, ...slots[i], grads[i]].map(() => arena.take(p.length)));
  const mem = arena.f32();
  params.forEach((p, i) => [p, ...slots[i], grads[i]].forEach((x, k) => mem.set(x, at[i][k] / 4)));
  params.forEach((p, i) => {
    const c = constants[i];
    const a = at[i];
    if (c.kind === 'adam') kernel.adam(p.length, a[0], a[1], a[2], a[3], coef, c.b1, c.omb1, c.b2, c.omb2, c.sqrtC2, c.eps, c.lrOverC1);
    else kernel.rmsprop(p.length, a[0], a[1], a[2], coef, c.alpha, c.omAlpha, c.eps, c.lr);
  });
  params.forEach((p, i) => [p, ...slots[i]].forEach((x, k) => x.set(mem.subarray(at[i][k] / 4, at[i][k] / 4 + x.length))));
}
