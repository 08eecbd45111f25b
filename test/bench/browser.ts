// The browser part of `npm run bench`: frame time of a demo-size scene with
// and without a squad training in a Web Worker, and worker throughput while
// the scene fast-forwards. Real time in headless chromium; medians of one run.
import { launchBrowser, openReadyPage, servePage } from '../support/browser.js';

/**
 * Learner update times in a Web Worker (wasm fused and plain, WebGL plain),
 * on the reference shape: the browser side of issue 9.
 */
async function workerUpdates(browser: Awaited<ReturnType<typeof launchBrowser>>, repeats: number, webglRepeats: number): Promise<unknown> {
  const served = await servePage('test/bench/pages/update-page.ts', {
    bundles: { '/update-worker.js': 'test/bench/pages/update-worker.ts' },
    dirs: { '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' },
  });
  try {
    const page = await openReadyPage(browser, served.url);
    const answer = (await page.evaluate((r) => (globalThis as unknown as { runUpdates: (o: object) => Promise<unknown> }).runUpdates(r), { repeats, webglRepeats })) as { ok: boolean; error?: string; updates: { backend: string; agent: string; path: string; medianMs: number }[] };
    await page.close();
    const find = (backend: string, agent: string, path: string) => answer.updates.find((u) => u.backend === backend && u.agent === agent && u.path === path)?.medianMs;
    const ratio = (agent: string) => {
      const fused = find('wasm', agent, 'fused');
      const plain = find('wasm', agent, 'plain');
      return fused && plain ? +(plain / fused).toFixed(2) : null;
    };
    return { ...answer, wasmSpeedup: { gru: ratio('gru'), mlp: ratio('mlp') } };
  } finally {
    await served.close();
  }
}

export async function browserBench(seconds: number): Promise<Record<string, unknown>> {
  const browser = await launchBrowser();
  const learnerUpdates = await workerUpdates(browser, seconds >= 10 ? 20 : 5, seconds >= 10 ? 3 : 2).catch((e) => ({ skipped: (e as Error).message }));
  const served = await servePage('test/bench/pages/frame-page.ts', {
    bundles: { '/worker.js': 'plugin/worker/worker-entry.ts' },
    dirs: { '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' },
  });
  try {
    const page = await openReadyPage(browser, served.url);
    const run = (train: boolean, timeScale: number, updatesPerEpisode: number, maxLoad = 1, adaptive = false) =>
      page.evaluate(([t, s, ts, u, l, a]) => (globalThis as unknown as { run: (o: object) => Promise<unknown> }).run({ train: t, seconds: s, timeScale: ts, updatesPerEpisode: u, maxLoad: l, adaptive: a }), [train, seconds, timeScale, updatesPerEpisode, maxLoad, adaptive] as const) as Promise<{
        frames: number;
        stepMs: { p50: number; p95: number; p99: number };
        intervalMs: { p50: number; p95: number; p99: number };
        decisions: number;
        metrics: { updatesPerSec: number; envStepsPerSec: number; updates: number; pendingUpdates: number; maxLoad: number } | null;
      }>;
    const idle = await run(false, 1, 0);
    // 50 updates per 20-step episode keeps the worker busy the whole time.
    const training = await run(true, 1, 50);
    const trainingHalfLoad = await run(true, 1, 50, 0.5);
    const trainingAdaptive = await run(true, 1, 50, 1, true);
    const fast = await run(true, 8, 1);
    return {
      learnerUpdatesInWorker: learnerUpdates,
      scene: '640x480, 4 guards + thief with arcade bodies, 6 walls, decisions every 5 steps, 20-decision episodes, GRU 64 QMIX (batch 8) in a wasm worker',
      note: 'stepMs: main-thread work per frame (pre-step to post-render); intervalMs: time between frames',
      noTraining: idle,
      training,
      ratioStepP95: +(training.stepMs.p95 / idle.stepMs.p95).toFixed(3),
      ratioIntervalP95: +(training.intervalMs.p95 / idle.intervalMs.p95).toFixed(3),
      trainingMaxLoadHalf: trainingHalfLoad,
      ratioIntervalP95MaxLoadHalf: +(trainingHalfLoad.intervalMs.p95 / idle.intervalMs.p95).toFixed(3),
      trainingAdaptive,
      ratioIntervalP95Adaptive: +(trainingAdaptive.intervalMs.p95 / idle.intervalMs.p95).toFixed(3),
      fastForward8: {
        frames: fast.frames,
        stepMs: fast.stepMs,
        workerUpdatesPerSec: fast.metrics?.updatesPerSec ?? null,
        envStepsPerSec: +((fast.decisions / seconds) || 0).toFixed(1),
        updatesPerEpisode: 1,
        workerLagUpdates: fast.metrics?.pendingUpdates ?? null,
      },
    };
  } finally {
    await browser.close();
    await served.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await browserBench(Number(process.argv[2] ?? 10)), null, 2));
}
