// Pacing through the worker protocol: a game that could outrun its learner
// (episodes in well under a millisecond, updates slowed by a low duty
// cycle) keeps the configured ratio when it waits on the trainer's
// allowance, as fast-forward does; exploration follows what the learner has
// consumed. The same game ignoring the allowance runs far ahead: the check
// can fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EpisodeBuilder, makeSchedule, Rng, runEpisode } from '../../plugin/core/index.js';
import { MeetingGridworld } from '../../plugin/envs/index.js';
import { createInProcessWorker } from '../../plugin/worker/host-index.js';
import { WorkerTrainer, type FrameClock } from '../../plugin/worker/index.js';
import { PROBE_LAG_FACTOR } from '../../plugin/worker/client.js';
import '../support/tf.js';

const CONFIG = { agent: 'mlp', batchSize: 8, epsilonAnnealTime: 5000, seed: 3 } as const;

/** A hand-driven frame clock with uneven frames (every tenth 50 ms, the rest 16): the adaptive load asks for a probe. */
function unevenFrames(): { clock: FrameClock; tick(n: number): void; watching(): boolean } {
  let now = 0;
  let pending: (() => void) | null = null;
  const clock: FrameClock = { now: () => now, requestFrame: (cb) => ((pending = cb), 1), cancelFrame: () => (pending = null) };
  const tick = (n: number): void => {
    for (let i = 0; i < n; i++) {
      now += i % 10 === 0 ? 50 : 16;
      const cb = pending;
      pending = null;
      cb?.();
    }
  };
  return { clock, tick, watching: () => pending !== null };
}

/** Plays until the worker has done `updates` updates; with `paced`, only while the allowance is positive. */
async function run(paced: boolean, updates: number): Promise<WorkerTrainer> {
  const env = new MeetingGridworld();
  const client = new WorkerTrainer(env.spec, CONFIG, { createWorker: () => createInProcessWorker(), backend: 'cpu', maxLoad: 0.3, metricsEveryMs: 50, autosaveEvery: 0, adaptiveLoad: false });
  const builder = new EpisodeBuilder(env.spec);
  const rng = new Rng(5);
  await client.whenReady();
  while ((client.metrics?.updates ?? 0) < updates) {
    if (!paced || client.allowance() > 0) {
      const r = runEpisode(env, client.policy, { mode: client.explorationMode(), rng, builder });
      client.submitEpisode(r.record);
    }
    // Let the worker's messages through (a frame would, in a game).
    await new Promise((r) => setTimeout(r, 0));
  }
  return client;
}

describe('pacing', () => {
  test('a game slowed by the allowance keeps the ratio within 10% and the lag within the limit', async () => {
    const client = await run(true, 120);
    const p = client.pacingState;
    assert.ok(Math.abs(p.stepsPerUpdate / p.targetStepsPerUpdate - 1) < 0.1, `env steps per update ${p.stepsPerUpdate.toFixed(1)} against ${p.targetStepsPerUpdate.toFixed(1)} asked`);
    assert.ok(p.lagUpdates <= 5, `lag ${p.lagUpdates}`);
    client.dispose();
  });

  test('ignoring the allowance the game runs ahead of the learner, and epsilon still waits for it', async () => {
    const client = await run(false, 40);
    const p = client.pacingState;
    assert.ok(p.stepsPerUpdate > 1.5 * p.targetStepsPerUpdate, `unpaced: ${p.stepsPerUpdate.toFixed(1)} env steps per update against ${p.targetStepsPerUpdate.toFixed(1)}`);
    assert.ok(p.lagUpdates > 20, `lag ${p.lagUpdates}`);
    // Exploration follows what was consumed, not what was sent.
    const eps = makeSchedule('linear', 1, 0.05, CONFIG.epsilonAnnealTime);
    const mode = client.explorationMode() as { epsilon: number };
    assert.ok(p.consumedSteps < client.envSteps * 0.7, `consumed ${p.consumedSteps} of ${client.envSteps}`);
    assert.ok(Math.abs(mode.epsilon - eps.at(p.consumedSteps)) < 1e-9);
    assert.ok(mode.epsilon > eps.at(client.envSteps) + 0.05, `epsilon ${mode.epsilon} against ${eps.at(client.envSteps)} at the steps sent`);
    client.dispose();
  });

  test('during a probe of the adaptive load the game may run ahead (so the probe sees its frames, not a stalled game), by a bounded lag, and pauses again after', async () => {
    const { clock, tick, watching } = unevenFrames();
    const env = new MeetingGridworld();
    const client = new WorkerTrainer(env.spec, CONFIG, { createWorker: () => createInProcessWorker(), backend: 'cpu', metricsEveryMs: 50, autosaveEvery: 0, adaptiveLoad: true, frameClock: clock, maxLagUpdates: 4 });
    const builder = new EpisodeBuilder(env.spec);
    const rng = new Rng(5);
    try {
      await client.whenReady();
      // No awaits below: the learner cannot move, so the lag is what the game collects.
      const fill = () => {
        let n = 0;
        while (client.allowance() > 0 && n < 10000) {
          client.submitEpisode(runEpisode(env, client.policy, { mode: client.explorationMode(), rng, builder }).record);
          n++;
        }
        return n;
      };
      fill();
      const before = client.pacingState.lagUpdates;
      tick(150); // settle, then a 120-frame uneven window: a probe starts
      assert.ok(client.probing, 'the worker rests for the probe');
      const duringAllowance = client.allowance();
      fill();
      const during = client.pacingState.lagUpdates;
      tick(95); // the probe's 90 frames: the worker goes on
      assert.ok(!client.probing, 'the probe ended');
      const after = client.allowance();
      assert.ok(before <= 4, `lag ${before} before the probe`);
      assert.ok(duringAllowance > 0, 'a probe lets the game run');
      assert.ok(during > 4 && during <= PROBE_LAG_FACTOR * 4, `lag ${during} at the end of the probe (bound ${PROBE_LAG_FACTOR * 4})`);
      assert.equal(after, 0, 'after the probe the game waits for the learner again');
    } finally {
      client.dispose();
    }
  });
  test('setAdaptiveLoad(false) ends a probe and puts the worker back at its full duty cycle; on again, frames are watched again', async () => {
    const { clock, tick, watching } = unevenFrames();
    const env = new MeetingGridworld();
    const client = new WorkerTrainer(env.spec, CONFIG, { createWorker: () => createInProcessWorker(), backend: 'cpu', metricsEveryMs: 50, autosaveEvery: 0, adaptiveLoad: true, frameClock: clock, maxLagUpdates: 4 });
    try {
      await client.whenReady();
      tick(150);
      assert.ok(client.probing, 'uneven frames: a probe');
      client.setAdaptiveLoad(false);
      assert.equal(client.adaptiveLoad, false);
      assert.ok(!client.probing, 'the probe ended');
      assert.equal(client.maxLoad, 1, 'full duty cycle');
      assert.equal(watching(), false, 'no frame watch left');
      tick(300);
      assert.ok(!client.probing && client.maxLoad === 1, 'uneven frames change nothing now');
      client.setAdaptiveLoad(true);
      assert.equal(client.adaptiveLoad, true);
      tick(150);
      assert.ok(client.probing, 'watched again: a probe');
    } finally {
      client.dispose();
    }
  });
});
