// Bench key `sensors` (issue 19): microseconds per agent per decision for
// each ready-made sensor at the typical sizes, on objects shaped like
// Phaser's (arcade bodies, a group, a 50 x 50 tilemap layer): 16 rays over 20
// bodies and the tilemap; a 9 x 9 grid with 3 tags; the nearest 4 of 50.
// Target: all three together under 50 us per agent per decision.
import { Rng } from '../../plugin/core/rng.js';
import { GridSensor } from '../../plugin/phaser/grid-sensor.js';
import { NearestSensor } from '../../plugin/phaser/nearest-sensor.js';
import { RaySensor } from '../../plugin/phaser/ray-sensor.js';
import type { Sensor, SensorOrigin, TileLayerLike } from '../../plugin/phaser/sensor-world.js';
import { ObservationWriter } from '../../plugin/phaser/sensors.js';

export interface SensorsBench {
  readonly raysUs: number;
  readonly gridUs: number;
  readonly nearestUs: number;
  readonly allThreeUs: number;
  readonly targetUs: number;
  readonly met: boolean;
  readonly sizes: { readonly rays: number; readonly grid: number; readonly nearest: number };
  readonly note: string;
}

const TILE = 16;
const N = 50;

/** Median microseconds per `write`, over `repeats` blocks of `perBlock` calls from the agents in turn. */
function time(sensors: readonly Sensor[], agents: readonly SensorOrigin[], repeats: number, perBlock: number): number {
  const size = sensors.reduce((n, s) => n + s.size, 0);
  const out = new Float32Array(size);
  const w = new ObservationWriter();
  const blocks: number[] = [];
  for (let r = 0; r < repeats + 1; r++) {
    const t0 = performance.now();
    for (let i = 0; i < perBlock; i++) {
      w.begin(out, 0, size);
      const a = agents[i % agents.length];
      for (const s of sensors) s.write(w, a);
    }
    if (r > 0) blocks.push(((performance.now() - t0) * 1000) / perBlock); // the first block warms up
  }
  blocks.sort((x, y) => x - y);
  return Math.round(blocks[blocks.length >> 1] * 100) / 100;
}

/** Runs the bench (`quick`: fewer repeats). */
export function sensorsBench(quick = false): SensorsBench {
  const rng = new Rng(19);
  const walls = new Set<string>();
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) if (x === 0 || y === 0 || x === N - 1 || y === N - 1 || rng.next() < 0.15) walls.add(`${x},${y}`);
  const solid = { index: 1, collides: true };
  const empty = { index: -1, collides: false };
  const grid: boolean[] = [];
  for (let y = 0; y < N; y++) for (let x = 0; x < N; x++) grid.push(walls.has(`${x},${y}`));
  const layer: TileLayerLike = { x: 0, y: 0, tilemap: { tileWidth: TILE, tileHeight: TILE }, layer: { width: N, height: N }, getTileAt: (tx, ty) => (grid[ty * N + tx] ? solid : empty) };
  const at = () => ({ x: TILE * (1 + rng.next() * (N - 2)), y: TILE * (1 + rng.next() * (N - 2)) });
  const body = () => {
    const p = at();
    return { active: true, x: p.x, y: p.y, body: { x: p.x - 6, y: p.y - 6, width: 12, height: 12, velocity: { x: rng.next() * 50, y: rng.next() * 50 } } };
  };
  const crates = Array.from({ length: 20 }, body);
  const crowd = Array.from({ length: 50 }, body);
  const group = { getChildren: () => crowd };
  const agents = Array.from({ length: 16 }, body);
  const rays = new RaySensor({ rays: 16, maxLength: 10 * TILE, targets: [{ tag: 'wall', layer }, { tag: 'crate', objects: crates }] });
  const around = new GridSensor({ size: 9, cells: { layer }, targets: [{ tag: 'wall', layer }, { tag: 'crate', objects: crates }, { tag: 'mate', objects: group }] });
  const nearest = new NearestSensor({ count: 4, objects: group, scale: N * TILE, velocity: true, velocityScale: 50 });
  const repeats = quick ? 5 : 15;
  const perBlock = quick ? 2000 : 5000;
  const raysUs = time([rays], agents, repeats, perBlock);
  const gridUs = time([around], agents, repeats, perBlock);
  const nearestUs = time([nearest], agents, repeats, perBlock);
  const allThreeUs = time([rays, around, nearest], agents, repeats, perBlock);
  return {
    raysUs,
    gridUs,
    nearestUs,
    allThreeUs,
    targetUs: 50,
    met: allThreeUs < 50,
    sizes: { rays: rays.size, grid: around.size, nearest: nearest.size },
    note: 'Node, median of blocks; 16 rays of 10 tiles over 20 bodies and a 50 x 50 tilemap (15% walls); a 9 x 9 tile grid with 3 tags (the tilemap, 20 bodies, a group of 50); the nearest 4 of 50 with velocities',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(sensorsBench(process.argv.includes('--quick'))));
