// Background training through the worker protocol, in Node: in-process
// workers (same thread, asynchronous messages) and a real worker thread.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EpisodeBuilder, GREEDY, MemoryCheckpointStore, runEpisode, Rng, type EnvSpec, type MultiAgentEnv } from '../../plugin/core/index.js';
import { TWO_STEP_UNIFORM_CONFIG, TwoStepEnv } from '../../plugin/envs/index.js';
import { createThreadWorker } from '../../plugin/node/index.js';
import { createInProcessWorker } from '../../plugin/worker/host-index.js';
import { WorkerTrainer, WorkerTrainerEvents, type WorkerLike, type WorkerMetrics } from '../../plugin/worker/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import '../support/tf.js';

const tick = () => new Promise((r) => setTimeout(r, 0));

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Plays exploring episodes with the client's policy and hands them to it, yielding so messages flow. */
/** A store holding the autosave of a first run (30 two-step episodes, autosaves every 10 updates). */
async function autosavedStore(env: TwoStepEnv): Promise<MemoryCheckpointStore> {
  const store = new MemoryCheckpointStore();
  const first = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 10, metricsEveryMs: 0 });
  const saved: number[] = [];
  first.on(WorkerTrainerEvents.SAVED, (s: { updates: number }) => saved.push(s.updates));
  await play(first, env, 30, new Rng(8));
  await until(() => saved.length >= 1, 10000, 'the first autosave');
  first.dispose();
  return store;
}

async function play(client: WorkerTrainer, env: MultiAgentEnv, episodes: number, rng: Rng): Promise<number[]> {
  const builder = new EpisodeBuilder(env.spec);
  const returns: number[] = [];
  for (let i = 0; i < episodes; i++) {
    const r = runEpisode(env, client.policy, { mode: client.explorationMode(), rng, builder });
    client.submitEpisode(r.record);
    returns.push(r.episodeReturn);
    await tick();
  }
  return returns;
}

