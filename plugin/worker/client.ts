/**
 * The main-thread side of background training: a {@link SquadTrainer} that
 * posts finished episodes to a worker (arrays transferred, not copied), acts
 * with the tfjs-free runtime on the latest weights the worker streamed back,
 * and never waits for the worker. If the worker fails or goes silent, it is
 * restarted from its last autosave while the game keeps acting on the last
 * weights. Imports no tfjs: the worker does the learning.
 */
import { EventEmitter } from 'eventemitter3';
import { validateConfig, type QmixConfig } from '../core/config.js';
import { validateSpec, type EnvSpec } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import type { ActionMode } from '../core/explore.js';
import type { ActingMemory, QPolicy } from '../core/runner.js';
import { makeExploration } from '../core/schedules.js';
import type { SquadTrainer, TrainerUpdateInfo } from '../core/trainer-handle.js';
import { GreedyPolicy } from '../runtime/greedy-policy.js';
import { parsePolicyArrays, type PolicyFile } from '../runtime/policy-file.js';
import { GREEDY } from '../core/explore.js';
import type { WasmPaths } from '../core/wasm-paths.js';
import { RatioPacer, type PacingState } from '../train/pacing.js';
import { FramePacing, type FrameClock } from './frame-pacing.js';
import { checkHostOptions, episodeTransferables, parseFromWorker, ProtocolError, type FromWorker, type HostOptions, type RulesOptions, type WorkerBackend, type WorkerMetrics, type WorkerTest } from './protocol.js';

/** The part of a Worker the client uses (a browser Worker fits; adapters exist for Node). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  terminate(): void;
  onmessage: EventHandler<{ readonly data: unknown }> | null;
  onerror: EventHandler<{ readonly message?: string }> | null;
}

/**
 * A handler the client assigns, reading only the fields named. Declared in
 * method form so TypeScript compares it bivariantly: a DOM Worker (whose
 * handlers take full MessageEvents / ErrorEvents) fits as it is, and the Node
 * adapters call it with plain objects.
 */
type EventHandler<E> = { handle(event: E): void }['handle'];

/** Options of a {@link WorkerTrainer}; everything but `createWorker` has a default. */
export interface WorkerTrainerOptions extends Partial<Omit<HostOptions, 'resume' | 'rules'>> {
  /** Starts a worker running the trainer host (e.g. `() => new Worker(url, { type: 'module' })`). */
  readonly createWorker: () => WorkerLike;
  /** Start from the autosave (if any) rather than from scratch. Default false; restarts after a fault always resume. */
  readonly resume?: boolean;
  /** Declare the worker dead when it sends nothing for this long (ms; at least twice `metricsEveryMs`, which is also its heartbeat). Default 30000. */
  readonly heartbeatMs?: number;
  /** Allow a starting worker this long to become ready (loading tfjs, the backend trial, resuming). Default 120000. */
  readonly startupMs?: number;
  /**
   * Keep the game's frames even: watch frame intervals (requestAnimationFrame);
   * when they are uneven, let the worker rest for a short probe window and
   * lower its duty cycle only while the busy p95 exceeds `frameP95Ratio` times
   * the p95 measured at rest (jitter the worker did not cause is left alone);
   * raise it again when they settle. Default true where requestAnimationFrame exists.
   */
  readonly adaptiveLoad?: boolean;
  /** The busy / resting frame-interval p95 the adaptive load aims under. Default 1.1. */
  readonly frameP95Ratio?: number;
  /** Where the adaptive load reads frames (default: performance.now and requestAnimationFrame; a game loop of its own, or a test, passes one). */
  readonly frameClock?: FrameClock;
  /**
   * Pacing: how many updates the learner may owe before the squad's
   * fast-forward backs off (see {@link WorkerTrainer.allowance}). Default 4.
   */
  readonly maxLagUpdates?: number;
  /**
   * Rules mode: the worker trains on env copies it steps itself (a game whose
   * rules implement the env contract, registered in the worker script with
   * `registerEnv`), at headless speed; the game then plays the latest
   * weights greedily and sends no episodes. Only `env` is required:
   * `copies` 8, `testEvery` 10000 env steps, `testEpisodes` 100, `stopAt`
   * null (never stop by itself). `copies: 0` keeps game-fed training (the
   * squad's episodes, e.g. from training arenas) and uses the rules only for
   * the greedy tests, keep-best (`exportPolicy('best')`) and `stopAt`.
   */
  readonly rules?: (Partial<RulesOptions> & { readonly env: string }) | null;
}

