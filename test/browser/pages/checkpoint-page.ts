// Browser page for the IndexedDB checkpoint test: phase 1 trains, saves to
// IndexedDB and keeps training (the reference losses); phase 2 (after a
// reload) restores and trains the same number of updates.
import * as tf from '../../../plugin/learn/tf.js';
import { TwoStepEnv } from '../../../plugin/envs/index.js';
import { Trainer } from '../../../plugin/learn/index.js';
import { IdbCheckpointStore } from '../../../plugin/worker/index.js';

const config = { seed: 9, hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, batchSize: 8, bufferSize: 64 };

function trainUpdates(trainer: Trainer, n: number): number[] {
  const losses: number[] = [];
  while (losses.length < n) {
    const r = trainer.trainEpisode();
    if (r.update) losses.push(r.update.loss);
  }
  return losses;
}

async function phase1(): Promise<number[]> {
  await tf.setBackend('cpu');
  const trainer = new Trainer(new TwoStepEnv(), config);
  trainUpdates(trainer, 6);
  await new IdbCheckpointStore('phaser-qmix-test').save('autosave', trainer.checkpoint({ includeBuffer: true }));
  const next = trainUpdates(trainer, 6);
  trainer.dispose();
  return next;
}

async function phase2(): Promise<{ losses: number[]; updatesAtLoad: number; saved: string[] }> {
  await tf.setBackend('cpu');
  const store = new IdbCheckpointStore('phaser-qmix-test');
  const trainer = new Trainer(new TwoStepEnv(), config);
  trainer.restore(await store.load('autosave'));
  const updatesAtLoad = trainer.learner.updates;
  const losses = trainUpdates(trainer, 6);
  trainer.dispose();
  return { losses, updatesAtLoad, saved: (await store.list()).map((s) => s.name) };
}

Object.assign(globalThis, { phase1, phase2, pageReady: true });
