/**
 * The game-facing types of a squad: its options, the hooks an agent
 * implements, and the agent handle returned by `squad.addAgent`.
 */
import type { EnvSpec, ObsFeature } from '../core/env.js';
import type { SquadTrainer } from '../core/trainer-handle.js';
import type { GreedyPolicy } from '../runtime/greedy-policy.js';
import type { ActionMask, ObservationWriter } from './sensors.js';
import type { SceneObjectLike, StateOptions } from './state-builder.js';

/** How a squad picks actions. */
export type SquadMode = 'train' | 'greedy' | 'heuristic';

/** A game object a squad can use (every Phaser GameObject fits). */
export interface GameObjectLike extends SceneObjectLike {
  once?(event: string, fn: () => void, context?: unknown): unknown;
  off?(event: string, fn: () => void, context?: unknown, once?: boolean): unknown;
}

/** The hooks a game implements per agent (in the spirit of ML-Agents' Agent). */
export interface AgentHooks<G extends GameObjectLike = GameObjectLike> {
  /** Writes this agent's observation: the same number of values every time. */
  observe(obs: ObservationWriter, agent: SquadAgent<G>): void;
  /** Disables actions this agent cannot take now (all are available by default). May instead return one 0/1 (or boolean) per action. */
  mask?(mask: ActionMask, agent: SquadAgent<G>): void | ArrayLike<number | boolean>;
  /** Carries out an action. `fresh` is false when a held action is repeated between decisions. */
  act(action: number, agent: SquadAgent<G>, info: { readonly fresh: boolean }): void;
  /** Scripted or human control, used in `heuristic` mode: returns an action. */
  heuristic?(agent: SquadAgent<G>): number;
  /** Called when an episode begins (reset positions, state, ...). */
  onEpisodeBegin?(agent: SquadAgent<G>): void;
}

/** Squad options. Only `nActions` is required. */
export interface SquadOptions {
  /** Discrete actions per agent. */
  readonly nActions: number;
  /** Names of the actions (recorded in the policy file). */
  readonly actionNames?: readonly string[];
  /** The action a removed agent is held at. Default 0. */
  readonly noopAction?: number;
  /** Observation size; when omitted it is inferred at the first decision (calling one agent's `observe` once more that time), then fixed. */
  readonly obsSize?: number;
  /** Names of the observation features (recorded in and checked against policy files). */
  readonly obsLayout?: readonly ObsFeature[];
  /** Decide every N scene steps or every N ms of game time. Default `{ frames: 5 }`. */
  readonly decisionPeriod?: { readonly frames: number } | { readonly ms: number };
  /** Call `act` again with the held action on steps between decisions. Default true. */
  readonly repeatActions?: boolean;
  /** Decisions per episode before it is interrupted (the env's episode limit). Default 500. */
  readonly maxSteps?: number;
  /** How the global state is built from the scene (training only). */
  readonly state?: StateOptions;
  /** Starting mode. Default `heuristic`. */
  readonly mode?: SquadMode;
  /**
   * Who trains on the squad's episodes: an instance (the game owns and
   * disposes it) or a factory called with the env spec once the sizes are
   * known (the squad owns and disposes what it returns).
   */
  readonly trainer?: SquadTrainer | ((spec: EnvSpec) => SquadTrainer);
  /** A policy for `greedy` mode: policy-file JSON (text or object) or a loaded {@link GreedyPolicy}. */
  readonly policy?: string | object | GreedyPolicy;
  /** In `heuristic` mode, still record episodes for the trainer (learning from demonstrations). Default false. */
  readonly recordHeuristic?: boolean;
  /** Seed of the squad's exploration randomness. Default 0. */
  readonly seed?: number;
}

/**
 * One agent of a squad: its game object, hooks and slot.
 * @example
 * ```ts
 * const guard = squad.addAgent(sprite, hooks);
 * guard.addReward(0.1);
 * ```
 */
export class SquadAgent<G extends GameObjectLike = GameObjectLike> {
  /** Null once the game object was destroyed. */
  gameObject: G | null;

  constructor(
    private readonly squad: { addReward(agent: number, reward: number): void },
    readonly index: number,
    gameObject: G,
    readonly hooks: AgentHooks<G>,
  ) {
    this.gameObject = gameObject;
  }

  /** Present and active: takes part in decisions. */
  get alive(): boolean {
    return this.gameObject !== null && this.gameObject.active;
  }

  /** Adds to this agent's reward (summed into the team reward). */
  addReward(reward: number): void {
    this.squad.addReward(this.index, reward);
  }
}

