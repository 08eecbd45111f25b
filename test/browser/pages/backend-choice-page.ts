// Browser page for the backend-choice test: a real Web Worker (/worker.js)
// starts with backend 'auto' on a squad of the reference GRU shape; the page
// times Start -> backend choice -> first update. This page imports no tfjs.
import { syntheticEpisodes } from '../../../plugin/core/synthetic.js';
import type { EnvSpec } from '../../../plugin/core/env.js';
import { probeWebglRenderer } from '../../../plugin/worker/backend-probe.js';
import { WorkerTrainer, WorkerTrainerEvents, type WorkerTrainerOptions } from '../../../plugin/worker/index.js';

/** The reference update shape of docs/learner.md (32 episodes x 50 steps, 3 agents, GRU 64). */
const SPEC: EnvSpec = { nAgents: 3, obsSize: 30, stateSize: 40, nActions: 5, episodeLimit: 50 };

interface Choice {
  choice: string;
  timings: Record<string, number | null>;
  reason: string;
}

/** Resolves on the first `event` of `t`, rejects on a fault or after `ms` (a guard, not a pace). */
function next<T>(t: WorkerTrainer, event: string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    t.once(event, (e: T) => {
      clearTimeout(timer);
      resolve(e);
    });
    t.once(WorkerTrainerEvents.FAULT, (f: { reason: string }) => reject(new Error(`worker fault: ${f.reason}`)));
  });
}

const scenarios = {
  /** What the page's own OffscreenCanvas says the WebGL renderer is. */
  async renderer() {
    return probeWebglRenderer();
  },

  /** Start with 'auto', then feed one batch of episodes and wait for the first update. */
  async auto() {
    const t0 = performance.now();
    const t = new WorkerTrainer(SPEC, { agent: 'gru', hiddenDim: 64, batchSize: 32, seed: 1 }, {
      createWorker: () => new Worker('/worker.js', { type: 'module' }) as unknown as ReturnType<WorkerTrainerOptions['createWorker']>,
      wasmPaths: '/wasm/',
      backend: 'auto',
      autosaveEvery: 0,
      // Weights after every update, so the page hears of the first one at once.
      weightsEvery: 1,
      adaptiveLoad: false,
      // Generous guards for a slow machine: the old WebGL trial alone took 20-43 s here.
      startupMs: 300000,
      heartbeatMs: 300000,
    });
    try {
      const backend = next<Choice>(t, WorkerTrainerEvents.BACKEND, 290000);
      const ready = next<unknown>(t, WorkerTrainerEvents.READY, 290000);
      const choice = await backend;
      const backendMs = performance.now() - t0;
      await ready;
      const readyMs = performance.now() - t0;
      const firstUpdate = new Promise<void>((resolve) => {
        const off = t.onUpdate((info) => {
          if (info.updates >= 1) {
            off();
            resolve();
          }
        });
      });
      for (const ep of syntheticEpisodes(SPEC, 32, SPEC.episodeLimit, 2)) t.submitEpisode(ep);
      await firstUpdate;
      const firstUpdateMs = performance.now() - t0;
      const reasonOnClient = t.backendReason;
      return { choice, backendMs, readyMs, firstUpdateMs, reasonOnClient, backend: t.backend };
    } finally {
      t.dispose();
    }
  },
};

Object.assign(globalThis, { scenarios, pageReady: true });
