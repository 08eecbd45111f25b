/**
 * Named parameter sets: the weights of one network (agent or mixer), created
 * with PyTorch's default initialisation from our seeded RNG, so a seed gives
 * the same start on every backend.
 */
import * as tf from './tf.js';
import type { ParamSpec, WeightArrays } from '../core/agent-arch.js';
import type { Rng } from '../core/rng.js';

/**
 * A set of tfjs variables addressed by name.
 *
 * @example
 * ```ts
 * const p = ParamSet.create(linearSpecs('fc', 4, 2), new Rng(0));
 * const y = tf.matMul(x, p.get('fc.w')).add(p.get('fc.b'));
 * const target = p.clone(false); // a frozen copy for a target network
 * ```
 */
export class ParamSet {
  private constructor(
    readonly specs: readonly ParamSpec[],
    private readonly byName: Map<string, tf.Variable>,
  ) {}

  /** Creates variables initialised from `rng` (torch's uniform fan-in init). */
  static create(specs: readonly ParamSpec[], rng: Rng, trainable = true): ParamSet {
    const map = new Map<string, tf.Variable>();
    for (const s of specs) {
      if (map.has(s.name)) throw new Error(`duplicate parameter name ${s.name}`);
      const size = s.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = rng.uniform(-s.bound, s.bound);
      // tf.variable keeps its own reference to the data: free the initial tensor.
      const initial = tf.tensor(data, [...s.shape]);
      map.set(s.name, tf.variable(initial, trainable));
      initial.dispose();
    }
    return new ParamSet(specs, map);
  }

  /** The variable called `name`. */
  get(name: string): tf.Variable {
    const v = this.byName.get(name);
    if (v === undefined) throw new Error(`no parameter called ${name}`);
    return v;
  }

  /** Variables in spec order. */
  get variables(): tf.Variable[] {
    return this.specs.map((s) => this.get(s.name));
  }

  /** A new set with the same values (for target networks). */
  clone(trainable = false): ParamSet {
    const map = new Map<string, tf.Variable>();
    // The new variable shares the data until either side is assigned: no copy, no extra tensor.
    for (const s of this.specs) map.set(s.name, tf.variable(this.get(s.name), trainable));
    return new ParamSet(this.specs, map);
  }

  /** Hard copy: this <- other. */
  copyFrom(other: ParamSet): void {
    for (const s of this.specs) this.get(s.name).assign(other.get(s.name));
  }

  /** Polyak averaging: this <- tau * other + (1 - tau) * this. */
  softUpdateFrom(other: ParamSet, tau: number): void {
    tf.tidy(() => {
      for (const s of this.specs) {
        const mine = this.get(s.name);
        mine.assign(tf.add(tf.mul(other.get(s.name), tau), tf.mul(mine, 1 - tau)));
      }
    });
  }

  /** Reads all weights into plain arrays. */
  read(): Record<string, { shape: number[]; data: Float32Array }> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const s of this.specs) out[s.name] = { shape: [...s.shape], data: this.get(s.name).dataSync() as Float32Array };
    return out;
  }

  /**
   * Checks that `weights` has every name with the right shape and finite
   * values; throws naming the first problem.
   */
  check(weights: WeightArrays): void {
    for (const s of this.specs) {
      const w = weights[s.name];
      if (w === undefined) throw new Error(`weights are missing ${s.name}`);
      const want = s.shape.reduce((a, b) => a * b, 1);
      if (w.shape.length !== s.shape.length || w.shape.some((d, i) => d !== s.shape[i]) || w.data.length !== want) {
        throw new Error(`weights ${s.name} have shape [${w.shape.join(', ')}] (${w.data.length} values), expected [${s.shape.join(', ')}]`);
      }
      for (let i = 0; i < w.data.length; i++) {
        if (!Number.isFinite(w.data[i])) throw new Error(`weights ${s.name}[${i}] is ${w.data[i]}`);
      }
    }
  }

  /** Writes weights from plain arrays after {@link ParamSet.check}: all or nothing. */
  write(weights: WeightArrays): void {
    this.check(weights);
    tf.tidy(() => {
      for (const s of this.specs) this.get(s.name).assign(tf.tensor(weights[s.name].data, [...s.shape]));
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.byName.values()) v.dispose();
    this.byName.clear();
  }
}
