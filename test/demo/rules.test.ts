// Carrot Heist rules: hand-worked cases of the maze, movement, capture, the
// rabbit's hop, carrots, episode end, observations, rewards and the env.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { GARDEN, Maze } from '../../demo-game/rules/maze.js';
import { HeistWorld, guardObsSize, stateSize } from '../../demo-game/rules/world.js';
import { CarrotHeistEnv } from '../../demo-game/rules/env.js';
import { chasingGardener, fleeingRabbit, ROUTE_OFFSET } from '../../demo-game/rules/opponents.js';
import { makeEnv } from '../../plugin/envs/registry.js';
import { Rng } from '../../plugin/core/rng.js';

const maze = new Maze(GARDEN);
const at = (x: number, y: number): number => maze.cell(x, y);
const STAY = 0, UP = 1, DOWN = 2, LEFT = 3, RIGHT = 4;
const never = (): number => 0;

/** A world with gardeners 1 and 2 parked in the shed, far from the action. */
function world(guard0: [number, number], rabbit: [number, number], opts = {}): HeistWorld {
  const w = new HeistWorld(maze, { hopEvery: 0, ...opts });
  w.reset(never, { guards: [at(...guard0), at(6, 8), at(8, 8)], rabbit: at(...rabbit) });
  return w;
}

describe('maze', () => {
  test('parses the garden: sizes, shed, carrots, distances along the paths', () => {
    assert.equal(maze.width, 15);
    assert.equal(maze.height, 11);
    assert.deepEqual(maze.shed.map((c) => [maze.x(c), maze.y(c)]), [[7, 7], [6, 8], [7, 8], [8, 8]]);
    assert.equal(maze.carrots.length, 7);
    assert.equal(maze.distance(at(1, 5), at(13, 5)), 12); // straight along row 5
    assert.equal(maze.distance(at(7, 7), at(7, 5)), 4); // no path through the hedge at (7, 6): round by (6, 6)
    assert.equal(maze.move(at(3, 5), DOWN), -1); // hedge at (3, 6)
    assert.equal(maze.move(at(3, 5), RIGHT), at(4, 5));
  });

  test('refuses broken mazes with the reason', () => {
    assert.throws(() => new Maze(['###', '#x#', '###']), /cell \(1, 1\) is "x"/);
    assert.throws(() => new Maze(['#.#', '#S#', '###']), /border must be a hedge/);
    assert.throws(() => new Maze(['#####', '#S#.#', '#####']), /not connected/);
    assert.throws(() => new Maze(['#####', '#...#', '#####']), /no shed/);
    assert.throws(() => new Maze(['#####', '#S.#', '#####']), /row 1 has 4 cells, expected 5/);
  });
});

