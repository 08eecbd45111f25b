/**
 * Episode replay on typed arrays: a ring of `capacity` episode slots, each
 * padded to `episodeLimit`, and batches of sampled episodes collated
 * time-major and trimmed to the longest episode in the batch.
 */
import type { EnvSpec } from './env.js';
import { validateEpisode, type EpisodeRecord } from './episode.js';
import type { Rng } from './rng.js';

/**
 * A training batch of `B` episodes, time-major, trimmed to `T` transitions
 * (the longest episode in the batch). Shorter episodes are zero-padded and
 * masked out by `filled`.
 */
export interface EpisodeBatch {
  /** Episodes in the batch. */
  readonly batchSize: number;
  /** Transitions per episode after trimming (max length in the batch). */
  readonly maxT: number;
  readonly nAgents: number;
  readonly obsSize: number;
  readonly stateSize: number;
  readonly nActions: number;
  /** `[T + 1, B, nAgents, obsSize]` */
  readonly obs: Float32Array;
  /** `[T + 1, B, stateSize]` */
  readonly state: Float32Array;
  /** `[T + 1, B, nAgents, nActions]`, zero on padded steps */
  readonly avail: Uint8Array;
  /** `[T, B, nAgents]`, zero on padded steps */
  readonly actions: Int32Array;
  /** `[T, B]` */
  readonly rewards: Float32Array;
  /** `[T, B]`: 1 for a real transition, 0 for padding. */
  readonly filled: Float32Array;
  /** `[T, B]`: 1 at a transition that really ended its episode (not bootstrapped). */
  readonly terminated: Float32Array;
  /**
   * Per episode, its replay serial (NaN where the episode did not come from
   * an {@link EpisodeBuffer}): one serial is one stored episode, unchanged
   * until overwritten, so a learner may reuse what it computed from it
   * (the target network's utilities). Absent when no episode has one.
   */
  readonly episodeIds?: Float64Array;
}

/**
 * Where each episode view {@link EpisodeBuffer.episode} handed out came
 * from: its buffer's serials, its slot and the serial the slot had. Kept
 * here, not on the records, so that no record a caller builds can claim one;
 * and checked when collated, so that a view kept past an insert into its
 * slot (its data now the new episode's) claims none.
 */
const sourceOf = new WeakMap<EpisodeRecord, { readonly serials: Float64Array; readonly slot: number; readonly serial: number }>();

function serialOf(ep: EpisodeRecord): number {
  const s = sourceOf.get(ep);
  return s !== undefined && s.serials[s.slot] === s.serial ? s.serial : NaN;
}

/** The next serial: unique across every buffer of this thread, never reused. */
let nextSerial = 1;

/**
 * Collates episodes into one time-major {@link EpisodeBatch}.
 * @example
 * ```ts
 * const batch = collateEpisodes(env.spec, [record1, record2]);
 * batch.maxT; // the longer of the two lengths
 * ```
 */
export function collateEpisodes(spec: EnvSpec, episodes: readonly EpisodeRecord[]): EpisodeBatch {
  const B = episodes.length;
  if (B === 0) throw new RangeError('collateEpisodes needs at least one episode');
  let T = 0;
  for (const ep of episodes) T = Math.max(T, ep.length);
  const n = spec.nAgents;
  const O = spec.obsSize;
  const S = spec.stateSize;
  const A = spec.nActions;
  const batch = {
    batchSize: B,
    maxT: T,
    nAgents: n,
    obsSize: O,
    stateSize: S,
    nActions: A,
    obs: new Float32Array((T + 1) * B * n * O),
    state: new Float32Array((T + 1) * B * S),
    avail: new Uint8Array((T + 1) * B * n * A),
    actions: new Int32Array(T * B * n),
    rewards: new Float32Array(T * B),
    filled: new Float32Array(T * B),
    terminated: new Float32Array(T * B),
  };
  for (let b = 0; b < B; b++) {
    const ep = episodes[b];
    const L = ep.length;
    // Steps 0..L carry observations; transitions 0..L-1 carry actions/rewards.
    for (let t = 0; t <= L; t++) {
      const row = t * B + b;
      batch.obs.set(ep.obs.subarray(t * n * O, (t + 1) * n * O), row * n * O);
      batch.state.set(ep.state.subarray(t * S, (t + 1) * S), row * S);
      batch.avail.set(ep.avail.subarray(t * n * A, (t + 1) * n * A), row * n * A);
    }
    for (let t = 0; t < L; t++) {
      const row = t * B + b;
      batch.actions.set(ep.actions.subarray(t * n, (t + 1) * n), row * n);
      batch.rewards[row] = ep.rewards[t];
      batch.filled[row] = 1;
    }
    if (ep.terminated) batch.terminated[(L - 1) * B + b] = 1;
  }
  const ids = Float64Array.from(episodes, serialOf);
  return ids.some((id) => !Number.isNaN(id)) ? Object.assign(batch, { episodeIds: ids }) : batch;
}

