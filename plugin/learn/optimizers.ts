/**
 * Adam and RMSProp written out with PyTorch's formulas and every constant
 * explicit. tfjs's built-in optimisers differ in small ways that matter here:
 * its RMSProp puts epsilon inside the square root, and its Adam epsilon
 * defaults to the backend's (1e-4 on WebGL, 1e-7 elsewhere). Owning the update
 * also gives us parameter groups (separate agent and mixer learning rates)
 * and a state we can checkpoint exactly.
 */
import * as tf from './tf.js';
import { hostClipCoefficient, hostSteps, type HostStepConstants } from './host-optimizer.js';
import { copyValues, rememberValues } from './read.js';

/** A group of variables sharing a learning rate. */
export interface ParamGroup {
  readonly variables: readonly tf.Variable[];
  readonly lr: number;
}

/** Optimiser constants. */
export type OptimizerSettings =
  | { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly eps: number }
  | { readonly kind: 'rmsprop'; readonly alpha: number; readonly eps: number };

/** Serialisable optimiser state (slot values in group/variable order). */
export interface OptimizerState {
  readonly kind: 'adam' | 'rmsprop';
  readonly step: number;
  readonly slots: Float32Array[];
}

/**
 * Torch-compatible optimiser over parameter groups.
 *
 * Where the tensors live in CPU memory (wasm, cpu) the step runs on plain
 * arrays (`host-optimizer.ts`: one loop per variable instead of a dozen tfjs
 * ops, with the same float32 results); on WebGL it runs as tfjs ops, so the
 * weights stay on the GPU. `opts.host` overrides the choice (tests compare
 * the two).
 *
 * @example
 * ```ts
 * const opt = new TorchOptimizer([{ variables: agentVars, lr: 5e-4 }], { kind: 'rmsprop', alpha: 0.99, eps: 1e-5 });
 * tf.tidy(() => opt.clipAndApply(grads, 10)); // clip to norm 10, then step; grads aligned with the variables, group by group
 * ```
 */
export class TorchOptimizer {
  private stepCount = 0;
  /** Adam: [m, v] per variable; RMSProp: [squareAvg] per variable (tfjs variables off the host). */
  private readonly slots: tf.Variable[][];
  /** The same slots as arrays, on the host. */
  private readonly hostSlots: Float32Array[][];
  private readonly vars: tf.Variable[];
  private readonly lrs: number[];
  /** Whether the step runs on plain arrays rather than as tfjs ops. */
  readonly host: boolean;

  constructor(
    groups: readonly ParamGroup[],
    readonly settings: OptimizerSettings,
    opts: { readonly host?: boolean } = {},
  ) {
    this.vars = groups.flatMap((g) => [...g.variables]);
    this.lrs = groups.flatMap((g) => g.variables.map(() => g.lr));
    this.host = opts.host ?? tf.getBackend() !== 'webgl';
    const perVar = settings.kind === 'adam' ? 2 : 1;
    this.hostSlots = this.host ? this.vars.map((v) => Array.from({ length: perVar }, () => new Float32Array(v.size))) : [];
    this.slots = this.host
      ? []
      : this.vars.map((v) =>
          Array.from({ length: perVar }, () => {
            const zeros = tf.zerosLike(v);
            const slot = tf.variable(zeros, false);
            zeros.dispose();
            return slot;
          }),
        );
  }

  /** Updates taken so far. */
  get step(): number {
    return this.stepCount;
  }

  /** The variables in the order `apply` expects their gradients. */
  get variables(): readonly tf.Variable[] {
    return this.vars;
  }

  /**
   * Clips the gradients to a global L2 norm of at most `maxNorm` (as
   * {@link clipByGlobalNorm}), then takes one update. Call inside `tf.tidy`;
   * `grads[i]` belongs to `variables[i]`.
   * @returns the norm before clipping (a scalar tensor)
   */
  clipAndApply(grads: readonly tf.Tensor[], maxNorm: number): tf.Scalar {
    if (!this.host) {
      const { grads: clipped, norm } = clipByGlobalNorm(grads, maxNorm);
      this.apply(clipped);
      return norm;
    }
    return tf.scalar(this.clipAndApplyHost(grads.map((g) => g.dataSync() as Float32Array), maxNorm));
  }

  /**
   * {@link TorchOptimizer.clipAndApply} for gradients as plain arrays
   * (host optimisers only); returns the norm before clipping.
   */
  clipAndApplyHost(grads: readonly Float32Array[], maxNorm: number): number {
    if (!this.host) throw new Error('clipAndApplyHost needs a host optimiser (wasm or cpu backend)');
    this.checkCount(grads.length);
    grads.forEach((g, i) => {
      if (g.length !== this.vars[i].size) throw new RangeError(`optimizer got ${g.length} gradient values for variable ${i} of ${this.vars[i].size}`);
    });
    const { norm, coef } = hostClipCoefficient(grads, maxNorm);
    this.hostApply(grads, coef);
    return norm;
  }

