// The pacing contract on its own: how far a source may run ahead of its
// learner, and the exploration clock that follows what the learner consumed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RatioPacer } from '../../plugin/train/pacing.js';

test('before the replay holds a batch there is no limit; the warm-up counts as consumed', () => {
  const p = new RatioPacer({ updatesPerEpisode: 1, batchSize: 4 });
  for (let i = 0; i < 2; i++) p.submitted(10);
  assert.equal(p.allowance(), Infinity);
  assert.equal(p.consumedSteps(), 20);
  assert.equal(p.lag(), 0);
});

test('each episode past the warm-up owes its updates; the allowance shrinks with the lag and is 0 at the limit', () => {
  const p = new RatioPacer({ updatesPerEpisode: 1, batchSize: 4, maxLagUpdates: 3 });
  for (let i = 0; i < 3; i++) p.submitted(10); // warm-up: 3 episodes, 30 steps
  assert.equal(p.allowance(), 30); // 3 updates of 10 steps may be owed
  p.submitted(10); // the 4th fills the batch and owes one update
  assert.equal(p.lag(), 1);
  assert.equal(p.allowance(), 20);
  p.submitted(10);
  p.submitted(10);
  assert.equal(p.lag(), 3);
  assert.equal(p.allowance(), 0);
  // The exploration clock stops at the warm-up until the learner catches up.
  assert.equal(p.consumedSteps(), 30);
  p.learnerAt(2);
  assert.equal(p.lag(), 1);
  assert.equal(p.consumedSteps(), 50);
  assert.equal(p.state().stepsPerUpdate, 15); // 30 steps since the warm-up over 2 updates
  assert.equal(p.state().targetStepsPerUpdate, 10);
});

test('fractional ratios: half an update per episode owes one every second episode', () => {
  const p = new RatioPacer({ updatesPerEpisode: 0.5, batchSize: 1, maxLagUpdates: 1 });
  p.submitted(8);
  assert.equal(p.lag(), 0);
  p.submitted(8);
  assert.equal(p.lag(), 1);
  assert.equal(p.allowance(), 0);
  p.learnerAt(1);
  assert.equal(p.allowance(), 16); // one update's worth: 16 steps at 0.5 updates per 8-step episode
});

test('a resumed learner: its past counts as consumed, and without its replay it warms up again', () => {
  const p = new RatioPacer({ updatesPerEpisode: 1, batchSize: 4, maxLagUpdates: 2 });
  p.resetTo({ episodes: 100, envSteps: 1000, updates: 97, bufferSize: 0 });
  assert.equal(p.consumedSteps(), 1000);
  for (let i = 0; i < 3; i++) p.submitted(10);
  assert.equal(p.lag(), 0);
  assert.equal(p.allowance(), 20);
  p.submitted(10);
  assert.equal(p.lag(), 1);
  p.learnerAt(98);
  assert.equal(p.lag(), 0);
  const withBuffer = new RatioPacer({ updatesPerEpisode: 1, batchSize: 4 });
  withBuffer.resetTo({ episodes: 100, envSteps: 1000, updates: 97, bufferSize: 100 });
  withBuffer.submitted(10);
  assert.equal(withBuffer.lag(), 1, 'a replay restored with its episodes owes at once');
});

test('bad options are refused with the field named', () => {
  assert.throws(() => new RatioPacer({ updatesPerEpisode: 0, batchSize: 4 }), /updatesPerEpisode/);
  assert.throws(() => new RatioPacer({ updatesPerEpisode: 1, batchSize: 0 }), /batchSize/);
  assert.throws(() => new RatioPacer({ updatesPerEpisode: 1, batchSize: 4, maxLagUpdates: 0 }), /maxLagUpdates/);
});
