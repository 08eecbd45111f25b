/**
 * **contract: env.** The one shape every source of experience takes: a
 * pure-TS reference env, a headless game, or a live Phaser squad.
 *
 * Lifecycle: `reset(seed?)` -> observation; then `step(actions)` until the
 * result says `terminated` (a real end: not bootstrapped) or `truncated` (a
 * time limit or interruption: bootstrapped from the next state). An env must
 * truncate by itself at `spec.episodeLimit` steps at the latest.
 *
 * Arrays returned by `reset` and `step` may be reused by the env on its next
 * call: read (or copy) them before calling again. This keeps envs free of
 * per-step allocation.
 */
import { EnvContractError } from './errors.js';

/** Names of observation features, so a game can check it feeds what the policy was trained on. */
export interface ObsFeature {
  /** Feature or group name, e.g. `self.x` or `grid` */
  readonly name: string;
  /** Number of consecutive floats it takes in the observation vector. */
  readonly size: number;
}

/** Fixed sizes of an env. */
export interface EnvSpec {
  /** Agents in the team. */
  readonly nAgents: number;
  /** Floats per agent observation. */
  readonly obsSize: number;
  /** Floats in the global state (seen only by the mixer, during training). */
  readonly stateSize: number;
  /** Discrete actions per agent (the same set for every agent). */
  readonly nActions: number;
  /** Maximum steps per episode; the env truncates there at the latest. */
  readonly episodeLimit: number;
  /** Optional description of the observation vector, in order; sizes must sum to `obsSize`. */
  readonly obsLayout?: readonly ObsFeature[];
  /** Optional action names, `nActions` long. */
  readonly actionNames?: readonly string[];
}

/** What the team sees after `reset` or `step`. */
export interface EnvObservation {
  /** Per-agent observations, `[nAgents, obsSize]` row-major. */
  readonly obs: Float32Array;
  /** Global state, `[stateSize]`. */
  readonly state: Float32Array;
  /** Available actions, `[nAgents, nActions]` row-major, 1 = available; every agent has at least one. */
  readonly avail: Uint8Array;
}

/** Result of one `step`. */
export interface EnvStep extends EnvObservation {
  /** The team reward for this step. */
  readonly reward: number;
  /** A real end of the episode: the value of what follows is zero. */
  readonly terminated: boolean;
  /** Stopped by a time limit or interruption: the value of what follows is bootstrapped. */
  readonly truncated: boolean;
}

/**
 * A cooperative multi-agent environment.
 *
 * @example
 * ```ts
 * const env: MultiAgentEnv = new TwoStepEnv();
 * let o = env.reset(1);
 * const s = env.step([1, 0]); // agent 0 picks state 2B
 * s.reward; s.terminated; s.obs;
 * ```
 */
export interface MultiAgentEnv {
  readonly spec: EnvSpec;
  /** Starts an episode; a seed makes its randomness reproducible. */
  reset(seed?: number): EnvObservation;
  /** Applies one action per agent. */
  step(actions: ArrayLike<number>): EnvStep;
  /**
   * Optional: whether the episode that just ended was a win for the team.
   * Where an env has it, the CLI's metrics and `eval` report a win rate
   * (`testWinRate`), `--keep-best` and `--stop-at` score on it instead of
   * the mean return, and the worker's greedy tests do the same. Called after
   * the episode's last step, before the next reset.
   * @example
   * ```ts
   * won(): boolean { return this.caught; }
   * ```
   */
  won?(): boolean;
}

const SPEC_INT_FIELDS = ['nAgents', 'obsSize', 'stateSize', 'nActions', 'episodeLimit'] as const;

/**
 * Checks an env spec and returns a frozen copy.
 * @throws {@link EnvContractError} naming the field and the value.
 * @example
 * ```ts
 * const spec = validateSpec({ nAgents: 2, obsSize: 3, stateSize: 3, nActions: 2, episodeLimit: 2 });
 * ```
 */
