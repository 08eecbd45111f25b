// `npm run bench` key `browserTraining`: training Carrot Heist in the editor
// page (`npm start`'s /editor.html) in headless Chromium with the editor's
// defaults, against the CLI's loop on the same env and config in the same
// run. Wall time from pressing Start to a greedy catch rate of 90% over 200
// test rounds (the worker's own tests, on seeds never trained on), frame
// intervals with the worker training and resting, and the first update.
import type { Page } from 'playwright-core';
import '../../demo-game/rules/env.js';
import { serveDemo } from '../../demo-game/server.js';
import { useBackend } from '../../plugin/learn/backend.js';
import { train } from '../../plugin/learn/train.js';
import { launchBrowser } from '../support/browser.js';

/** The editor page's default config (demo-game/editor.ts), for the CLI run. */
const EDITOR_CONFIG = { preset: 'pymarl', agent: 'mlp', lr: 0.00025, epsilonAnnealTime: 100000 } as const;

interface Snapshot {
  readonly t: number;
  readonly envSteps: number;
  readonly updates: number;
  readonly tests: { envSteps: number; winRate: number | null; t: number }[];
  readonly backend: string | null;
  readonly reason: string | null;
}

const snapshot = (page: Page): Promise<Snapshot> =>
  page.evaluate(() => {
    const g = globalThis as unknown as { editor: { currentTrainer: { metrics: { envSteps: number; updates: number } | null; backend: string | null; backendReason?: string | null } | null }; benchTests?: { envSteps: number; winRate: number | null; t: number }[] };
    const t = g.editor.currentTrainer;
    return { t: performance.now(), envSteps: t?.metrics?.envSteps ?? 0, updates: t?.metrics?.updates ?? 0, tests: g.benchTests ?? [], backend: t?.backend ?? null, reason: t?.backendReason ?? null };
  });

/**
 * Frame intervals (performance.now between animation frames) for `ms`.
 * The page code is a string: tsx would wrap named functions in a helper the
 * page does not have.
 */
const frameIntervals = (page: Page, ms: number): Promise<{ p50: number; p95: number; frames: number }> =>
  page.evaluate(`new Promise((resolve) => {
    const out = [];
    let last = 0;
    const t0 = performance.now();
    requestAnimationFrame(function tick() {
      const now = performance.now();
      if (last > 0) out.push(now - last);
      last = now;
      if (now - t0 < ${ms}) return void requestAnimationFrame(tick);
      out.sort((a, b) => a - b);
      const at = (p) => +out[Math.min(out.length - 1, Math.floor(out.length * p))].toFixed(2);
      resolve({ p50: at(0.5), p95: at(0.95), frames: out.length });
    });
  })`);

/** The CLI's loop (`train`, 8 env copies as the editor's worker uses) on the same env and config. */
async function cliRate(steps: number): Promise<{ envStepsPerSec: number; updatesPerSec: number; steps: number }> {
  await useBackend('wasm');
  const t0 = performance.now();
  const r = await train({ env: 'carrot-heist:flee', algo: 'qmix', steps, seed: 1, config: EDITOR_CONFIG, envs: 8, testEpisodes: 0, logEvery: steps });
  const secs = (performance.now() - t0) / 1000;
  const out = { envStepsPerSec: +(r.trainer.envSteps / secs).toFixed(1), updatesPerSec: +(r.trainer.learner.updates / secs).toFixed(2), steps: r.trainer.envSteps };
  r.trainer.dispose();
  return out;
}

/**
 * The other path, for comparison: experience from the scene itself at the
 * editor's top speed (time-budget fast-forward), paced to the learner.
 */
async function sceneModeRates(page: Page): Promise<Record<string, unknown>> {
  await page.getByRole('button', { name: 'Reset' }).click();
  await page.selectOption('#pq-source', 'scene');
  await page.selectOption('#pq-timescale', 'max');
  await page.getByRole('button', { name: 'Start' }).click();
  const read = (): Promise<{ t: number; envSteps: number; updates: number; sceneSteps: number; lag: number; stepsPerUpdate: number; target: number }> =>
    page.evaluate(() => {
      const g = globalThis as unknown as {
        editor: { currentTrainer: { envSteps: number; metrics: { updates: number } | null; pacingState: { lagUpdates: number; stepsPerUpdate: number; targetStepsPerUpdate: number } } | null };
        game: { scene: { getScene(k: string): { qmix: { stats: { sceneSteps: number } } } } };
      };
      const t = g.editor.currentTrainer!;
      return { t: performance.now(), envSteps: t.envSteps, updates: t.metrics?.updates ?? 0, sceneSteps: g.game.scene.getScene('play').qmix.stats.sceneSteps, lag: t.pacingState.lagUpdates, stepsPerUpdate: t.pacingState.stepsPerUpdate, target: t.pacingState.targetStepsPerUpdate };
    });
  await page.waitForTimeout(20_000);
  const a = await read();
  await page.waitForTimeout(20_000);
  const b = await read();
  const secs = (b.t - a.t) / 1000;
  await page.getByRole('button', { name: 'Reset' }).click();
  return {
    what: 'experience from the scene at speed max (10 ms of scene steps per frame), paced to the learner; 20 s after a 20 s warm-up',
    envStepsPerSec: +((b.envSteps - a.envSteps) / secs).toFixed(1),
    updatesPerSec: +((b.updates - a.updates) / secs).toFixed(2),
    sceneStepsPerSec: +((b.sceneSteps - a.sceneSteps) / secs).toFixed(1),
    lagUpdates: b.lag,
    stepsPerUpdate: +b.stepsPerUpdate.toFixed(1),
    targetStepsPerUpdate: +b.target.toFixed(1),
  };
}

