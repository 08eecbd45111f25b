/**
 * The global state the mixer sees during training, built from the scene:
 * every agent's game object (position normalised to the world or camera
 * bounds, velocity when it has a physics body, active flag) and any other
 * objects registered for the state, optionally replaced or extended by a
 * hook. The layout is fixed at the first build and checked afterwards.
 */
import type { ObsFeature } from '../core/env.js';
import { ObservationWriter } from './sensors.js';

/** The parts of a game object the state builder reads (any Phaser GameObject fits). */
export interface SceneObjectLike {
  readonly active: boolean;
  readonly x?: number;
  readonly y?: number;
  readonly rotation?: number;
  readonly body?: { readonly velocity?: { readonly x: number; readonly y: number } } | null;
}

/** A feature of a registered object: a built-in name or a function of the object. */
export type StateFeature = 'x' | 'y' | 'vx' | 'vy' | 'active' | 'angle' | { readonly name: string; readonly read: (obj: SceneObjectLike) => number };

/** A rectangle positions are normalised to (x, y: top-left). */
export interface Bounds {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A state hook: writes values with the writer (see {@link StateOptions.hook}). */
export type StateHook = (state: ObservationWriter) => void;

/** How the squad builds its global state. */
export interface StateOptions {
  /** What positions and velocities are normalised to: `world` (physics world bounds, else the game size), `camera` (the main camera's view) or a rectangle. Default `world`. */
  readonly bounds?: 'world' | 'camera' | Bounds;
  /** Include agent velocities (when their game object has a physics body). Default true. */
  readonly velocity?: boolean;
  /** A hook that writes extra state values (`extend`, default) or the whole state (`replace`). */
  readonly hook?: StateHook;
  readonly hookMode?: 'extend' | 'replace';
}

interface Entry {
  readonly name: string;
  readonly object: () => SceneObjectLike | null;
  readonly features: readonly StateFeature[];
}

/** @internal Builds the state of one squad. */
export class StateBuilder {
  /** Agents first, then other objects, whatever order they were added in. */
  private readonly agentEntries: Entry[] = [];
  private readonly objectEntries: Entry[] = [];
  private readonly writer = new ObservationWriter();
  private fixedSize = -1;
  private hookSize = -1;
  private fixedLayout: ObsFeature[] = [];

  /** @param label names the owner in error messages, e.g. `squad "guards"` */
  constructor(
    private readonly label: string,
    private readonly options: StateOptions,
    private readonly resolveBounds: (mode: 'world' | 'camera') => Bounds,
  ) {}

  /** Total size once fixed (-1 before the first build). */
  get size(): number {
    return this.fixedSize;
  }

  /** Feature names in order (after the first build). */
  get layout(): readonly ObsFeature[] {
    return this.fixedLayout;
  }

  /** Registers an object whose features go into the state (before the first build). */
  add(name: string, object: () => SceneObjectLike | null, features: readonly StateFeature[]): void {
    if (this.fixedSize >= 0) throw new Error(`${this.label}: cannot add "${name}" to the state: its layout was fixed at the first episode`);
    this.objectEntries.push({ name, object, features });
  }

  /** Registers an agent slot; its features are chosen from the object at the first build. */
  addAgent(name: string, object: () => SceneObjectLike | null): void {
    const velocity = this.options.velocity !== false;
    this.agentEntries.push({
      name,
      object,
      get features(): StateFeature[] {
        const o = object();
        return velocity && o?.body?.velocity ? ['x', 'y', 'vx', 'vy', 'active'] : ['x', 'y', 'active'];
      },
    });
  }

  /** Writes the state into `out` (sized by the caller after the first build) or, on the first build, fixes the layout and returns the values. */
  build(out: Float32Array | null): number[] | null {
    const first = this.fixedSize < 0;
    if (first) this.fixLayout();
    const writer = first ? this.writer.begin(new Float32Array(0), 0, -1) : this.writer.begin(out!, 0, this.fixedSize);
    if (this.options.hookMode !== 'replace') this.writeEntries(writer);
    const before = writer.written;
    if (this.options.hook) {
      this.options.hook(writer);
      const wrote = writer.written - before;
      if (first) this.hookSize = wrote;
      else if (wrote !== this.hookSize) {
        throw new Error(`${this.label}: hook state wrote ${wrote} values, expected ${this.hookSize} (the size it wrote in the first episode)`);
      }
    }
    if (first) {
      this.fixedSize = writer.written;
      if (this.hookSize > 0) this.fixedLayout.push({ name: 'hook', size: this.hookSize });
      if (this.fixedSize === 0) throw new Error(`${this.label}: the state is empty: add agents, state objects or a state hook`);
      return writer.collected();
    }
    return null;
  }

  private fixLayout(): void {
    // Freeze each agent's features as they are now (with or without a body).
    this.agentEntries.splice(0, this.agentEntries.length, ...this.agentEntries.map((e) => ({ ...e, features: [...e.features] })));
    if (this.options.hookMode !== 'replace') {
      for (const e of this.entries()) for (const f of e.features) this.fixedLayout.push({ name: `${e.name}.${typeof f === 'string' ? f : f.name}`, size: 1 });
    }
  }

  private entries(): Entry[] {
    return this.agentEntries.concat(this.objectEntries);
  }

  private writeEntries(w: ObservationWriter): void {
    const b = this.resolveBounds(typeof this.options.bounds === 'object' ? 'world' : (this.options.bounds ?? 'world'));
    const bounds = typeof this.options.bounds === 'object' ? this.options.bounds : b;
    writeList(this.agentEntries, w, bounds);
    writeList(this.objectEntries, w, bounds);
  }
}

function writeList(list: readonly Entry[], w: ObservationWriter, bounds: Bounds): void {
  for (const e of list) {
    const o = e.object();
    const alive = o !== null && o.active;
    for (const f of e.features) w.add(alive ? read(o!, f, bounds) : 0);
  }
}

function read(o: SceneObjectLike, f: StateFeature, b: Bounds): number {
  switch (f) {
    case 'x':
      return ((o.x ?? 0) - b.x) / b.width;
    case 'y':
      return ((o.y ?? 0) - b.y) / b.height;
    case 'vx':
      return (o.body?.velocity?.x ?? 0) / b.width;
    case 'vy':
      return (o.body?.velocity?.y ?? 0) / b.height;
    case 'active':
      return o.active ? 1 : 0;
    case 'angle':
      return (o.rotation ?? 0) / Math.PI;
    default:
      return f.read(o);
  }
}
