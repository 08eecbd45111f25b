// Rules mode: the worker trains on env copies it steps itself (an env
// registered by name in the worker's thread), tests greedily now and then,
// keeps the best policy, and can stop by itself when solved; the game sends
// nothing and acts greedily on the streamed weights.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GREEDY, runEpisode } from '../../plugin/core/index.js';
import { makeEnv, TWO_STEP_UNIFORM_CONFIG } from '../../plugin/envs/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import { createInProcessWorker } from '../../plugin/worker/host-index.js';
import { WorkerTrainer, WorkerTrainerEvents, type WorkerTest } from '../../plugin/worker/index.js';
import '../support/tf.js';

function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = (): void => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

describe('rules mode', () => {
  test('the worker learns the two-step game on its own env copies, tests it, keeps the best and stops when solved', async () => {
    const env = makeEnv('two-step');
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, seed: 1 }, {
      createWorker: () => createInProcessWorker(),
      backend: 'wasm',
      autosaveEvery: 0,
      metricsEveryMs: 100,
      rules: { env: 'two-step', copies: 4, testEvery: 400, testEpisodes: 5, stopAt: 8 },
    });
    const tests: WorkerTest[] = [];
    client.on(WorkerTrainerEvents.TEST, (t: WorkerTest) => tests.push(t));
    assert.equal(client.explorationMode(), GREEDY, 'the game only shows the latest weights');
    await until(() => tests.some((t) => t.solved), 120_000, 'a test that reaches return 8');
    const solved = tests.find((t) => t.solved)!;
    assert.equal(solved.winRate, null, 'two-step has no wins: the score is the mean return');
    assert.equal(solved.score, 8);
    assert.equal(solved.best, true);
    assert.ok(tests.every((t, i) => i === 0 || t.envSteps > tests[i - 1].envSteps), 'tests follow the env steps');
    assert.ok(tests.every((t) => t.bestScore === Math.max(...tests.filter((u) => u.envSteps <= t.envSteps).map((u) => u.score))), 'best so far is the running max');
    // Solved: the worker paused itself; the env-step count stands still.
    await until(() => client.metrics?.paused === true, 10_000, 'the pause');
    const steps = client.metrics!.envSteps;
    let heard = 0;
    client.on(WorkerTrainerEvents.METRICS, () => heard++);
    await until(() => heard >= 3, 30_000, 'three more metrics while paused');
    assert.equal(client.metrics!.envSteps, steps);
    assert.equal(client.envSteps, steps, 'env steps are the worker’s');
    // The best policy plays the game greedily through the tfjs-free runtime.
    const best = loadPolicy(await client.exportPolicy('best'), { nAgents: 2 });
    const greedy = runEpisode(env, best, { mode: GREEDY, rng: null });
    assert.equal(greedy.episodeReturn, 8);
    assert.equal(client.metrics!.trainEpisodes !== undefined, true, 'training episodes are reported');
    client.dispose();
  });

  test('copies 0: the game feeds the episodes, the worker only tests on the rules, keeps the best and stops when solved', async () => {
    const env = makeEnv('two-step');
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, seed: 1 }, {
      createWorker: () => createInProcessWorker(),
      backend: 'wasm',
      autosaveEvery: 0,
      metricsEveryMs: 100,
      rules: { env: 'two-step', copies: 0, testEvery: 400, testEpisodes: 5, stopAt: 8 },
    });
    const tests: WorkerTest[] = [];
    client.on(WorkerTrainerEvents.TEST, (t: WorkerTest) => tests.push(t));
    assert.equal(client.rulesMode, false, 'experience comes from the game');
    assert.notEqual(client.explorationMode(), GREEDY, 'the game explores: its episodes are the training data');
    // The game's side: episodes played on the streamed weights, exploring as the trainer says.
    const { Rng } = await import('../../plugin/core/index.js');
    const rng = new Rng(5);
    const game = makeEnv('two-step');
    while (!tests.some((t) => t.solved)) {
      const ep = runEpisode(game, client.policy, { mode: client.explorationMode(), rng });
      client.submitEpisode(ep.record);
      await new Promise((r) => setTimeout(r, 0));
      if (client.envSteps > 40_000) throw new Error(`not solved after ${client.envSteps} env steps: ${JSON.stringify(tests.slice(-3))}`);
    }
    const solved = tests.find((t) => t.solved)!;
    assert.equal(solved.score, 8);
    assert.ok(solved.envSteps >= 400 && solved.envSteps <= client.envSteps, `tested at ${solved.envSteps} of the game's env steps`);
    await until(() => client.metrics?.paused === true, 10_000, 'the pause');
    const best = loadPolicy(await client.exportPolicy('best'), { nAgents: 2 });
    assert.equal(runEpisode(env, best, { mode: GREEDY, rng: null }).episodeReturn, 8);
    client.dispose();
  });

  test('an env the worker does not know, or one that does not fit the squad, is refused with its name', async () => {
    const env = makeEnv('two-step');
    const errors: string[] = [];
    const unknown = new WorkerTrainer(env.spec, {}, { createWorker: () => createInProcessWorker(), backend: 'cpu', autosaveEvery: 0, rules: { env: 'no-such-game' } });
    unknown.on(WorkerTrainerEvents.FAULT, (f: { reason: string }) => errors.push(f.reason));
    unknown.on(WorkerTrainerEvents.ERROR, (e: Error) => errors.push(e.message));
    await until(() => errors.some((e) => /training stopped/.test(e)), 30_000, 'the refusal');
    assert.ok(errors.some((e) => /unknown env "no-such-game"/.test(e) && /registerEnv/.test(e)), errors.join('\n'));
    unknown.dispose();
    errors.length = 0;
    const misfit = new WorkerTrainer(env.spec, {}, { createWorker: () => createInProcessWorker(), backend: 'cpu', autosaveEvery: 0, rules: { env: 'meeting-gridworld' } });
    misfit.on(WorkerTrainerEvents.ERROR, (e: Error) => errors.push(e.message));
    misfit.on(WorkerTrainerEvents.FAULT, (f: { reason: string }) => errors.push(f.reason));
    await until(() => errors.some((e) => /does not fit the squad/.test(e)), 30_000, 'the misfit');
    assert.ok(errors.some((e) => /obsSize/.test(e)), errors.join('\n'));
    misfit.dispose();
    assert.throws(() => new WorkerTrainer(env.spec, {}, { createWorker: () => createInProcessWorker(), rules: { env: 'two-step', copies: -1 } }).dispose(), /copies must be a whole number in 0..256/);
  });
});
