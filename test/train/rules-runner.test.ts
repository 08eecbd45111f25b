// The rules runner's greedy tests step all test copies together with one
// batched forward; they must score exactly what one-at-a-time greedy
// episodes on the same evaluation seeds score.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import '../../demo-game/rules/env.js';
import { makeEnv } from '../../plugin/envs/index.js';
import { Trainer } from '../../plugin/learn/index.js';
import { RulesRunner } from '../../plugin/train/rules-runner.js';
import '../support/tf.js';

test('batched greedy tests over 4 copies equal 12 greedy episodes played one at a time on the same seeds (GRU memory per copy)', () => {
  const config = { agent: 'gru', seed: 3 } as const;
  const runner = new RulesRunner({ env: 'carrot-heist', copies: 4, testEvery: 1, testEpisodes: 12, stopAt: null }, config);
  const twin = new Trainer(makeEnv('carrot-heist'), config);
  try {
    const batched = runner.test();
    const single = twin.evaluateOn(makeEnv('carrot-heist'), 12);
    const mean = single.returns.reduce((a, b) => a + b, 0) / 12;
    assert.ok(Math.abs(batched.returnMean - mean) < 1e-9, `batched ${batched.returnMean} vs one at a time ${mean}`);
    assert.equal(batched.winRate, single.wins! / 12);
    assert.equal(batched.best, true);
    // A second round uses the next seeds: it is another sample, and the twin agrees again.
    const again = runner.test();
    const next = twin.evaluateOn(makeEnv('carrot-heist'), 12);
    assert.ok(Math.abs(again.returnMean - next.returns.reduce((a, b) => a + b, 0) / 12) < 1e-9);
  } finally {
    runner.dispose();
    twin.dispose();
  }
});