/** A replay buffer's contents and positions (see {@link EpisodeBuffer.getState}). */
export interface EpisodeBufferState {
  readonly capacity: number;
  readonly next: number;
  readonly count: number;
  readonly inserted: number;
  readonly arrays: {
    readonly obs: Float32Array;
    readonly state: Float32Array;
    readonly avail: Uint8Array;
    readonly actions: Int32Array;
    readonly rewards: Float32Array;
    readonly lengths: Int32Array;
    readonly terminal: Uint8Array;
  };
}

/** The most values (observations, states, masks) one replay buffer may hold: 2^29, 2 GB of float32. */
export const MAX_REPLAY_VALUES = 2 ** 29;

/**
 * Fixed-capacity episode replay (FIFO ring, as pymarl's ReplayBuffer).
 *
 * @example
 * ```ts
 * const buffer = new EpisodeBuffer(env.spec, 5000);
 * buffer.insert(record);
 * if (buffer.size >= 32) learner.update(buffer.sample(32, rng));
 * ```
 */
export class EpisodeBuffer {
  private readonly obs: Float32Array;
  private readonly state: Float32Array;
  private readonly avail: Uint8Array;
  private readonly actions: Int32Array;
  private readonly rewards: Float32Array;
  private readonly lengths: Int32Array;
  private readonly terminal: Uint8Array;
  /** Each slot's serial: a new one whenever the slot is written. */
  private readonly serials: Float64Array;
  private next = 0;
  private count = 0;
  private inserted = 0;
  private readonly picks: Int32Array;
  private readonly pool: Int32Array;

