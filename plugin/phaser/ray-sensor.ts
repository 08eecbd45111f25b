/**
 * A ray sensor (ML-Agents' RayPerceptionSensor, in Phaser's terms): rays
 * fanned over an arc from the agent, cast against arcade bodies, game
 * objects and colliding tiles; each ray reads the distance to the nearest
 * hit and which kind of thing it hit.
 */
import type { ObsFeature } from '../core/env.js';
import type { ObservationWriter } from './sensors.js';
import {
  bodyOf,
  centreX,
  centreY,
  checkTargets,
  count,
  objectsOf,
  originX,
  originY,
  positive,
  solidAt,
  tileH,
  tileW,
  type Sensor,
  type SensorOrigin,
  type SensorPen,
  type SensorTarget,
  type SensedObject,
  type TileLayerLike,
  type TileLike,
} from './sensor-world.js';

/** Options of a {@link RaySensor}. */
export interface RaySensorOptions {
  /** Number of rays. */
  readonly rays: number;
  /** The arc they span, in radians: 2 PI is all round (the default), PI / 2 a quarter ahead. */
  readonly arc?: number;
  /** Longest distance seen, in world pixels; a ray that hits nothing reads 1. */
  readonly maxLength: number;
  /** What the rays tell apart (each ray gives a one-hot over these tags). */
  readonly targets: readonly SensorTarget[];
  /** Turn with the agent's `rotation` (0 = to the right, clockwise on screen). Default false: rays fixed in the world. */
  readonly rotate?: boolean;
  /** Also write the last `stack - 1` readings (newest first), for agents that need motion. Default 1. */
  readonly stack?: number;
  /** Layout names start with this. Default `rays`. */
  readonly name?: string;
}

/**
 * Casts `rays` rays; per ray it writes the hit distance over `maxLength`
 * (1 when nothing is hit) and a one-hot of the hit target's tag (all zero
 * when nothing is hit): `rays x (1 + tags)` values per reading. The agent's
 * own object is never hit; a ray starting inside an object hits it at 0.
 * @example
 * ```ts
 * const eyes = new RaySensor({ rays: 16, maxLength: 200, targets: [{ tag: 'wall', layer: walls }, { tag: 'enemy', objects: enemies }] });
 * const squad = this.qmix.createSquad('guards', { nActions: 5, obsLayout: eyes.layout() });
 * squad.addAgent(guard, { observe: (obs, a) => eyes.write(obs, a.gameObject!), act, ... });
 * ```
 */
export class RaySensor implements Sensor {
  readonly size: number;
  readonly options: Readonly<Required<Omit<RaySensorOptions, 'targets'>>> & { readonly targets: readonly SensorTarget[] };
  private readonly perRead: number;
  private readonly dirs: Float64Array; // cos, sin per ray (before the agent's rotation)
  private readonly reading: Float32Array;
  private readonly hitTag: Int32Array;
  private history = new WeakMap<object, Float32Array>();

  constructor(options: RaySensorOptions) {
    const what = 'RaySensor';
    const rays = count(what, 'rays', options?.rays);
    const arc = options.arc ?? Math.PI * 2;
    positive(what, 'arc', arc);
    positive(what, 'maxLength', options.maxLength);
    checkTargets(what, options.targets);
    const stack = options.stack === undefined ? 1 : count(what, 'stack', options.stack, 64);
    this.options = { rays, arc, maxLength: options.maxLength, targets: options.targets, rotate: options.rotate ?? false, stack, name: options.name ?? 'rays' };
    this.perRead = rays * (1 + options.targets.length);
    this.size = this.perRead * stack;
    this.dirs = new Float64Array(rays * 2);
    // All round: n evenly spaced rays (the last would repeat the first). An arc: both ends included, centred on the facing.
    const full = arc >= Math.PI * 2 - 1e-9;
    for (let i = 0; i < rays; i++) {
      const a = rays === 1 ? 0 : full ? (i * Math.PI * 2) / rays : -arc / 2 + (arc * i) / (rays - 1);
      this.dirs[2 * i] = Math.cos(a);
      this.dirs[2 * i + 1] = Math.sin(a);
    }
    this.reading = new Float32Array(this.perRead);
    this.hitTag = new Int32Array(rays);
  }

  /** The ray's angle (radians, before the agent's rotation). */
  angleOf(ray: number): number {
    return Math.atan2(this.dirs[2 * ray + 1], this.dirs[2 * ray]);
  }