/** Defaults of {@link WorkerTrainerOptions.rules}. */
const RULES_DEFAULTS = { copies: 8, testEvery: 10000, testEpisodes: 100, stopAt: null };

/** Event names of a {@link WorkerTrainer}. */
export const WorkerTrainerEvents = Object.freeze({
  /** The worker started (or restarted): `{ backend, resumedFromUpdates }`. */
  READY: 'ready',
  /** The backend was chosen or changed: `{ choice, timings, reason }`. */
  BACKEND: 'backend',
  /** New metrics: {@link WorkerMetrics}. */
  METRICS: 'metrics',
  /** A checkpoint was saved: `{ name, updates }`. */
  SAVED: 'saved',
  /** Training continues from a checkpoint: `{ name, updates, envSteps, episodes }`. */
  RESTORED: 'restored',
  /** Rules mode: a round of greedy test episodes in the worker: {@link WorkerTest}. */
  TEST: 'test',
  /** The worker failed and was restarted: {@link WorkerFaultEvent}. */
  FAULT: 'fault',
  /** A non-fatal problem (a malformed message, a refused episode ...): an `Error`. */
  ERROR: 'error',
  /** An update diverged (a non-finite or exploded loss) and was rolled back; training goes on: a RollbackInfo. */
  ROLLBACK: 'rollback',
  /**
   * Training stopped after repeated rollbacks: `{ message, info }`. The worker
   * is paused at the last good snapshot (its weights are what the squad plays);
   * export or save it, then change the rewards or the learning rate.
   */
  DIVERGED: 'diverged',
} as const);

/** Payload of {@link WorkerTrainerEvents.FAULT}. */
export interface WorkerFaultEvent {
  readonly reason: string;
  /** Updates done since the last autosave, lost with the worker. */
  readonly updatesLost: number;
  /** Restarts so far. */
  readonly restarts: number;
}

/** Acts before the first weights arrive: all utilities zero (with epsilon 1 at the start, actions are random anyway). */
class ZeroPolicy implements QPolicy {
  resetEpisode(): void {}
  qValues(_obs: Float32Array, _last: Int32Array | null, out: Float32Array): void {
    out.fill(0);
  }
  qValuesMany(_memories: readonly ActingMemory[], _obs: Float32Array, _last: Int32Array, out: Float32Array): void {
    out.fill(0);
  }
}

/** Restarts tried while a worker keeps failing before it is ready. */
const MAX_START_FAILURES = 3;

/**
 * How far the simulation may run ahead of the learner during a probe window
 * of the adaptive load, in units of `maxLagUpdates` (8 x 4 = 32 updates, a
 * second or two of a fast-forwarding page): far enough that the probe sees
 * the game's own frames, near enough that pacing catches up in a moment.
 */
export const PROBE_LAG_FACTOR = 8;

const DEFAULTS = {
  backend: 'auto' as WorkerBackend,
  updatesPerEpisode: 1,
  weightsEvery: 10,
  metricsEveryMs: 500,
  autosaveEvery: 200,
  autosaveEveryMs: 60000,
  autosaveName: 'autosave',
  autosaveBuffer: false,
  trialUpdates: 3,
  maxLoad: 1,
  heartbeatMs: 30000,
  startupMs: 120000,
  adaptiveLoad: true,
  frameP95Ratio: 1.1,
};

