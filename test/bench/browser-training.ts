// `npm run bench` key `browserTraining`: training Carrot Heist in the editor
// page (`npm start`'s /editor.html) in headless Chromium with the editor's
// defaults (8 training arenas of the scene) at its top speed, against the
// CLI's loop on the same env and config in the same run. Wall time from
// pressing Start to a greedy catch rate of 90% over 200 test rounds (the
// bench exports the page's current policy now and then and plays it on 200
// seeded rounds of the rules), frame intervals with the worker training and
// resting, and the first update; then the other experience sources' rates.
import type { Page } from 'playwright-core';
import '../../demo-game/rules/env.js';
import { policyPlayer, winRate } from '../../demo-game/rules/evaluate.js';
import { loadPolicy } from '../../plugin/runtime/greedy-policy.js';
import { serveDemo } from '../../demo-game/server.js';
import { useBackend } from '../../plugin/learn/backend.js';
import { train } from '../../plugin/learn/train.js';
import { launchBrowser } from '../support/browser.js';

/** The editor page's default config (demo-game/editor.ts), for the CLI run. */
const EDITOR_CONFIG = {} as const;

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

/**
 * The CLI's loop (`train`, 8 env copies as the editor's worker uses) on the
 * same env and config: from the start to `steps`, and over `[from, steps]`
 * when `from` is given (the env-step range the editor was measured on:
 * both loops are bound by their learner, and env steps per update follow
 * the episodes' length, which changes as the policy learns).
 */
async function cliRate(steps: number, from = 0): Promise<{ envStepsPerSec: number; updatesPerSec: number; steps: number; from: number }> {
  await useBackend('wasm');
  const marks: { t: number; envSteps: number; updates: number }[] = [{ t: performance.now(), envSteps: 0, updates: 0 }];
  const logEvery = from > 0 ? 1000 : steps;
  const r = await train({
    env: 'carrot-heist:flee',
    algo: 'qmix',
    steps,
    seed: 1,
    config: EDITOR_CONFIG,
    envs: 8,
    testEpisodes: 0,
    logEvery,
    onProgress: (p) => marks.push({ t: performance.now(), envSteps: p.envSteps, updates: p.updates }),
  });
  marks.push({ t: performance.now(), envSteps: r.trainer.envSteps, updates: r.trainer.learner.updates });
  const a = [...marks].reverse().find((m) => m.envSteps <= from) ?? marks[0];
  const b = marks[marks.length - 1];
  const secs = (b.t - a.t) / 1000;
  const out = { envStepsPerSec: +((b.envSteps - a.envSteps) / secs).toFixed(1), updatesPerSec: +((b.updates - a.updates) / secs).toFixed(2), steps: b.envSteps, from: a.envSteps };
  r.trainer.dispose();
  return out;
}

/**
 * The other experience sources, for comparison: the worker's own env copies
 * (rules mode), or the scene alone at the editor's top speed (time-budget
 * fast-forward), paced to the learner. Rates over 20 s after a 20 s warm-up.
 */
async function sourceRates(page: Page, source: 'rules' | 'scene'): Promise<Record<string, unknown>> {
  await resetEditor(page);
  await page.selectOption('#pq-source', source);
  await page.selectOption('#pq-timescale', 'max');
  await page.getByRole('button', { name: 'Start' }).click();
  const read = (): Promise<{ t: number; envSteps: number; updates: number; sceneSteps: number; lag: number; stepsPerUpdate: number; target: number }> =>
    page.evaluate(() => {
      const g = globalThis as unknown as {
        editor: { currentTrainer: { envSteps: number; metrics: { envSteps: number; updates: number } | null; pacingState: { lagUpdates: number; stepsPerUpdate: number; targetStepsPerUpdate: number } } | null };
        game: { scene: { getScene(k: string): { qmix: { stats: { sceneSteps: number } } } } };
      };
      const t = g.editor.currentTrainer!;
      return { t: performance.now(), envSteps: Math.max(t.envSteps, t.metrics?.envSteps ?? 0), updates: t.metrics?.updates ?? 0, sceneSteps: g.game.scene.getScene('play').qmix.stats.sceneSteps, lag: t.pacingState.lagUpdates, stepsPerUpdate: t.pacingState.stepsPerUpdate, target: t.pacingState.targetStepsPerUpdate };
    });
  await page.waitForTimeout(20_000);
  const a = await read();
  await page.waitForTimeout(20_000);
  const b = await read();
  const secs = (b.t - a.t) / 1000;
  await resetEditor(page);
  return {
    what: source === 'rules' ? 'experience from 8 env copies the worker steps itself (rules mode); 20 s after a 20 s warm-up' : 'experience from the shown scene alone at speed max (10 ms of scene steps per frame), paced to the learner; 20 s after a 20 s warm-up',
    envStepsPerSec: +((b.envSteps - a.envSteps) / secs).toFixed(1),
    updatesPerSec: +((b.updates - a.updates) / secs).toFixed(2),
    ...(source === 'scene' ? { sceneStepsPerSec: +((b.sceneSteps - a.sceneSteps) / secs).toFixed(1), lagUpdates: b.lag, stepsPerUpdate: +b.stepsPerUpdate.toFixed(1), targetStepsPerUpdate: +b.target.toFixed(1) } : {}),
  };
}

