/**
 * Scripted players of Carrot Heist: rabbits to train and test the gardeners
 * against, and the scripted gardener squad the learned one must beat.
 */
import type { HeistWorld } from './world.js';

/** A scripted rabbit: picks the rabbit's action for this tick. */
export type RabbitPolicy = (world: HeistWorld, random: () => number) => number;

/**
 * The training opponent: runs from the nearest gardener (most path steps
 * away after its move, then the cell with more exits), with a random move
 * one tick in ten so the gardeners meet varied play.
 * @example
 * ```ts
 * world.tick(actions, fleeingRabbit(world, Math.random));
 * ```
 */
export const fleeingRabbit: RabbitPolicy = (world, random) => {
  if (random() < 0.05) return randomMove(world, world.rabbit, random);
  return fleeMove(world, random);
};

/**
 * A second opponent the gardeners never train against: it goes for the
 * nearest carrot and only runs once a gardener comes within 3 steps.
 * @example
 * ```ts
 * world.tick(actions, foragingRabbit(world, Math.random));
 * ```
 */
export const foragingRabbit: RabbitPolicy = (world, random) => {
  const { maze } = world;
  if (world.nearestGuard(world.rabbit) <= 3) return fleeMove(world, random);
  let best = 0;
  let bestScore = Infinity;
  for (let u = 0; u < 5; u++) {
    if (!world.canMove(world.rabbit, u)) continue;
    const next = u === 0 ? world.rabbit : maze.move(world.rabbit, u);
    if (world.nearestGuard(next) < 2) continue;
    let toCarrot = Infinity;
    maze.carrots.forEach((c, k) => {
      if (world.carrots[k] === 1) toCarrot = Math.min(toCarrot, maze.distance(next, c));
    });
    const score = toCarrot + random() * 0.5;
    if (score < bestScore) {
      bestScore = score;
      best = u;
    }
  }
  return bestScore === Infinity ? fleeMove(world, random) : best;
};

/** Rabbits by name, for the env's arguments and the benchmark. */
export const RABBITS: Readonly<Record<string, RabbitPolicy>> = { flee: fleeingRabbit, forager: foragingRabbit };

function fleeMove(world: HeistWorld, random: () => number): number {
  // Two ticks of lookahead against gardeners that walk straight at where the
  // rabbit is: the rabbit keeps its distance and heads for open garden.
  const { maze } = world;
  const [g1, g2] = scratch(world.nGuards);
  stepToward(world, world.guards, world.rabbit, g1);
  let best = 0;
  let bestScore = -Infinity;
  for (let u = 0; u < 5; u++) {
    if (!world.canMove(world.rabbit, u)) continue;
    const r1 = u === 0 ? world.rabbit : maze.move(world.rabbit, u);
    const d1 = gap(world, world.guards, g1, world.rabbit, r1);
    let second = -1e9;
    if (d1 > 0) {
      stepToward(world, g1, r1, g2);
      for (let v = 0; v < 5; v++) {
        if (!world.canMove(r1, v)) continue;
        const r2 = v === 0 ? r1 : maze.move(r1, v);
        const value = Math.min(d1, gap(world, g1, g2, r1, r2)) * 1000 + safeCells(world, r2, g2);
        if (value > second) second = value;
      }
    }
    const score = second + random() * 0.5;
    if (score > bestScore) {
      bestScore = score;
      best = u;
    }
  }
  return best;
}

let scratchGuards: [Int32Array, Int32Array] = [new Int32Array(0), new Int32Array(0)];

/** Predicted gardener cells one and two ticks ahead, reused: the rabbit decides every env step. */
function scratch(guards: number): [Int32Array, Int32Array] {
  if (scratchGuards[0].length !== guards) scratchGuards = [new Int32Array(guards), new Int32Array(guards)];
  return scratchGuards;
}

/** Each gardener's greedy step toward `target`. */
function stepToward(world: HeistWorld, from: Int32Array, target: number, out: Int32Array): void {
  const { maze } = world;
  for (let i = 0; i < from.length; i++) {
    let cell = from[i];
    let d = maze.distance(cell, target);
    for (let u = 1; u < 5; u++) {
      const next = maze.move(from[i], u);
      if (next >= 0 && maze.distance(next, target) < d) {
        d = maze.distance(next, target);
        cell = next;
      }
    }
    out[i] = cell;
  }
}

/** Steps from the rabbit to the nearest gardener after a tick (at most 4); 0 when caught, also by passing through. */
function gap(world: HeistWorld, before: Int32Array, after: Int32Array, rabbitBefore: number, rabbitAfter: number): number {
  let d = 4;
  for (let i = 0; i < after.length; i++) {
    if (after[i] === rabbitAfter || (after[i] === rabbitBefore && before[i] === rabbitAfter)) return 0;
    d = Math.min(d, world.maze.distance(after[i], rabbitAfter));
  }
  return d;
}

/** Path cells the rabbit reaches from `from` before any gardener. */
function safeCells(world: HeistWorld, from: number, guards: Int32Array): number {
  const { maze } = world;
  let count = 0;
  for (const c of maze.floor) {
    let near = Infinity;
    for (let i = 0; i < guards.length; i++) near = Math.min(near, maze.distance(guards[i], c));
    if (maze.distance(from, c) < near) count++;
  }
  return count;
}

function randomMove(world: HeistWorld, cell: number, random: () => number): number {
  const open: number[] = [];
  for (let u = 0; u < 5; u++) if (world.canMove(cell, u)) open.push(u);
  return open[Math.floor(random() * open.length)];
}

/** Where a gardener's `rabbit.route` features start in its observation. */
export const ROUTE_OFFSET = 11;

/**
 * The scripted gardener (the baseline squad): each one alone walks the
 * shortest path to where it last saw the rabbit, from its own observation
 * and mask only (so it runs decentralised exactly like a shipped policy).
 * @example
 * ```ts
 * const action = chasingGardener(obs, avail, Math.random);
 * ```
 */
export function chasingGardener(obs: ArrayLike<number>, avail: ArrayLike<number>, random: () => number): number {
  let best = 0;
  let bestScore = Infinity;
  for (let u = 0; u < 5; u++) {
    if (!avail[u]) continue;
    const score = obs[ROUTE_OFFSET + u] + random() * 1e-3;
    if (score < bestScore) {
      bestScore = score;
      best = u;
    }
  }
  return best;
}
