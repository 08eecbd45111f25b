/**
 * What hooks write into: an observation writer (numbers appended in order,
 * counted, so a hook that writes the wrong amount is caught and named) and
 * an action mask. Both write into the squad's preallocated arrays: no
 * allocation per decision once sizes are fixed.
 */
import type { ObsFeature } from '../core/env.js';
import type { Sensor, SensorOrigin } from './sensor-world.js';

/**
 * Appends an agent's observation (or the global state extension).
 * @example
 * ```ts
 * observe(obs) {
 *   obs.add(guard.x / 800).add(guard.y / 600);
 *   obs.addOneHot(facing, 4);
 *   obs.addMany(rays); // any array-like of numbers
 *   obs.sensor(eyes, guard); // a RaySensor, GridSensor or NearestSensor: its values, and their names
 * }
 * ```
 */
export class ObservationWriter {
  private target: Float32Array;
  private offset = 0;
  private count = 0;
  private capacity: number;
  private growing: number[] | null = null;
  private marks: { at: number; features: ObsFeature[] }[] = [];
  /** @internal When set, each `sensor()` call is noted here (the editor's sensor view); null costs nothing. */
  trace: { sensor: Sensor; from: SensorOrigin }[] | null = null;

  constructor() {
    this.target = new Float32Array(0);
    this.capacity = 0;
  }

  /** @internal Starts writing `capacity` values at `offset` of `target`; `capacity` -1 collects into a growing list (size not fixed yet). */
  begin(target: Float32Array, offset: number, capacity: number): this {
    this.target = target;
    this.offset = offset;
    this.capacity = capacity;
    this.count = 0;
    this.growing = capacity < 0 ? [] : null;
    // Sensor names are recorded only while the size is being found: no new array per decision after that.
    if (this.marks.length > 0) this.marks = [];
    return this;
  }

  /** @internal Values written since `begin`. */
  get written(): number {
    return this.count;
  }

  /** @internal Values collected while the size was not fixed yet. */
  collected(): number[] {
    return this.growing ?? [];
  }

  /** Appends one number (NaN and infinities are refused when the squad checks the step). */
  add(value: number): this {
    if (this.growing) this.growing.push(value);
    else if (this.count < this.capacity) this.target[this.offset + this.count] = value;
    this.count++;
    return this;
  }

  /** Appends two numbers, e.g. a position or direction. */
  addVec2(x: number, y: number): this {
    return this.add(x).add(y);
  }

  /** Appends a one-hot vector of length `n` with a 1 at `index` (all zeros when index is out of range). */
  addOneHot(index: number, n: number): this {
    for (let i = 0; i < n; i++) this.add(i === index ? 1 : 0);
    return this;
  }

  /**
   * Appends a sensor's reading of the scene around `from`. When the squad
   * was given no `obsLayout`, the sensors' names become its observation
   * layout (values written otherwise are named by position, `values[a..b]`),
   * so a policy file says what each value is and a game that builds its
   * sensors differently is refused by name.
   */
  sensor(s: Sensor, from: SensorOrigin): this {
    if (this.growing) this.marks.push({ at: this.count, features: s.layout() });
    this.trace?.push({ sensor: s, from });
    s.write(this, from);
    return this;
  }

  /** @internal The layout of the values collected while the size was not fixed: null when no sensor named any. */
  layoutOf(total: number): ObsFeature[] | null {
    if (this.marks.length === 0) return null;
    const out: ObsFeature[] = [];
    let at = 0;
    const gap = (to: number): void => {
      if (to > at) out.push({ name: `values[${at}..${to - 1}]`, size: to - at });
    };
    for (const m of this.marks) {
      gap(m.at);
      out.push(...m.features);
      at = m.at + m.features.reduce((n, f) => n + f.size, 0);
    }
    gap(total);
    return out;
  }

  /** Appends every number of `values`. */
  addMany(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.add(values[i]);
    return this;
  }
}

/**
 * The actions an agent may take at this decision; all are available unless
 * the mask hook disables some.
 * @example
 * ```ts
 * mask(m) {
 *   if (blockedNorth) m.disable(Actions.North);
 * }
 * ```
 */
export class ActionMask {
  private target: Uint8Array = new Uint8Array(0);
  private offset = 0;

  constructor(readonly nActions: number) {}

  /** @internal Points the mask at an agent's row and makes every action available. */
  begin(target: Uint8Array, offset: number): this {
    this.target = target;
    this.offset = offset;
    target.fill(1, offset, offset + this.nActions);
    return this;
  }

  /** Makes `action` unavailable. */
  disable(action: number): this {
    return this.set(action, false);
  }

  /** Makes `action` available again. */
  enable(action: number): this {
    return this.set(action, true);
  }

  /** Sets whether `action` is available. */
  set(action: number, available: boolean): this {
    if (!(Number.isInteger(action) && action >= 0 && action < this.nActions)) throw new RangeError(`action ${action} is not in 0..${this.nActions - 1}`);
    this.target[this.offset + action] = available ? 1 : 0;
    return this;
  }

  /** Makes only the given actions available. */
  only(...actions: number[]): this {
    this.target.fill(0, this.offset, this.offset + this.nActions);
    for (const a of actions) this.set(a, true);
    return this;
  }

  /** Whether `action` is currently available. */
  isAvailable(action: number): boolean {
    return this.target[this.offset + action] !== 0;
  }
}
