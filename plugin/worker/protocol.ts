/**
 * The message protocol between a game (main thread) and its training worker.
 * Every message is checked on arrival: a malformed one becomes an error for
 * the receiver to report, never a crash.
 *
 *   main -> worker: init, episode (typed arrays transferred), pause, resume, save, load (duty cycle)
 *   worker -> main: ready, backend, weights (Float32Arrays transferred), metrics, progress, test, saved, error
 */
import type { QmixConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import { checkWasmPaths, type WasmPaths } from '../core/wasm-paths.js';
import type { PolicyHeader } from '../runtime/policy-file.js';
import type { RulesRunnerOptions, RulesTestResult } from '../train/rules-runner.js';
import type { RollbackInfo } from '../learn/divergence.js';

/** Backend choice for the worker's learner. */
export type WorkerBackend = 'auto' | 'webgl' | 'wasm' | 'cpu';

/** How the worker trains (all have defaults on the client). */
export interface HostOptions {
  readonly backend: WorkerBackend;
  /** Updates per received episode (a fraction is fine: 0.5 = one update every second episode). */
  readonly updatesPerEpisode: number;
  /** Post acting weights every this many updates. */
  readonly weightsEvery: number;
  /** Post metrics at most this often (ms). */
  readonly metricsEveryMs: number;
  /** Autosave a checkpoint every this many updates (0: never). */
  readonly autosaveEvery: number;
  /**
   * Also autosave when this long has passed since the last autosave (ms)
   * and updates were done since (0 or absent: by updates only). The first
   * minutes of a run are then not lost to a reload.
   */
  readonly autosaveEveryMs?: number;
  readonly autosaveName: string;
  /** Include the replay buffer in autosaves (exact resume, larger saves). */
  readonly autosaveBuffer: boolean;
  /** Start from the autosave if there is one. */
  readonly resume: boolean;
  /**
   * Where the tfjs wasm binaries are served (browser): a folder URL such as
   * `/wasm/`, or a map of file name to URL (what a bundler's per-file URL
   * imports give), e.g. `{ 'tfjs-backend-wasm-simd.wasm': simdUrl }`.
   */
  readonly wasmPaths?: WasmPaths;
  /** Updates timed per backend when `backend` is `auto`. */
  readonly trialUpdates: number;
  /**
   * Share of wall time the worker may spend on updates (0..1]. Below 1 it
   * rests after each update in proportion, leaving CPU to the game (on a
   * 2-core machine the browser's own threads compete with a busy worker).
   */
  readonly maxLoad: number;
  /**
   * Threads for the updates' kernels: 2 has the worker start a helper
   * thread that takes half of each batch's rows (needs SharedArrayBuffer:
   * a cross-origin-isolated page), 1 keeps one; `auto` (absent) takes 2
   * where it can and the device has 4 or more cores (on 2 the game needs
   * the other). The "ready" message says which runs, and why not 2.
   */
  readonly threads?: 1 | 2 | 'auto';
  /**
   * Train on env copies the worker steps itself (a game whose rules
   * implement the env contract, registered by name in the worker script),
   * instead of on episodes posted by the game. Null or absent: episodes
   * come from the game.
   */
  readonly rules?: RulesOptions | null;
}

/** How the worker trains on its own env copies (see {@link HostOptions.rules}). */
export type RulesOptions = RulesRunnerOptions;

/** One round of greedy test episodes run by the worker (rules mode), with the counters at the test. */
export interface WorkerTest extends RulesTestResult {
  readonly envSteps: number;
  readonly updates: number;
}

/** Messages to the worker. */
export type ToWorker =
  | { readonly type: 'init'; readonly spec: EnvSpec; readonly config: Partial<QmixConfig>; readonly options: HostOptions }
  | { readonly type: 'episode'; readonly episode: EpisodeRecord }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'save'; readonly name: string; readonly includeBuffer: boolean }
  | { readonly type: 'load'; readonly maxLoad: number }
  /** Continue from a checkpoint in the worker's store (the learner, counters and replay it holds). */
  | { readonly type: 'restore'; readonly name: string }
  /** Asks for the current policy file, or the best one kept by the tests (answered by `policy` with the same id). */
  | { readonly type: 'export'; readonly id: number; readonly which?: 'current' | 'best' }
  /** Asks for each agent's credit dQ_tot/dQ_i at one state (answered by `credit`). */
  | { readonly type: 'credit'; readonly id: number; readonly qs: Float32Array; readonly state: Float32Array }
  /** Demonstrations to train on: a demonstration file's JSON, checked in the worker against its spec (answered by `demos`). */
  | { readonly type: 'demos'; readonly id: number; readonly file: string; readonly share: number };

