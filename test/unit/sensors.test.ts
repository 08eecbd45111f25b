// Ready-made sensors on hand-built scenes with known answers: objects shaped
// like Phaser's (arcade bodies, groups, tilemap layers), no Phaser needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
// Module by module: the plugin's index imports Phaser, which needs a browser.
import { GridSensor } from '../../plugin/phaser/grid-sensor.js';
import { NearestSensor } from '../../plugin/phaser/nearest-sensor.js';
import { RaySensor } from '../../plugin/phaser/ray-sensor.js';
import type { TileLayerLike } from '../../plugin/phaser/sensor-world.js';
import { ObservationWriter } from '../../plugin/phaser/sensors.js';
import { Squad } from '../../plugin/phaser/squad.js';
import { exportPolicy, QLearner } from '../../plugin/learn/index.js';
import { PolicyError } from '../../plugin/runtime/index.js';
import '../support/tf.js';

/** Reads a sensor into a fresh array through an ObservationWriter, as a hook does. */
function read(s: { size: number; write: RaySensor['write'] }, from: Parameters<RaySensor['write']>[1]): number[] {
  const out = new Float32Array(s.size);
  const w = new ObservationWriter().begin(out, 0, s.size);
  s.write(w, from);
  assert.equal(w.written, s.size, 'writes exactly its size');
  return Array.from(out);
}

/** An arcade-body-like box: top-left x, y. */
const box = (x: number, y: number, width: number, height: number, extra: object = {}) => ({ active: true, x: x + width / 2, y: y + height / 2, body: { x, y, width, height, ...extra } });

/** A tilemap layer of `w x h` tiles of `size` px at (x, y); `solid` lists [tx, ty] of colliding tiles. */
function layer(w: number, h: number, size: number, solid: [number, number][], at: [number, number] = [0, 0]): TileLayerLike {
  // As Phaser's layers do, it hands out tiles it holds (no allocation per lookup).
  const cells = new Uint8Array(w * h);
  for (const [x, y] of solid) cells[y * w + x] = 1;
  const wall = { index: 1, collides: true };
  const empty = { index: -1 };
  return {
    x: at[0],
    y: at[1],
    tilemap: { tileWidth: size, tileHeight: size },
    layer: { width: w, height: h },
    getTileAt: (tx, ty) => (cells[ty * w + tx] ? wall : empty),
  };
}

