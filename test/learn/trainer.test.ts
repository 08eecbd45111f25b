import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TwoStepEnv } from '../../plugin/envs/index.js';
import { Trainer } from '../../plugin/learn/index.js';
import { tf } from '../support/tf.js';

describe('Trainer', () => {
  const small = { hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, batchSize: 8, bufferSize: 64, epsilonAnnealTime: 200 };

  test('the same seed replays the same episodes and losses end to end; another seed differs', () => {
    const run = (seed: number) => {
      const trainer = new Trainer(new TwoStepEnv(), { ...small, seed });
      const out = Array.from({ length: 30 }, () => {
        const r = trainer.trainEpisode();
        return [r.episodeReturn, r.update?.loss ?? -1];
      });
      trainer.dispose();
      return out;
    };
    const a = run(5);
    assert.deepEqual(run(5), a);
    assert.notDeepEqual(run(6), a);
  });

  test('acting and training leave no tensors behind (GRU actor carries hidden state between steps)', () => {
    const before = tf.memory().numTensors;
    const trainer = new Trainer(new TwoStepEnv(), { ...small, agent: 'gru' });
    for (let i = 0; i < 10; i++) trainer.trainEpisode();
    const warm = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) trainer.trainEpisode();
    trainer.evaluate(20);
    assert.equal(tf.memory().numTensors, warm);
    trainer.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test('epsilon follows the linear schedule over env steps and no update runs before a batch is stored', () => {
    const trainer = new Trainer(new TwoStepEnv(), { ...small, epsilonStart: 1, epsilonFinish: 0.05, epsilonAnnealTime: 100 });
    const first = trainer.trainEpisode();
    assert.equal(first.exploration, 1);
    assert.equal(first.update, undefined);
    for (let i = 0; i < 6; i++) trainer.trainEpisode();
    assert.ok(trainer.trainEpisode().update !== undefined); // 8th episode: the buffer holds a batch of 8
    assert.equal(trainer.envSteps, 16);
    assert.ok(Math.abs(trainer.trainEpisode().exploration - (1 - 0.95 * 0.16)) < 1e-12);
    trainer.dispose();
  });
});