/** What the worker reports about training, at most every `metricsEveryMs`. */
export interface WorkerMetrics {
  readonly backend: string;
  readonly updates: number;
  readonly episodes: number;
  readonly envSteps: number;
  readonly bufferSize: number;
  readonly bufferCapacity: number;
  /** Loss, mean Q_tot and gradient norm of the latest update (NaN before the first). */
  readonly loss: number;
  readonly qTotMean: number;
  /** Exploration at the worker's env-step count (epsilon, or temperature). */
  readonly epsilon: number;
  readonly updatesPerSec: number;
  readonly envStepsPerSec: number;
  /** Updates owed by the training ratio but not done yet: the worker's lag. */
  readonly pendingUpdates: number;
  /** Episodes received but not yet stored. */
  readonly episodesQueued: number;
  /** The duty cycle in force (see HostOptions.maxLoad and the client's adaptive load). */
  readonly maxLoad: number;
  readonly paused: boolean;
  /** Threads the updates' kernels run on (2: a helper thread takes half of each batch's rows), and the jobs the helper has run. */
  readonly threads?: 1 | 2;
  readonly helperJobs?: number;
  /** Rules mode: mean return and win rate (null: the env has no wins) of the training episodes since the last metrics, and how many. */
  readonly trainReturnMean?: number;
  readonly trainWinRate?: number | null;
  readonly trainEpisodes?: number;
}

/** Messages from the worker. */
export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string; readonly resumedFromUpdates: number | null; readonly envSteps: number; readonly episodes: number; readonly bufferSize?: number; readonly threads?: 1 | 2; readonly threadsNote?: string }
  | { readonly type: 'backend'; readonly choice: string; readonly timings: { readonly [backend: string]: number | null }; readonly reason: string }
  | { readonly type: 'weights'; readonly updates: number; readonly header: PolicyHeader; readonly weights: { readonly [name: string]: Float32Array } }
  | { readonly type: 'metrics'; readonly metrics: WorkerMetrics }
  | { readonly type: 'saved'; readonly name: string; readonly updates: number }
  | { readonly type: 'restored'; readonly name: string; readonly updates: number; readonly envSteps: number; readonly episodes: number; readonly bufferSize?: number }
  /** After every update: the learner's count (what pacing needs, sooner than metrics). */
  | { readonly type: 'progress'; readonly updates: number }
  /** Rules mode: a round of greedy test episodes. */
  | { readonly type: 'test'; readonly test: WorkerTest }
  | { readonly type: 'policy'; readonly id: number; readonly policy: object }
  /** `credits` null: the squad has no mixer (IQL). */
  | { readonly type: 'credit'; readonly id: number; readonly credits: Float32Array | null }
  /** Demonstrations taken: how many episodes the trainer now holds, and their share of each batch. */
  | { readonly type: 'demos'; readonly id: number; readonly episodes: number; readonly share: number }
  | { readonly type: 'error'; readonly message: string; readonly fatal: boolean }
  /** An update diverged and the learner went back to its last good snapshot; training goes on. */
  | { readonly type: 'rollback'; readonly info: RollbackInfo }
  /** Repeated rollbacks: training stopped (paused) at the last good snapshot, whose weights were just sent. */
  | { readonly type: 'diverged'; readonly message: string; readonly info: RollbackInfo };

/** A message that does not follow the protocol. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const need = (ok: boolean, what: string): void => {
  if (!ok) throw new ProtocolError(what);
};

/**
 * Checks a message received from the worker.
 * @throws {@link ProtocolError} naming what is wrong.
 * @example
 * ```ts
 * worker.onmessage = (e) => { try { handle(parseFromWorker(e.data)); } catch (err) { report(err); } };
 * ```
 */