/**
 * Background training in a worker.
 * @example
 * ```ts
 * // qmix-worker.ts, a file of the game's own: import 'phaser-qmix/worker-entry';
 * const trainer = new WorkerTrainer(spec, { mixer: 'qmix' }, {
 *   createWorker: () => new Worker(new URL('./qmix-worker.ts', import.meta.url), { type: 'module' }),
 *   wasmPaths: '/wasm/', // where the game serves @tensorflow/tfjs-backend-wasm/dist/*.wasm
 * });
 * trainer.on(WorkerTrainerEvents.METRICS, (m) => hud.show(m.updatesPerSec));
 * squad.setTrainer(trainer);
 * ```
 */
export class WorkerTrainer extends EventEmitter implements SquadTrainer {
  readonly spec: EnvSpec;
  readonly config: QmixConfig;
  private readonly options: Required<Omit<WorkerTrainerOptions, 'wasmPaths' | 'rules' | 'frameClock'>> & { wasmPaths?: WasmPaths; frameClock?: FrameClock; rules: RulesOptions | null };
  private readonly pacer: RatioPacer;
  private lastTest: WorkerTest | null = null;
  private worker: WorkerLike | null = null;
  private current: QPolicy = new ZeroPolicy();
  private readonly exploration: { at(envSteps: number): ActionMode };
  private readonly updateListeners = new Set<(info: TrainerUpdateInfo) => void>();
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;
  private ready = false;
  private load = 1;
  private pacing: FramePacing | null = null;
  /** Paused by setPaused, and resting for a probe window of the adaptive load. */
  private userPaused = false;
  private resting = false;
  private envStepCount = 0;
  private episodeCount = 0;
  private latest: WorkerMetrics | null = null;
  private knownUpdates = 0;
  private savedUpdates = 0;
  private restartCount = 0;
  /** Demonstrations sent, to send again to a restarted worker. */
  private readonly demoFiles: { text: string; share: number }[] = [];
  /** Faults in a row before a worker became ready: past MAX_START_FAILURES we stop restarting. */
  private startFailures = 0;
  private backendName: string | null = null;
  private threadsValue: { readonly threads: 1 | 2; readonly note: string | null } | null = null;
  private backendWhy: string | null = null;
  private disposed = false;
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(spec: EnvSpec, config: Partial<QmixConfig>, options: WorkerTrainerOptions) {
    super();
    this.spec = validateSpec(spec);
    this.config = validateConfig(config);
    if (typeof options?.createWorker !== 'function') throw new Error('WorkerTrainer needs options.createWorker');
    const rules = options.rules ? { ...RULES_DEFAULTS, ...options.rules } : null;
    // Explicit undefined means "the default", as for the config.
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    this.options = { ...DEFAULTS, resume: false, maxLagUpdates: 4, ...given, rules } as WorkerTrainer['options'];
    checkHostOptions(this.options);
    const o = this.options;
    const clientRule = (key: string, ok: boolean, allowed: string): void => {
      if (!ok) throw new ProtocolError(`option ${key} = ${String((o as unknown as Record<string, unknown>)[key])} is invalid: expected ${allowed}`);
    };
    clientRule('heartbeatMs', Number.isFinite(o.heartbeatMs) && o.heartbeatMs > 0, 'a number of ms > 0');
    clientRule('startupMs', Number.isFinite(o.startupMs) && o.startupMs > 0, 'a number of ms > 0');
    clientRule('frameP95Ratio', Number.isFinite(o.frameP95Ratio) && o.frameP95Ratio >= 1, 'a ratio >= 1');
    clientRule('maxLagUpdates', Number.isFinite(o.maxLagUpdates) && o.maxLagUpdates >= 1, 'a number of updates >= 1');
    clientRule('adaptiveLoad', typeof o.adaptiveLoad === 'boolean', 'true or false');
    this.pacer = new RatioPacer({ updatesPerEpisode: this.options.updatesPerEpisode, batchSize: this.config.batchSize, maxLagUpdates: this.options.maxLagUpdates });
    // The worker's metrics are its heartbeat: it must be allowed to miss one.
    if (this.options.heartbeatMs < 2 * this.options.metricsEveryMs) {
      throw new Error(`heartbeatMs (${this.options.heartbeatMs}) must be at least twice metricsEveryMs (${this.options.metricsEveryMs})`);
    }
    this.exploration = makeExploration(this.config);
    this.start(this.options.resume);
    if (this.options.adaptiveLoad) this.startPacing();
  }