/**
 * @param capSeconds stop waiting for a 90% catch rate after this long (the cap: 20 minutes)
 * @param cliSteps env steps of the CLI comparison run
 */
export async function browserTrainingBench(capSeconds = 1200, cliSteps = 30000): Promise<Record<string, unknown>> {
  const cli = await cliRate(cliSteps);
  const server = await serveDemo(0);
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // The worker's greedy tests: 200 rounds every 10k env steps; the editor's other settings are its defaults.
    await page.goto(`${server.url}editor.html?testEvery=10000&testEpisodes=200`);
    await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 120_000 });
    await page.getByRole('button', { name: 'Start' }).click();
    const started = await page.evaluate(() => performance.now());
    // Every test the worker reports, with its page time.
    await page.waitForFunction(() => (globalThis as unknown as { editor: { currentTrainer: unknown } }).editor.currentTrainer !== null);
    await page.evaluate(() => {
      const g = globalThis as unknown as { editor: { currentTrainer: { on(e: string, f: (t: { envSteps: number; winRate: number | null }) => void): void } }; benchTests: unknown[] };
      g.benchTests = [];
      g.editor.currentTrainer.on('test', (t) => g.benchTests.push({ envSteps: t.envSteps, winRate: t.winRate, t: performance.now() }));
    });
    await page.waitForFunction(() => ((globalThis as unknown as { editor: { currentTrainer: { metrics: { updates: number } | null } } }).editor.currentTrainer.metrics?.updates ?? 0) > 0, undefined, { timeout: 300_000, polling: 50 });
    const firstUpdate = await snapshot(page);
    // Warm-up, then a 20 s window for the rates, frames measured inside it.
    await page.waitForTimeout(15_000);
    const a = await snapshot(page);
    const framesTraining = await frameIntervals(page, 10_000);
    await page.waitForTimeout(10_000);
    const b = await snapshot(page);
    const secs = (b.t - a.t) / 1000;
    const editorEnvStepsPerSec = +((b.envSteps - a.envSteps) / secs).toFixed(1);
    const editorUpdatesPerSec = +((b.updates - a.updates) / secs).toFixed(2);
    // Until a test catches the rabbit in 90% of 200 rounds, or the cap.
    let last = b;
    const reached = (s: Snapshot) => s.tests.find((t) => (t.winRate ?? 0) >= 0.9);
    while (!reached(last) && (last.t - started) / 1000 < capSeconds) {
      await page.waitForTimeout(2000);
      last = await snapshot(page);
    }
    const hit = reached(last);
    // Frames with the worker resting (the scene still plays): the baseline.
    await page.evaluate(() => (globalThis as unknown as { editor: { currentTrainer: { setPaused(p: boolean): void } } }).editor.currentTrainer.setPaused(true));
    await page.waitForTimeout(2000);
    const framesPaused = await frameIntervals(page, 10_000);
    await page.screenshot({ path: 'test-results/bench-browser-training.png' });
    const sceneMode = await sceneModeRates(page);
    const bestRate = Math.max(0, ...last.tests.map((t) => t.winRate ?? 0));
    return {
      what: 'Carrot Heist in the editor page (npm start /editor.html), headless Chromium, editor defaults (experience from 8 worker env copies, backend auto; the scene plays the latest weights at 1x), greedy tests of 200 rounds every 10k env steps; the CLI figure is train() with 8 env copies on the same env and config, in the same run before the browser',
      editorEnvStepsPerSec,
      editorUpdatesPerSec,
      cliEnvStepsPerSec: cli.envStepsPerSec,
      cliUpdatesPerSec: cli.updatesPerSec,
      ratio: +(editorEnvStepsPerSec / cli.envStepsPerSec).toFixed(3),
      secondsToCatch90: hit ? +((hit.t - started) / 1000).toFixed(1) : null,
      envStepsToCatch90: hit ? hit.envSteps : null,
      bestCatchRate: bestRate,
      tests: last.tests.map((t) => ({ envSteps: t.envSteps, winRate: t.winRate, seconds: +((t.t - started) / 1000).toFixed(1) })),
      frameP95Training: framesTraining.p95,
      frameP95Paused: framesPaused.p95,
      frameP95Ratio: +(framesTraining.p95 / framesPaused.p95).toFixed(3),
      frames: { training: framesTraining, paused: framesPaused },
      firstUpdateSeconds: +((firstUpdate.t - started) / 1000).toFixed(2),
      sceneMode,
      backend: { choice: last.backend, reason: last.reason },
      targets: {
        ratio: { target: '>= 0.5', met: editorEnvStepsPerSec / cli.envStepsPerSec >= 0.5 },
        secondsToCatch90: { target: '<= 600', met: hit ? (hit.t - started) / 1000 <= 600 : false },
        frameP95Ratio: { target: '<= 1.10', met: framesTraining.p95 / framesPaused.p95 <= 1.1 },
        firstUpdateSeconds: { target: '<= 10', met: (firstUpdate.t - started) / 1000 <= 10 },
      },
      pageErrors: problems,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await browserTrainingBench(Number(process.argv[2] ?? 1200), Number(process.argv[3] ?? 30000)), null, 2));
}