  constructor(
    readonly spec: EnvSpec,
    readonly capacity: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`buffer capacity must be a positive integer, got ${capacity}`);
    const T = spec.episodeLimit;
    const n = spec.nAgents;
    // Refuse before allocating: a typo'd capacity must be an error that says the size, not an out-of-memory crash.
    const values = capacity * (T + 1) * (n * (spec.obsSize + spec.nActions) + spec.stateSize);
    if (values > MAX_REPLAY_VALUES) {
      throw new RangeError(`a replay buffer of ${capacity} episodes of ${T} steps would hold ${values.toExponential(2)} values (${((values * 4) / 2 ** 30).toFixed(1)} GB), more than ${MAX_REPLAY_VALUES.toExponential(2)}: lower bufferSize`);
    }
    this.obs = new Float32Array(capacity * (T + 1) * n * spec.obsSize);
    this.state = new Float32Array(capacity * (T + 1) * spec.stateSize);
    this.avail = new Uint8Array(capacity * (T + 1) * n * spec.nActions);
    this.actions = new Int32Array(capacity * T * n);
    this.rewards = new Float32Array(capacity * T);
    this.lengths = new Int32Array(capacity);
    this.terminal = new Uint8Array(capacity);
    this.serials = new Float64Array(capacity);
    this.picks = new Int32Array(capacity);
    this.pool = new Int32Array(capacity);
  }

  /** Episodes currently stored. */
  get size(): number {
    return this.count;
  }

  /** Episodes ever inserted (including those overwritten). */
  get totalInserted(): number {
    return this.inserted;
  }

  /** Copies an episode into the oldest slot (after checking it fits the spec). */
  insert(ep: EpisodeRecord): void {
    validateEpisode(this.spec, ep);
    const slot = this.next;
    const { spec } = this;
    const T = spec.episodeLimit;
    const n = spec.nAgents;
    const oStride = (T + 1) * n * spec.obsSize;
    const sStride = (T + 1) * spec.stateSize;
    const aStride = (T + 1) * n * spec.nActions;
    // Clear the slot first: a shorter episode must not inherit the tail of the one it replaces.
    this.obs.fill(0, slot * oStride, (slot + 1) * oStride).set(ep.obs, slot * oStride);
    this.state.fill(0, slot * sStride, (slot + 1) * sStride).set(ep.state, slot * sStride);
    this.avail.fill(0, slot * aStride, (slot + 1) * aStride).set(ep.avail, slot * aStride);
    this.actions.fill(0, slot * T * n, (slot + 1) * T * n).set(ep.actions, slot * T * n);
    this.rewards.fill(0, slot * T, (slot + 1) * T).set(ep.rewards, slot * T);
    this.lengths[slot] = ep.length;
    this.terminal[slot] = ep.terminated ? 1 : 0;
    this.serials[slot] = nextSerial++;
    this.next = (slot + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
    this.inserted++;
  }

  /** A read-only view of the episode in `slot` (0..size-1; no copy). */
  episode(slot: number): EpisodeRecord {
    if (!(slot >= 0 && slot < this.count)) throw new RangeError(`no episode in slot ${slot} (size ${this.count})`);
    const { spec } = this;
    const T = spec.episodeLimit;
    const n = spec.nAgents;
    const L = this.lengths[slot];
    const oStride = (T + 1) * n * spec.obsSize;
    const sStride = (T + 1) * spec.stateSize;
    const aStride = (T + 1) * n * spec.nActions;
    const view: EpisodeRecord = {
      length: L,
      terminated: this.terminal[slot] === 1,
      obs: this.obs.subarray(slot * oStride, slot * oStride + (L + 1) * n * spec.obsSize),
      state: this.state.subarray(slot * sStride, slot * sStride + (L + 1) * spec.stateSize),
      avail: this.avail.subarray(slot * aStride, slot * aStride + (L + 1) * n * spec.nActions),
      actions: this.actions.subarray(slot * T * n, slot * T * n + L * n),
      rewards: this.rewards.subarray(slot * T, slot * T + L),
    };
    sourceOf.set(view, { serials: this.serials, slot, serial: this.serials[slot] });
    return view;
  }

  /**
   * The buffer's contents and positions, for checkpoints. The arrays are the
   * buffer's own (no copy): read them, do not keep them across inserts.
   */
  getState(): EpisodeBufferState {
    const { obs, state, avail, actions, rewards, lengths, terminal } = this;
    return { capacity: this.capacity, next: this.next, count: this.count, inserted: this.inserted, arrays: { obs, state, avail, actions, rewards, lengths, terminal } };
  }

  /** Restores {@link EpisodeBuffer.getState} (copied in; checked first, all or nothing). */
  setState(s: EpisodeBufferState): void {
    if (s.capacity !== this.capacity) throw new Error(`replay state holds ${s.capacity} episodes, this buffer ${this.capacity}`);
    const mine = this.getState().arrays;
    for (const key of Object.keys(mine) as (keyof EpisodeBufferState['arrays'])[]) {
      const theirs = s.arrays[key];
      if (theirs == null || theirs.constructor !== mine[key].constructor || theirs.length !== mine[key].length) {
        throw new Error(`replay state array ${key} does not fit this buffer (expected ${mine[key].constructor.name} of ${mine[key].length})`);
      }
    }
    const ok = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;
    if (!ok(s.count, this.capacity) || !ok(s.next, this.capacity - 1) || !ok(s.inserted, Number.MAX_SAFE_INTEGER) || s.inserted < s.count) {
      throw new Error(`replay state positions are invalid (next ${s.next}, count ${s.count}, inserted ${s.inserted})`);
    }
    this.checkContents(s);
    for (const key of Object.keys(mine) as (keyof EpisodeBufferState['arrays'])[]) (mine[key] as Float32Array).set(s.arrays[key] as Float32Array);
    this.next = s.next;
    this.count = s.count;
    this.inserted = s.inserted;
    // Restored contents are new data in every slot.
    for (let i = 0; i < this.capacity; i++) this.serials[i] = nextSerial++;
  }

  /**
   * Checks stored episodes as {@link validateEpisode} checks new ones, so
   * that a damaged or crafted state cannot make an update read past its slot
   * (a length beyond the limit), train on NaN, or index a Q outside its
   * actions. Throws naming the array, the slot and the step.
   */
  private checkContents(s: EpisodeBufferState): void {
    const { spec } = this;
    const T = spec.episodeLimit;
    const n = spec.nAgents;
    const A = spec.nActions;
    const { lengths, terminal, obs, state, rewards, avail, actions } = s.arrays;
    for (let slot = 0; slot < this.capacity; slot++) {
      const L = lengths[slot];
      const stored = slot < s.count;
      if (stored ? !(L >= 1 && L <= T) : L < 0 || L > T) {
        throw new Error(`replay lengths[${slot}] is ${L}: expected ${stored ? `1..${T} for a stored episode` : `0..${T}`}`);
      }
      if (terminal[slot] > 1) throw new Error(`replay terminal[${slot}] is ${terminal[slot]}: expected 0 or 1`);
    }
    for (const [name, arr] of [['obs', obs], ['state', state], ['rewards', rewards]] as const) {
      for (let i = 0; i < arr.length; i++) {
        if (!Number.isFinite(arr[i])) throw new Error(`replay ${name}[${i}] is ${arr[i]}: expected a finite number`);
      }
    }
    for (let i = 0; i < avail.length; i++) {
      if (avail[i] > 1) throw new Error(`replay avail[${i}] is ${avail[i]}: expected 0 or 1`);
    }
    const aStride = (T + 1) * n * A;
    for (let slot = 0; slot < s.count; slot++) {
      for (let t = 0; t < lengths[slot]; t++) {
        for (let a = 0; a < n; a++) {
          const i = slot * T * n + t * n + a;
          const u = actions[i];
          if (!(u >= 0 && u < A)) throw new Error(`replay actions[${i}] (slot ${slot}, step ${t}, agent ${a}) is ${u}: expected 0..${A - 1}`);
          if (avail[slot * aStride + (t * n + a) * A + u] === 0) throw new Error(`replay actions[${i}] (slot ${slot}, step ${t}, agent ${a}) is ${u}, an action that was not available`);
        }
      }
    }
  }

  /** Samples `batchSize` distinct episodes uniformly and collates them. */
  sample(batchSize: number, rng: Rng): EpisodeBatch {
    if (batchSize > this.count) throw new RangeError(`cannot sample ${batchSize} episodes from a buffer holding ${this.count}`);
    rng.sampleWithoutReplacement(this.count, batchSize, this.picks, this.pool);
    const eps: EpisodeRecord[] = new Array(batchSize);
    for (let i = 0; i < batchSize; i++) eps[i] = this.episode(this.picks[i]);
    return collateEpisodes(this.spec, eps);
  }
}
