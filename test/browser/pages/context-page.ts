// Browser page for the WebGL context-loss test: the worker's TrainerHost,
// run on this page's thread with a real WebGL backend, loses its context.
import { EpisodeBuilder, Rng, runEpisode, type QPolicy } from '../../../plugin/core/index.js';
import { TWO_STEP_UNIFORM_CONFIG, TwoStepEnv } from '../../../plugin/envs/index.js';
import { useBackend } from '../../../plugin/learn/backend.js';
import { TrainerHost, watchWebglContext, webglContext } from '../../../plugin/worker/host-index.js';
import type { FromWorker } from '../../../plugin/worker/index.js';

const env = new TwoStepEnv();
const zero: QPolicy = { resetEpisode() {}, qValues: (_o, _l, out) => out.fill(0) };

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function contextLoss() {
  const messages: FromWorker[] = [];
  let lost: (() => void) | null = null;
  const host = new TrainerHost((m) => messages.push(m), {
    store: null,
    async useBackend(name, wasmPaths) {
      await useBackend(name, { wasmPaths });
      if (name === 'webgl') watchWebglContext(() => lost?.());
    },
    onContextLost: (l) => (lost = l),
  });
  host.handle({
    type: 'init',
    spec: env.spec,
    config: { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 },
    options: { backend: 'webgl', updatesPerEpisode: 1, weightsEvery: 5, metricsEveryMs: 50, autosaveEvery: 0, autosaveName: 'a', autosaveBuffer: false, resume: false, trialUpdates: 2, maxLoad: 1, wasmPaths: '/wasm/' },
  });
  await until(() => messages.some((m) => m.type === 'ready'), 60000, 'ready');
  const rng = new Rng(1);
  const builder = new EpisodeBuilder(env.spec);
  const feed = async (n: number) => {
    for (let i = 0; i < n; i++) {
      host.handle({ type: 'episode', episode: runEpisode(env, zero, { mode: { kind: 'epsilon-greedy', epsilon: 1 }, rng, builder }).record });
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const weights = () => messages.filter((m): m is Extract<FromWorker, { type: 'weights' }> => m.type === 'weights');
  await feed(30);
  await until(() => weights().some((w) => w.updates === 10), 60000, 'update 10 on webgl');
  await until(() => weights().some((w) => w.updates >= 15), 60000, 'updates past the snapshot');
  const ext = webglContext()!.getExtension('WEBGL_lose_context');
  ext!.loseContext();
  await feed(20);
  await until(() => messages.some((m) => m.type === 'backend'), 30000, 'the fallback');
  const switchAt = messages.findIndex((m) => m.type === 'backend');
  const firstAfter = messages.slice(switchAt).find((m) => m.type === 'weights') as Extract<FromWorker, { type: 'weights' }>;
  const backendMsg = messages[switchAt] as Extract<FromWorker, { type: 'backend' }>;
  await feed(20);
  await until(() => weights().some((w) => w.updates >= 25), 60000, 'training on wasm');
  const last = messages.filter((m) => m.type === 'metrics').at(-1) as Extract<FromWorker, { type: 'metrics' }>;
  host.stop();
  return {
    reason: backendMsg.reason,
    choice: backendMsg.choice,
    resumedAt: firstAfter.updates,
    // The weights streamed at that update count before the loss: the snapshot training resumed from.
    sameAsSnapshot: (() => {
      const before = messages.slice(0, switchAt).filter((m) => m.type === 'weights' && m.updates === firstAfter.updates) as Extract<FromWorker, { type: 'weights' }>[];
      return before.length === 1 && Object.keys(before[0].weights).every((k) => JSON.stringify(Array.from(before[0].weights[k])) === JSON.stringify(Array.from(firstAfter.weights[k])));
    })(),
    lostAt: Number(/was at (\d+)/.exec(backendMsg.reason)?.[1]),
    finalBackend: last.metrics.backend,
    finalUpdates: last.metrics.updates,
    errors: messages.filter((m) => m.type === 'error'),
  };
}

Object.assign(globalThis, { scenarios: { contextLoss }, pageReady: true });
