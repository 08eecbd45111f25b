// The ready-made sensors read a real Phaser 4 scene (arcade bodies, a static
// group, a circle body, a tilemap layer with colliding tiles) with known
// answers; the geometry itself is tested in test/unit/sensors.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

let scenarios: ScenarioPage;
before(async () => {
  scenarios = await openScenarioPage('test/browser/pages/sensors-page.ts');
});
after(async () => {
  await scenarios?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = (name: string): Promise<any> => scenarios.run(name);

describe('sensors in a Phaser 4 scene', () => {
  test('rays: a static wall east at 50, a colliding tile west at 52, a circle body north at 50, nothing south; a disabled body is not seen', async () => {
    const r = await run('rays');
    assert.equal(r.size, 4 * 5);
    // Per ray: distance / 100, then wall, tile, enemy, self (the agent never sees itself).
    assert.deepEqual(r.v, [0.5, 1, 0, 0, 0, /* south */ 1, 0, 0, 0, 0, /* west */ 0.52, 0, 1, 0, 0, /* north */ 0.5, 0, 0, 1, 0]);
    assert.deepEqual(r.noWall.slice(0, 5), [1, 0, 0, 0, 0]);
  });

  test('grid on the tile layer and the nearest enemies with their body velocities', async () => {
    const r = await run('gridAndNearest');
    const tile = r.g.slice(0, 25);
    assert.deepEqual(tile.flatMap((x: number, i: number) => (x ? [i] : [])), [1 * 5 + 2], 'the colliding tile is the cell above the agent');
    assert.deepEqual(r.g.slice(25), new Array(25).fill(0), 'no enemy within the window');
    // From (40, 120): the enemy at (100, 40) moving (30, -15), then the one at (300, 200) standing; the third slot padded.
    assert.deepEqual(r.n, [1, 0.6, -0.8, 3, -1.5, 1, 2.6, 0.8, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("the editor's sensor view draws each ray to its hit in the tag's colour over the game, stops tracing when off, and is hidden from a squad without sensors", async () => {
    const r = await run('view');
    assert.equal(r.before, 0, 'nothing traced before the view is on');
    assert.equal(r.offered, true, 'the toggle is offered to a squad that reads sensors');
    assert.equal(r.plainOffered, false, 'and hidden from one that reads none');
    assert.equal(r.plainTraced, 0, 'which is not traced after its first decision');
    assert.deepEqual(r.used, ['RaySensor', 'GridSensor']);
    assert.deepEqual(r.hit, [0xff, 0x5a, 0x5a, 0xff], 'the hit marker in the wall colour (#ff5a5a)');
    assert.ok(r.south > 0, 'the missing south ray is drawn (grey)');
    assert.equal(r.empty, 0, 'nothing drawn away from the sensors');
    assert.equal(r.removed, true);
    assert.equal(r.tracedAfter, 0);
  });

  test("a squad observing through sensors takes their names as its observation layout", async () => {
    const r = await run('layout');
    assert.equal(r.obsSize, 7);
    assert.deepEqual(r.layout, ['rays[0].distance:1', 'rays[0].hit(wall):1', 'rays[1].distance:1', 'rays[1].hit(wall):1', 'nearest[0].present:1', 'nearest[0].dx,dy:2']);
  });
});