  /** One update without clipping. Call inside `tf.tidy`; `grads[i]` belongs to `variables[i]`. */
  apply(grads: readonly tf.Tensor[]): void {
    this.checkCount(grads.length);
    if (this.host) {
      this.hostApply(grads.map((g) => g.dataSync() as Float32Array), 1);
      return;
    }
    this.stepCount++;
    const s = this.settings;
    if (s.kind === 'adam') {
      const c1 = 1 - Math.pow(s.beta1, this.stepCount);
      const c2 = 1 - Math.pow(s.beta2, this.stepCount);
      for (let i = 0; i < this.vars.length; i++) {
        const [m, v] = this.slots[i];
        const g = grads[i];
        m.assign(tf.add(tf.mul(m, s.beta1), tf.mul(g, 1 - s.beta1)));
        v.assign(tf.add(tf.mul(v, s.beta2), tf.mul(tf.square(g), 1 - s.beta2)));
        // torch: p -= (lr / c1) * m / (sqrt(v) / sqrt(c2) + eps)
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(c2)), s.eps);
        this.vars[i].assign(tf.sub(this.vars[i], tf.mul(tf.div(m, denom), this.lrs[i] / c1)));
      }
    } else {
      for (let i = 0; i < this.vars.length; i++) {
        const [sq] = this.slots[i];
        const g = grads[i];
        sq.assign(tf.add(tf.mul(sq, s.alpha), tf.mul(tf.square(g), 1 - s.alpha)));
        // torch: p -= lr * g / (sqrt(square_avg) + eps)
        const denom = tf.add(tf.sqrt(sq), s.eps);
        this.vars[i].assign(tf.sub(this.vars[i], tf.mul(tf.div(g, denom), this.lrs[i])));
      }
    }
  }

  private checkCount(n: number): void {
    if (n !== this.vars.length) throw new Error(`optimizer got ${n} gradients for ${this.vars.length} variables`);
  }

  /** The step on plain arrays: each variable read, updated in place with its slots, and assigned back. */
  private hostApply(grads: readonly Float32Array[], coef: number): void {
    this.stepCount++;
    const s = this.settings;
    const f = Math.fround;
    const c1 = s.kind === 'adam' ? 1 - Math.pow(s.beta1, this.stepCount) : 1;
    const c2 = s.kind === 'adam' ? 1 - Math.pow(s.beta2, this.stepCount) : 1;
    // Scalars as tfjs makes them: float32 values of the JS numbers its formulas use.
    const constants = this.lrs.map((lr): HostStepConstants =>
      s.kind === 'adam'
        ? { kind: 'adam', b1: f(s.beta1), omb1: f(1 - s.beta1), b2: f(s.beta2), omb2: f(1 - s.beta2), sqrtC2: f(Math.sqrt(c2)), eps: f(s.eps), lrOverC1: f(lr / c1) }
        : { kind: 'rmsprop', alpha: f(s.alpha), omAlpha: f(1 - s.alpha), eps: f(s.eps), lr: f(lr) },
    );
    const values = this.vars.map((v) => copyValues(v));
    hostSteps(values, this.hostSlots, grads, coef, constants);
    this.vars.forEach((v, i) => {
      // Disposed here, not left to a tidy: the host update runs outside one (the variable keeps the data).
      const next = tf.tensor(values[i], v.shape);
      v.assign(next);
      next.dispose();
      // The next host update reads these weights: it gets this array rather than a copy out of the backend.
      rememberValues(v, values[i]);
    });
  }

  /** Copies the state out (for checkpoints). */
  getState(): OptimizerState {
    const slots = this.host ? this.hostSlots.flat().map((a) => a.slice()) : this.slots.flat().map((v) => v.dataSync() as Float32Array);
    return { kind: this.settings.kind, step: this.stepCount, slots };
  }

  /** Throws naming the problem when `state` does not fit this optimiser. */
  check(state: OptimizerState): void {
    const flat: { readonly size: number }[] = this.host ? this.hostSlots.flat().map((a) => ({ size: a.length })) : this.slots.flat();
    if (state.kind !== this.settings.kind) throw new Error(`optimizer state is for ${state.kind}, this optimizer is ${this.settings.kind}`);
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`optimizer step ${state.step} is invalid`);
    if (state.slots.length !== flat.length) throw new Error(`optimizer state has ${state.slots.length} slots, expected ${flat.length}`);
    // Adam keeps [m, v] per variable, RMSProp [squareAvg]: the second moments
    // are averages of squares, so a negative one (or any non-finite value)
    // is damage that would turn the first update into NaN.
    const perVar = this.settings.kind === 'adam' ? 2 : 1;
    flat.forEach((v, i) => {
      const slot = state.slots[i];
      if (!(slot instanceof Float32Array) || slot.length !== v.size) throw new Error(`optimizer slot ${i} has ${slot?.length} values, expected ${v.size}`);
      const squares = i % perVar === perVar - 1;
      for (let j = 0; j < slot.length; j++) {
        const x = slot[j];
        if (!Number.isFinite(x) || (squares && x < 0)) {
          throw new Error(`optimizer slot ${i} (${squares ? 'second moment' : 'first moment'} of variable ${Math.floor(i / perVar)})[${j}] is ${x}: expected a finite value${squares ? ' >= 0' : ''}`);
        }
      }
    });
  }

  /** Restores a state from {@link TorchOptimizer.getState} (checked first: all or nothing). */
  setState(state: OptimizerState): void {
    this.check(state);
    if (this.host) this.hostSlots.flat().forEach((a, i) => a.set(state.slots[i]));
    else {
      const flat = this.slots.flat();
      tf.tidy(() => flat.forEach((v, i) => v.assign(tf.tensor(state.slots[i], v.shape))));
    }
    this.stepCount = state.step;
  }

  dispose(): void {
    for (const s of this.slots) for (const v of s) v.dispose();
  }
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (torch's
 * `clip_grad_norm_`: coefficient maxNorm / (norm + 1e-6), applied when < 1).
 * Call inside `tf.tidy`.
 * @returns the clipped gradients and the norm before clipping (a scalar tensor)
 * @example
 * ```ts
 * tf.tidy(() => optimizer.apply(clipByGlobalNorm(grads, 10).grads));
 * ```
 */
export function clipByGlobalNorm(grads: readonly tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g))))) as tf.Scalar;
  const coef = tf.minimum(tf.div(maxNorm, tf.add(norm, 1e-6)), 1);
  return { grads: grads.map((g) => tf.mul(g, coef)), norm };
}