describe('RaySensor', () => {
  test('a ray hits a body at a known distance, tagged; the others see nothing; its own body is not hit', () => {
    const me = box(90, 90, 20, 20);
    const walls = [box(150, 80, 20, 40)]; // left edge at x 150: 50 px east of the agent's centre (100, 100)
    const s = new RaySensor({ rays: 4, maxLength: 200, targets: [{ tag: 'me', objects: [me] }, { tag: 'wall', objects: walls }] });
    // Rays all round: east, south, west, north (y down).
    const v = read(s, me);
    assert.equal(s.size, 4 * 3);
    assert.deepEqual(v.slice(0, 3), [0.25, 0, 1], 'east: the wall at 50 / 200');
    for (const r of [1, 2, 3]) assert.deepEqual(v.slice(3 * r, 3 * r + 3), [1, 0, 0], `ray ${r} hits nothing`);
    assert.deepEqual(Array.from(s.lastDistances()).map((d) => Math.round(d)), [50, 200, 200, 200]);
  });

  test('colliding tiles stop a ray where the tile begins; rotation turns the rays; an arc spreads them', () => {
    const walls = layer(10, 10, 32, [[5, 3], [1, 8]]);
    const at = { x: 48, y: 112, rotation: 0 }; // the centre of tile (1, 3)
    const s = new RaySensor({ rays: 1, maxLength: 400, targets: [{ tag: 'wall', layer: walls }] });
    assert.ok(Math.abs(read(s, at)[0] - 112 / 400) < 1e-6, 'east: tile (5, 3) begins at x 160');
    const turning = new RaySensor({ rays: 1, maxLength: 400, targets: [{ tag: 'wall', layer: walls }], rotate: true });
    assert.ok(Math.abs(read(turning, { ...at, rotation: Math.PI / 2 })[0] - 144 / 400) < 1e-6, 'turned to face south: tile (1, 8) begins at y 256');
    assert.deepEqual(read(turning, { ...at, rotation: Math.PI }), [1, 0], 'west: nothing in 400 px');
    const fan = new RaySensor({ rays: 3, arc: Math.PI / 2, maxLength: 100, targets: [{ tag: 'wall', layer: walls }] });
    assert.deepEqual([0, 1, 2].map((i) => Math.round((fan.angleOf(i) * 180) / Math.PI)), [-45, 0, 45]);
    // A diagonal ray: from (16, 16) at 45 degrees to tile (1, 1)... none there; put one at (2, 2).
    const diag = new RaySensor({ rays: 1, arc: 1, maxLength: 200, rotate: true, targets: [{ tag: 'wall', layer: layer(4, 4, 32, [[2, 2]]) }] });
    const d = read(diag, { x: 16, y: 16, rotation: Math.PI / 4 })[0] * 200;
    assert.ok(Math.abs(d - Math.hypot(48, 48)) < 1e-6, `diagonal: the corner of tile (2, 2) at ${d}`);
  });

  test('circle bodies, inactive objects, the nearest of several tags, and an origin inside a box', () => {
    const rock = { active: true, x: 0, y: 0, body: { x: 140, y: 90, width: 20, height: 20, isCircle: true, radius: 10 } }; // centre (150, 100)
    const gone = { ...box(120, 90, 10, 20), active: false };
    const s = new RaySensor({ rays: 4, maxLength: 100, targets: [{ tag: 'rock', objects: [rock, gone] }, { tag: 'crate', objects: [box(95, 150, 10, 10), box(95, 130, 10, 10)] }] });
    const v = read(s, { x: 100, y: 100 });
    assert.deepEqual(v.slice(0, 3).map((x) => +x.toFixed(6)), [0.4, 1, 0], 'east: the circle at 40 (the inactive box at 20 is skipped)');
    assert.deepEqual(v.slice(3, 6).map((x) => +x.toFixed(6)), [0.3, 0, 1], 'south: the nearer crate, at 30');
    const inside = read(new RaySensor({ rays: 2, maxLength: 50, targets: [{ tag: 'fog', objects: [box(0, 0, 500, 500)] }] }), { x: 10, y: 10 });
    assert.deepEqual(inside, [0, 1, 0, 1], 'inside a box: hit at 0');
  });

  test('stacking keeps the last readings, newest first; reset forgets them', () => {
    const crate = box(150, 90, 20, 20);
    const me = { x: 100, y: 100 };
    const s = new RaySensor({ rays: 1, maxLength: 100, targets: [{ tag: 'crate', objects: [crate] }], stack: 3 });
    assert.equal(s.size, 6);
    assert.deepEqual(read(s, me), [0.5, 1, 0.5, 1, 0.5, 1], 'the first reading fills the history');
    crate.body.x = 170;
    assert.deepEqual(read(s, me).map((x) => +x.toFixed(6)), [0.7, 1, 0.5, 1, 0.5, 1]);
    crate.body.x = 190;
    assert.deepEqual(read(s, me).map((x) => +x.toFixed(6)), [0.9, 1, 0.7, 1, 0.5, 1]);
    s.reset(me);
    assert.deepEqual(read(s, me).map((x) => +x.toFixed(6)), [0.9, 1, 0.9, 1, 0.9, 1]);
    assert.equal(s.layout().length, 6);
    assert.deepEqual(s.layout().slice(0, 2), [{ name: 'rays[0].distance', size: 1 }, { name: 'rays[0].hit(crate)', size: 1 }]);
    assert.equal(s.layout()[4].name, 'rays@t-2[0].distance');
  });

  test('bad options are refused by name', () => {
    assert.throws(() => new RaySensor({ rays: 0, maxLength: 10, targets: [{ tag: 'a', objects: [] }] }), /rays must be an integer/);
    assert.throws(() => new RaySensor({ rays: 2, maxLength: -1, targets: [{ tag: 'a', objects: [] }] }), /maxLength must be a positive number/);
    assert.throws(() => new RaySensor({ rays: 2, maxLength: 10, targets: [] }), /targets must be a non-empty array/);
    assert.throws(() => new RaySensor({ rays: 2, maxLength: 10, targets: [{ tag: 'a', objects: [] }, { tag: 'a', objects: [] }] }), /tag "a" is given twice/);
  });
});

