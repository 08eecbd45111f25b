import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { CheckpointError, unpackCheckpoint, type QmixConfig } from '../../plugin/core/index.js';
import { TwoStepEnv } from '../../plugin/envs/index.js';
import { Trainer } from '../../plugin/learn/index.js';
import { loadCheckpointDir, saveCheckpointDir } from '../../plugin/node/index.js';
import { IdbCheckpointStore } from '../../plugin/worker/index.js';
import { tf } from '../support/tf.js';

const config: Partial<QmixConfig> = { seed: 4, hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, batchSize: 8, bufferSize: 100, targetUpdateInterval: 7, epsilonAnnealTime: 300, optimizer: 'adam', standardiseRewards: true };

/** Trains until `updates` updates have run; returns the losses of those updates. */
function trainUpdates(trainer: Trainer, updates: number): number[] {
  const losses: number[] = [];
  while (losses.length < updates) {
    const r = trainer.trainEpisode();
    if (r.update) losses.push(r.update.loss);
  }
  return losses;
}

describe('checkpoints resume exactly', () => {
  test('N updates, checkpoint to a directory, restore into a fresh trainer, M more: the losses equal N + M uninterrupted', async () => {
    const N = 20;
    const M = 25;
    const straight = new Trainer(new TwoStepEnv(), config);
    const reference = trainUpdates(straight, N + M);
    straight.dispose();

    const first = new Trainer(new TwoStepEnv(), config);
    const before = trainUpdates(first, N);
    const dir = join(await mkdtemp(join(tmpdir(), 'pq-ckpt-')), 'run');
    await saveCheckpointDir(dir, first.checkpoint({ includeBuffer: true }));
    first.dispose();

    const second = new Trainer(new TwoStepEnv(), config);
    second.restore(await loadCheckpointDir(dir));
    const after = trainUpdates(second, M);
    assert.deepEqual([...before, ...after], reference);
    assert.equal(second.learner.updates, N + M);
    second.dispose();
  });

  test('the same through IndexedDB (the browser store), and the replay buffer may be left out', async () => {
    const store = new IdbCheckpointStore('test-db', new IDBFactory());
    const a = new Trainer(new TwoStepEnv(), config);
    trainUpdates(a, 10);
    await store.save('autosave', a.checkpoint({ includeBuffer: true }));
    await store.save('small', a.checkpoint());
    const next = trainUpdates(a, 10);
    const b = new Trainer(new TwoStepEnv(), config);
    b.restore(await store.load('autosave'));
    assert.deepEqual(trainUpdates(b, 10), next);
    const list = await store.list();
    assert.deepEqual(list.map((x) => x.name).sort(), ['autosave', 'small']);
    assert.ok(list.find((x) => x.name === 'small')!.bytes < list.find((x) => x.name === 'autosave')!.bytes);
    // Without the buffer the weights, optimiser, counters and RNGs still come back.
    const c = new Trainer(new TwoStepEnv(), config);
    c.restore(await store.load('small'));
    assert.equal(c.learner.updates, 10);
    assert.equal(c.buffer.size, 0);
    await assert.rejects(store.load('missing'), /no checkpoint called "missing"/);
    for (const t of [a, b, c]) t.dispose();
    await store.close();
  });

  test('a checkpoint from another config or env spec is refused naming what differs, and the trainer is untouched', async () => {
    const a = new Trainer(new TwoStepEnv(), config);
    trainUpdates(a, 3);
    const packed = a.checkpoint();
    a.dispose();
    const other = new Trainer(new TwoStepEnv(), { ...config, lr: 2e-3, mixer: 'vdn' });
    const weightsBefore = other.learner.online.agent.read()['agent.fc1.w'].data.slice();
    assert.throws(() => other.restore(packed), (e: Error) => e instanceof CheckpointError && /another config.*mixer: "qmix" -> "vdn"; lr: 0\.001 -> 0\.002/.test(e.message));
    assert.deepEqual(other.learner.online.agent.read()['agent.fc1.w'].data, weightsBefore);
    assert.equal(other.learner.updates, 0);
    other.dispose();

    const m = JSON.parse(packed.manifest);
    m.spec.obsSize = 4;
    const t = new Trainer(new TwoStepEnv(), config);
    assert.throws(() => t.restore({ manifest: JSON.stringify(m), data: packed.data }), /another env spec.*obsSize: 4 -> 3/);
    t.dispose();
  });

  test('damaged data, a truncated file or a foreign manifest is refused with a clear error', async () => {
    const a = new Trainer(new TwoStepEnv(), config);
    const packed = a.checkpoint();
    const flipped = packed.data.slice();
    flipped[100] ^= 1;
    assert.throws(() => a.restore({ manifest: packed.manifest, data: flipped }), /checkpoint data is damaged or incomplete/);
    assert.throws(() => a.restore({ manifest: packed.manifest, data: packed.data.subarray(0, 64) }), /damaged or incomplete/);
    assert.throws(() => a.restore({ manifest: '{"format":"something-else"}', data: packed.data }), /not a phaser-qmix checkpoint/);
    assert.throws(() => a.restore({ manifest: JSON.stringify({ ...JSON.parse(packed.manifest), version: 99 }), data: packed.data }), /checkpoint version 99 is not supported/);
    assert.throws(() => unpackCheckpoint({ manifest: '{oops', data: packed.data }), /manifest is not valid JSON/);
    await assert.rejects(loadCheckpointDir(join(tmpdir(), 'definitely-not-here-pq')), /no checkpoint in .*checkpoint\.json not found/);
    a.dispose();
  });

  test('saving again replaces the checkpoint and leaves one data file; the tensors are released', async () => {
    const before = tf.memory().numTensors;
    const a = new Trainer(new TwoStepEnv(), config);
    const dir = await mkdtemp(join(tmpdir(), 'pq-ckpt-'));
    trainUpdates(a, 2);
    await saveCheckpointDir(dir, a.checkpoint());
    trainUpdates(a, 2);
    await saveCheckpointDir(dir, a.checkpoint());
    const files = (await readdir(dir)).sort();
    assert.equal(files.length, 2);
    assert.equal(files[0], 'checkpoint.json');
    assert.match(files[1], /^data-.*\.bin$/);
    const restored = new Trainer(new TwoStepEnv(), config);
    restored.restore(await loadCheckpointDir(dir));
    assert.equal(restored.learner.updates, 4);
    // A stray temporary file (a crashed write) does not disturb loading.
    await writeFile(join(dir, 'checkpoint.json.tmp'), '{"half');
    assert.equal(JSON.parse((await loadCheckpointDir(dir)).manifest).learner.updates, 4);
    assert.ok((await readFile(join(dir, 'checkpoint.json'), 'utf8')).includes('"dataFile"'));
    a.dispose();
    restored.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