export function parseFromWorker(data: unknown): FromWorker {
  need(isObj(data), `worker message must be an object, got ${describe(data)}`);
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      need(typeof m.backend === 'string' && isNum(m.envSteps) && isNum(m.episodes) && (m.resumedFromUpdates === null || isNum(m.resumedFromUpdates)), 'worker "ready" message is malformed');
      need(m.threads === undefined || m.threads === 1 || m.threads === 2, 'worker "ready" message has threads other than 1 or 2');
      break;
    case 'backend':
      need(typeof m.choice === 'string' && typeof m.reason === 'string' && isObj(m.timings), 'worker "backend" message is malformed');
      break;
    case 'weights':
      need(isNum(m.updates) && isObj(m.header) && isObj(m.weights), 'worker "weights" message is malformed');
      need(Object.values(m.weights as object).every((w) => w instanceof Float32Array), 'worker "weights" message must carry Float32Arrays');
      break;
    case 'metrics': {
      need(isObj(m.metrics), 'worker "metrics" message has no metrics');
      const x = m.metrics as Record<string, unknown>;
      for (const k of ['updates', 'episodes', 'envSteps', 'bufferSize', 'bufferCapacity', 'pendingUpdates', 'episodesQueued']) {
        need(isNum(x[k]) && (x[k] as number) >= 0, `worker metrics.${k} is ${describe(x[k])}`);
      }
      need(typeof x.backend === 'string', 'worker metrics.backend is missing');
      break;
    }
    case 'saved':
      need(typeof m.name === 'string' && isNum(m.updates), 'worker "saved" message is malformed');
      break;
    case 'restored':
      need(typeof m.name === 'string' && isNum(m.updates) && isNum(m.envSteps) && isNum(m.episodes), 'worker "restored" message is malformed');
      break;
    case 'policy':
      need(isNum(m.id) && isObj(m.policy), 'worker "policy" message is malformed');
      break;
    case 'demos':
      need(isNum(m.id) && isNum(m.episodes) && (m.episodes as number) >= 0 && isNum(m.share), 'worker "demos" message is malformed');
      break;
    case 'progress':
      need(isNum(m.updates) && (m.updates as number) >= 0, 'worker "progress" message is malformed');
      break;
    case 'test': {
      need(isObj(m.test), 'worker "test" message has no test');
      const x = m.test as Record<string, unknown>;
      for (const k of ['envSteps', 'updates', 'episodes', 'bestEnvSteps', 'ms']) need(isNum(x[k]) && (x[k] as number) >= 0, `worker test.${k} is ${describe(x[k])}`);
      for (const k of ['returnMean', 'score', 'bestScore']) need(isNum(x[k]), `worker test.${k} is ${describe(x[k])}`);
      need(x.winRate === null || (isNum(x.winRate) && (x.winRate as number) >= 0 && (x.winRate as number) <= 1), `worker test.winRate is ${describe(x.winRate)}`);
      need(typeof x.best === 'boolean' && typeof x.solved === 'boolean', 'worker test.best and test.solved must be booleans');
      break;
    }
    case 'credit':
      need(isNum(m.id) && (m.credits === null || m.credits instanceof Float32Array), 'worker "credit" message is malformed');
      break;
    case 'error':
      need(typeof m.message === 'string' && typeof m.fatal === 'boolean', 'worker "error" message is malformed');
      break;
    case 'diverged':
    case 'rollback': {
      need(m.type === 'rollback' || typeof m.message === 'string', 'worker "diverged" message has no message');
      need(isObj(m.info), `worker "${String(m.type)}" message has no info`);
      const x = m.info as Record<string, unknown>;
      for (const k of ['update', 'rolledBackTo', 'rollbacks', 'maxRollbacks']) need(isNum(x[k]) && (x[k] as number) >= 0, `worker ${String(m.type)} info.${k} is ${describe(x[k])}`);
      need(typeof x.reason === 'string' && typeof x.loss === 'number' && typeof x.gradNorm === 'number', `worker "${String(m.type)}" info is malformed`);
      break;
    }
    default:
      throw new ProtocolError(`unknown worker message type ${describe(m.type)}`);
  }
  return data as FromWorker;
}

/**
 * Checks a message received by the worker (episode contents are checked
 * again against the spec when stored).
 * @throws {@link ProtocolError} naming what is wrong.
 * @example
 * ```ts
 * self.onmessage = (e) => host.handle(parseToWorker(e.data));
 * ```
 */
export function parseToWorker(data: unknown): ToWorker {
  need(isObj(data), `message to the worker must be an object, got ${describe(data)}`);
  const m = data as Record<string, unknown>;
  switch (m.type) {
    case 'init':
      need(isObj(m.spec) && isObj(m.config) && isObj(m.options), '"init" needs spec, config and options');
      checkHostOptions(m.options);
      break;
    case 'episode':
      need(isObj(m.episode), '"episode" needs an episode');
      break;
    case 'pause':
    case 'resume':
      break;
    case 'save':
      need(typeof m.name === 'string' && typeof m.includeBuffer === 'boolean', '"save" needs a name and includeBuffer');
      break;
    case 'load':
      need(isNum(m.maxLoad) && (m.maxLoad as number) > 0 && (m.maxLoad as number) <= 1, `"load" needs maxLoad in (0, 1], got ${describe(m.maxLoad)}`);
      break;
    case 'restore':
      need(typeof m.name === 'string' && m.name.length > 0, '"restore" needs a checkpoint name');
      break;
    case 'export':
      need(isNum(m.id) && (m.which === undefined || m.which === 'current' || m.which === 'best'), '"export" needs an id (and which: "current" or "best")');
      break;
    case 'credit':
      need(isNum(m.id) && m.qs instanceof Float32Array && m.state instanceof Float32Array, '"credit" needs an id and Float32Array qs and state');
      break;
    case 'demos':
      need(isNum(m.id) && typeof m.file === 'string' && isNum(m.share) && (m.share as number) >= 0 && (m.share as number) <= 1, '"demos" needs an id, the file\'s JSON text and a share in 0..1');
      break;
    default:
      throw new ProtocolError(`unknown message type ${describe(m.type)}`);
  }
  return data as ToWorker;
}

