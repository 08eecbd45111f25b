import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeSchedule, Rng, selectActions } from '../../plugin/core/index.js';

describe('exploration', () => {
  const q = Float32Array.from([5, 9, 1, /* agent 1 */ 3, 2, 8]);

  test('greedy picks the best available action, never an unavailable one', () => {
    const out = new Int32Array(2);
    selectActions(q, Uint8Array.from([1, 1, 1, 1, 1, 1]), 2, 3, { kind: 'greedy' }, null, out);
    assert.deepEqual(Array.from(out), [1, 2]);
    selectActions(q, Uint8Array.from([1, 0, 1, 1, 1, 0]), 2, 3, { kind: 'greedy' }, null, out);
    assert.deepEqual(Array.from(out), [0, 0]);
  });

  test('epsilon 1 is uniform over available actions only', () => {
    const rng = new Rng(1);
    const out = new Int32Array(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) {
      selectActions(q, Uint8Array.from([1, 0, 1, 1, 1, 1]), 2, 3, { kind: 'epsilon-greedy', epsilon: 1 }, rng, out);
      counts[out[0]]++;
    }
    assert.equal(counts[1], 0);
    assert.ok(Math.abs(counts[0] - 1500) < 150 && Math.abs(counts[2] - 1500) < 150, String(counts));
  });

  test('epsilon 0.1 acts greedily about 90% (plus a third of the random draws)', () => {
    const rng = new Rng(2);
    const out = new Int32Array(2);
    let greedy = 0;
    for (let i = 0; i < 5000; i++) {
      selectActions(q, Uint8Array.from([1, 1, 1, 1, 1, 1]), 2, 3, { kind: 'epsilon-greedy', epsilon: 0.1 }, rng, out);
      if (out[0] === 1) greedy++;
    }
    const expected = 5000 * (0.9 + 0.1 / 3);
    assert.ok(Math.abs(greedy - expected) < 100, `${greedy} vs ${expected}`);
  });

  test('Boltzmann prefers higher utilities and respects the mask', () => {
    const rng = new Rng(3);
    const out = new Int32Array(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      selectActions(Float32Array.from([0, 1, 0, 0, 0, 0]), Uint8Array.from([1, 1, 0, 1, 1, 1]), 2, 3, { kind: 'boltzmann', temperature: 1 }, rng, out);
      counts[out[0]]++;
    }
    assert.equal(counts[2], 0);
    // p(1) = e / (1 + e) = 0.731
    assert.ok(Math.abs(counts[1] / 4000 - 0.731) < 0.03, String(counts));
  });

  test('linear and exponential schedules start, pass and finish where they should', () => {
    const lin = makeSchedule('linear', 1, 0.05, 50000);
    assert.equal(lin.at(0), 1);
    assert.ok(Math.abs(lin.at(25000) - 0.525) < 1e-12);
    assert.equal(lin.at(50000), 0.05);
    assert.equal(lin.at(1e9), 0.05);
    const exp = makeSchedule('exponential', 1, 0.01, 100);
    assert.equal(exp.at(0), 1);
    assert.ok(Math.abs(exp.at(50) - 0.1) < 1e-12);
    assert.equal(exp.at(100), 0.01);
  });
});
