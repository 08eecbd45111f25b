import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collateEpisodes, type EnvSpec } from '../../plugin/core/index.js';
import { bootstrapEnds, lambdaMatrix, tdTargets } from '../../plugin/learn/index.js';
import { makeEpisode } from '../support/episodes.js';
import { tf } from '../support/tf.js';

// Three episodes padded to T = 4:
//   ep0: 3 steps, rewards [1, 2, 3], ends in a real terminal;
//   ep1: 2 steps, rewards [1, 1], interrupted (time limit: bootstrapped);
//   ep2: 4 steps, rewards [0, 0, 0, 5], stopped by the episode limit (bootstrapped).
// Next-step target values Qbar_{t+1} for episode b: 10 (b + 1) + t. gamma = 0.9.
const spec: EnvSpec = { nAgents: 1, obsSize: 1, stateSize: 1, nActions: 2, episodeLimit: 4 };
const batch = collateEpisodes(spec, [makeEpisode(spec, 3, true, [1, 2, 3]), makeEpisode(spec, 2, false, [1, 1]), makeEpisode(spec, 4, false, [0, 0, 0, 5])]);
const T = 4;
const B = 3;

function targets(lambda: number): number[][] {
  const next = new Float32Array(T * B);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) next[t * B + b] = 10 * (b + 1) + t;
  const y = tf.tidy(() =>
    tdTargets({
      rewards: tf.tensor2d(batch.rewards, [T, B]),
      filled: tf.tensor2d(batch.filled, [T, B]),
      terminated: tf.tensor2d(batch.terminated, [T, B]),
      bootEnd: tf.tensor2d(bootstrapEnds(batch.filled, batch.terminated, T, B), [T, B]),
      next: tf.tensor3d(next, [T, B, 1]),
      gamma: 0.9,
      lambda,
      lambdaU: tf.tensor2d(lambdaMatrix(T, 0.9, lambda), [T, T]),
    }).dataSync(),
  );
  // per episode, per step
  return Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => y[t * B + b]));
}

function assertClose(actual: number[][], expected: number[][]): void {
  for (let b = 0; b < expected.length; b++) {
    for (let t = 0; t < expected[b].length; t++) {
      assert.ok(Math.abs(actual[b][t] - expected[b][t]) < 1e-4, `episode ${b} step ${t}: ${actual[b][t]} vs ${expected[b][t]}`);
    }
  }
}

describe('TD targets on a padded batch', () => {
  test('the bootstrap mask marks only the last step of truncated episodes', () => {
    assert.deepEqual(Array.from(bootstrapEnds(batch.filled, batch.terminated, T, B)), [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
  });

  test('lambda = 0 gives one-step targets r + gamma (1 - terminal) Qbar, zero on padding', () => {
    assertClose(targets(0), [
      [1 + 0.9 * 10, 2 + 0.9 * 11, 3, 0], // the terminal step is not bootstrapped
      [1 + 0.9 * 20, 1 + 0.9 * 21, 0, 0], // the time-limit stop is
      [0.9 * 30, 0.9 * 31, 0.9 * 32, 5 + 0.9 * 33],
    ]);
  });

  test('lambda = 0.5 gives the lambda-return, ending in r at a terminal and r + gamma Qbar at a time limit', () => {
    // G_t = r_t + gamma ((1 - lambda) Qbar_{t+1} + lambda G_{t+1}), worked by hand:
    // ep0: G2 = 3; G1 = 2 + 0.9 (5.5 + 1.5) = 8.3; G0 = 1 + 0.9 (5 + 4.15) = 9.235
    // ep1: G1 = 1 + 0.9 * 21 = 19.9; G0 = 1 + 0.9 (10 + 9.95) = 18.955
    // ep2: G3 = 34.7; G2 = 0.9 (16 + 17.35) = 30.015; G1 = 0.9 (15.5 + 15.0075) = 27.45675;
    //      G0 = 0.9 (15 + 13.728375) = 25.8555375
    assertClose(targets(0.5), [
      [9.235, 8.3, 3, 0],
      [18.955, 19.9, 0, 0],
      [25.8555375, 27.45675, 30.015, 34.7],
    ]);
  });

  test('lambda = 1 is the Monte-Carlo return bootstrapped only at the time limit', () => {
    // ep0: 1 + 0.9 * 2 + 0.81 * 3 = 5.23; ep1: 1 + 0.9 (1 + 0.9 * 21) = 18.91
    const y = targets(1);
    assert.ok(Math.abs(y[0][0] - 5.23) < 1e-4, String(y[0][0]));
    assert.ok(Math.abs(y[1][0] - 18.91) < 1e-4, String(y[1][0]));
  });
});