export function validateSpec(spec: EnvSpec): EnvSpec {
  if (spec === null || typeof spec !== 'object') throw new EnvContractError(`env spec must be an object, got ${String(spec)}`);
  for (const f of SPEC_INT_FIELDS) {
    const v = spec[f];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 1_000_000) {
      throw new EnvContractError(`env spec.${f} = ${String(v)} is invalid: expected an integer in [1, 1000000]`);
    }
  }
  if (spec.obsLayout !== undefined) {
    const total = spec.obsLayout.reduce((s, f) => s + f.size, 0);
    if (total !== spec.obsSize) {
      throw new EnvContractError(`env spec.obsLayout sizes sum to ${total} but obsSize is ${spec.obsSize}`);
    }
  }
  if (spec.actionNames !== undefined && spec.actionNames.length !== spec.nActions) {
    throw new EnvContractError(`env spec.actionNames has ${spec.actionNames.length} names but nActions is ${spec.nActions}`);
  }
  return Object.freeze({
    nAgents: spec.nAgents,
    obsSize: spec.obsSize,
    stateSize: spec.stateSize,
    nActions: spec.nActions,
    episodeLimit: spec.episodeLimit,
    ...(spec.obsLayout ? { obsLayout: Object.freeze(spec.obsLayout.map((f) => Object.freeze({ ...f }))) } : {}),
    ...(spec.actionNames ? { actionNames: Object.freeze([...spec.actionNames]) } : {}),
  });
}

/**
 * Checks one env output against its spec: sizes, finite numbers, at least
 * one available action per agent. Cheap enough to run every step.
 * @param where names the call for the message, e.g. `step 12`
 * @example
 * ```ts
 * checkObservation(env.spec, env.reset(), 'reset'); // throws EnvContractError: env reset: obs has length 5, expected 6
 * ```
 */
export function checkObservation(spec: EnvSpec, o: EnvObservation, where: string): void {
  expectLength(o.obs, spec.nAgents * spec.obsSize, 'obs', where);
  expectLength(o.state, spec.stateSize, 'state', where);
  expectLength(o.avail, spec.nAgents * spec.nActions, 'avail', where);
  for (let i = 0; i < o.obs.length; i++) {
    if (!Number.isFinite(o.obs[i])) {
      const agent = Math.floor(i / spec.obsSize);
      throw new EnvContractError(`env ${where}: obs of agent ${agent} has ${o.obs[i]} at index ${i % spec.obsSize}`);
    }
  }
  for (let i = 0; i < o.state.length; i++) {
    if (!Number.isFinite(o.state[i])) throw new EnvContractError(`env ${where}: state has ${o.state[i]} at index ${i}`);
  }
  for (let a = 0; a < spec.nAgents; a++) {
    let any = false;
    for (let u = 0; u < spec.nActions; u++) any ||= o.avail[a * spec.nActions + u] !== 0;
    if (!any) throw new EnvContractError(`env ${where}: agent ${a} has no available action`);
  }
}

/**
 * Checks the scalar part of a step result.
 * @example
 * ```ts
 * checkStep(env.step(actions), 'step 3'); // throws if reward is NaN or the flags are not booleans
 * ```
 */
export function checkStep(s: EnvStep, where: string): void {
  if (typeof s.reward !== 'number' || !Number.isFinite(s.reward)) {
    throw new EnvContractError(`env ${where}: reward must be a finite number, got ${String(s.reward)}`);
  }
  if (typeof s.terminated !== 'boolean' || typeof s.truncated !== 'boolean') {
    throw new EnvContractError(`env ${where}: terminated and truncated must be booleans`);
  }
}

function expectLength(a: ArrayLike<number> | undefined, n: number, name: string, where: string): void {
  if (a == null || typeof a.length !== 'number') throw new EnvContractError(`env ${where}: ${name} is missing`);
  if (a.length !== n) throw new EnvContractError(`env ${where}: ${name} has length ${a.length}, expected ${n}`);
}