/** Reset, when the editor has something to reset (it is disabled while idle). */
async function resetEditor(page: Page): Promise<void> {
  const reset = page.getByRole('button', { name: 'Reset' });
  if (await reset.isEnabled()) await reset.click();
}

/** What the editor says (state, status line, last message): kept in the JSON for a run that went wrong. */
const editorSays = (page: Page): Promise<Record<string, string>> =>
  page.evaluate(() => ({
    state: (globalThis as unknown as { editor: { state: string } }).editor.state,
    status: document.querySelector('.pq-status')?.textContent ?? '',
    message: document.querySelector('.pq-message')?.textContent ?? '',
    best: document.querySelector('.pq-best')?.textContent ?? '',
  }));

/**
 * Plays the page's current policy, or the best one its worker's tests kept
 * (what "Ship best" plays), on 200 seeded rounds of the rules against the
 * flee rabbit (seeds the scene never used: it draws its worlds from
 * Math.random; the worker tests on other seeds). Null: no such policy yet.
 */
async function testPolicy(page: Page, which: 'current' | 'best'): Promise<number | null> {
  const file = await page.evaluate(
    (w) => (globalThis as unknown as { editor: { currentTrainer: { exportPolicy(w: string): Promise<object> } } }).editor.currentTrainer.exportPolicy(w).catch(() => null),
    which,
  );
  return file ? winRate(policyPlayer(loadPolicy(file)), { rabbit: 'flee' }, 200, 1_000_000).winRate : null;
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
    // The editor's defaults (8 arenas of the scene, backend auto) at its top speed.
    await page.goto(`${server.url}editor.html`);
    await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 120_000 });
    const source = await page.locator('#pq-source').inputValue();
    await page.selectOption('#pq-timescale', 'max');
    await page.getByRole('button', { name: 'Start' }).click();
    const started = await page.evaluate(() => performance.now());
    await page.waitForFunction(() => (globalThis as unknown as { editor: { currentTrainer: unknown } }).editor.currentTrainer !== null);
    await page.evaluate(() => {
      (globalThis as unknown as { benchTests: unknown[] }).benchTests = [];
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
    // Until the best-so-far policy (what Ship best plays) or the current one catches the
    // rabbit in 90% of 200 rounds, or the cap: a test of each every 20 s.
    let last = b;
    const tests: { envSteps: number; winRate: number | null; best: number | null; t: number }[] = [];
    const reached = () => tests.find((t) => Math.max(t.winRate ?? 0, t.best ?? 0) >= 0.9);
    while (!reached() && (last.t - started) / 1000 < capSeconds) {
      await page.waitForTimeout(20_000);
      const at = await snapshot(page);
      tests.push({ envSteps: at.envSteps, winRate: await testPolicy(page, 'current'), best: await testPolicy(page, 'best'), t: at.t });
      last = at;
    }
    const hit = reached();
    const hitCurrent = tests.find((t) => (t.winRate ?? 0) >= 0.9);
    const editorAtEnd = await editorSays(page);
    // The main figures go out now, so a failure in the comparisons below cannot lose them.
    console.error(`browserTraining main run: ${JSON.stringify({ editorEnvStepsPerSec, editorUpdatesPerSec, cli, tests: tests.map((t) => ({ envSteps: t.envSteps, winRate: t.winRate, best: t.best, s: +((t.t - started) / 1000).toFixed(1) })), editorAtEnd })}`);
    // Frames with the worker resting (the scene still plays): the baseline; at max, then at 1x both ways.
    const setPaused = (p: boolean) => page.evaluate((v) => (globalThis as unknown as { editor: { currentTrainer: { setPaused(p: boolean): void } } }).editor.currentTrainer.setPaused(v), p);
    await setPaused(true);
    await page.waitForTimeout(2000);
    const framesPaused = await frameIntervals(page, 10_000);
    await page.selectOption('#pq-timescale', '1');
    await page.waitForTimeout(2000);
    const framesPaused1x = await frameIntervals(page, 10_000);
    await setPaused(false);
    await page.waitForTimeout(3000);
    const framesTraining1x = await frameIntervals(page, 10_000);
    await page.screenshot({ path: 'test-results/bench-browser-training.png' });
    const safely = async (source: 'rules' | 'scene'): Promise<Record<string, unknown>> => {
      try {
        return await sourceRates(page, source);
      } catch (e) {
        return { failed: (e as Error).message.split('\n')[0], editor: await editorSays(page) };
      }
    };
    const rulesMode = await safely('rules');
    const sceneMode = await safely('scene');
    const bestRate = Math.max(0, ...tests.map((t) => Math.max(t.winRate ?? 0, t.best ?? 0)));
    const bestCurrent = Math.max(0, ...tests.map((t) => t.winRate ?? 0));
    await browser.close();
    // The CLI over the env-step range the editor's rates were measured on.
    const matched = await cliRate(b.envSteps, a.envSteps);
    const ratio = editorEnvStepsPerSec / matched.envStepsPerSec;
    return {
      what: 'Carrot Heist in the editor page (npm start /editor.html), headless Chromium, editor defaults (experience from 8 training arenas of the scene, backend auto) at speed max (drawn at 10 fps); every 20 s the bench plays the current policy and the best one the worker kept on 200 seeded rounds of the rules; the CLI figures are train() with 8 env copies on the same env and config in the same run: over the env-step range the editor was measured on (the ratio), and from the start to 30k steps before the browser',
      source,
      editorEnvStepsPerSec,
      editorUpdatesPerSec,
      editorEnvStepRange: [a.envSteps, b.envSteps],
      cliEnvStepsPerSec: matched.envStepsPerSec,
      cliUpdatesPerSec: matched.updatesPerSec,
      cliEnvStepRange: [matched.from, matched.steps],
      cliFromStart: cli,
      ratio: +ratio.toFixed(3),
      ratioAgainstCliFromStart: +(editorEnvStepsPerSec / cli.envStepsPerSec).toFixed(3),
      secondsToCatch90: hit ? +((hit.t - started) / 1000).toFixed(1) : null,
      envStepsToCatch90: hit ? hit.envSteps : null,
      secondsToCatch90Current: hitCurrent ? +((hitCurrent.t - started) / 1000).toFixed(1) : null,
      bestCatchRate: bestRate,
      bestCatchRateCurrent: bestCurrent,
      tests: tests.map((t) => ({ envSteps: t.envSteps, winRate: t.winRate, best: t.best, seconds: +((t.t - started) / 1000).toFixed(1) })),
      frameP95Training: framesTraining.p95,
      frameP95Paused: framesPaused.p95,
      frameP95Ratio: +(framesTraining.p95 / framesPaused.p95).toFixed(3),
      frameP95Training1x: framesTraining1x.p95,
      frameP95Paused1x: framesPaused1x.p95,
      frameP95Ratio1x: +(framesTraining1x.p95 / framesPaused1x.p95).toFixed(3),
      frames: { training: framesTraining, paused: framesPaused, training1x: framesTraining1x, paused1x: framesPaused1x },
      firstUpdateSeconds: +((firstUpdate.t - started) / 1000).toFixed(2),
      editorAtEnd,
      rulesMode,
      sceneMode,
      backend: { choice: last.backend, reason: last.reason },
      targets: {
        ratio: { target: '>= 0.5', met: ratio >= 0.5 },
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