  /** The adaptive load's frame watch (see {@link WorkerTrainerOptions.adaptiveLoad}). */
  private startPacing(): void {
    this.pacing = new FramePacing({
      load: this.load,
      maxLoad: this.options.maxLoad,
      p95Ratio: this.options.frameP95Ratio,
      ...(this.options.frameClock ? { clock: this.options.frameClock } : {}),
      setLoad: (load) => {
        this.load = load;
        this.worker?.postMessage({ type: 'load', maxLoad: load });
      },
      // Probe windows: the worker rests so the pacing can see the frames without it.
      rest: (resting) => {
        this.resting = resting;
        this.postPaused();
      },
    });
    this.pacing.start();
  }

  /** The latest acting policy (runtime forward on the last weights received). */
  get policy(): QPolicy {
    return this.current;
  }

  /** The latest metrics from the worker, if any. */
  get metrics(): WorkerMetrics | null {
    return this.latest;
  }

  /** The backend the worker trains on (null until it reports). */
  get backend(): string | null {
    return this.backendName;
  }

  /**
   * Threads the worker's updates run on (2: a helper thread takes half of
   * each batch's rows; see the `threads` option) and, when 1, why; null
   * before the worker is ready.
   * @example
   * ```ts
   * trainer.on(WorkerTrainerEvents.READY, () => console.log(trainer.kernelThreads)); // { threads: 1, note: 'the page is not cross-origin isolated ...' }
   * ```
   */
  get kernelThreads(): { readonly threads: 1 | 2; readonly note: string | null } | null {
    return this.threadsValue;
  }

  /**
   * Why the worker trains on {@link backend}, in words (null until it says;
   * e.g. "WebGL runs on a software renderer (SwiftShader): no trial, wasm").
   */
  get backendReason(): string | null {
    return this.backendWhy;
  }

  /** How many times the worker was restarted after a fault. */
  get restarts(): number {
    return this.restartCount;
  }

  /** Env steps handed to the worker (rules mode: stepped by the worker, as its last metrics say). */
  get envSteps(): number {
    return this.rulesMode ? (this.latest?.envSteps ?? 0) : this.envStepCount;
  }

  /** Whether the adaptive load has the worker resting for a probe window right now (the game then runs unpaced; see {@link WorkerTrainer.allowance}). */
  get probing(): boolean {
    return this.resting;
  }

  /** Whether the worker trains on its own env copies (rules mode). */
  get rulesMode(): boolean {
    return this.options.rules !== null && this.options.rules.copies > 0;
  }

  /** Rules mode: the latest round of greedy tests in the worker (null before one). */
  get lastTestResult(): WorkerTest | null {
    return this.lastTest;
  }

  /**
   * Pacing: env steps the game may still collect before the learner owes
   * more than `maxLagUpdates` updates (Infinity in rules mode, where the game
   * collects nothing). A fast-forwarding scene backs off at 0.
   *
   * While the worker rests for a probe window of the adaptive load the
   * simulation runs unpaced: the probe's reference frames are meant to be
   * the game's frames without the worker, and a paced game would stand still
   * with its learner (cheap frames that made the worker look guilty: it
   * was throttled to a 21% duty cycle at the editor's top speed). It may
   * run up to {@link PROBE_LAG_FACTOR} times `maxLagUpdates` ahead, which
   * pacing works off after the probe.
   */
  allowance(): number {
    if (this.rulesMode) return Infinity;
    // A trainer the caller paused collects nothing more, probe or not.
    return this.resting && !this.userPaused ? this.pacer.allowance(PROBE_LAG_FACTOR * this.options.maxLagUpdates) : this.pacer.allowance();
  }

