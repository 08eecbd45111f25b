import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { agentInputSize, buildBatchInputs, collateEpisodes } from '../../plugin/core/index.js';
import { makeEpisode, SMALL_SPEC } from '../support/episodes.js';

describe('agent inputs', () => {
  test('each row is obs, then one-hot last action (zeros at t = 0), then one-hot agent id', () => {
    const opts = { obsLastAction: true, obsAgentId: true };
    const W = agentInputSize(SMALL_SPEC, opts);
    assert.equal(W, 3 + 3 + 2);
    const ep = makeEpisode(SMALL_SPEC, 2, true); // actions [0,1, 2,0]
    const batch = collateEpisodes(SMALL_SPEC, [ep]);
    const x = buildBatchInputs(batch, opts);
    const row = (t: number, agent: number) => Array.from(x.subarray((t * 2 + agent) * W, (t * 2 + agent + 1) * W));
    assert.deepEqual(row(0, 0), [1, 1, 1, 0, 0, 0, 1, 0]);
    assert.deepEqual(row(0, 1), [2, 2, 2, 0, 0, 0, 0, 1]);
    assert.deepEqual(row(1, 1), [12, 12, 12, 0, 1, 0, 0, 1]); // agent 1 took action 1 at t=0
    assert.deepEqual(row(2, 0), [21, 21, 21, 0, 0, 1, 1, 0]); // agent 0 took action 2 at t=1
  });

  test('without extras the input is the observation alone', () => {
    const opts = { obsLastAction: false, obsAgentId: false };
    const batch = collateEpisodes(SMALL_SPEC, [makeEpisode(SMALL_SPEC, 1, true)]);
    assert.deepEqual(Array.from(buildBatchInputs(batch, opts)), Array.from(batch.obs));
  });
});