/**
 * Checks {@link HostOptions.rules} (absent and null are fine).
 * @throws {@link ProtocolError} naming the field.
 * @example
 * ```ts
 * checkRules({ env: 'carrot-heist', copies: 8, testEvery: 10000, testEpisodes: 100, stopAt: null });
 * ```
 */
export function checkRules(r: unknown): void {
  if (r === undefined || r === null) return;
  need(isObj(r), `"init" options.rules must be an object, got ${describe(r)}`);
  const x = r as Record<string, unknown>;
  need(typeof x.env === 'string' && x.env.length > 0, `options.rules.env must name a registered env, got ${describe(x.env)}`);
  need(Number.isInteger(x.copies) && (x.copies as number) >= 0 && (x.copies as number) <= 256, `options.rules.copies must be a whole number in 0..256 (0: tests only, experience from the game), got ${describe(x.copies)}`);
  need(Number.isInteger(x.testEvery) && (x.testEvery as number) >= 0, `options.rules.testEvery must be a whole number of env steps (0: never), got ${describe(x.testEvery)}`);
  need(Number.isInteger(x.testEpisodes) && (x.testEpisodes as number) >= 1, `options.rules.testEpisodes must be a positive whole number, got ${describe(x.testEpisodes)}`);
  need(x.stopAt === null || isNum(x.stopAt), `options.rules.stopAt must be a number or null, got ${describe(x.stopAt)}`);
}

/**
 * Checks the options a worker trains under (the client's, before it starts a
 * worker, and the worker's, on "init"): a NaN interval must not flood the page
 * with messages, nor a zero make the worker never stream weights.
 * @throws {@link ProtocolError} naming the option, its value and what is allowed.
 * @example
 * ```ts
 * checkHostOptions({ metricsEveryMs: 500, weightsEvery: 10 }); // only the fields present are checked
 * ```
 */
export function checkHostOptions(o: unknown): void {
  need(isObj(o), `worker options must be an object, got ${describe(o)}`);
  const x = o as Record<string, unknown>;
  const rule = (key: string, ok: (v: unknown) => boolean, allowed: string): void => {
    if (x[key] !== undefined) need(ok(x[key]), `option ${key} = ${describe(x[key])} is invalid: expected ${allowed}`);
  };
  const int = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;
  const num = (min: number, max = Infinity) => (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;
  rule('backend', (v) => v === 'auto' || v === 'webgl' || v === 'wasm' || v === 'cpu', '"auto", "webgl", "wasm" or "cpu"');
  rule('updatesPerEpisode', (v) => num(0, 1000)(v) && (v as number) > 0, 'a number in (0, 1000]');
  rule('weightsEvery', int(1), 'a whole number of updates >= 1');
  rule('metricsEveryMs', num(0, 3_600_000), 'a number of ms in [0, 3600000] (0: after every update)');
  rule('autosaveEvery', int(0), 'a whole number of updates >= 0 (0: never)');
  rule('autosaveEveryMs', num(0), 'a number of ms >= 0 (0: by updates only)');
  rule('autosaveName', (v) => typeof v === 'string' && v.length > 0, 'a non-empty name');
  rule('autosaveBuffer', (v) => typeof v === 'boolean', 'true or false');
  rule('resume', (v) => typeof v === 'boolean', 'true or false');
  if (x.wasmPaths !== undefined) {
    try {
      checkWasmPaths(x.wasmPaths);
    } catch (e) {
      throw new ProtocolError(`option ${(e as Error).message}`);
    }
  }
  rule('trialUpdates', int(0), 'a whole number >= 0');
  rule('maxLoad', (v) => num(0, 1)(v) && (v as number) > 0, 'a share of time in (0, 1]');
  rule('threads', (v) => v === 1 || v === 2 || v === 'auto', '1, 2 or "auto"');
  checkRules(x.rules);
}

/** The buffers of an episode record, to transfer instead of copy. */
export function episodeTransferables(ep: EpisodeRecord): ArrayBuffer[] {
  const buffers = [ep.obs, ep.state, ep.avail, ep.actions, ep.rewards].map((a) => a.buffer as ArrayBuffer);
  return [...new Set(buffers)];
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  // JSON would print NaN and Infinity as null.
  if (typeof v === 'number') return String(v);
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}
