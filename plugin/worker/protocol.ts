/**
 * The message protocol between a game (main thread) and its training worker.
 * Every message is checked on arrival: a malformed one becomes an error for
 * the receiver to report, never a crash.
 *
 *   main -> worker: init, episode (typed arrays transferred), pause, resume, save, load (duty cycle)
 *   worker -> main: ready, backend, weights (Float32Arrays transferred), metrics, saved, error
 */
import type { QmixConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import type { PolicyHeader } from '../runtime/policy-file.js';

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
  readonly autosaveName: string;
  /** Include the replay buffer in autosaves (exact resume, larger saves). */
  readonly autosaveBuffer: boolean;
  /** Start from the autosave if there is one. */
  readonly resume: boolean;
  /** Where the tfjs wasm binaries are served (browser), e.g. `/wasm/`. */
  readonly wasmPaths?: string;
  /** Updates timed per backend when `backend` is `auto`. */
  readonly trialUpdates: number;
  /**
   * Share of wall time the worker may spend on updates (0..1]. Below 1 it
   * rests after each update in proportion, leaving CPU to the game (on a
   * 2-core machine the browser's own threads compete with a busy worker).
   */
  readonly maxLoad: number;
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
  /** Asks for the current policy file (answered by `policy` with the same id). */
  | { readonly type: 'export'; readonly id: number }
  /** Asks for each agent's credit dQ_tot/dQ_i at one state (answered by `credit`). */
  | { readonly type: 'credit'; readonly id: number; readonly qs: Float32Array; readonly state: Float32Array };

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
}

/** Messages from the worker. */
export type FromWorker =
  | { readonly type: 'ready'; readonly backend: string; readonly resumedFromUpdates: number | null; readonly envSteps: number; readonly episodes: number }
  | { readonly type: 'backend'; readonly choice: string; readonly timings: { readonly [backend: string]: number | null }; readonly reason: string }
  | { readonly type: 'weights'; readonly updates: number; readonly header: PolicyHeader; readonly weights: { readonly [name: string]: Float32Array } }
  | { readonly type: 'metrics'; readonly metrics: WorkerMetrics }
  | { readonly type: 'saved'; readonly name: string; readonly updates: number }
  | { readonly type: 'restored'; readonly name: string; readonly updates: number; readonly envSteps: number; readonly episodes: number }
  | { readonly type: 'policy'; readonly id: number; readonly policy: object }
  /** `credits` null: the squad has no mixer (IQL). */
  | { readonly type: 'credit'; readonly id: number; readonly credits: Float32Array | null }
  | { readonly type: 'error'; readonly message: string; readonly fatal: boolean };

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
    case 'credit':
      need(isNum(m.id) && (m.credits === null || m.credits instanceof Float32Array), 'worker "credit" message is malformed');
      break;
    case 'error':
      need(typeof m.message === 'string' && typeof m.fatal === 'boolean', 'worker "error" message is malformed');
      break;
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
      need(isNum(m.id), '"export" needs an id');
      break;
    case 'credit':
      need(isNum(m.id) && m.qs instanceof Float32Array && m.state instanceof Float32Array, '"credit" needs an id and Float32Array qs and state');
      break;
    default:
      throw new ProtocolError(`unknown message type ${describe(m.type)}`);
  }
  return data as ToWorker;
}

/** The buffers of an episode record, to transfer instead of copy. */
export function episodeTransferables(ep: EpisodeRecord): ArrayBuffer[] {
  const buffers = [ep.obs, ep.state, ep.avail, ep.actions, ep.rewards].map((a) => a.buffer as ArrayBuffer);
  return [...new Set(buffers)];
}

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return String(v);
  }
}