  layout(): ObsFeature[] {
    const { rays, stack, name, targets } = this.options;
    const tags = targets.map((t) => t.tag).join('|');
    const out: ObsFeature[] = [];
    for (let s = 0; s < stack; s++) {
      const frame = s === 0 ? name : `${name}@t-${s}`;
      for (let i = 0; i < rays; i++) out.push({ name: `${frame}[${i}].distance`, size: 1 }, { name: `${frame}[${i}].hit(${tags})`, size: targets.length });
    }
    return out;
  }

  write(obs: ObservationWriter, from: SensorOrigin): void {
    this.read(from);
    const { stack } = this.options;
    if (stack === 1) {
      obs.addMany(this.reading);
      return;
    }
    // Newest first; the first reading of an object fills its whole history.
    let h = this.history.get(from);
    if (!h) {
      h = new Float32Array(this.size);
      for (let s = 0; s < stack; s++) h.set(this.reading, s * this.perRead);
      this.history.set(from, h);
    } else {
      h.copyWithin(this.perRead, 0, this.size - this.perRead);
      h.set(this.reading, 0);
    }
    obs.addMany(h);
  }

  /** Forgets the stacked readings of `from` (call it when its episode begins), or of every object. */
  reset(from?: SensorOrigin): void {
    if (from) this.history.delete(from);
    else this.history = new WeakMap();
  }

  /** Draws each ray from `from` to what it hits (or to `maxLength`), by the hit's tag. */
  draw(pen: SensorPen, from: SensorOrigin): void {
    this.read(from);
    const { rays, maxLength, rotate } = this.options;
    const per = 1 + this.options.targets.length;
    const ox = originX(from);
    const oy = originY(from);
    const rot = rotate ? (from.rotation ?? 0) : 0;
    for (let i = 0; i < rays; i++) {
      const a = this.angleOf(i) + rot;
      const d = this.reading[i * per] * maxLength;
      pen.line(ox, oy, ox + Math.cos(a) * d, oy + Math.sin(a) * d, this.hitTag[i]);
    }
  }

  /** The distances of the last reading, in world pixels (`maxLength` where nothing was hit), e.g. for drawing. */
  lastDistances(out: Float32Array = new Float32Array(this.options.rays)): Float32Array {
    const per = 1 + this.options.targets.length;
    for (let i = 0; i < this.options.rays; i++) out[i] = this.reading[i * per] * this.options.maxLength;
    return out;
  }

  /** The tag index each ray of the last reading hit (-1: nothing). */
  lastHits(): Int32Array {
    return this.hitTag;
  }

  private read(from: SensorOrigin): void {
    const { rays, maxLength, targets, rotate } = this.options;
    const ox = originX(from);
    const oy = originY(from);
    const rot = rotate ? (from.rotation ?? 0) : 0;
    const cr = Math.cos(rot);
    const sr = Math.sin(rot);
    const per = 1 + targets.length;
    this.reading.fill(0);
    for (let i = 0; i < rays; i++) {
      const c = this.dirs[2 * i];
      const s = this.dirs[2 * i + 1];
      const dx = c * cr - s * sr;
      const dy = c * sr + s * cr;
      let best = maxLength;
      let tag = -1;
      for (let k = 0; k < targets.length; k++) {
        const t = targets[k];
        RAY[0] = ox;
        RAY[1] = oy;
        RAY[2] = dx;
        RAY[3] = dy;
        RAY[4] = best;
        if ('layer' in t) castTiles(t);
        else castObjects(objectsOf(t), from);
        const d = HIT[0];
        if (d < best) {
          best = d;
          tag = k;
        }
      }
      this.hitTag[i] = tag;
      this.reading[i * per] = tag < 0 ? 1 : best / maxLength;
      if (tag >= 0) this.reading[i * per + 1 + tag] = 1;
    }
  }
}

/**
 * The ray a cast function reads (origin x, y, direction x, y, the distance
 * to beat) and where it leaves its distance: doubles passed to or returned
 * from a call V8 does not inline are boxed (16 bytes each), which was about
 * 400 bytes of garbage per reading.
 */
const RAY = new Float64Array(5);
const HIT = new Float64Array(1);

