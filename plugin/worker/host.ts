/**
 * The training side of a worker: holds the replay buffer and the learner,
 * stores episodes as they arrive, trains at the configured ratio, streams
 * acting weights and metrics back, autosaves, and falls back from WebGL to
 * WASM when the WebGL context is lost. It knows nothing of where it runs: a
 * browser Web Worker, a Node worker thread or the caller's own thread give
 * it a `post` function and its dependencies.
 */
import type { CheckpointStore } from '../core/checkpoint-format.js';
import type { QmixConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';
import type { EpisodeRecord } from '../core/episode.js';
import { parseDemoFile } from '../core/demo-file.js';
import type { WasmPaths } from '../core/wasm-paths.js';
import { explorationValue } from '../core/explore.js';
import { macrotask } from '../core/macrotask.js';
import { collateEpisodes } from '../core/replay.js';
import { syntheticEpisodes } from '../core/synthetic.js';
import { DivergenceError } from '../learn/divergence.js';
import { EpisodeTrainer } from '../learn/episode-trainer.js';
import { kernelHelper, kernelThreads } from '../learn/kernel-threads.js';
import { QLearner, type LearnerState, type UpdateStats } from '../learn/learner.js';
import { policyHeader, readAgentWeights } from '../learn/policy-export.js';
import { Rng } from '../core/rng.js';
import type { PolicyFile } from '../runtime/policy-file.js';
import { GreedyTester } from '../train/greedy-tester.js';
import { RulesRunner } from '../train/rules-runner.js';
import { decideBackend, updateShape, type BackendChoiceStore } from './backend-choice.js';
import { parseToWorker, type FromWorker, type HostOptions, type ToWorker, type WorkerMetrics } from './protocol.js';

/** What the host needs from the place it runs in. */
export interface HostDeps {
  /** Persistent store for autosaves (IndexedDB in a browser worker); null: no autosave. */
  readonly store: CheckpointStore | null;
  /** Switches tfjs to a backend; rejects when it cannot start. */
  useBackend(name: 'webgl' | 'wasm' | 'cpu', wasmPaths?: WasmPaths): Promise<void>;
  /** Registers a callback for the loss of the WebGL context, when the platform can tell. */
  onContextLost?(listener: () => void): void;
  /** The unmasked WebGL renderer for `auto` (null: no WebGL context here); absent: cannot tell. */
  probeRenderer?(): string | null;
  /** Where `auto` remembers its choice per device and update shape; absent or null: not remembered. */
  readonly choiceStore?: BackendChoiceStore | null;
  /**
   * Starts (2) or stops (1) the kernels' helper thread; `auto` decides by
   * the platform's rule. Resolves to the threads running and, when not 2,
   * why. Absent: one thread.
   */
  kernelThreads?(want: 1 | 2 | 'auto'): Promise<{ readonly threads: 1 | 2; readonly note?: string }>;
}

type Post = (message: FromWorker, transfer?: Transferable[]) => void;

/** Rules mode: env stepping runs in slices of at most this long between messages (ms). */
const COLLECT_SLICE_MS = 8;

/** Rules mode: the game's squad and the worker's env must agree on every size. */
function checkSameSpec(game: EnvSpec, env: EnvSpec, name: string): void {
  const keys = ['nAgents', 'obsSize', 'stateSize', 'nActions', 'episodeLimit'] as const;
  const diff = keys.filter((k) => game[k] !== env[k]).map((k) => `${k} ${game[k]} (squad) vs ${env[k]} (env)`);
  if (diff.length > 0) throw new Error(`rules mode: env "${name}" does not fit the squad: ${diff.join(', ')}`);
}

/** Trial batches are at most this many steps long, whatever the episode limit. */
const TRIAL_MAX_STEPS = 50;

/**
 * The worker-side trainer. Feed it messages with {@link TrainerHost.handle}.
 * @example
 * ```ts
 * const host = new TrainerHost((m, t) => self.postMessage(m, t ?? []), { store, useBackend });
 * self.onmessage = (e) => host.handle(e.data);
 * ```
 */
export class TrainerHost {
  private trainer: EpisodeTrainer | null = null;
  /** Rules mode: the env copies this worker steps itself (null: episodes come from the game). */
  private rules: RulesRunner | null = null;
  /** Greedy tests on the rules (rules mode's runner, or tests alone for game-fed training whose page names its rules). */
  private tester: { testDue(): boolean; test(): ReturnType<GreedyTester['test']>; readonly bestPolicy: PolicyFile | null } | null = null;
  private options: HostOptions | null = null;
  private backend = 'none';
  private readonly queue: EpisodeRecord[] = [];
  private debt = 0;
  private paused = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private snapshot: LearnerState | null = null;
  private contextLost = false;
  private lastAutosave = 0;
  private lastAutosaveAt = 0;
  /** A resume that failed keeps the autosave it could not use: this run does not write over it. */
  private autosaveKept = false;
  private lastStats: UpdateStats | null = null;
  private metricsAt = 0;
  private metricsUpdates = 0;
  private metricsSteps = 0;
  /** Duty cycle set by the client at run time (overrides options.maxLoad). */
  private maxLoad: number | null = null;
  /** Something changed since the last metrics message. */
  private dirty = false;

  constructor(
    private readonly post: Post,
    private readonly deps: HostDeps,
  ) {
    deps.onContextLost?.(() => {
      this.contextLost = true;
    });
  }

  /** Takes one incoming message (checked first; a bad one is reported, not thrown). */
  handle(data: unknown): void {
    let msg: ToWorker;
    try {
      msg = parseToWorker(data);
    } catch (e) {
      this.post({ type: 'error', message: (e as Error).message, fatal: false });
      return;
    }
    switch (msg.type) {
      case 'init':
        void this.init(msg.spec, msg.config, msg.options);
        break;
      case 'episode':
        this.queue.push(msg.episode);
        this.kick();
        break;
      case 'pause':
        this.paused = true;
        break;
      case 'resume':
        this.paused = false;
        this.kick();
        break;
      case 'save':
        void this.save(msg.name, msg.includeBuffer);
        break;
      case 'load':
        this.maxLoad = msg.maxLoad;
        break;
      case 'restore':
        void this.restore(msg.name);
        break;
      case 'export':
        this.exportPolicy(msg.id, msg.which ?? 'current');
        break;
      case 'credit':
        this.credit(msg.id, msg.qs, msg.state);
        break;
      case 'demos':
        this.demos(msg.id, msg.file, msg.share);
        break;
    }
  }

  /** Stops the training loop and frees the learner. */
  stop(): void {
    this.stopped = true;
    this.kick();
    if (this.rules) this.rules.dispose();
    else this.trainer?.dispose();
    this.rules = null;
    this.tester = null;
    this.trainer = null;
  }

  private exportPolicy(id: number, which: 'current' | 'best'): void {
    if (!this.trainer) return this.post({ type: 'error', message: `export request ${id} failed: not initialised`, fatal: false });
    // Before any test there is no best yet: the current policy is the best known.
    const policy = which === 'best' ? (this.tester?.bestPolicy ?? this.trainer.exportPolicy()) : this.trainer.exportPolicy();
    this.post({ type: 'policy', id, policy });
  }

  private async init(spec: EnvSpec, config: Partial<QmixConfig>, options: HostOptions): Promise<void> {
    if (this.trainer) {
      this.post({ type: 'error', message: 'the worker was already initialised', fatal: false });
      return;
    }
    try {
      this.options = options;
      this.backend = await this.chooseBackend(spec, config, options);
      if (options.rules && options.rules.copies > 0) {
        this.rules = new RulesRunner(options.rules, config);
        checkSameSpec(spec, this.rules.spec, options.rules.env);
        this.trainer = this.rules.trainer;
        this.tester = this.rules;
      } else {
        const trainer = new EpisodeTrainer(spec, config);
        this.trainer = trainer;
        if (options.rules) {
          // copies 0: experience comes from the game; the rules serve the greedy tests only.
          const seeds = new Rng(trainer.learner.config.seed, 'eval');
          const tester = new GreedyTester(options.rules, { learner: trainer.learner, nextSeed: () => seeds.nextUint32(), envSteps: () => trainer.envSteps, exportPolicy: () => trainer.exportPolicy() });
          checkSameSpec(spec, tester.spec, options.rules.env);
          this.tester = tester;
        }
      }
      let resumedFrom: number | null = null;
      if (options.resume && this.deps.store) {
        try {
          this.trainer.restore(await this.deps.store.load(options.autosaveName));
          resumedFrom = this.trainer.learner.updates;
          this.lastAutosave = resumedFrom;
        } catch (e) {
          if (!/no checkpoint/.test((e as Error).message)) {
            this.autosaveKept = true;
            this.post({ type: 'error', message: `could not resume from the autosave "${options.autosaveName}": ${(e as Error).message}; training starts from scratch and does not autosave over it (save under another name to keep this run)`, fatal: false });
          }
        }
      }
      this.trainer.onRollback((info) => this.post({ type: 'rollback', info }));
      // The helper thread serves the fused kernels, which WebGL does not use.
      const threads = this.backend === 'webgl' ? { threads: 1 as const, note: 'WebGL runs the updates on the GPU' } : ((await this.deps.kernelThreads?.(options.threads ?? 'auto')) ?? { threads: 1 as const, note: 'this platform has no helper thread' });
      this.post({ type: 'ready', backend: this.backend, resumedFromUpdates: resumedFrom, envSteps: this.trainer.envSteps, episodes: this.trainer.episodes, bufferSize: this.trainer.buffer.size, threads: threads.threads, ...(threads.note ? { threadsNote: threads.note } : {}) });
      this.postWeights();
      this.metricsAt = performance.now();
      // A loop that throws must be reported, not become an unhandled rejection that takes the host down.
      (this.rules ? this.rulesLoop(this.rules) : this.loop()).catch((e: Error) => {
        this.stopped = true;
        this.post({ type: 'error', message: `training loop failed: ${e?.message ?? String(e)}`, fatal: true });
      });
    } catch (e) {
      this.post({ type: 'error', message: `worker could not start: ${(e as Error).message}`, fatal: true });
    }
  }

  private async loop(): Promise<void> {
    const trainer = (): EpisodeTrainer => this.trainer!;
    const o = this.options!;
    while (!this.stopped && this.trainer) {
      let worked = false;
      while (this.queue.length > 0) {
        const ep = this.queue.shift()!;
        try {
          trainer().storeEpisode(ep);
          this.metricsSteps += ep.length;
          if (trainer().canTrain) this.debt += o.updatesPerEpisode;
        } catch (e) {
          this.post({ type: 'error', message: `episode refused: ${(e as Error).message}`, fatal: false });
        }
        worked = true;
      }
      if (!this.paused && this.debt >= 1 && trainer().canTrain) {
        const t0 = performance.now();
        await this.updateOnce();
        worked = true;
        const load = this.maxLoad ?? o.maxLoad ?? 1;
        if (load < 1) await sleep((performance.now() - t0) * (1 / load - 1));
      }
      if (!this.paused && this.tester?.testDue()) {
        this.runTest();
        worked = true;
      }
      if (worked) {
        this.dirty = true;
        this.maybePostMetrics(false);
        await macrotask();
      } else {
        await this.idle();
      }
    }
  }

  /**
   * Nothing to do: report where things stand, then sleep until a message
   * arrives or the metrics interval passes (the metrics double as a heartbeat).
   */
  private async idle(): Promise<void> {
    this.maybePostMetrics(this.dirty);
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, Math.max(10, this.options!.metricsEveryMs));
    });
    this.wake = null;
  }

  /**
   * Rules mode: step the env copies until the ratio owes an update, run it,
   * test now and then. Collection runs in slices of a few ms so messages
   * (pause, export, save) are answered promptly.
   */
  private async rulesLoop(rules: RulesRunner): Promise<void> {
    const o = this.options!;
    const u = o.updatesPerEpisode;
    while (!this.stopped && this.trainer === rules.trainer) {
      if (this.paused) {
        await this.idle();
        continue;
      }
      const t0 = performance.now();
      if (this.debt < 1 || !rules.trainer.canTrain) {
        // Stop at the first episode that owes updates (the replay holds a batch), or at the slice's end.
        const got = rules.collect(COLLECT_SLICE_MS, (finished) => finished > 0 && rules.trainer.canTrain);
        this.metricsSteps += got.steps;
        // Each finished episode owes its updates once the replay holds a batch, as in the game-fed loop.
        if (got.episodes > 0 && rules.trainer.canTrain) this.debt += got.episodes * u;
      }
      if (this.debt >= 1 && rules.trainer.canTrain) await this.updateOnce();
      if (rules.testDue()) this.runTest();
      const load = this.maxLoad ?? o.maxLoad ?? 1;
      if (load < 1) await sleep((performance.now() - t0) * (1 / load - 1));
      this.dirty = true;
      this.maybePostMetrics(false);
      await macrotask();
    }
  }

  private runTest(): void {
    const r = this.tester!.test();
    const t = this.trainer!;
    this.post({ type: 'test', test: { ...r, envSteps: t.envSteps, updates: t.learner.updates } });
    if (r.solved) {
      // Stop when solved: pause (a resume goes on training), after telling the page.
      this.paused = true;
      this.maybePostMetrics(true);
    }
  }

  private async updateOnce(): Promise<void> {
    const o = this.options!;
    if (this.contextLost) {
      this.contextLost = false;
      // (A context of the backend trial may be lost after WASM was chosen: nothing to do then.)
      if (this.backend === 'webgl') await this.leaveWebgl('the WebGL context was lost');
    }
    try {
      this.lastStats = this.trainer!.trainOnce() ?? null;
    } catch (e) {
      if (e instanceof DivergenceError) {
        // Stop (paused: exports and saves still work) at the last good snapshot, and let the game play it.
        this.paused = true;
        this.debt = 0;
        this.postWeights();
        this.post({ type: 'diverged', message: e.message, info: e.last });
        this.maybePostMetrics(true);
        return;
      }
      if (this.backend !== 'webgl') throw e;
      await this.leaveWebgl(`a WebGL update failed (${(e as Error).message})`);
      return;
    }
    this.debt -= 1;
    this.metricsUpdates++;
    const updates = this.trainer!.learner.updates;
    // Pacing of game-fed training needs the count at once; in rules mode the worker paces itself.
    if (!this.rules) this.post({ type: 'progress', updates });
    if (updates % o.weightsEvery === 0) this.postWeights();
    if (this.autosaveDue(updates)) await this.save(o.autosaveName, o.autosaveBuffer);
  }

  /** Every `autosaveEvery` updates, or `autosaveEveryMs` after the last autosave with updates since. */
  private autosaveDue(updates: number): boolean {
    const o = this.options!;
    if (this.autosaveKept || !this.deps.store || updates <= this.lastAutosave) return false;
    if (o.autosaveEvery > 0 && updates - this.lastAutosave >= o.autosaveEvery) return true;
    return (o.autosaveEveryMs ?? 0) > 0 && performance.now() - this.lastAutosaveAt >= o.autosaveEveryMs!;
  }

  /** Moves training to WASM from the last weights snapshot. */
  private async leaveWebgl(reason: string): Promise<void> {
    const lostFrom = this.trainer!.learner.updates;
    await this.deps.useBackend('wasm', this.options!.wasmPaths);
    this.backend = 'wasm';
    this.contextLost = false;
    const state = this.snapshot ?? null;
    if (state) this.trainer!.moveLearner(state);
    else this.trainer!.moveLearner(new QLearner(this.trainer!.learner.spec, this.trainer!.learner.config).getState());
    this.post({ type: 'backend', choice: 'wasm', timings: {}, reason: `${reason}: training continues on wasm from update ${state?.updates ?? 0} (was at ${lostFrom})` });
    this.postWeights();
  }

  private postWeights(): void {
    const t = this.trainer!;
    const arrays = readAgentWeights(t.learner);
    const weights: Record<string, Float32Array> = {};
    for (const [name, w] of Object.entries(arrays)) weights[name] = w.data;
    const header = policyHeader(t.learner, { episodes: t.episodes, envSteps: t.envSteps });
    this.post({ type: 'weights', updates: t.learner.updates, header, weights }, Object.values(weights).map((w) => w.buffer as ArrayBuffer));
    // Keep a CPU copy of the whole learner while on WebGL: a lost context takes the GPU copy with it.
    if (this.backend === 'webgl') this.snapshot = t.learner.getState();
    this.maybePostMetrics(true);
  }

  private maybePostMetrics(force: boolean): void {
    const now = performance.now();
    const elapsed = now - this.metricsAt;
    if (!this.trainer || (!force && elapsed < this.options!.metricsEveryMs)) return;
    const t = this.trainer;
    const mode = t.explorationMode();
    const metrics: WorkerMetrics = {
      backend: this.backend,
      updates: t.learner.updates,
      episodes: t.episodes,
      envSteps: t.envSteps,
      bufferSize: t.buffer.size,
      bufferCapacity: t.buffer.capacity,
      loss: this.lastStats?.loss ?? Number.NaN,
      qTotMean: this.lastStats?.qTotMean ?? Number.NaN,
      epsilon: explorationValue(mode),
      updatesPerSec: elapsed > 0 ? (this.metricsUpdates * 1000) / elapsed : 0,
      envStepsPerSec: elapsed > 0 ? (this.metricsSteps * 1000) / elapsed : 0,
      pendingUpdates: Math.max(0, Math.floor(this.debt)),
      maxLoad: this.maxLoad ?? this.options!.maxLoad ?? 1,
      episodesQueued: this.queue.length,
      paused: this.paused,
      threads: kernelThreads(),
      helperJobs: kernelHelper()?.jobs ?? 0,
      ...(this.rules ? this.rulesWindow() : {}),
    };
    this.post({ type: 'metrics', metrics });
    this.dirty = false;
    this.metricsAt = now;
    this.metricsUpdates = 0;
    this.metricsSteps = 0;
  }

  private rulesWindow(): { trainReturnMean: number; trainWinRate: number | null; trainEpisodes: number } {
    const w = this.rules!.takeWindow();
    return { trainReturnMean: w.returnMean, trainWinRate: w.winRate, trainEpisodes: w.episodes };
  }

  private async save(name: string, includeBuffer: boolean): Promise<void> {
    if (!this.trainer || !this.deps.store) {
      this.post({ type: 'error', message: `cannot save "${name}": ${this.trainer ? 'no checkpoint store here' : 'not initialised'}`, fatal: false });
      return;
    }
    try {
      const updates = this.trainer.learner.updates;
      await this.deps.store.save(name, this.trainer.checkpoint({ includeBuffer }));
      if (name === this.options!.autosaveName) {
        this.lastAutosave = updates;
        this.lastAutosaveAt = performance.now();
      }
      this.post({ type: 'saved', name, updates });
    } catch (e) {
      this.post({ type: 'error', message: `saving "${name}" failed: ${(e as Error).message}`, fatal: false });
    }
  }

  private async restore(name: string): Promise<void> {
    if (!this.trainer || !this.deps.store) {
      this.post({ type: 'error', message: `cannot restore "${name}": ${this.trainer ? 'no checkpoint store here' : 'not initialised'}`, fatal: false });
      return;
    }
    try {
      // restore() checks the config and spec first: on a refusal the learner is untouched.
      this.trainer.restore(await this.deps.store.load(name));
      this.lastAutosave = this.trainer.learner.updates;
      this.postWeights();
      this.post({ type: 'restored', name, updates: this.trainer.learner.updates, envSteps: this.trainer.envSteps, episodes: this.trainer.episodes, bufferSize: this.trainer.buffer.size });
    } catch (e) {
      this.post({ type: 'error', message: `restoring "${name}" failed: ${(e as Error).message}`, fatal: false });
    }
  }

  private demos(id: number, file: string, share: number): void {
    try {
      if (!this.trainer) throw new Error('not initialised');
      const { episodes } = parseDemoFile(file, this.trainer.learner.spec);
      this.trainer.addDemonstrations(episodes, { share });
      const held = this.trainer.demonstrations;
      this.post({ type: 'demos', id, episodes: held.episodes, share: held.share });
      this.kick(); // with enough demonstrations an update may be possible now
    } catch (e) {
      this.post({ type: 'error', message: `demonstrations request ${id} failed: ${(e as Error).message}`, fatal: false });
    }
  }

  private credit(id: number, qs: Float32Array, state: Float32Array): void {
    try {
      if (!this.trainer) throw new Error('not initialised');
      const credits = this.trainer.learner.credit(qs, state);
      this.post({ type: 'credit', id, credits: credits ? Float32Array.from(credits) : null });
    } catch (e) {
      this.post({ type: 'error', message: `credit request ${id} failed: ${(e as Error).message}`, fatal: false });
    }
  }

  /** For `auto`, see plugin/worker/backend-choice.ts: skips the WebGL trial where it can, bounds it otherwise. */
  private async chooseBackend(spec: EnvSpec, config: Partial<QmixConfig>, o: HostOptions): Promise<string> {
    if (o.backend !== 'auto') {
      await this.deps.useBackend(o.backend, o.wasmPaths);
      return o.backend;
    }
    const deps = this.deps;
    const { choice, timings, reason } = await decideBackend(
      {
        renderer: deps.probeRenderer ? () => deps.probeRenderer!() : undefined,
        use: (b) => deps.useBackend(b, o.wasmPaths),
        time: (updates, firstLimitMs) => trialUpdateMs(spec, config, updates, firstLimitMs),
        store: deps.choiceStore ?? null,
      },
      { shape: updateShape(spec, config), trialUpdates: o.trialUpdates },
    );
    this.post({ type: 'backend', choice, timings, reason });
    return choice;
  }

  private kick(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}

/**
 * Times updates of a fresh learner on synthetic full-length episodes of the
 * squad's shape (capped at {@link TRIAL_MAX_STEPS} steps): the first update
 * (shader compilation on WebGL) and the median of the rest; steady null when
 * the first took over `firstLimitMs` (an update cannot be interrupted, so
 * the bound is checked once it returns).
 */
function trialUpdateMs(spec: EnvSpec, config: Partial<QmixConfig>, updates: number, firstLimitMs: number): { first: number; steady: number | null } {
  const learner = new QLearner(spec, config);
  try {
    const L = Math.min(spec.episodeLimit, TRIAL_MAX_STEPS);
    const episodes = syntheticEpisodes(spec, learner.config.batchSize, L, 1);
    const batch = collateEpisodes({ ...spec, episodeLimit: L }, episodes);
    const times: number[] = [];
    for (let i = 0; i < updates; i++) {
      const t0 = performance.now();
      learner.update(batch);
      times.push(performance.now() - t0);
      if (times[0] > firstLimitMs) return { first: Math.round(times[0]), steady: null };
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    return { first: Math.round(times[0]), steady: Math.round(rest[Math.floor(rest.length / 2)]) };
  } finally {
    learner.dispose();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