describe('WorkerTrainer', () => {
  test('QMIX trained in the worker learns the two-step game; the game acts on streamed weights without tfjs', async () => {
    const env = new TwoStepEnv();
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, seed: 1 }, { createWorker: () => createInProcessWorker(), backend: 'wasm', weightsEvery: 20, autosaveEvery: 0 });
    let weightsSeen = 0;
    client.onUpdate(() => weightsSeen++);
    await play(client, env, 1500, new Rng(1));
    await until(() => (client.metrics?.updates ?? 0) >= 1400, 60000, '1400 updates');
    await until(() => weightsSeen > 60, 10000, 'fresh weights');
    const greedy = runEpisode(env, client.policy, { mode: GREEDY, rng: null });
    assert.equal(greedy.episodeReturn, 8);
    assert.equal(client.backend, 'wasm');
    await until(() => client.metrics?.episodes === 1500, 10000, 'every episode stored');
    client.dispose();
  });

  test('the training ratio sets updates per episode; while paused episodes are kept and the lag shows', async () => {
    const env = new TwoStepEnv();
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(), backend: 'cpu', updatesPerEpisode: 0.5, metricsEveryMs: 0, autosaveEvery: 0 });
    const seen: WorkerMetrics[] = [];
    client.on(WorkerTrainerEvents.METRICS, (m: WorkerMetrics) => seen.push(m));
    await play(client, env, 48, new Rng(2));
    await until(() => client.metrics?.episodes === 48 && client.metrics.pendingUpdates === 0, 10000, 'all episodes');
    // Updates start once 8 episodes are stored: (48 - 7) * 0.5 = 20.5 -> 20 whole updates.
    assert.equal(client.metrics!.updates, 20);
    client.setPaused(true);
    await tick();
    await play(client, env, 20, new Rng(3));
    await until(() => client.metrics?.episodes === 68, 10000, 'paused episodes stored');
    assert.equal(client.metrics!.updates, 20);
    assert.equal(client.metrics!.pendingUpdates, 10, 'the lag is reported');
    assert.equal(client.metrics!.bufferSize, 68);
    client.setPaused(false);
    await until(() => client.metrics?.updates === 30, 10000, 'catching up');
    assert.ok(seen.length > 10);
    client.dispose();
  });

  test("backend 'auto' falls back to WASM where WebGL is unavailable (Node) and reports both timings", async () => {
    const env = new TwoStepEnv();
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(), backend: 'auto', trialUpdates: 3, autosaveEvery: 0 });
    const choices: { choice: string; timings: Record<string, number | null>; reason: string }[] = [];
    client.on(WorkerTrainerEvents.BACKEND, (b) => choices.push(b));
    await until(() => client.backend !== null && choices.length === 1, 30000, 'the choice');
    assert.equal(choices[0].choice, 'wasm');
    assert.equal(choices[0].timings.webgl, null);
    assert.equal(typeof choices[0].timings.wasm, 'number');
    assert.match(choices[0].reason, /webgl unavailable/);
    await play(client, env, 20, new Rng(8));
    await until(() => (client.metrics?.updates ?? 0) >= 10, 10000, 'training on wasm');
    assert.equal(client.metrics!.backend, 'wasm');
    client.dispose();
  });

  test('malformed messages from the worker are error events, not crashes', async () => {
    let fake: WorkerLike | null = null;
    const spec: EnvSpec = { nAgents: 2, obsSize: 3, stateSize: 3, nActions: 2, episodeLimit: 2 };
    const client = new WorkerTrainer(spec, {}, {
      createWorker: () =>
        (fake = { onmessage: null, onerror: null, postMessage() {}, terminate() {} }),
    });
    const errors: string[] = [];
    client.on(WorkerTrainerEvents.ERROR, (e: Error) => errors.push(e.message));
    const send = (data: unknown) => fake!.onmessage!({ data });
    send('hello');
    send({ type: 'launch-missiles' });
    send({ type: 'metrics', metrics: { updates: -1 } });
    send({ type: 'weights', updates: 1, header: {}, weights: { 'agent.fc1.w': [1, 2] } });
    send({ type: 'weights', updates: 1, header: { format: 'phaser-qmix/policy' }, weights: { 'agent.fc1.w': new Float32Array(2) } });
    assert.equal(errors.length, 5);
    assert.match(errors[0], /worker message must be an object/);
    assert.match(errors[1], /unknown worker message type "launch-missiles"/);
    assert.match(errors[2], /metrics\.updates is -1/);
    assert.match(errors[3], /must carry Float32Arrays/);
    assert.match(errors[4], /weights from the worker refused/);
    assert.equal(client.restarts, 0);
    client.dispose();
  });

  test('a worker that cannot start is retried three times, then training stops with an error (no restart loop)', async () => {
    const spec: EnvSpec = { nAgents: 2, obsSize: 3, stateSize: 3, nActions: 2, episodeLimit: 2 };
    let made = 0;
    const client = new WorkerTrainer(spec, {}, {
      createWorker: () => {
        made++;
        const w: WorkerLike = { onmessage: null, onerror: null, postMessage() { setTimeout(() => w.onerror?.({ message: 'cannot load script' }), 0); }, terminate() {} };
        return w;
      },
    });
    const errors: string[] = [];
    client.on(WorkerTrainerEvents.ERROR, (e: Error) => errors.push(e.message));
    await until(() => errors.length === 1, 2000, 'giving up');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(made, 4);
    assert.equal(client.restarts, 3);
    assert.match(errors[0], /training stopped: the worker failed 4 times in a row before it was ready \(last: the worker crashed: cannot load script\)/);
    client.dispose();
  });

  test('restore a named checkpoint, export the policy file, ask for mixer credit; bad requests are refused', async () => {
    const env = new TwoStepEnv();
    const store = new MemoryCheckpointStore();
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 0, metricsEveryMs: 0 });
    await play(client, env, 30, new Rng(7));
    await until(() => (client.metrics?.updates ?? 0) >= 20, 10000, 'updates');
    const savedAt = await client.save('mine');
    const stepsAtSave = client.envSteps;
    await play(client, env, 30, new Rng(8));
    await until(() => (client.metrics?.updates ?? 0) > savedAt + 5, 10000, 'more updates');
    assert.ok(client.envSteps > stepsAtSave);
    const restored = await client.restore('mine');
    assert.equal(restored.updates, savedAt);
    assert.equal(client.envSteps, restored.envSteps); // exploration follows the checkpoint's steps
    await assert.rejects(client.restore('nobody'), /restoring "nobody" failed/);
    const policy = await client.exportPolicy();
    const parsed = loadPolicy(policy, { nAgents: 2, obsSize: env.spec.obsSize, nActions: env.spec.nActions });
    assert.equal(parsed.file.training.updates, savedAt);
    const state = Float32Array.from({ length: env.spec.stateSize }, (_, i) => (i === 0 ? 1 : 0));
    const credit = await client.credit(Float32Array.of(0.5, 1.5), state);
    assert.equal(credit!.length, 2);
    assert.ok(credit!.every((c) => Number.isFinite(c) && c >= 0), String(credit));
    await assert.rejects(client.credit(Float32Array.of(1), state), /credit needs 2 Q-values, got 1/);
    client.dispose();
    await assert.rejects(client.exportPolicy(), /not running/);
    const iql = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, mixer: 'none' }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 0 });
    await until(() => iql.backend !== null, 10000, 'the IQL worker');
    assert.equal(await iql.credit(Float32Array.of(0.5, 1.5), state), null);
    iql.dispose();
  });

  test('a worker that dies is restarted from its last autosave; acting never stops; the lost updates are reported', async () => {
    const env = new TwoStepEnv();
    const store = new MemoryCheckpointStore();
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 10, heartbeatMs: 1500, metricsEveryMs: 0 });
    // (1.5 s of silence: a healthy worker on a machine loaded 5x still speaks far more often.)
    const faults: { reason: string; updatesLost: number }[] = [];
    const readies: (number | null)[] = [];
    client.on(WorkerTrainerEvents.FAULT, (f) => faults.push(f));
    client.on(WorkerTrainerEvents.READY, (r: { resumedFromUpdates: number | null }) => readies.push(r.resumedFromUpdates));
    await play(client, env, 40, new Rng(4));
    await until(() => (client.metrics?.updates ?? 0) >= 33, 10000, 'updates before the crash');
    const before = client.metrics!.updates;
    client.workerHandle!.terminate(); // dies silently: only the heartbeat can tell
    const during = await play(client, env, 10, new Rng(5)); // the game keeps acting meanwhile
    assert.equal(during.length, 10);
    await until(() => faults.length === 1 && readies.length === 2, 60000, 'the restart');
    assert.match(faults[0].reason, /sent nothing for 1500 ms/);
    assert.equal(readies[1], 30, 'resumed from the autosave at update 30');
    const lost = faults[0].updatesLost;
    assert.ok(lost >= before - 30 && lost <= before - 30 + 10, `lost ${lost}, before ${before}`);
    await play(client, env, 20, new Rng(6));
    await until(() => (client.metrics?.updates ?? 0) > 30 + 10, 10000, 'training after the restart');
    client.dispose();
  });

  test('a resume the worker refuses (the autosave has another config) is reported, and the autosave is kept: that run does not write over it', async () => {
    const env = new TwoStepEnv();
    const store = await autosavedStore(env);
    const autosavedAt = async (): Promise<number> => JSON.parse((await store.load('autosave')).manifest).learner.updates as number;
    const kept = await autosavedAt();
    // Another learning rate: restore refuses the autosave.
    const second = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8, lr: 0.01 }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 5, autosaveEveryMs: 1, metricsEveryMs: 0, resume: true });
    const errors: string[] = [];
    second.on(WorkerTrainerEvents.ERROR, (e: Error) => errors.push(e.message));
    await play(second, env, 40, new Rng(9));
    await until(() => (second.metrics?.updates ?? 0) >= 20, 10000, 'training from scratch');
    second.dispose();
    assert.ok(errors.some((m) => /could not resume from the autosave "autosave": .*lr.*does not autosave over it/.test(m)), errors.join(' | '));
    assert.equal(await autosavedAt(), kept, 'the refused autosave is still the first run\'s');
  });

  test('a resumed autosave: env steps and episodes go on from the autosave\'s counts', async () => {
    const env = new TwoStepEnv();
    const store = await autosavedStore(env);
    const manifest = JSON.parse((await store.load('autosave')).manifest) as { trainer: { envSteps: number; episodes: number } };
    assert.ok(manifest.trainer.envSteps > 0);
    const second = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 0, metricsEveryMs: 0, resume: true });
    let ready = false;
    second.on(WorkerTrainerEvents.READY, () => (ready = true));
    await until(() => ready, 10000, 'ready');
    assert.equal(second.envSteps, manifest.trainer.envSteps, 'env steps on from the autosave');
    await play(second, env, 3, new Rng(9));
    assert.equal(second.envSteps, manifest.trainer.envSteps + 3 * 2, 'and counting (two-step: 2 steps an episode)');
    second.dispose();
  });

  test('autosaves also come by time (autosaveEveryMs), with updates since the last', async () => {
    const env = new TwoStepEnv();
    const store = new MemoryCheckpointStore();
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 8 }, { createWorker: () => createInProcessWorker(store), backend: 'cpu', autosaveEvery: 0, autosaveEveryMs: 50, metricsEveryMs: 0 });
    const saved: number[] = [];
    client.on(WorkerTrainerEvents.SAVED, (s: { name: string; updates: number }) => saved.push(s.updates));
    const t0 = Date.now();
    while (saved.length < 2 && Date.now() - t0 < 30000) await play(client, env, 5, new Rng(saved.length + 10));
    client.dispose();
    assert.ok(saved.length >= 2, `autosaves: ${saved.join(', ')}`);
    assert.ok(saved[1] > saved[0], 'each autosave has updates the last did not');
  });

  test('the same trainer runs in a Node worker thread', async () => {
    const env = new TwoStepEnv();
    const dir = await mkdtemp(join(tmpdir(), 'pq-thread-'));
    const client = new WorkerTrainer(env.spec, { ...TWO_STEP_UNIFORM_CONFIG, batchSize: 4 }, { createWorker: () => createThreadWorker(dir), backend: 'wasm', weightsEvery: 2, autosaveEvery: 4, metricsEveryMs: 0 });
    const saved: number[] = [];
    client.on(WorkerTrainerEvents.SAVED, (s: { updates: number }) => saved.push(s.updates));
    await play(client, env, 20, new Rng(7));
    await until(() => (client.metrics?.updates ?? 0) >= 16 && saved.length >= 3, 30000, 'updates in the thread');
    assert.equal(client.backend, 'wasm');
    assert.ok(saved.includes(4) && saved.includes(8));
    assert.ok((await client.save('manual')) >= 16, 'a manual save resolves with the update count it saved at');
    client.dispose();
  });
});
