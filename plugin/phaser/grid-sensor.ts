/**
 * A grid sensor (ML-Agents' GridSensor, in Phaser's terms): a k x k window
 * of cells around the agent, one channel per tag, 1 where a cell holds a
 * thing of that tag.
 */
import type { ObsFeature } from '../core/env.js';
import type { ObservationWriter } from './sensors.js';
import { centreX, centreY, checkTargets, count, isLive, objectsOf, originX, originY, positive, solidAt, tileH, tileW, type Sensor, type SensorOrigin, type SensorPen, type SensorTarget, type TileLayerLike } from './sensor-world.js';

/** Options of a {@link GridSensor}. */
export interface GridSensorOptions {
  /** Cells per side: odd, so the agent's cell is the middle one. */
  readonly size: number;
  /**
   * The cells: `{ pixels: n }` for n x n pixel cells centred on the agent, or
   * `{ layer }` for the tiles of a tilemap layer (the agent's tile in the middle).
   */
  readonly cells: { readonly pixels: number } | { readonly layer: TileLayerLike };
  /** One channel per target: objects mark the cell their centre is in; a layer target marks its solid tiles. */
  readonly targets: readonly SensorTarget[];
  /** Layout names start with this. Default `grid`. */
  readonly name?: string;
}

/**
 * Writes `targets.length` channels of `size x size` cells, channel by
 * channel, each row by row from the top-left (north-west) cell: 1 where the
 * cell holds a live object of that tag (its centre) or a solid tile of that
 * layer, else 0. The agent's own object is not marked. The window is fixed
 * to the world (it does not turn with the agent).
 * @example
 * ```ts
 * const around = new GridSensor({ size: 9, cells: { layer: ground }, targets: [{ tag: 'wall', layer: walls }, { tag: 'coin', objects: coins }, { tag: 'enemy', objects: enemies }] });
 * observe: (obs, a) => around.write(obs, a.gameObject!),
 * ```
 */
export class GridSensor implements Sensor {
  readonly size: number;
  readonly options: Readonly<Required<GridSensorOptions>>;
  private readonly cells: Float32Array;
  // The window of the current reading (top-left corner, cell size): fields, not a new object per decision.
  private x0 = 0;
  private y0 = 0;
  private w = 1;
  private h = 1;

  constructor(options: GridSensorOptions) {
    const what = 'GridSensor';
    const k = count(what, 'size', options?.size, 255);
    if (k % 2 === 0) throw new Error(`${what}: size must be odd (the agent's cell is the middle one), got ${k}`);
    const cells = options.cells;
    if (!cells || !('pixels' in cells || 'layer' in cells)) throw new Error(`${what}: cells must be { pixels: n } or { layer: tilemapLayer }`);
    if ('pixels' in cells) positive(what, 'cells.pixels', cells.pixels);
    checkTargets(what, options.targets);
    this.options = { size: k, cells, targets: options.targets, name: options.name ?? 'grid' };
    this.size = options.targets.length * k * k;
    this.cells = new Float32Array(this.size);
  }

  layout(): ObsFeature[] {
    const { size: k, name, targets } = this.options;
    return targets.map((t) => ({ name: `${name}(${k}x${k}).${t.tag}`, size: k * k }));
  }

  /** The last reading: channel-major, as written. */
  lastCells(): Float32Array {
    return this.cells;
  }

  /** The world rectangle of the window's cell (col, row) for `from`, e.g. for drawing. */
  cellRect(from: SensorOrigin, col: number, row: number): { x: number; y: number; w: number; h: number } {
    this.frame(from);
    return { x: this.x0 + col * this.w, y: this.y0 + row * this.h, w: this.w, h: this.h };
  }

  /** Draws the window's cells from `from`, those holding a thing filled by its tag's colour. */
  draw(pen: SensorPen, from: SensorOrigin): void {
    this.read(from);
    const { size: k, targets } = this.options;
    for (let row = 0; row < k; row++) {
      for (let col = 0; col < k; col++) {
        let tag = -1;
        for (let c = 0; c < targets.length && tag < 0; c++) if (this.cells[c * k * k + row * k + col]) tag = c;
        pen.cell(this.x0 + col * this.w, this.y0 + row * this.h, this.w, this.h, tag, tag >= 0);
      }
    }
  }

  write(obs: ObservationWriter, from: SensorOrigin): void {
    this.read(from);
    obs.addMany(this.cells);
  }

  private read(from: SensorOrigin): void {
    const { size: k, targets } = this.options;
    this.frame(from);
    const g = this;
    const kk = k * k;
    this.cells.fill(0);
    for (let c = 0; c < targets.length; c++) {
      const t = targets[c];
      const base = c * kk;
      if ('layer' in t) {
        // Sample the layer's tile under each cell's centre.
        const tw = tileW(t.layer);
        const th = tileH(t.layer);
        for (let row = 0; row < k; row++) {
          const cy = g.y0 + (row + 0.5) * g.h;
          const ty = Math.floor((cy - t.layer.y) / th);
          for (let col = 0; col < k; col++) {
            const cx = g.x0 + (col + 0.5) * g.w;
            if (solidAt(t, Math.floor((cx - t.layer.x) / tw), ty)) this.cells[base + row * k + col] = 1;
          }
        }
      } else {
        const objs = objectsOf(t);
        for (let j = 0; j < objs.length; j++) {
          const o = objs[j];
          if (o === (from as unknown) || !isLive(o)) continue;
          const col = Math.floor((centreX(o) - g.x0) / g.w);
          const row = Math.floor((centreY(o) - g.y0) / g.h);
          if (col >= 0 && col < k && row >= 0 && row < k) this.cells[base + row * k + col] = 1;
        }
      }
    }
  }

  /** Sets the window's top-left corner and cell size for `from`. */
  private frame(from: SensorOrigin): void {
    const k = this.options.size;
    const half = (k - 1) / 2;
    const ox = originX(from);
    const oy = originY(from);
    const cells = this.options.cells;
    if ('pixels' in cells) {
      const p = cells.pixels;
      this.x0 = ox - (half + 0.5) * p;
      this.y0 = oy - (half + 0.5) * p;
      this.w = this.h = p;
      return;
    }
    // Aligned to the layer's tiles, the agent's tile in the middle.
    const w = tileW(cells.layer);
    const h = tileH(cells.layer);
    const tx = Math.floor((ox - cells.layer.x) / w);
    const ty = Math.floor((oy - cells.layer.y) / h);
    this.x0 = cells.layer.x + (tx - half) * w;
    this.y0 = cells.layer.y + (ty - half) * h;
    this.w = w;
    this.h = h;
  }
}
