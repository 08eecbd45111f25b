// Demonstrations through the worker: checked there against the squad's spec,
// held by its trainer, and sent again to a worker restarted after a fault.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EpisodeBuilder, makeDemoFile, MemoryCheckpointStore, type MultiAgentEnv } from '../../plugin/core/index.js';
import { MeetingGridworld, TwoStepEnv } from '../../plugin/envs/index.js';
import { createInProcessWorker } from '../../plugin/worker/host-index.js';
import { WorkerTrainer, WorkerTrainerEvents } from '../../plugin/worker/index.js';
import '../support/tf.js';

/** `count` episodes played by a script (each agent its last available action). */
function scripted(env: MultiAgentEnv, count: number) {
  const { nAgents: n, nActions: A } = env.spec;
  return Array.from({ length: count }, (_, i) => {
    const b = new EpisodeBuilder(env.spec);
    let o = env.reset(i);
    b.begin(o);
    for (;;) {
      const actions = Array.from({ length: n }, (_, a) => o.avail.subarray(a * A, (a + 1) * A).lastIndexOf(1));
      const s = env.step(actions);
      b.push(actions, s);
      if (s.terminated || s.truncated || b.length >= env.spec.episodeLimit) break;
      o = s;
    }
    return b.finish();
  });
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('WorkerTrainer.loadDemonstrations: the worker checks and holds them; another squad\'s file is refused by name; a restarted worker gets them again', async () => {
  const env = new TwoStepEnv();
  const text = JSON.stringify(makeDemoFile(env.spec, scripted(env, 10), { source: 'scripted' }));
  const client = new WorkerTrainer(env.spec, { preset: 'pymarl', batchSize: 8 }, { createWorker: () => createInProcessWorker(new MemoryCheckpointStore()), backend: 'cpu', autosaveEvery: 0, heartbeatMs: 1500, metricsEveryMs: 0 });
  try {
    assert.deepEqual(await client.loadDemonstrations(text, { share: 0.5 }), { episodes: 10, share: 0.5 });
    const other = new MeetingGridworld();
    const wrong = JSON.stringify(makeDemoFile(other.spec, scripted(other, 1)));
    await assert.rejects(client.loadDemonstrations(wrong), /demonstrations request \d+ failed: demonstration file: recorded with \w+ \d+, but it is being loaded for/);
    await assert.rejects(client.loadDemonstrations(text, { share: -1 }), /share must be a number in 0\.\.1/);
    const readies: unknown[] = [];
    client.on(WorkerTrainerEvents.READY, (r) => readies.push(r));
    client.workerHandle!.terminate(); // dies silently: the heartbeat restarts it
    await until(() => readies.length === 1, 60000, 'the restart');
    // The restarted worker got the 10 again: 10 more make 20.
    assert.deepEqual(await client.loadDemonstrations(text, { share: 0.5 }), { episodes: 20, share: 0.5 });
  } finally {
    client.dispose();
  }
});
