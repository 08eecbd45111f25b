/**
 * A nearest-N sensor: where the N nearest members of a group are, relative
 * to the agent (and how they move), padded with zeros when fewer exist.
 */
import type { ObsFeature } from '../core/env.js';
import type { ObservationWriter } from './sensors.js';
import { bodyOf, centreX, centreY, count, isLive, objectsOf, originX, originY, positive, type GroupLike, type Sensor, type SensorOrigin, type SensorPen, type SensedObject } from './sensor-world.js';

/** Options of a {@link NearestSensor}. */
export interface NearestSensorOptions {
  /** How many of the nearest to report. */
  readonly count: number;
  /** Whom to look for: a group, an array, or a function returning either. */
  readonly objects: GroupLike | readonly SensedObject[] | (() => GroupLike | readonly SensedObject[]);
  /** Relative positions are divided by this (world pixels), e.g. the play area's width. */
  readonly scale: number;
  /** Ignore members farther than this (world pixels). Default: none. */
  readonly maxDistance?: number;
  /** Also write each one's body velocity, divided by `velocityScale`. Default false. */
  readonly velocity?: boolean;
  /** Velocities are divided by this (pixels per second). Default 1. */
  readonly velocityScale?: number;
  /** Layout names start with this. Default `nearest`. */
  readonly name?: string;
}

/**
 * Per slot, nearest first: 1 (present), dx, dy (relative to the agent, over
 * `scale`) and, with `velocity`, vx, vy; a slot with no one in it is all
 * zeros. Ties keep the group's order. The agent itself is never counted.
 * @example
 * ```ts
 * const mates = new NearestSensor({ count: 4, objects: guards, scale: 800, velocity: true, velocityScale: 200 });
 * observe: (obs, a) => mates.write(obs, a.gameObject!),
 * ```
 */
export class NearestSensor implements Sensor {
  readonly size: number;
  readonly options: Readonly<NearestSensorOptions> & { readonly velocity: boolean; readonly velocityScale: number; readonly name: string };
  private readonly per: number;
  private readonly dist: Float64Array;
  private readonly picked: (SensedObject | null)[];
  private readonly values: Float32Array;

  constructor(options: NearestSensorOptions) {
    const what = 'NearestSensor';
    const n = count(what, 'count', options?.count, 1024);
    positive(what, 'scale', options.scale);
    if (options.maxDistance !== undefined) positive(what, 'maxDistance', options.maxDistance);
    if (options.objects === undefined || options.objects === null) throw new Error(`${what}: objects must be a group, an array or a function returning either`);
    const velocity = options.velocity ?? false;
    const velocityScale = options.velocityScale ?? 1;
    positive(what, 'velocityScale', velocityScale);
    this.options = { ...options, count: n, velocity, velocityScale, name: options.name ?? 'nearest' };
    this.per = velocity ? 5 : 3;
    this.size = n * this.per;
    this.dist = new Float64Array(n);
    this.picked = new Array<SensedObject | null>(n).fill(null);
    this.values = new Float32Array(this.size);
  }

  layout(): ObsFeature[] {
    const out: ObsFeature[] = [];
    const { name, velocity } = this.options;
    for (let i = 0; i < this.options.count; i++) {
      out.push({ name: `${name}[${i}].present`, size: 1 }, { name: `${name}[${i}].dx,dy`, size: 2 });
      if (velocity) out.push({ name: `${name}[${i}].vx,vy`, size: 2 });
    }
    return out;
  }

  /** The members picked by the last reading, nearest first (null: an empty slot). */
  lastPicked(): readonly (SensedObject | null)[] {
    return this.picked;
  }

  /** Draws a line from `from` to each of the nearest it picks. */
  draw(pen: SensorPen, from: SensorOrigin): void {
    this.pick(from);
    const ox = originX(from);
    const oy = originY(from);
    for (const o of this.picked) if (o) pen.line(ox, oy, centreX(o), centreY(o), 0);
  }

  write(obs: ObservationWriter, from: SensorOrigin): void {
    const filled = this.pick(from);
    const ox = originX(from);
    const oy = originY(from);
    const v = this.values;
    v.fill(0);
    const { scale, velocity, velocityScale } = this.options;
    for (let i = 0; i < filled; i++) {
      const o = this.picked[i]!;
      const at = i * this.per;
      v[at] = 1;
      v[at + 1] = (centreX(o) - ox) / scale;
      v[at + 2] = (centreY(o) - oy) / scale;
      if (velocity) {
        const vel = bodyOf(o)?.velocity;
        v[at + 3] = vel ? vel.x / velocityScale : 0;
        v[at + 4] = vel ? vel.y / velocityScale : 0;
      }
    }
    obs.addMany(v);
  }

  /** Fills `picked` with the nearest, nearest first; returns how many. */
  private pick(from: SensorOrigin): number {
    const n = this.options.count;
    const ox = originX(from);
    const oy = originY(from);
    const max = this.options.maxDistance ?? Infinity;
    const max2 = max * max;
    let filled = 0;
    // Insertion into the n best so far: n is small, so this beats sorting all members.
    const objs = objectsOf(this.options as { objects: NearestSensorOptions['objects'] });
    for (let j = 0; j < objs.length; j++) {
      const o = objs[j];
      if (o === (from as unknown) || !isLive(o)) continue;
      const dx = centreX(o) - ox;
      const dy = centreY(o) - oy;
      const d = dx * dx + dy * dy;
      if (d > max2) continue;
      if (filled === n && d >= this.dist[n - 1]) continue;
      let i = filled < n ? filled++ : n - 1;
      while (i > 0 && this.dist[i - 1] > d) {
        this.dist[i] = this.dist[i - 1];
        this.picked[i] = this.picked[i - 1];
        i--;
      }
      this.dist[i] = d;
      this.picked[i] = o;
    }
    for (let i = filled; i < n; i++) this.picked[i] = null;
    return filled;
  }
}
