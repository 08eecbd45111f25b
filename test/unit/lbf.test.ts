// Level-Based Foraging: hand-worked scenarios of loading, conflicts, rewards and observations.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LevelBasedForaging, makeEnv } from '../../plugin/envs/index.js';

const [NONE, NORTH, SOUTH, WEST, EAST, LOAD] = [0, 1, 2, 3, 4, 5];
const lbf = (players: number, foods: number, extra: Partial<ConstructorParameters<typeof LevelBasedForaging>[0]> = {}) => new LevelBasedForaging({ size: 5, players, foods, ...extra });

describe('Level-Based Foraging', () => {
  test('two level-1 players loading a level-2 food together collect it and share the normalised reward', () => {
    const env = lbf(2, 1);
    env.reset(undefined, { players: [{ row: 2, col: 1, level: 1 }, { row: 2, col: 3, level: 1 }], foods: [{ row: 2, col: 2, level: 2 }] });
    const s = env.step([LOAD, LOAD]);
    // each gets level * food / (sum of levels * total food spawned) = 1 * 2 / (2 * 2)
    assert.deepEqual(env.playerRewards, [0.5, 0.5]);
    assert.equal(s.reward, 1);
    assert.equal(s.terminated, true);
    assert.equal(env.won(), true);
  });

  test('a player too weak alone gets nothing (or the penalty) and the food stays', () => {
    const env = lbf(2, 1, { penalty: 0.1 });
    env.reset(undefined, { players: [{ row: 2, col: 1, level: 1 }, { row: 0, col: 0, level: 1 }], foods: [{ row: 2, col: 2, level: 2 }] });
    const s = env.step([LOAD, NONE]);
    assert.deepEqual(env.playerRewards, [-0.1, 0]);
    assert.equal(s.terminated, false);
    assert.equal(env.won(), false);
  });

  test('rewards are normalised by all food spawned: collecting everything sums to 1', () => {
    const env = lbf(1, 2);
    env.reset(undefined, { players: [{ row: 1, col: 2, level: 2 }], foods: [{ row: 1, col: 1, level: 1 }, { row: 3, col: 3, level: 2 }] });
    let s = env.step([LOAD]); // west food, level 1: 2 * 1 / (2 * 3)
    assert.ok(Math.abs(s.reward - 1 / 3) < 1e-12);
    env.step([SOUTH]); // (2, 2)
    env.step([SOUTH]); // (3, 2), next to the level-2 food at (3, 3)
    s = env.step([LOAD]); // 2 * 2 / (2 * 3)
    assert.ok(Math.abs(s.reward - 2 / 3) < 1e-12);
    assert.equal(s.terminated, true);
  });

  test('players aiming at the same cell all stay; moving into a staying player fails; swaps go through', () => {
    const env = lbf(3, 1);
    env.reset(undefined, { players: [{ row: 0, col: 0, level: 1 }, { row: 0, col: 2, level: 1 }, { row: 4, col: 4, level: 1 }], foods: [{ row: 4, col: 0, level: 1 }] });
    let o = env.step([EAST, WEST, NONE]); // both aim at (0, 1)
    assert.deepEqual(positions(o.obs, env), [[0, 0], [0, 2], [4, 4]]);
    o = env.step([EAST, NONE, NONE]); // (0, 1) is free: moves
    o = env.step([EAST, NONE, NONE]); // into (0, 2) where player 1 stays: fails
    assert.deepEqual(positions(o.obs, env), [[0, 1], [0, 2], [4, 4]]);
    o = env.step([EAST, WEST, NONE]); // swap
    assert.deepEqual(positions(o.obs, env), [[0, 2], [0, 1], [4, 4]]);
  });

  test('moves into food or off the grid are unavailable (taken as NONE); LOAD only next to food', () => {
    const env = lbf(1, 1);
    const o = env.reset(undefined, { players: [{ row: 0, col: 1, level: 1 }], foods: [{ row: 1, col: 1, level: 3 }] });
    assert.deepEqual(Array.from(o.avail), [1, 0, 0, 1, 1, 1]); // no north (edge), no south (food)
    const s = env.step([SOUTH]);
    assert.deepEqual(positions(s.obs, env), [[0, 1]]);
  });

  test('observations: foods then self then others as (row, col, level), -1 -1 0 when gone; relative to the sight window', () => {
    const env = lbf(2, 2);
    const o = env.reset(undefined, { players: [{ row: 1, col: 1, level: 2 }, { row: 3, col: 3, level: 1 }], foods: [{ row: 1, col: 2, level: 1 }] });
    assert.deepEqual(Array.from(o.obs.subarray(0, 12)), [1, 2, 1, -1, -1, 0, 1, 1, 2, 3, 3, 1]); // full sight: absolute
    assert.deepEqual(Array.from(o.obs.subarray(12, 24)), [1, 2, 1, -1, -1, 0, 3, 3, 1, 1, 1, 2]); // player 1: itself first
    assert.deepEqual(Array.from(o.state), Array.from(o.obs));
    const near = lbf(2, 1, { sight: 1 });
    const n = near.reset(undefined, { players: [{ row: 2, col: 2, level: 1 }, { row: 4, col: 4, level: 1 }], foods: [{ row: 1, col: 2, level: 1 }] });
    // window rows 1..3, cols 1..3: food at (0, 1), self at (1, 1), the other player out of sight
    assert.deepEqual(Array.from(n.obs.subarray(0, 9)), [0, 1, 1, 1, 1, 1, -1, -1, 0]);
  });

  test('random non-coop layouts: food levels 1..sum of player levels, the sum itself included (v3)', () => {
    const env = makeEnv('lbf:8x8-2p-2f') as LevelBasedForaging;
    let reachedSum = 0;
    for (let seed = 0; seed < 200; seed++) {
      const o = env.reset(seed);
      const need = o.obs[8] + o.obs[11];
      for (const level of [o.obs[2], o.obs[5]]) {
        assert.ok(level >= 1 && level <= need, `food level ${level} outside 1..${need}`);
        if (level === need) reachedSum++;
      }
    }
    assert.ok(reachedSum > 20, `food at the level sum ${reachedSum} times in 400; v2's exclusive bound would give 0`);
  });

  test('random coop layouts: food off the border, spaced out, each needing every player', () => {
    const env = makeEnv('lbf:8x8-2p-2f-coop') as LevelBasedForaging;
    for (let seed = 0; seed < 50; seed++) {
      const o = env.reset(seed);
      const self0 = o.obs.subarray(6, 9);
      const other = o.obs.subarray(9, 12);
      const need = self0[2] + other[2];
      const foods = [o.obs.subarray(0, 3), o.obs.subarray(3, 6)];
      for (const f of foods) {
        assert.ok(f[0] >= 1 && f[0] <= 6 && f[1] >= 1 && f[1] <= 6, `food at ${f[0]},${f[1]}`);
        assert.equal(f[2], need);
      }
      const [a, b] = foods;
      assert.ok(Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1])) > 1 && !((a[0] === b[0] && Math.abs(a[1] - b[1]) <= 2) || (a[1] === b[1] && Math.abs(a[0] - b[0]) <= 2)));
      assert.ok(self0[2] >= 1 && self0[2] <= 2, `player level ${self0[2]} outside v3's 1..2`);
    }
    assert.equal(env.spec.episodeLimit, 50);
    assert.throws(() => makeEnv('lbf:8x6-2p-2f'), /must look like 8x8-2p-2f/);
  });
});

/** (row, col) of every player, read from player 0's observation (self first, then the others in order). */
function positions(obs: Float32Array, env: LevelBasedForaging): number[][] {
  const n = env.spec.nAgents;
  const base = env.spec.obsSize - 3 * n;
  return Array.from({ length: n }, (_, i) => [obs[base + 3 * i], obs[base + 3 * i + 1]]);
}
