/**
 * The gardeners as a phaser-qmix squad: the glue between the pure rules
 * (HeistWorld) and the plugin's public API. Each gardener sprite is an agent
 * whose hooks read the rules (its local observation, its open moves) and
 * record its chosen move; the global state comes from the scene (sprite
 * positions, the rabbit registered as a state object, the time left from a
 * state hook). The same function serves the game (greedy, shipped policy)
 * and training pages (train mode with a trainer).
 */
import type * as Phaser from 'phaser';
import type { QmixPlugin, Squad, SquadMode } from '../plugin/phaser/index.js';
import type { SquadTrainer } from '../plugin/core/index.js';
import { ACTION_NAMES } from './rules/maze.js';
import { chasingGardener } from './rules/opponents.js';
import { guardObsLayout, guardObsSize, type HeistWorld } from './rules/world.js';

/** Options of {@link addGardenerSquad}. */
export interface GardenerSquadOptions {
  /** Scene steps per game tick (one decision per tick). */
  readonly ticksEvery: number;
  /** The maze's rectangle in the scene (state positions are normalised to it). */
  readonly mazeBounds: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly mode: SquadMode;
  /** Policy-file JSON for greedy play. */
  readonly policy?: object;
  readonly trainer?: SquadTrainer | ((spec: import('../plugin/core/index.js').EnvSpec) => SquadTrainer);
  /** Randomness of the scripted gardeners' tie-breaks. */
  readonly random?: () => number;
}

/** The squad and the moves its gardeners chose at the last decision. */
export interface GardenerSquad {
  readonly squad: Squad;
  /** One move per gardener; valid when {@link GardenerSquad.decided} is true. */
  readonly moves: Int32Array;
  /** True from a decision until the game consumes the moves with {@link GardenerSquad.take}. */
  readonly decided: boolean;
  /** Hands the moves to the game's tick and clears `decided`. */
  take(): Int32Array;
}

/**
 * Adds the gardener squad to a scene.
 * @example
 * ```ts
 * const g = addGardenerSquad(this.qmix, world, sprites, rabbitSprite, { ticksEvery: 10, mazeBounds, mode: 'greedy', policy });
 * // in update(): if (g.decided) world.tick(g.take(), playerMove());
 * ```
 */
export function addGardenerSquad(
  qmix: QmixPlugin,
  world: HeistWorld,
  sprites: readonly Phaser.GameObjects.Sprite[],
  rabbit: Phaser.GameObjects.Sprite,
  o: GardenerSquadOptions,
): GardenerSquad {
  const n = world.nGuards;
  const obsSize = guardObsSize(n);
  const scratch = new Float32Array(obsSize);
  const mask = new Uint8Array(5);
  const moves = new Int32Array(n);
  const random = o.random ?? Math.random;
  let fresh = 0;
  const squad = qmix.addSquad('gardeners', {
    nActions: 5,
    actionNames: ACTION_NAMES,
    obsSize,
    obsLayout: guardObsLayout(n),
    decisionPeriod: { frames: o.ticksEvery },
    // One move per tick: the game applies it once, so no repeats between decisions.
    repeatActions: false,
    // The rules end every round at the time limit (the scene interrupts the
    // episode then); the same limit keeps the squad's env spec equal to the
    // headless env's, so checkpoints move between the CLI and the browser.
    maxSteps: world.episodeLimit,
    mode: o.mode,
    ...(o.policy ? { policy: o.policy } : {}),
    ...(o.trainer ? { trainer: o.trainer } : {}),
    state: {
      bounds: o.mazeBounds,
      velocity: false,
      hook: (s) => s.add(1 - world.t / world.episodeLimit),
    },
  });
  squad.addStateObject('rabbit', rabbit);
  sprites.forEach((sprite, i) => {
    squad.addAgent(sprite, {
      observe: (obs) => {
        world.writeGuardObs(i, scratch);
        obs.addMany(scratch);
      },
      mask: () => {
        world.writeGuardMask(i, mask);
        return mask;
      },
      act: (action, _agent, info) => {
        if (!info.fresh) return;
        moves[i] = action;
        fresh |= 1 << i;
      },
      // The scripted baseline: walk the shortest path to where this gardener last saw the rabbit.
      heuristic: () => {
        world.writeGuardObs(i, scratch);
        world.writeGuardMask(i, mask);
        return chasingGardener(scratch, mask, random);
      },
    });
  });
  const all = (1 << n) - 1;
  return {
    squad,
    moves,
    get decided() {
      return fresh === all;
    },
    take() {
      fresh = 0;
      return moves;
    },
  };
}
