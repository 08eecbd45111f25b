// The tfjs-free runtime against the tfjs agent network: same utilities, same greedy actions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collateEpisodes, type EnvSpec, type QmixConfig } from '../../plugin/core/index.js';
import { exportPolicy, QLearner } from '../../plugin/learn/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import { randomEpisodes } from '../support/episodes.js';
import '../support/tf.js';

const spec: EnvSpec = { nAgents: 3, obsSize: 10, stateSize: 4, nActions: 5, episodeLimit: 34 };

describe('runtime equals the tfjs agent network', () => {
  for (const agent of ['mlp', 'gru'] as const) {
    for (const [obsLastAction, obsAgentId] of [
      [true, true],
      [false, false],
      [true, false],
      [false, true],
    ]) {
      test(`${agent}, last action ${obsLastAction}, agent id ${obsAgentId}: Q within 1e-5 and the same argmax on 10,000+ inputs`, () => {
        const config: Partial<QmixConfig> = { agent, obsLastAction, obsAgentId, hiddenDim: 32, seed: 7 };
        const learner = new QLearner(spec, config);
        // Full-length episodes: 100 x 34 steps x 3 agents = 10,200 decisions (plus the final observations).
        const episodes = randomEpisodes(spec, 100, 11, { length: spec.episodeLimit });
        const batch = collateEpisodes(spec, episodes);
        const tfQ = learner.qValues(batch); // [T+1, B, N, A]
        const policy = loadPolicy(JSON.stringify(exportPolicy(learner)));
        learner.dispose();
        const { nAgents: N, nActions: A, obsSize: O } = spec;
        const B = batch.batchSize;
        const q = new Float32Array(N * A);
        const last = new Int32Array(N);
        let decisions = 0;
        let worst = 0;
        for (let b = 0; b < B; b++) {
          policy.resetEpisode();
          for (let t = 0; t < spec.episodeLimit; t++) {
            const row = t * B + b;
            if (t > 0) for (let a = 0; a < N; a++) last[a] = batch.actions[((t - 1) * B + b) * N + a];
            policy.qValues(batch.obs.subarray(row * N * O, (row + 1) * N * O), t === 0 ? null : last, q);
            for (let a = 0; a < N; a++) {
              const ref = tfQ.subarray((row * N + a) * A, (row * N + a + 1) * A);
              const mine = q.subarray(a * A, (a + 1) * A);
              const scale = Math.max(...Array.from(ref, Math.abs));
              for (let u = 0; u < A; u++) worst = Math.max(worst, Math.abs(mine[u] - ref[u]) / scale);
              assert.equal(argmax(mine), argmax(ref), `episode ${b} step ${t} agent ${a}: ${Array.from(mine)} vs ${Array.from(ref)}`);
              decisions++;
            }
          }
        }
        assert.ok(decisions >= 10000);
        assert.ok(worst <= 1e-5, `largest relative difference ${worst}`);
      });
    }
  }
});

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}
