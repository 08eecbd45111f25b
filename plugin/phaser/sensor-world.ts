/**
 * What the ready-made sensors (rays, grid, nearest-N) read from a scene, in
 * Phaser's terms but without importing Phaser: groups (`getChildren()`),
 * arrays of game objects, arcade bodies, and tilemap layers. Greedy play in
 * a shipped game reads the scene through the same interfaces, so sensors
 * need no tfjs and no training.
 */
import type { ObsFeature } from '../core/env.js';
import type { ObservationWriter } from './sensors.js';

/** An arcade body's box (top-left `x`, `y`), or a circle body (`isCircle`, `radius`). */
export interface BodyLike {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly isCircle?: boolean;
  readonly radius?: number;
  readonly enable?: boolean;
  readonly velocity?: { readonly x: number; readonly y: number };
}

/**
 * A game object a sensor can see: its arcade body when it has one (a
 * {@link BodyLike}; typed loosely so any Phaser game object fits as it is),
 * else its position and display size around its origin.
 */
export interface SensedObject {
  readonly active?: boolean;
  readonly x?: number;
  readonly y?: number;
  readonly displayWidth?: number;
  readonly displayHeight?: number;
  readonly width?: number;
  readonly height?: number;
  readonly originX?: number;
  readonly originY?: number;
  readonly body?: unknown;
}

/** A Phaser group, static group or physics group. */
export interface GroupLike {
  getChildren(): readonly unknown[];
}

/** A tile of a layer: solid when it `collides` (by default). */
export interface TileLike {
  readonly index: number;
  readonly collides?: boolean;
}

/** A Phaser TilemapLayer (unrotated; its scale is honoured). */
export interface TileLayerLike {
  readonly x: number;
  readonly y: number;
  readonly scaleX?: number;
  readonly scaleY?: number;
  readonly tilemap: { readonly tileWidth: number; readonly tileHeight: number };
  readonly layer: { readonly width: number; readonly height: number };
  getTileAt(tileX: number, tileY: number): TileLike | null;
}

/**
 * One kind of thing a sensor tells apart, by tag: objects (a group, an array,
 * or a function returning either) or a tilemap layer.
 * @example
 * ```ts
 * const targets: SensorTarget[] = [
 *   { tag: 'wall', layer: wallsLayer },           // colliding tiles
 *   { tag: 'enemy', objects: enemies },            // a Phaser group
 *   { tag: 'coin', objects: () => this.coins },    // an array, read each time
 * ];
 * ```
 */
export type SensorTarget =
  | { readonly tag: string; readonly objects: GroupLike | readonly SensedObject[] | (() => GroupLike | readonly SensedObject[]) }
  | { readonly tag: string; readonly layer: TileLayerLike; readonly solid?: (tile: TileLike) => boolean };

/** Where a sensor looks from: the agent's game object (its `rotation` when the sensor turns with it). */
export interface SensorOrigin {
  readonly x?: number;
  readonly y?: number;
  readonly rotation?: number;
  readonly body?: unknown;
}

/**
 * A sensor: a fixed number of values per reading, written into an agent's
 * observation, with a layout naming each value.
 */
export interface Sensor {
  /** Values written per reading. */
  readonly size: number;
  /** Names of the values, in order (their sizes add up to `size`). */
  layout(): ObsFeature[];
  /** Reads the scene around `from` and appends `size` values to `obs`. */
  write(obs: ObservationWriter, from: SensorOrigin): void;
  /** Draws what the sensor sees from `from` (reading the scene again; stacked readings are untouched), in world coordinates. */
  draw?(pen: SensorPen, from: SensorOrigin): void;
}

/**
 * What a sensor draws with (the editor's sensor view implements it over a
 * canvas); `tag` is the target's index (-1: nothing hit), for its colour.
 */
export interface SensorPen {
  /** A line in world coordinates, e.g. a ray to what it hit. */
  line(x0: number, y0: number, x1: number, y1: number, tag: number): void;
  /** A cell in world coordinates: `on` when it holds a thing of `tag`. */
  cell(x: number, y: number, w: number, h: number, tag: number, on: boolean): void;
}