describe('ticks', () => {
  test('everyone moves at once; blocked moves are refused', () => {
    const w = world([3, 5], [9, 5]);
    const r = w.tick([RIGHT, UP, UP], LEFT);
    assert.deepEqual([maze.x(w.guards[0]), maze.y(w.guards[0])], [4, 5]);
    assert.deepEqual([maze.x(w.guards[1]), maze.y(w.guards[1])], [6, 7]);
    assert.equal(w.rabbit, at(8, 5));
    assert.equal(r.caught, false);
    assert.throws(() => w.tick([UP, STAY, STAY], STAY), /gardener 0 cannot take action 1 at \(4, 5\)/); // hedge at (4, 4)
    assert.throws(() => w.tick([STAY, STAY], STAY), /expected 3 gardener actions, got 2/);
  });

  test('capture: landing on the rabbit, or passing through it; standing next to it is not enough', () => {
    const same = world([3, 5], [5, 5]);
    assert.equal(same.tick([RIGHT, STAY, STAY], LEFT).caught, true); // both onto (4, 5)
    const swap = world([3, 5], [4, 5]);
    assert.equal(swap.tick([RIGHT, STAY, STAY], LEFT).caught, true); // they swap cells
    const near = world([3, 5], [5, 5]);
    const r = near.tick([STAY, STAY, STAY], LEFT); // rabbit to (4, 5), next to the gardener
    assert.equal(r.caught, false);
    assert.throws(() => same.tick([STAY, STAY, STAY], STAY), /episode is over/);
  });

  test('the rabbit hops a second cell every third tick, and can hop into a gardener', () => {
    const w = new HeistWorld(maze, { hopEvery: 3 });
    w.reset(never, { guards: [at(1, 5), at(6, 8), at(8, 8)], rabbit: at(9, 5) });
    w.tick([STAY, STAY, STAY], RIGHT);
    w.tick([STAY, STAY, STAY], RIGHT);
    assert.equal(w.rabbit, at(11, 5));
    w.tick([STAY, STAY, STAY], RIGHT, () => RIGHT); // third tick: two cells
    assert.equal(w.rabbit, at(13, 5));
    const into = new HeistWorld(maze, { hopEvery: 1 });
    into.reset(never, { guards: [at(3, 5), at(6, 8), at(8, 8)], rabbit: at(5, 5) });
    assert.equal(into.tick([STAY, STAY, STAY], LEFT, () => LEFT).caught, true); // (4, 5) then onto (3, 5)
  });

  test('carrots: eaten once, counted, and the garden regrows when cleared', () => {
    const w = world([13, 9], [3, 3]); // (3, 3) holds a carrot: eaten at the start
    assert.equal(w.eaten, 1);
    const k = maze.carrots.indexOf(at(3, 3));
    assert.equal(w.carrots[k], 0);
    assert.equal(w.tick([STAY, STAY, STAY], DOWN).ate, false);
    assert.equal(w.tick([STAY, STAY, STAY], UP).ate, false); // already eaten
    const all = world([13, 9], [1, 2]);
    all.carrots.fill(0);
    all.carrots[maze.carrots.indexOf(at(1, 1))] = 1;
    const r = all.tick([STAY, STAY, STAY], UP); // the last carrot
    assert.equal(r.ate, true);
    assert.equal(all.carrots.reduce((s, c) => s + c, 0), maze.carrots.length - 1); // all back but the one under the rabbit
  });

  test('the round ends by the time limit with the rabbit free', () => {
    const w = world([1, 9], [13, 1], { episodeLimit: 3 });
    assert.equal(w.tick([STAY, STAY, STAY], STAY).timeUp, false);
    assert.equal(w.tick([STAY, STAY, STAY], STAY).timeUp, false);
    const last = w.tick([STAY, STAY, STAY], STAY);
    assert.equal(last.timeUp, true);
    assert.equal(last.caught, false);
    assert.throws(() => w.tick([STAY, STAY, STAY], STAY), /episode is over/);
  });

  test('reward: 1 for the catch plus the potential-based term (distances and the safe ground)', () => {
    const w = world([3, 5], [9, 5]);
    const phi = (): number => -[0, 1, 2].reduce((s, i) => s + maze.distance(w.guards[i], w.rabbit), 0) / maze.diameter - w.rabbitGround() / 10;
    const before = phi();
    const r = w.tick([RIGHT, STAY, STAY], RIGHT); // gap unchanged for gardener 0, the others lose one step each
    assert.ok(Math.abs(r.reward - (0.99 * phi() - before)) < 1e-12);
    const c = world([3, 5], [4, 5]);
    const catchPhi = -[0, 1, 2].reduce((sum, i) => sum + maze.distance(c.guards[i], c.rabbit), 0) / maze.diameter - c.rabbitGround() / 10;
    assert.ok(Math.abs(c.tick([RIGHT, STAY, STAY], LEFT).reward - (1 - catchPhi)) < 1e-12); // phi after a catch is 0
  });
});

describe('observation and state', () => {
  test("a gardener's observation, worked by hand", () => {
    const w = world([3, 5], [5, 5]);
    const o = new Float32Array(guardObsSize(3));
    w.writeGuardObs(0, o);
    const expected = [
      2 / 12, 4 / 8, // self.cell: (3, 5) in the 13 x 9 inside
      0, 1, 0, 0, // hedges up, down (3, 6), left, right
      1, 2 / 3, 0, // rabbit seen, 2 cells right
      1, 0, // known (the alarm), seen this tick
      0, 1, 1, 1, -1, // stay 0, up +1, down blocked, left +1, right -1
      NaN, NaN, NaN, NaN, NaN, // cutoff: worked in the corridor test below
      1, 1, 1, 4 / 20, // mate 1 at (6, 8): seen, (+3, +3), 4 steps from the rabbit
      0, 0, 0, 1, // mate 2 at (8, 8): out of sight
      1, // time left
    ];
    assert.equal(o.length, expected.length);
    expected.forEach((v, i) => assert.ok(Number.isNaN(v) || Math.abs(o[i] - v) < 1e-6, `obs[${i}] = ${o[i]}, expected ${v}`));
  });

  test("cutoff: how much each move shrinks the rabbit's safe ground, worked in a corridor", () => {
    const corridor = new Maze(['#########', '#S......#', '#########']);
    const w = new HeistWorld(corridor, { guards: 1, hopEvery: 0 });
    w.reset(never, { guards: [corridor.cell(2, 1)], rabbit: corridor.cell(5, 1) });
    const o = new Float32Array(guardObsSize(1));
    w.writeGuardObs(0, o);
    // Rabbit at x=5 against a gardener at x=2 holds x=4..7 (4 cells); from x=3 it
    // would hold 5..7 (3 cells): stepping right cuts off one cell, left or staying none.
    assert.deepEqual(Array.from(o.subarray(16, 21)), [0, 0, 0, 0, Math.fround(0.1)]);
    assert.equal(w.rabbitGround(), 4);
  });

  test('out of sight the gardener remembers where it last saw the rabbit, and the memory ages', () => {
    const w = world([1, 9], [5, 9]); // 4 cells apart: out of sight, but the alarm told everyone
    const o = new Float32Array(guardObsSize(3));
    w.tick([STAY, STAY, STAY], RIGHT); // the rabbit runs on to (6, 9), unseen
    w.writeGuardObs(0, o);
    assert.deepEqual(Array.from(o.subarray(6, 11)), [0, 0, 0, 1, Math.fround(1 / 20)]); // unseen; known, one tick old
    assert.deepEqual(Array.from(o.subarray(11, 16)), [0, 1, 1, 1, -1]); // routes still lead to (5, 9)
    w.tick([RIGHT, STAY, STAY], STAY); // gardener to (2, 9): the rabbit at (6, 9) is 4 away, still unseen
    w.tick([RIGHT, STAY, STAY], STAY); // (3, 9): now 3 away, seen again
    w.writeGuardObs(0, o);
    assert.deepEqual(Array.from(o.subarray(6, 11)), [1, 1, 0, 1, 0]);
  });

  test('the state mirrors the scene: x, y, active per gardener, the rabbit, the time left', () => {
    const w = world([3, 5], [5, 5]);
    const s = new Float32Array(stateSize(3));
    w.writeState(s);
    assert.deepEqual(Array.from(s), [3.5 / 15, 5.5 / 11, 1, 6.5 / 15, 8.5 / 11, 1, 8.5 / 15, 8.5 / 11, 1, 5.5 / 15, 5.5 / 11, 1, 1].map(Math.fround));
  });
});