  /** Where pacing stands: lag, the ratio asked for and the one in force, the exploration clock. */
  get pacingState(): PacingState {
    return this.pacer.state();
  }

  /** The current worker (for diagnostics and fault tests). */
  get workerHandle(): WorkerLike | null {
    return this.worker;
  }

  /**
   * Exploration now. Epsilon follows the env steps the learner has consumed
   * (pacing), not the ones sent: a game that outruns the worker does not
   * anneal exploration past what was learnt. Greedy in rules mode (the
   * game only shows the latest weights).
   */
  explorationMode(): ActionMode {
    if (this.rulesMode) return GREEDY;
    return this.exploration.at(this.pacer.consumedSteps());
  }

  /** Posts the episode; its arrays are transferred (unusable here afterwards). Never waits. Ignored in rules mode. */
  submitEpisode(episode: EpisodeRecord): void {
    if (this.disposed || !this.worker || this.rulesMode) return;
    this.envStepCount += episode.length;
    this.episodeCount++;
    this.pacer.submitted(episode.length);
    this.worker.postMessage({ type: 'episode', episode }, episodeTransferables(episode));
  }

  onUpdate(listener: (info: TrainerUpdateInfo) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Pauses or resumes updates (episodes are still stored). */
  setPaused(paused: boolean): void {
    this.userPaused = paused;
    this.postPaused();
  }

  /** The worker pauses while the caller paused it or the adaptive load probes; a probe's end never resumes a paused trainer. */
  private postPaused(): void {
    this.worker?.postMessage({ type: this.userPaused || this.resting ? 'pause' : 'resume' });
  }

  /** Asks the worker to save a checkpoint in its store; resolves when saved. */
  save(name: string, includeBuffer = false): Promise<number> {
    return this.named<{ updates: number }>(WorkerTrainerEvents.SAVED, name, () => this.worker?.postMessage({ type: 'save', name, includeBuffer })).then((e) => e.updates);
  }


  /**
   * Continues training from checkpoint `name` in the worker's store (learner,
   * counters, replay if saved with it); exploration follows its env steps.
   * Rejects (the trainer untouched) when it is missing or made for another
   * config or spec.
   * @example
   * ```ts
   * const { envSteps } = await trainer.restore('before-boss-fight');
   * ```
   */
  restore(name: string): Promise<{ updates: number; envSteps: number; episodes: number }> {
    return this.named<{ updates: number; envSteps: number; episodes: number }>(WorkerTrainerEvents.RESTORED, name, () =>
      // A worker still starting would not know its learner yet: ask once it is ready.
      this.whenReady().then(() => this.worker?.postMessage({ type: 'restore', name })),
    ).then((e) => ({ updates: e.updates, envSteps: e.envSteps, episodes: e.episodes }));
  }

  /**
   * Sends a request about checkpoint `name` and waits for the `event` naming
   * it, or for an error that names it in quotes.
   */
  private named<E extends object>(event: string, name: string, send: () => unknown): Promise<E & { name: string }> {
    return new Promise((resolve, reject) => {
      const done = (e: E & { name: string }): void => {
        if (e.name !== name) return;
        stop();
        resolve(e);
      };
      const failed = (err: Error): void => {
        if (!err.message.includes(`"${name}"`)) return;
        stop();
        reject(err);
      };
      const stop = (): void => {
        this.off(event, done);
        this.off(WorkerTrainerEvents.ERROR, failed);
      };
      this.on(event, done);
      this.on(WorkerTrainerEvents.ERROR, failed);
      void Promise.resolve()
        .then(send)
        .catch((e: Error) => {
          stop();
          reject(e);
        });
    });
  }


  /** Resolves once the worker is ready (at once when it is). */
  whenReady(): Promise<void> {
    if (this.disposed) return Promise.reject(new Error('the trainer was disposed'));
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.once(WorkerTrainerEvents.READY, () => resolve()));
  }

