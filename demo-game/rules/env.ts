/**
 * Carrot Heist as a multi-agent env for the headless trainer and the CLI:
 * the gardeners are the agents, a scripted rabbit plays the other side.
 * Team reward 1 when the rabbit is caught (the episode ends), plus a
 * closing-in shaping term (see `HeistWorld.tick`); the time limit
 * truncates (bootstrapped), as the game's round timer does.
 *
 * Importing this module registers `carrot-heist[:flee|forager]`.
 */
import type { EnvObservation, EnvSpec, EnvStep, MultiAgentEnv } from '../../plugin/core/env.js';
import { Rng } from '../../plugin/core/rng.js';
import { registerEnv } from '../../plugin/envs/registry.js';
import { ACTION_NAMES, GARDEN, Maze } from './maze.js';
import { RABBITS, type RabbitPolicy } from './opponents.js';
import { HeistWorld, guardObsLayout, guardObsSize, stateSize, type HeistLayout, type HeistOptions } from './world.js';

/** Options of the env: the world's, the maze and the rabbit. */
export interface HeistEnvOptions extends HeistOptions {
  /** Maze rows (default the game's garden). */
  readonly maze?: readonly string[];
  /** The scripted rabbit: a name from {@link RABBITS} or a policy. Default `flee`. */
  readonly rabbit?: string | RabbitPolicy;
}

/**
 * @example
 * ```ts
 * const env = new CarrotHeistEnv({ rabbit: 'forager' });
 * const first = env.reset(7);
 * const step = env.step([1, 2, 0]);
 * if (step.terminated) console.log('caught:', env.won());
 * ```
 */
export class CarrotHeistEnv implements MultiAgentEnv {
  readonly spec: EnvSpec;
  readonly world: HeistWorld;
  private readonly rabbit: RabbitPolicy;
  private rng = new Rng(0, 'carrot-heist');
  private readonly random = (): number => this.rng.next();
  private readonly hop = (): number => this.rabbit(this.world, this.random);
  private readonly obs: Float32Array;
  private readonly state: Float32Array;
  private readonly avail: Uint8Array;

  constructor(opts: HeistEnvOptions = {}) {
    const name = opts.rabbit ?? 'flee';
    if (typeof name === 'string' && !(name in RABBITS)) throw new Error(`unknown rabbit ${JSON.stringify(name)}: expected one of ${Object.keys(RABBITS).join(', ')}`);
    this.rabbit = typeof name === 'string' ? RABBITS[name] : name;
    this.world = new HeistWorld(new Maze(opts.maze ?? GARDEN), opts);
    const n = this.world.nGuards;
    this.spec = Object.freeze({
      nAgents: n,
      obsSize: guardObsSize(n),
      stateSize: stateSize(n),
      nActions: 5,
      episodeLimit: this.world.episodeLimit,
      obsLayout: Object.freeze(guardObsLayout(n)),
      actionNames: Object.freeze([...ACTION_NAMES]),
    });
    this.obs = new Float32Array(n * this.spec.obsSize);
    this.state = new Float32Array(this.spec.stateSize);
    this.avail = new Uint8Array(n * 5);
  }

  /** Whether the last episode ended with the rabbit caught (the gardeners' win). */
  won(): boolean {
    return this.world.caught;
  }

  reset(seed?: number, layout?: HeistLayout): EnvObservation {
    if (seed !== undefined) this.rng = new Rng(seed, 'carrot-heist');
    this.world.reset(this.random, layout);
    return this.observe();
  }

  step(actions: ArrayLike<number>): EnvStep {
    const r = this.world.tick(actions, this.rabbit(this.world, this.random), this.hop);
    return { ...this.observe(), reward: r.reward, terminated: r.caught, truncated: r.timeUp };
  }

  private observe(): EnvObservation {
    const O = this.spec.obsSize;
    for (let i = 0; i < this.world.nGuards; i++) {
      this.world.writeGuardObs(i, this.obs, i * O);
      this.world.writeGuardMask(i, this.avail, i * 5);
    }
    this.world.writeState(this.state);
    return { obs: this.obs, state: this.state, avail: this.avail };
  }
}

registerEnv(
  'carrot-heist',
  (args) => new CarrotHeistEnv({ rabbit: args || 'flee' }),
  'the demo game: 3 gardeners must corner a rabbit in a garden maze; args: the scripted rabbit (flee, default; forager)',
);