/** The objects of a target now (no copy of a group's list). */
export function objectsOf(target: { readonly objects: GroupLike | readonly SensedObject[] | (() => GroupLike | readonly SensedObject[]) }): readonly SensedObject[] {
  const src = typeof target.objects === 'function' ? target.objects() : target.objects;
  return (Array.isArray(src) ? src : (src as GroupLike).getChildren()) as readonly SensedObject[];
}

/** The object's arcade body, when it has one with a box (x, y, width, height); null otherwise (no body, or a Matter body). */
export function bodyOf(o: { readonly body?: unknown }): BodyLike | null {
  const b = o.body as BodyLike | null | undefined;
  return b && typeof b.x === 'number' && typeof b.width === 'number' ? b : null;
}

/** Whether an object counts: active, with an enabled body if it has one. */
export function isLive(o: SensedObject): boolean {
  return o.active !== false && bodyOf(o)?.enable !== false;
}

/** The object's centre (its body's centre when it has one). */
export function centreX(o: SensedObject): number {
  const b = bodyOf(o);
  if (b) return b.x + b.width / 2;
  const w = o.displayWidth ?? o.width ?? 0;
  return (o.x ?? 0) + (0.5 - (o.originX ?? 0.5)) * w;
}

/** @see centreX */
export function centreY(o: SensedObject): number {
  const b = bodyOf(o);
  if (b) return b.y + b.height / 2;
  const h = o.displayHeight ?? o.height ?? 0;
  return (o.y ?? 0) + (0.5 - (o.originY ?? 0.5)) * h;
}

/** Where a sensor looks from: the centre of the origin's body, else its position. */
export function originX(o: SensorOrigin): number {
  const b = bodyOf(o);
  return b ? b.x + b.width / 2 : (o.x ?? 0);
}

/** @see originX */
export function originY(o: SensorOrigin): number {
  const b = bodyOf(o);
  return b ? b.y + b.height / 2 : (o.y ?? 0);
}

/** A layer's tile width in world pixels (its scale applied). */
export function tileW(layer: TileLayerLike): number {
  return layer.tilemap.tileWidth * (layer.scaleX ?? 1);
}

/** A layer's tile height in world pixels (its scale applied). */
export function tileH(layer: TileLayerLike): number {
  return layer.tilemap.tileHeight * (layer.scaleY ?? 1);
}

/** Whether tile (tx, ty) of a layer target is solid (false outside the layer). */
export function solidAt(t: { readonly layer: TileLayerLike; readonly solid?: (tile: TileLike) => boolean }, tx: number, ty: number): boolean {
  const l = t.layer;
  if (tx < 0 || ty < 0 || tx >= l.layer.width || ty >= l.layer.height) return false;
  const tile = l.getTileAt(tx, ty);
  if (!tile || tile.index < 0) return false;
  return t.solid ? t.solid(tile) : tile.collides === true;
}

/** Checks the targets once, when a sensor is made: tags unique and non-empty. */
export function checkTargets(what: string, targets: readonly SensorTarget[]): void {
  if (!Array.isArray(targets) || targets.length === 0) throw new Error(`${what}: targets must be a non-empty array of { tag, objects } or { tag, layer }`);
  const seen = new Set<string>();
  for (const t of targets) {
    if (typeof t?.tag !== 'string' || t.tag === '') throw new Error(`${what}: every target needs a tag (a non-empty string)`);
    if (seen.has(t.tag)) throw new Error(`${what}: tag "${t.tag}" is given twice`);
    seen.add(t.tag);
    if (!('objects' in t) && !('layer' in t)) throw new Error(`${what}: target "${t.tag}" needs objects (a group, an array or a function) or a layer (a tilemap layer)`);
  }
}

/** Checks a positive finite number option. */
export function positive(what: string, name: string, v: number): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${what}: ${name} must be a positive number, got ${String(v)}`);
  return v;
}

/** Checks a positive integer option. */
export function count(what: string, name: string, v: number, max = 4096): number {
  if (!(Number.isInteger(v) && v >= 1 && v <= max)) throw new Error(`${what}: ${name} must be an integer in 1..${max}, got ${String(v)}`);
  return v;
}