describe('GridSensor', () => {
  test('pixel cells around the agent: objects mark the cell their centre is in, channel by channel', () => {
    const coins = [{ x: 61, y: 40 }, { x: 50, y: 50 }, { x: 200, y: 200 }, { x: 36, y: 64, active: false }];
    const enemies = { getChildren: () => [{ x: 36, y: 64 }] };
    const s = new GridSensor({ size: 3, cells: { pixels: 10 }, targets: [{ tag: 'coin', objects: coins }, { tag: 'enemy', objects: enemies }] });
    const v = read(s, { x: 50, y: 50 });
    // Window x, y 35..65; coin (61, 40) -> col 2, row 0; coin (50, 50) -> the middle; (200, 200) outside; enemy (36, 64) -> col 0, row 2.
    assert.deepEqual(v, [0, 0, 1, 0, 1, 0, 0, 0, 0, /* enemy */ 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    assert.deepEqual(s.layout(), [{ name: 'grid(3x3).coin', size: 9 }, { name: 'grid(3x3).enemy', size: 9 }]);
  });

  test('tile cells: the window follows the layer grid with the agent tile in the middle; solid tiles and the map edge', () => {
    const ground = layer(50, 50, 16, [[3, 1], [0, 0]], [0, 0]);
    const s = new GridSensor({ size: 5, cells: { layer: ground }, targets: [{ tag: 'wall', layer: ground }] });
    const v = read(s, { x: 2 * 16 + 3, y: 2 * 16 + 9 }); // in tile (2, 2)
    const on = v.flatMap((x, i) => (x ? [[i % 5, Math.floor(i / 5)]] : []));
    // Tile (3, 1) -> col 3 - 2 + 2 = 3, row 1 - 2 + 2 = 1; tile (0, 0) -> col 0, row 0; cells past the map edge read 0.
    assert.deepEqual(on, [[0, 0], [3, 1]]);
    const corner = read(s, { x: 1, y: 1 }); // tile (0, 0): half the window is off the map
    assert.equal(corner[2 * 5 + 2], 1, 'its own tile');
    assert.equal(corner.reduce((a, b) => a + b, 0), 1);
    assert.deepEqual(s.cellRect({ x: 35, y: 41 }, 0, 0), { x: 0, y: 0, w: 16, h: 16 });
  });

  test('an even size, or cells that are neither, are refused', () => {
    assert.throws(() => new GridSensor({ size: 4, cells: { pixels: 8 }, targets: [{ tag: 'a', objects: [] }] }), /size must be odd/);
    assert.throws(() => new GridSensor({ size: 3, cells: {} as never, targets: [{ tag: 'a', objects: [] }] }), /cells must be/);
  });
});

describe('NearestSensor', () => {
  test('the N nearest, nearest first, relative and scaled, with velocities; padding when fewer; the agent itself skipped', () => {
    const me = { x: 100, y: 100 };
    const far = { x: 400, y: 100 };
    const a = { x: 130, y: 140, body: { x: 125, y: 135, width: 10, height: 10, velocity: { x: 20, y: -10 } } }; // centre (130, 140): 50 away
    const b = { x: 90, y: 100 }; // 10 away
    const c = { x: 100, y: 70 }; // 30 away
    const group = { getChildren: () => [me, far, a, b, c] };
    const s = new NearestSensor({ count: 3, objects: group, scale: 100, velocity: true, velocityScale: 10 });
    const v = read(s, me).map((x) => +x.toFixed(6));
    assert.deepEqual(v, [1, -0.1, 0, 0, 0, /* c */ 1, 0, -0.3, 0, 0, /* a */ 1, 0.3, 0.4, 2, -1]);
    assert.deepEqual(s.lastPicked(), [b, c, a]);
    const roomy = new NearestSensor({ count: 5, objects: [b, c], scale: 10, maxDistance: 20 });
    assert.deepEqual(read(roomy, me), [1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'only b within 20; the rest padded with zeros');
    assert.deepEqual(roomy.layout().slice(0, 2), [{ name: 'nearest[0].present', size: 1 }, { name: 'nearest[0].dx,dy', size: 2 }]);
  });

  test('ties keep the group order', () => {
    const p = { x: 10, y: 0 };
    const q = { x: 0, y: 10 };
    const s = new NearestSensor({ count: 2, objects: [p, q], scale: 1 });
    read(s, { x: 0, y: 0 });
    assert.deepEqual(s.lastPicked(), [p, q]);
  });
});

describe('sensors name the observation', () => {
  const spec = (layout: { name: string; size: number }[]) => ({ nAgents: 2, obsSize: layout.reduce((n, f) => n + f.size, 0), stateSize: 4, nActions: 2, episodeLimit: 10, obsLayout: layout });

  test("without obsLayout, a squad's observation layout is its sensors' names, and values written otherwise are named by position", () => {
    const eyes = new RaySensor({ rays: 2, maxLength: 50, targets: [{ tag: 'wall', objects: [] }] });
    const mates = new NearestSensor({ count: 1, objects: [], scale: 10 });
    const squad = new Squad('s', { nActions: 2 }, () => ({ x: 0, y: 0, width: 100, height: 100 }));
    for (let i = 0; i < 2; i++) {
      squad.addAgent({ active: true, x: 10 * i, y: 0 }, { observe: (obs, ag) => obs.add(1).sensor(eyes, ag.gameObject!).add(2).add(3).sensor(mates, ag.gameObject!), act: () => {} });
    }
    const s = squad.resolveSpec();
    assert.equal(s.obsSize, 1 + 4 + 2 + 3);
    assert.deepEqual(s.obsLayout?.map((f) => `${f.name}:${f.size}`), ['values[0..0]:1', 'rays[0].distance:1', 'rays[0].hit(wall):1', 'rays[1].distance:1', 'rays[1].hit(wall):1', 'values[5..6]:2', 'nearest[0].present:1', 'nearest[0].dx,dy:2']);
    squad.destroy();
  });

  test('a policy trained with other sensors is refused by name, also when it was given before the first decision', () => {
    const eyes = new RaySensor({ rays: 2, maxLength: 50, targets: [{ tag: 'wall', objects: [] }] });
    const trainedWith = new RaySensor({ rays: 2, maxLength: 50, targets: [{ tag: 'crate', objects: [] }] });
    const policy = exportPolicy(new QLearner(spec(trainedWith.layout()), { preset: 'pymarl', seed: 1 }), { episodes: 0, envSteps: 0 });
    const squad = new Squad('s', { nActions: 2, mode: 'greedy', policy }, () => ({ x: 0, y: 0, width: 100, height: 100 }));
    for (let i = 0; i < 2; i++) squad.addAgent({ active: true, x: 0, y: 0 }, { observe: (obs, ag) => obs.sensor(eyes, ag.gameObject!), act: () => {} });
    assert.throws(() => squad.resolveSpec(), (e: Error) => e instanceof PolicyError && /observation layout differs at feature 1: the policy has "rays\[0\]\.hit\(crate\)" \(1\), the game gives "rays\[0\]\.hit\(wall\)" \(1\)/.test(e.message));
    squad.destroy();
    // The same sensors fit.
    const same = new Squad('t', { nActions: 2, mode: 'greedy', policy: exportPolicy(new QLearner(spec(eyes.layout()), { preset: 'pymarl', seed: 1 }), { episodes: 0, envSteps: 0 }) }, () => ({ x: 0, y: 0, width: 100, height: 100 }));
    for (let i = 0; i < 2; i++) same.addAgent({ active: true, x: 0, y: 0 }, { observe: (obs, ag) => obs.sensor(eyes, ag.gameObject!), act: () => {} });
    assert.equal(same.resolveSpec().obsSize, 4);
    same.destroy();
  });
});

