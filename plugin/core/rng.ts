/**
 * Seeded pseudo-random numbers whose whole state is four 32-bit words, so a
 * checkpoint can store it and a resumed run draws exactly the same numbers.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Chaotic PRNG):
 * small, fast in JavaScript (pure 32-bit integer arithmetic) and good enough
 * for exploration, replay sampling and weight initialisation. It is not a
 * cryptographic generator.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const u = rng.next();        // uniform in [0, 1)
 * const k = rng.int(5);        // uniform integer in 0..4
 * const saved = rng.getState();
 * const again = Rng.fromState(saved); // draws the same sequence as rng from here
 * ```
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * @param seed Any finite number; it is hashed to 32 bits with splitmix32,
   *   so nearby seeds give unrelated streams.
   * @param stream Optional stream name: the same seed with different streams
   *   gives independent generators (one for the env, one for exploration...).
   */
  constructor(seed: number, stream = '') {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${String(seed)}`);
    let h = (Math.trunc(seed) ^ hashString(stream)) >>> 0;
    const next = (): number => {
      // splitmix32: spreads one 32-bit seed over the four state words.
      h = (h + 0x9e3779b9) >>> 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // The first outputs of sfc32 are correlated with the seed: discard a few.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Rebuilds a generator from {@link Rng.getState}. */
  static fromState(state: readonly number[]): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int needs n >= 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** The four state words, enough to continue the stream exactly. */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0];
  }

  /** Restores a state from {@link Rng.getState}. */
  setState(state: readonly number[]): void {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError(`Rng state must be four unsigned 32-bit integers, got ${JSON.stringify(state)}`);
    }
    this.a = state[0] | 0;
    this.b = state[1] | 0;
    this.c = state[2] | 0;
    this.d = state[3] | 0;
  }

  /**
   * Chooses `k` distinct integers from [0, n) uniformly (partial
   * Fisher-Yates), written into `out`. Used to sample replay episodes
   * without replacement, as pymarl does.
   */
  sampleWithoutReplacement(n: number, k: number, out: Int32Array, scratch?: Int32Array): Int32Array {
    if (k > n) throw new RangeError(`cannot sample ${k} distinct items from ${n}`);
    const pool = scratch && scratch.length >= n ? scratch : new Int32Array(n);
    for (let i = 0; i < n; i++) pool[i] = i;
    for (let i = 0; i < k; i++) {
      const j = i + this.int(n - i);
      const tmp = pool[i];
      pool[i] = pool[j];
      pool[j] = tmp;
      out[i] = pool[i];
    }
    return out;
  }
}

function hashString(s: string): number {
  // FNV-1a: a stable 32-bit hash of the stream name.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