describe('env and scripted players', () => {
  test('the env: spec, seeded resets, terminal catch, truncated time limit, registered names', () => {
    const env = new CarrotHeistEnv();
    assert.equal(env.spec.nAgents, 3);
    assert.equal(env.spec.obsSize, guardObsSize(3));
    assert.equal(env.spec.stateSize, stateSize(3));
    assert.equal(env.spec.nActions, 5);
    const a = Array.from(env.reset(11).state);
    assert.deepEqual(Array.from(env.reset(11).state), a);
    assert.notDeepEqual(Array.from(env.reset(12).state), a);
    const rng = new Rng(3);
    let caught = 0;
    let timeUp = 0;
    for (let e = 0; e < 40; e++) {
      let o = env.reset(e);
      for (let t = 0; ; t++) {
        const acts = [0, 1, 2].map((i) => chasingGardener(o.obs.subarray(i * env.spec.obsSize), o.avail.subarray(i * 5), () => rng.next()));
        const s = env.step(acts);
        o = s;
        assert.equal(s.terminated, env.won());
        if (s.terminated || s.truncated) {
          if (s.terminated) caught++;
          else {
            timeUp++;
            assert.equal(t + 1, env.spec.episodeLimit);
          }
          break;
        }
      }
    }
    assert.ok(caught > 0 && timeUp > 0, `both endings happen (${caught} caught, ${timeUp} time up)`);
    assert.ok(makeEnv('carrot-heist') instanceof CarrotHeistEnv);
    assert.ok(makeEnv('carrot-heist:forager') instanceof CarrotHeistEnv);
    assert.throws(() => makeEnv('carrot-heist:fox'), /unknown rabbit "fox": expected one of flee, forager/);
  });

  test('the scripted gardener takes the open move that shortens its route', () => {
    const o = new Float32Array(guardObsSize(3));
    o.set([0, 1, 1, 1, -1], ROUTE_OFFSET);
    assert.equal(chasingGardener(o, [1, 1, 0, 1, 1], Math.random), RIGHT);
    assert.equal(chasingGardener(o, [1, 1, 0, 1, 0], Math.random), STAY); // right masked: standing beats stepping away
  });

  test('a lone gardener seldom catches the fleeing rabbit (only when it runs into a blind alley)', () => {
    const w = new HeistWorld(maze, { guards: 1 });
    const rng = new Rng(5);
    const random = (): number => rng.next();
    const o = new Float32Array(guardObsSize(1));
    const m = new Uint8Array(5);
    let caught = 0;
    for (let e = 0; e < 50; e++) {
      w.reset(random);
      for (;;) {
        w.writeGuardObs(0, o);
        w.writeGuardMask(0, m);
        const r = w.tick([chasingGardener(o, m, random)], fleeingRabbit(w, random), () => fleeingRabbit(w, random));
        if (r.caught || r.timeUp) break;
      }
      if (w.caught) caught++;
    }
    assert.ok(caught <= 10, `a lone chaser caught the rabbit ${caught} times in 50`);
  });
});