/** Nearest hit distance (< RAY[4]) of the ray against objects' boxes or circles, into HIT[0]; RAY[4] when none. */
function castObjects(objects: readonly SensedObject[], self: SensorOrigin): void {
  const ox = RAY[0];
  const oy = RAY[1];
  const dx = RAY[2];
  const dy = RAY[3];
  let best = RAY[4];
  for (let j = 0; j < objects.length; j++) {
    const o = objects[j];
    if (o === (self as unknown) || o.active === false) continue;
    const b = bodyOf(o); // once per object: this loop runs rays x objects times per reading
    let d: number;
    if (b) {
      if (b.enable === false) continue;
      d = b.isCircle && b.radius !== undefined ? rayCircle(ox, oy, dx, dy, b.x + b.width / 2, b.y + b.height / 2, b.radius) : rayBox(ox, oy, dx, dy, b.x, b.y, b.x + b.width, b.y + b.height);
    } else {
      const w = o.displayWidth ?? o.width ?? 0;
      const h = o.displayHeight ?? o.height ?? 0;
      const cx = centreX(o);
      const cy = centreY(o);
      d = rayBox(ox, oy, dx, dy, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2);
    }
    if (d < best) best = d;
  }
  HIT[0] = best;
}

/** Slab test: distance along the unit ray to the box, 0 when the origin is inside, Infinity when it misses. */
export function rayBox(ox: number, oy: number, dx: number, dy: number, x0: number, y0: number, x1: number, y1: number): number {
  let tmin = 0;
  let tmax = Infinity;
  if (Math.abs(dx) < 1e-12) {
    if (ox < x0 || ox > x1) return Infinity;
  } else {
    const a = (x0 - ox) / dx;
    const b = (x1 - ox) / dx;
    tmin = Math.max(tmin, Math.min(a, b));
    tmax = Math.min(tmax, Math.max(a, b));
  }
  if (Math.abs(dy) < 1e-12) {
    if (oy < y0 || oy > y1) return Infinity;
  } else {
    const a = (y0 - oy) / dy;
    const b = (y1 - oy) / dy;
    tmin = Math.max(tmin, Math.min(a, b));
    tmax = Math.min(tmax, Math.max(a, b));
  }
  return tmin <= tmax ? tmin : Infinity;
}

/** Distance along the unit ray to a circle, 0 when the origin is inside, Infinity when it misses. */
export function rayCircle(ox: number, oy: number, dx: number, dy: number, cx: number, cy: number, r: number): number {
  const fx = ox - cx;
  const fy = oy - cy;
  const c = fx * fx + fy * fy - r * r;
  if (c <= 0) return 0;
  const b = fx * dx + fy * dy;
  if (b > 0) return Infinity; // pointing away
  const disc = b * b - c;
  return disc < 0 ? Infinity : -b - Math.sqrt(disc);
}

/** Walks the ray through the layer's tiles (Amanatides and Woo) to the first solid one, up to `limit`: the distance into HIT[0], Infinity when none. */
function castTiles(t: { readonly layer: TileLayerLike; readonly solid?: (tile: TileLike) => boolean }): void {
  const ox = RAY[0];
  const oy = RAY[1];
  const dx = RAY[2];
  const dy = RAY[3];
  const limit = RAY[4];
  HIT[0] = Infinity;
  const w = tileW(t.layer);
  const h = tileH(t.layer);
  const lx = (ox - t.layer.x) / w;
  const ly = (oy - t.layer.y) / h;
  let tx = Math.floor(lx);
  let ty = Math.floor(ly);
  const W = t.layer.layer.width;
  const H = t.layer.layer.height;
  // In tile units along x and y; distances converted back to pixels with the ray's direction.
  const stepX = dx > 0 ? 1 : -1;
  const stepY = dy > 0 ? 1 : -1;
  const pxPerTx = Math.abs(dx) < 1e-12 ? Infinity : w / Math.abs(dx); // pixels of ray per tile crossed in x
  const pxPerTy = Math.abs(dy) < 1e-12 ? Infinity : h / Math.abs(dy);
  let nextX = Math.abs(dx) < 1e-12 ? Infinity : (dx > 0 ? tx + 1 - lx : lx - tx) * pxPerTx;
  let nextY = Math.abs(dy) < 1e-12 ? Infinity : (dy > 0 ? ty + 1 - ly : ly - ty) * pxPerTy;
  let d = 0;
  while (d < limit) {
    if (solidAt(t, tx, ty)) {
      HIT[0] = d;
      return;
    }
    if (nextX < nextY) {
      d = nextX;
      nextX += pxPerTx;
      tx += stepX;
    } else {
      d = nextY;
      nextY += pxPerTy;
      ty += stepY;
    }
    // Left the layer going outwards: nothing more to hit.
    if ((tx < 0 && stepX < 0) || (ty < 0 && stepY < 0) || (tx >= W && stepX > 0) || (ty >= H && stepY > 0)) return;
  }
}