  /**
   * The current policy file, made by the worker from its learner (what
   * "export" downloads and "ship" loads).
   * @example
   * ```ts
   * squad.setPolicy(await trainer.exportPolicy());
   * ```
   */
  exportPolicy(which: 'current' | 'best' = 'current'): Promise<PolicyFile> {
    return this.request((id) => ({ type: 'export', id, which })) as Promise<PolicyFile>;
  }

  /**
   * Each agent's credit dQ_tot/dQ_i at `state` with the agents' chosen
   * Q-values `qs`: who the mixer says the team relies on. Null without a
   * mixer (IQL).
   * @example
   * ```ts
   * const credit = await trainer.credit(chosenQs, squad.lastState!);
   * ```
   */
  credit(qs: Float32Array, state: Float32Array): Promise<Float32Array | null> {
    return this.request((id) => ({ type: 'credit', id, qs: Float32Array.from(qs), state: Float32Array.from(state) })) as Promise<Float32Array | null>;
  }

  /**
   * Trains on demonstrations too: a demonstration file (its JSON text or
   * object, see `makeDemoFile` and `DemoRecorder`), checked in the worker
   * against the squad's spec and observation layout. Its episodes stay apart
   * from the replay ring and make up `share` of every batch (default 0.25).
   * They are sent again to a worker restarted after a fault.
   * @throws (rejects) naming the problem: a file for another squad, a damaged one.
   * @example
   * ```ts
   * const { episodes } = await trainer.loadDemonstrations(await file.text(), { share: 0.25 });
   * ```
   */
  async loadDemonstrations(file: string | object, opts: { share?: number } = {}): Promise<{ episodes: number; share: number }> {
    const share = opts.share ?? 0.25;
    if (!(typeof share === 'number' && share >= 0 && share <= 1)) throw new RangeError(`demonstration share must be a number in 0..1, got ${String(share)}`);
    const text = typeof file === 'string' ? file : JSON.stringify(file);
    const held = (await this.request((id) => ({ type: 'demos', id, file: text, share }))) as { episodes: number; share: number };
    this.demoFiles.push({ text, share });
    return held;
  }

