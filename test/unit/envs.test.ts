import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvContractError, Rng, runEpisode, validateSpec, type EnvStep, type MultiAgentEnv, type QPolicy } from '../../plugin/core/index.js';
import { MatrixGameEnv, NONMONOTONIC_PAYOFF, TWO_STEP_PAYOFF_2B, TwoStepEnv } from '../../plugin/envs/index.js';

/** A policy whose utilities prefer action `best` for every agent. */
const prefer = (best: number, nActions: number): QPolicy => ({
  resetEpisode() {},
  qValues(_obs, _last, out) {
    for (let i = 0; i < out.length; i++) out[i] = i % nActions === best ? 1 : 0;
  },
});

describe('reference envs', () => {
  test('two-step: agent 0 picks 2A (7 for anything) or 2B (the payoff matrix), then it terminates', () => {
    const env = new TwoStepEnv();
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        env.reset();
        const first = env.step([0, 1]);
        assert.equal(first.reward, 0);
        assert.equal(first.terminated, false);
        assert.deepEqual(Array.from(first.state), [0, 1, 0]);
        const last = env.step([a, b]);
        assert.equal(last.reward, 7);
        assert.equal(last.terminated, true);
        env.reset();
        env.step([1, 0]);
        assert.equal(env.step([a, b]).reward, TWO_STEP_PAYOFF_2B[a][b]);
      }
    }
  });

  test('the non-monotonic matrix game pays the paper matrix in one terminal step', () => {
    const env = new MatrixGameEnv(NONMONOTONIC_PAYOFF);
    env.reset();
    const s = env.step([0, 0]);
    assert.equal(s.reward, 8);
    assert.equal(s.terminated, true);
    env.reset();
    assert.equal(env.step([0, 2]).reward, -12);
  });

  test('the runner plays greedy episodes and returns the record and return', () => {
    const r = runEpisode(new TwoStepEnv(), prefer(1, 2), { mode: { kind: 'greedy' }, rng: null });
    assert.equal(r.episodeReturn, 8);
    assert.equal(r.steps, 2);
    assert.equal(r.terminated, true);
    assert.deepEqual(Array.from(r.record.actions), [1, 1, 1, 1]);
  });

  test('the runner truncates at the episode limit and records a bootstrapped end', () => {
    const spec = validateSpec({ nAgents: 1, obsSize: 1, stateSize: 1, nActions: 2, episodeLimit: 3 });
    const o = { obs: new Float32Array(1), state: new Float32Array(1), avail: Uint8Array.from([1, 1]) };
    const endless: MultiAgentEnv = { spec, reset: () => o, step: () => ({ ...o, reward: 1, terminated: false, truncated: false }) };
    const r = runEpisode(endless, prefer(0, 2), { mode: { kind: 'epsilon-greedy', epsilon: 0.5 }, rng: new Rng(1) });
    assert.equal(r.steps, 3);
    assert.equal(r.record.terminated, false);
    assert.equal(r.episodeReturn, 3);
  });

  test('an env output of the wrong size or with NaN is refused with a message naming it', () => {
    const spec = validateSpec({ nAgents: 2, obsSize: 2, stateSize: 1, nActions: 2, episodeLimit: 3 });
    const good = { obs: new Float32Array(4), state: new Float32Array(1), avail: new Uint8Array(4).fill(1) };
    const make = (step: () => EnvStep): MultiAgentEnv => ({ spec, reset: () => good, step });
    const run = (env: MultiAgentEnv) => runEpisode(env, prefer(0, 2), { mode: { kind: 'greedy' }, rng: null });
    assert.throws(() => run(make(() => ({ ...good, obs: new Float32Array(3), reward: 0, terminated: false, truncated: false }))), (e: Error) => e instanceof EnvContractError && /step 0: obs has length 3, expected 4/.test(e.message));
    assert.throws(() => run(make(() => ({ ...good, obs: Float32Array.from([0, 0, 0, Number.NaN]), reward: 0, terminated: false, truncated: false }))), /obs of agent 1 has NaN at index 1/);
    assert.throws(() => run(make(() => ({ ...good, avail: Uint8Array.from([1, 1, 0, 0]), reward: 0, terminated: false, truncated: false }))), /agent 1 has no available action/);
    assert.throws(() => run(make(() => ({ ...good, reward: Number.POSITIVE_INFINITY, terminated: false, truncated: false }))), /reward must be a finite number/);
  });

  test('a bad spec is refused with the field named', () => {
    assert.throws(() => validateSpec({ nAgents: 0, obsSize: 1, stateSize: 1, nActions: 2, episodeLimit: 3 }), /spec\.nAgents = 0 is invalid/);
    assert.throws(() => validateSpec({ nAgents: 1, obsSize: 3, stateSize: 1, nActions: 2, episodeLimit: 3, obsLayout: [{ name: 'x', size: 2 }] }), /obsLayout sizes sum to 2 but obsSize is 3/);
  });
});
