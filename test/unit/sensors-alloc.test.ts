// Sensors allocate (almost) nothing per reading once warm. In a file of its
// own: the other sensor tests show the sensors many object shapes, and code
// V8 has deoptimised boxes every double it computes, which is not what a
// game (one shape per kind of object) sees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GridSensor } from '../../plugin/phaser/grid-sensor.js';
import { NearestSensor } from '../../plugin/phaser/nearest-sensor.js';
import { RaySensor } from '../../plugin/phaser/ray-sensor.js';
import type { TileLayerLike } from '../../plugin/phaser/sensor-world.js';
import { ObservationWriter } from '../../plugin/phaser/sensors.js';

const box = (x: number, y: number, width: number, height: number) => ({ active: true, x: x + width / 2, y: y + height / 2, body: { x, y, width, height } });

function layer(w: number, h: number, size: number, solid: [number, number][]): TileLayerLike {
  const cells = new Uint8Array(w * h);
  for (const [x, y] of solid) cells[y * w + x] = 1;
  const wall = { index: 1, collides: true };
  const empty = { index: -1 };
  return { x: 0, y: 0, tilemap: { tileWidth: size, tileHeight: size }, layer: { width: w, height: h }, getTileAt: (tx, ty) => (cells[ty * w + tx] ? wall : empty) };
}

test('reading allocates (almost) nothing after warm-up: well under one allocation per ray or cell', () => {
  // As the runtime's test: heap growth over batches (median of 9), not GC counts.
  const walls = layer(50, 50, 16, [[5, 5], [10, 3], [20, 20], [7, 30]]);
  const crates = Array.from({ length: 20 }, (_, i) => box(30 + 37 * i, 40 + 23 * (i % 7), 12, 12));
  const crowd = { getChildren: () => crates };
  const sensors = [
    new RaySensor({ rays: 16, maxLength: 160, targets: [{ tag: 'wall', layer: walls }, { tag: 'crate', objects: crates }], stack: 2 }),
    new GridSensor({ size: 9, cells: { layer: walls }, targets: [{ tag: 'wall', layer: walls }, { tag: 'crate', objects: crowd }] }),
    new NearestSensor({ count: 4, objects: crowd, scale: 800, velocity: true }),
  ];
  const agents = Array.from({ length: 8 }, (_, i) => box(60 + 70 * i, 200 + 10 * i, 10, 10));
  const size = sensors.reduce((n, s) => n + s.size, 0);
  const out = new Float32Array(size);
  const w = new ObservationWriter();
  const readAll = (i: number) => {
    w.begin(out, 0, size);
    for (const s of sensors) s.write(w, agents[i % 8]);
  };
  for (let i = 0; i < 3000; i++) readAll(i); // warm-up (JIT, the stacks' first readings)
  const perBatch = 5000;
  const growth: number[] = [];
  for (let b = 0; b < 9; b++) {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < perBatch; i++) readAll(i);
    growth.push(process.memoryUsage().heapUsed - before);
  }
  growth.sort((a, b) => a - b);
  // Measured: under 1 byte per reading. One small
  // allocation per ray (16 rays, >= 16 bytes each) would be >= 256 bytes per reading; the bound is 8.
  assert.ok(growth[4] < 8 * perBatch, `reading grew the heap by ${growth[4] / perBatch} bytes per reading (batches: ${growth.join(', ')})`);
});