  private async request(message: (id: number) => object): Promise<unknown> {
    if (this.disposed || !this.worker) throw new Error('the worker is not running');
    await this.whenReady();
    if (this.disposed || !this.worker) throw new Error('the worker is not running');
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage(message(id));
    });
  }

  /** After a restart: the demonstrations again (a fresh worker holds none). */
  private resendDemonstrations(): void {
    for (const d of this.demoFiles) {
      void this.request((id) => ({ type: 'demos', id, file: d.text, share: d.share })).catch((e: Error) => this.emit(WorkerTrainerEvents.ERROR, e));
    }
  }

  private settle(id: number, value: unknown): void {
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.resolve(value);
  }

  private rejectPending(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }

  /** The worker's current duty cycle (lowered by the adaptive load when frames get uneven). */
  get maxLoad(): number {
    return this.load;
  }

  /** Whether the adaptive load is watching frames now. */
  get adaptiveLoad(): boolean {
    return this.pacing !== null;
  }

  /**
   * Turns the adaptive load off (the worker goes back to its full duty cycle,
   * a probe in progress ends) or on again; on does nothing for a trainer made
   * with `adaptiveLoad: false`. For a game that fast-forwards with its drawing
   * capped, where the frames are the simulation's and the player asked for
   * training speed: the editor turns it off at its top speed.
   * @example
   * ```ts
   * trainer.setAdaptiveLoad(!scene.qmix.fastForwarding());
   * ```
   */
  setAdaptiveLoad(on: boolean): void {
    if (this.disposed) return;
    if (!on && this.pacing) {
      // Ends a probe in progress through its own rest(false): the worker goes on.
      this.pacing.stop();
      this.pacing = null;
      this.load = this.options.maxLoad;
      this.worker?.postMessage({ type: 'load', maxLoad: this.load });
    } else if (on && !this.pacing && this.options.adaptiveLoad) {
      this.startPacing();
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pacing?.stop();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    this.stopWorker();
    this.rejectPending('the trainer was disposed');
    this.updateListeners.clear();
    this.removeAllListeners();
  }

  /** Frame-pacing control loop of the adaptive load (browser main thread only). */
  private start(resume: boolean): void {
    const w = this.options.createWorker();
    this.worker = w;
    w.onmessage = (e) => {
      if (this.worker === w) this.receive(e.data);
    };
    w.onerror = (e) => {
      if (this.worker === w) this.fault(`the worker crashed: ${e?.message ?? 'unknown error'}`);
    };
    const { createWorker: _c, heartbeatMs: _h, startupMs: _s, adaptiveLoad: _a, frameP95Ratio: _f, frameClock: _k, maxLagUpdates: _m, ...host } = this.options;
    this.load = host.maxLoad;
    // A restarted worker starts at the full duty cycle; the pacing goes on from there.
    if (this.pacing) this.pacing.load = this.load;
    w.postMessage({ type: 'init', spec: this.spec, config: this.config, options: { ...host, maxLoad: this.load, resume } });
    this.lastMessageAt = Date.now();
    this.ready = false;
    this.heartbeat ??= setInterval(() => {
      if (this.disposed || !this.worker) return;
      const silent = Date.now() - this.lastMessageAt;
      // Before 'ready' the worker may be loading tfjs or timing backends: a longer allowance.
      const limit = this.ready ? this.options.heartbeatMs : this.options.startupMs;
      if (silent > limit) this.fault(this.ready ? `the worker sent nothing for ${limit} ms` : `the worker did not become ready within ${limit} ms`);
    }, Math.max(50, Math.min(1000, this.options.heartbeatMs / 4)));
  }

  private receive(data: unknown): void {
    this.lastMessageAt = Date.now();
    let msg: FromWorker;
    try {
      msg = parseFromWorker(data);
    } catch (e) {
      this.emit(WorkerTrainerEvents.ERROR, e);
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.startFailures = 0;
        this.backendName = msg.backend;
        this.threadsValue = { threads: msg.threads ?? 1, note: msg.threadsNote ?? null };
        if (msg.resumedFromUpdates !== null) {
          // Resumed (asked for, or after a fault): the counts go on from the autosave's, as the pacer's do.
          this.savedUpdates = msg.resumedFromUpdates;
          this.envStepCount = msg.envSteps;
          this.episodeCount = msg.episodes;
        }
        this.pacer.resetTo({ episodes: msg.episodes, envSteps: msg.envSteps, updates: msg.resumedFromUpdates ?? 0, bufferSize: msg.bufferSize ?? 0 });
        this.emit(WorkerTrainerEvents.READY, { backend: msg.backend, resumedFromUpdates: msg.resumedFromUpdates, threads: this.threadsValue.threads });
        if (this.restartCount > 0) this.resendDemonstrations();
        break;
      case 'backend':
        this.backendName = msg.choice;
        this.backendWhy = msg.reason;
        this.emit(WorkerTrainerEvents.BACKEND, { choice: msg.choice, timings: msg.timings, reason: msg.reason });
        break;
      case 'weights':
        this.takeWeights(msg.header, msg.weights, msg.updates);
        break;
      case 'progress':
        this.pacer.learnerAt(msg.updates);
        break;
      case 'test':
        this.lastTest = msg.test;
        // Solved: the worker paused itself; count it as the user's pause so a probe's end does not resume it.
        if (msg.test.solved) this.userPaused = true;
        this.emit(WorkerTrainerEvents.TEST, msg.test);
        break;
      case 'metrics':
        this.latest = msg.metrics;
        this.knownUpdates = msg.metrics.updates;
        this.pacer.learnerAt(msg.metrics.updates);
        this.emit(WorkerTrainerEvents.METRICS, msg.metrics);
        break;
      case 'saved':
        this.savedUpdates = msg.updates;
        this.emit(WorkerTrainerEvents.SAVED, { name: msg.name, updates: msg.updates });
        break;
      case 'restored':
        this.savedUpdates = msg.updates;
        this.knownUpdates = msg.updates;
        this.envStepCount = msg.envSteps;
        this.episodeCount = msg.episodes;
        this.pacer.resetTo({ episodes: msg.episodes, envSteps: msg.envSteps, updates: msg.updates, bufferSize: msg.bufferSize ?? 0 });
        this.emit(WorkerTrainerEvents.RESTORED, { name: msg.name, updates: msg.updates, envSteps: msg.envSteps, episodes: msg.episodes });
        break;
      case 'policy':
        this.settle(msg.id, msg.policy);
        break;
      case 'credit':
        this.settle(msg.id, msg.credits);
        break;
      case 'demos':
        this.settle(msg.id, { episodes: msg.episodes, share: msg.share });
        break;
      case 'rollback':
        this.emit(WorkerTrainerEvents.ROLLBACK, msg.info);
        break;
      case 'diverged':
        // The worker paused itself; count it as the user's pause so a probe's end does not resume it.
        this.userPaused = true;
        this.emit(WorkerTrainerEvents.DIVERGED, { message: msg.message, info: msg.info });
        break;
      case 'error': {
        const request = /request (\d+) failed/.exec(msg.message);
        if (request && this.pending.has(Number(request[1]))) {
          this.pending.get(Number(request[1]))!.reject(new Error(msg.message));
          this.pending.delete(Number(request[1]));
        } else if (msg.fatal) this.fault(msg.message);
        else this.emit(WorkerTrainerEvents.ERROR, new Error(msg.message));
        break;
      }
    }
  }

  /** Swaps in new weights; decisions happen between messages, so never mid-decision. */
  private takeWeights(header: unknown, weights: unknown, updates: number): void {
    let next: GreedyPolicy;
    try {
      next = new GreedyPolicy(parsePolicyArrays(header, weights));
      if (next.nAgents !== this.spec.nAgents || next.obsSize !== this.spec.obsSize || next.nActions !== this.spec.nActions) {
        throw new Error(`weights for ${next.nAgents} agents / obs ${next.obsSize} / ${next.nActions} actions do not fit this squad`);
      }
    } catch (e) {
      this.emit(WorkerTrainerEvents.ERROR, new Error(`weights from the worker refused: ${(e as Error).message}`));
      return;
    }
    if (this.current instanceof GreedyPolicy) next.adoptMemoryFrom(this.current);
    this.current = next;
    this.knownUpdates = Math.max(this.knownUpdates, updates);
    const info: TrainerUpdateInfo = { updates, episodes: this.episodeCount, envSteps: this.envStepCount, loss: this.latest?.loss ?? Number.NaN };
    for (const l of this.updateListeners) l(info);
  }

  private fault(reason: string): void {
    if (this.disposed) return;
    this.stopWorker();
    this.rejectPending(`the worker failed: ${reason}`);
    if (++this.startFailures > MAX_START_FAILURES) {
      // A worker that cannot even start will not start next time either: stop, keep acting on the last weights.
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.emit(WorkerTrainerEvents.ERROR, new Error(`training stopped: the worker failed ${this.startFailures} times in a row before it was ready (last: ${reason})`));
      return;
    }
    this.restartCount++;
    const event: WorkerFaultEvent = { reason, updatesLost: Math.max(0, this.knownUpdates - this.savedUpdates), restarts: this.restartCount };
    this.knownUpdates = this.savedUpdates;
    this.start(true);
    this.emit(WorkerTrainerEvents.FAULT, event);
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = null;
    if (w) {
      w.onmessage = null;
      w.onerror = null;
      try {
        w.terminate();
      } catch {
        /* already gone */
      }
    }
  }
}
