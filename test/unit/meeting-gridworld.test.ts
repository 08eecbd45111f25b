import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listEnvs, makeEnv, MeetingGridworld } from '../../plugin/envs/index.js';

describe('meeting gridworld', () => {
  test('meeting on one cell pays 1 and ends the episode; moves off the grid are unavailable', () => {
    const env = new MeetingGridworld({ size: 3, agents: 2 });
    let o = env.reset(3);
    // Walk both agents to the top-left corner: left/up until there.
    for (let t = 0; t < 6 && !env.won(); t++) {
      const actions = [0, 1].map((a) => {
        const [r, c] = [Math.round(o.obs[a * 4] * 2), Math.round(o.obs[a * 4 + 1] * 2)];
        return r > 0 ? 1 : c > 0 ? 3 : 0;
      });
      const s = env.step(actions);
      o = s;
      if (env.won()) {
        assert.equal(s.reward, 1);
        assert.equal(s.terminated, true);
      } else assert.equal(s.reward, 0);
    }
    assert.equal(env.won(), true);
    // In the corner: up and left are masked, stay/down/right are not.
    assert.deepEqual(Array.from(o.avail.subarray(0, 5)), [1, 0, 1, 0, 1]);
  });

  test('the episode is truncated (not terminated) at the step limit', () => {
    const env = new MeetingGridworld({ size: 5, agents: 2, episodeLimit: 3 });
    env.reset(1);
    let s = env.step([0, 0]);
    s = env.step([0, 0]);
    s = env.step([0, 0]);
    assert.equal(s.truncated, true);
    assert.equal(s.terminated, false);
  });

  test('the registry builds envs by name with arguments and names the unknown', () => {
    assert.equal(makeEnv('meeting-gridworld:7x7-3a').spec.nAgents, 3);
    assert.equal((makeEnv('meeting-gridworld:7x7-3a') as MeetingGridworld).size, 7);
    assert.throws(() => makeEnv('meeting-gridworld:7x5-3a'), /must look like 5x5-2a/);
    assert.throws(() => makeEnv('foraging'), /unknown env "foraging": known envs are/);
    assert.deepEqual(listEnvs().map((e) => e.name), ['two-step', 'matrix-nonmono', 'meeting-gridworld', 'lbf', 'plates', 'pursuit']);
  });
});
