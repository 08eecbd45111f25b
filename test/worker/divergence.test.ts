// A worker whose training diverges (lr = 1) reports each rollback, stops by
// itself at the last good snapshot with a 'diverged' event instead of
// crashing its host or restarting, and still exports that policy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeEnv } from '../../plugin/envs/index.js';
import type { RollbackInfo } from '../../plugin/learn/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import { createInProcessWorker } from '../../plugin/worker/host-index.js';
import { WorkerTrainer, WorkerTrainerEvents } from '../../plugin/worker/index.js';
import '../support/tf.js';

test('worker: a diverging run rolls back, then stops with a diverged event (no fault, no restart), paused at a policy that loads', async () => {
  const env = makeEnv('two-step');
  const client = new WorkerTrainer(env.spec, { seed: 1, lr: 1, batchSize: 8 }, {
    createWorker: () => createInProcessWorker(),
    backend: 'wasm',
    autosaveEvery: 0,
    metricsEveryMs: 50,
    rules: { env: 'two-step', copies: 2, testEvery: 100_000, testEpisodes: 1 },
  });
  const rollbacks: RollbackInfo[] = [];
  const faults: unknown[] = [];
  client.on(WorkerTrainerEvents.ROLLBACK, (r: RollbackInfo) => rollbacks.push(r));
  client.on(WorkerTrainerEvents.FAULT, (f: unknown) => faults.push(f));
  const diverged = await new Promise<{ message: string; info: RollbackInfo }>((resolve) => client.on(WorkerTrainerEvents.DIVERGED, resolve));
  assert.match(diverged.message, /training diverged 3 times in a row .* lower lr/);
  assert.equal(diverged.info.rollbacks, 3);
  assert.equal(rollbacks.length, 2);
  // Paused by itself: metrics say so, and no fault or restart happened.
  await new Promise<void>((resolve) => {
    const check = (): void => void (client.metrics?.paused === true && resolve());
    client.on(WorkerTrainerEvents.METRICS, check);
    check();
  });
  assert.equal(faults.length, 0);
  assert.equal(client.restarts, 0);
  const policy = loadPolicy(await client.exportPolicy('current'), { nAgents: 2 });
  assert.ok(policy.nActions === 2);
  client.dispose();
});
