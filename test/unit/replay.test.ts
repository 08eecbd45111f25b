import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { collateEpisodes, EpisodeBuffer, EpisodeBuilder, Rng, TwoStepEnv, validateEpisode } from '../../plugin/index.js';
import { makeEpisode, SMALL_SPEC } from '../support/episodes.js';

describe('episode records and the builder', () => {
  test('the builder records length + 1 observations and marks a real terminal', () => {
    const env = new TwoStepEnv();
    const b = new EpisodeBuilder(env.spec);
    b.begin(env.reset());
    b.push([1, 0], env.step([1, 0]));
    assert.equal(b.done, false);
    b.push([1, 1], env.step([1, 1]));
    assert.equal(b.done, true);
    const ep = b.finish();
    assert.equal(ep.length, 2);
    assert.equal(ep.terminated, true);
    assert.deepEqual(Array.from(ep.rewards), [0, 8]);
    assert.deepEqual(Array.from(ep.actions), [1, 0, 1, 1]);
    assert.equal(ep.obs.length, 3 * 2 * 3);
    // Step 1 and 2 are in state 2B (one-hot index 2).
    assert.deepEqual(Array.from(ep.state.subarray(3, 6)), [0, 0, 1]);
  });

  test('finishing early (interrupted) gives a truncated, not terminated, record', () => {
    const env = new TwoStepEnv();
    const b = new EpisodeBuilder(env.spec);
    b.begin(env.reset());
    b.push([0, 0], env.step([0, 0]));
    const ep = b.finish();
    assert.equal(ep.length, 1);
    assert.equal(ep.terminated, false);
  });

  test('validation names what is wrong with a record', () => {
    const ok = makeEpisode(SMALL_SPEC, 3, true);
    validateEpisode(SMALL_SPEC, ok);
    assert.throws(() => validateEpisode(SMALL_SPEC, { ...ok, length: 6 }), /episode length 6 is invalid: expected an integer in \[1, 5\]/);
    assert.throws(() => validateEpisode(SMALL_SPEC, { ...ok, rewards: new Float32Array(2) }), /episode\.rewards has length 2, expected 3 for 3 steps/);
    const nan = ok.obs.slice();
    nan[4] = Number.NaN;
    assert.throws(() => validateEpisode(SMALL_SPEC, { ...ok, obs: nan }), /episode\.obs\[4\] is NaN/);
    const bad = ok.actions.slice();
    bad[1] = 7;
    assert.throws(() => validateEpisode(SMALL_SPEC, { ...ok, actions: bad }), /action of agent 1 at step 0 is 7: expected 0\.\.2/);
    const masked = ok.avail.slice();
    masked[0] = 0; // agent 0, step 0, action 0 (which it took)
    assert.throws(() => validateEpisode(SMALL_SPEC, { ...ok, avail: masked }), /action 0 of agent 0 at step 0 was not available/);
    assert.throws(() => validateEpisode(SMALL_SPEC, { ...ok, state: new Float64Array(ok.state) as unknown as Float32Array }), /episode\.state must be a Float32Array/);
  });
});

describe('collating a batch', () => {
  test('episodes are time-major, padded, trimmed to the longest, with filled and terminated masks', () => {
    const a = makeEpisode(SMALL_SPEC, 2, true, [1, 2]);
    const b = makeEpisode(SMALL_SPEC, 4, false, [3, 4, 5, 6]);
    const batch = collateEpisodes(SMALL_SPEC, [a, b]);
    assert.equal(batch.maxT, 4); // trimmed to 4, not episodeLimit 5
    assert.equal(batch.batchSize, 2);
    // [T, B] masks
    assert.deepEqual(Array.from(batch.filled), [1, 1, 1, 1, 0, 1, 0, 1]);
    assert.deepEqual(Array.from(batch.terminated), [0, 0, 1, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(batch.rewards), [1, 3, 2, 4, 0, 5, 0, 6]);
    // obs [T+1, B, N, O]: step 2 of episode a, agent 1 = 2*10 + 2
    const O = 3;
    const N = 2;
    const at = (t: number, ep: number, agent: number) => batch.obs[((t * 2 + ep) * N + agent) * O];
    assert.equal(at(2, 0, 1), 22);
    assert.equal(at(3, 0, 0), 0); // padding
    assert.equal(at(4, 1, 0), 41);
    assert.equal(batch.state[(4 * 2 + 1) * 2], 104);
    assert.equal(batch.avail[((3 * 2 + 0) * N) * 3], 0); // padded avail is zero
  });
});

describe('EpisodeBuffer', () => {
  test('a full ring overwrites the oldest episode and clears its tail', () => {
    const buf = new EpisodeBuffer(SMALL_SPEC, 2);
    buf.insert(makeEpisode(SMALL_SPEC, 5, false, [9, 9, 9, 9, 9]));
    buf.insert(makeEpisode(SMALL_SPEC, 1, true, [1]));
    buf.insert(makeEpisode(SMALL_SPEC, 2, true, [7, 8])); // replaces the 5-step one
    assert.equal(buf.size, 2);
    assert.equal(buf.totalInserted, 3);
    const ep = buf.episode(0);
    assert.equal(ep.length, 2);
    assert.deepEqual(Array.from(ep.rewards), [7, 8]);
    // A batch of only that slot must not see the old episode's steps 3..5.
    const batch = collateEpisodes(SMALL_SPEC, [ep]);
    assert.equal(batch.maxT, 2);
  });

  test('sampling draws distinct stored episodes and is reproducible from the seed', () => {
    const buf = new EpisodeBuffer(SMALL_SPEC, 10);
    for (let i = 1; i <= 6; i++) buf.insert(makeEpisode(SMALL_SPEC, i <= 5 ? i : 1, i % 2 === 0, Array.from({ length: i <= 5 ? i : 1 }, () => i)));
    const s1 = buf.sample(4, new Rng(1));
    const s2 = buf.sample(4, new Rng(1));
    assert.deepEqual(s1.rewards, s2.rewards);
    const firstRewards = Array.from({ length: 4 }, (_, b) => s1.rewards[b]);
    assert.equal(new Set(firstRewards).size, 4);
    assert.equal(s1.maxT, Math.max(...firstRewards.map((r) => (r <= 5 ? r : 1))));
    assert.throws(() => buf.sample(7, new Rng(1)), /cannot sample 7 episodes from a buffer holding 6/);
  });

  test('insert refuses a record that does not fit the spec and keeps what was stored', () => {
    const buf = new EpisodeBuffer(SMALL_SPEC, 3);
    buf.insert(makeEpisode(SMALL_SPEC, 2, true));
    const bad = makeEpisode(SMALL_SPEC, 2, true);
    assert.throws(() => buf.insert({ ...bad, actions: new Int32Array(3) }), /episode\.actions has length 3/);
    assert.equal(buf.size, 1);
    assert.equal(buf.totalInserted, 1);
  });
});
