// Browser page for the worker tests: the main thread plays a small squad
// task and acts with the runtime; a real Web Worker (/worker.js) trains.
// This page imports no tfjs.
import { EpisodeBuilder, GREEDY, Rng, runEpisode, syntheticEpisodes, type QmixConfig } from '../../../plugin/core/index.js';
import { TWO_STEP_UNIFORM_CONFIG, TwoStepEnv } from '../../../plugin/envs/index.js';
import { WorkerTrainer, WorkerTrainerEvents, type WorkerMetrics, type WorkerTrainerOptions } from '../../../plugin/worker/index.js';

const env = new TwoStepEnv();
const yieldToEvents = () => new Promise((r) => setTimeout(r, 0));

function client(config: Partial<QmixConfig>, options: Partial<WorkerTrainerOptions>): WorkerTrainer {
  return new WorkerTrainer(env.spec, config, {
    createWorker: () => new Worker('/worker.js', { type: 'module' }) as unknown as ReturnType<WorkerTrainerOptions['createWorker']>,
    wasmPaths: '/wasm/',
    backend: 'wasm',
    ...options,
  });
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Plays `n` exploring episodes, handing each to the trainer; returns their returns. */
async function play(t: WorkerTrainer, n: number, rng: Rng): Promise<number[]> {
  const builder = new EpisodeBuilder(env.spec);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = runEpisode(env, t.policy, { mode: t.explorationMode(), rng, builder });
    t.submitEpisode(r.record);
    out.push(r.episodeReturn);
    await yieldToEvents();
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const scenarios = {
  /** A learning curve: mean training return per 100 episodes, epsilon 1 -> 0.05 over 1000 steps. */
  async learn() {
    const t = client({ ...TWO_STEP_UNIFORM_CONFIG, epsilonStart: 1, epsilonFinish: 0.05, epsilonAnnealTime: 1000, seed: 3 }, { weightsEvery: 10, autosaveEvery: 0 });
    const rng = new Rng(3);
    const curve: number[] = [];
    for (let block = 0; block < 16; block++) {
      curve.push(mean(await play(t, 100, rng)));
      // Let the worker keep pace with the game (it trains while we wait).
      await until(() => (t.metrics?.pendingUpdates ?? 1) === 0 && (t.metrics?.episodes ?? 0) === (block + 1) * 100, 30000, 'the worker to catch up');
    }
    const greedy = runEpisode(env, t.policy, { mode: GREEDY, rng: null }).episodeReturn;
    const m = t.metrics as WorkerMetrics;
    t.dispose();
    return { curve, greedy, updates: m.updates, backend: m.backend, updatesPerSec: m.updatesPerSec };
  },

  /** Kill the worker mid-training; it comes back from the IndexedDB autosave while the game plays on. */
  async kill() {
    const t = client({ ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8, seed: 4 }, { autosaveEvery: 20, heartbeatMs: 1000, metricsEveryMs: 50, autosaveName: 'kill-test' });
    const faults: unknown[] = [];
    const readies: (number | null)[] = [];
    // What the client heard of before the fault (metrics or weights, whichever came last):
    // messages the worker posted just before it was killed still arrive after terminate().
    let heard = 0;
    const heardAtFault: number[] = [];
    t.on(WorkerTrainerEvents.METRICS, (m: WorkerMetrics) => (heard = m.updates));
    t.onUpdate((info) => (heard = Math.max(heard, info.updates)));
    t.on(WorkerTrainerEvents.FAULT, (f) => {
      faults.push(f);
      heardAtFault.push(heard);
    });
    t.on(WorkerTrainerEvents.READY, (r: { resumedFromUpdates: number | null }) => readies.push(r.resumedFromUpdates));
    const rng = new Rng(4);
    await play(t, 80, rng);
    await until(() => (t.metrics?.updates ?? 0) >= 60, 30000, '60 updates');
    const before = t.metrics!.updates;
    t.workerHandle!.terminate();
    let playedDuringOutage = 0;
    while (faults.length === 0 || readies.length < 2) {
      await play(t, 1, rng);
      playedDuringOutage++;
      if (playedDuringOutage > 5000) throw new Error('no restart');
    }
    await play(t, 40, rng);
    await until(() => (t.metrics?.updates ?? 0) > (readies[1] ?? 0) + 20, 30000, 'training after the restart');
    const after = t.metrics!.updates;
    t.dispose();
    return { faults, readies, before, heardAtFault, after, playedDuringOutage };
  },

  /** backend 'auto': a trial on WebGL and WASM, a reported choice, and training on it. */
  async auto() {
    const t = client({ ...TWO_STEP_UNIFORM_CONFIG, batchSize: 16 }, { backend: 'auto', trialUpdates: 3, autosaveEvery: 0, heartbeatMs: 120000 });
    const choices: { choice: string; timings: Record<string, number | null>; reason: string }[] = [];
    t.on(WorkerTrainerEvents.BACKEND, (b) => choices.push(b));
    await until(() => choices.length === 1, 120000, 'the backend choice');
    await play(t, 60, new Rng(5));
    await until(() => (t.metrics?.updates ?? 0) >= 20, 60000, 'training on the chosen backend');
    const m = t.metrics as WorkerMetrics;
    t.dispose();
    return { choice: choices[0], backend: m.backend, updates: m.updates };
  },

  /**
   * Kernel threads: with `threads` (absent: auto), trains on long synthetic
   * episodes (3 agents x 40 steps, batches of 16: large enough to split)
   * past 40 updates and says which ran and how many jobs the helper took.
   */
  async threads(want?: 1 | 2) {
    const spec = { nAgents: 3, obsSize: 8, stateSize: 6, nActions: 4, episodeLimit: 40 };
    const t = new WorkerTrainer(spec, { batchSize: 16, hiddenDim: 32, seed: 4 }, {
      createWorker: () => new Worker('/worker.js', { type: 'module' }) as unknown as ReturnType<WorkerTrainerOptions['createWorker']>,
      wasmPaths: '/wasm/',
      backend: 'wasm',
      autosaveEvery: 0,
      ...(want ? { threads: want } : {}),
    });
    let readyThreads: number | null = null;
    t.on(WorkerTrainerEvents.READY, (r: { threads: number }) => (readyThreads = r.threads));
    const errors: string[] = [];
    t.on(WorkerTrainerEvents.ERROR, (e: Error) => errors.push(e.message));
    const t0 = performance.now();
    let seed = 1;
    while ((t.metrics?.updates ?? 0) < 40) {
      if (errors.length > 0 || performance.now() - t0 > 120000) throw new Error(`no training: ${errors.join('; ') || 'timed out'}`);
      for (const ep of syntheticEpisodes(spec, 8, spec.episodeLimit, seed++)) t.submitEpisode(ep);
      await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => (t.metrics?.helperJobs ?? 0) > 0 || t.metrics?.threads === 1, 30000, 'metrics after updates');
    const m = t.metrics as WorkerMetrics;
    const out = { isolated: globalThis.crossOriginIsolated === true, readyThreads, kernelThreads: t.kernelThreads, threads: m.threads, helperJobs: m.helperJobs, updates: m.updates, cores: navigator.hardwareConcurrency };
    t.dispose();
    return out;
  },
};

Object.assign(globalThis, { scenarios, pageReady: true });
