// The divergence guard: a non-finite or exploded loss rolls the learner back
// to its last good snapshot; repeated rollbacks stop training with a
// DivergenceError that still hands over the last good policy; a healthy run
// is untouched (update for update the same as with the guard off). Seeds 1-3.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnvStep, MultiAgentEnv } from '../../plugin/core/index.js';
import { MatrixGameEnv, TwoStepEnv } from '../../plugin/envs/index.js';
import { makeEnv } from '../../plugin/envs/registry.js';
import { DivergenceError, Trainer, train, type RollbackInfo } from '../../plugin/learn/index.js';
import { loadPolicy } from '../../plugin/runtime/index.js';
import { tf } from '../support/tf.js';

/** Two-step with its rewards multiplied by `scale` (set from the test). */
class ScaledTwoStep implements MultiAgentEnv {
  private readonly base = new TwoStepEnv();
  readonly spec = this.base.spec;
  scale = 1;
  reset() {
    return this.base.reset();
  }
  step(actions: ArrayLike<number>): EnvStep {
    const s = this.base.step(actions);
    return { ...s, reward: s.reward * this.scale };
  }
}

describe('divergence guard', () => {
  test('lr = 1 (losses towards 1e11) and rewards of 3e38 (an infinite loss): rolled back, then stopped with a DivergenceError naming the cause; the last good policy loads; no tensors left', async () => {
    const before = tf.memory().numTensors;
    for (const [name, env, config, cause] of [
      // Raw rewards: standardised ones (the game preset's default) are scaled back to unit variance (the next test).
      ['lr = 1', 'two-step', { lr: 1, batchSize: 8, standardiseRewards: false }, /loss \d\.\d+e\+\d+ past the bound/],
      ['rewards 3e38', new MatrixGameEnv([[3e38, 0], [0, 3e38]]), { batchSize: 8, standardiseRewards: false }, /loss Infinity/],
    ] as const) {
      const rollbacks: RollbackInfo[] = [];
      const err = await train({ env: env as string | MultiAgentEnv, steps: 5000, seed: 1, config, onRollback: (r) => rollbacks.push(r) }).then(
        () => assert.fail(`${name}: trained on`),
        (e: unknown) => e,
      );
      assert.ok(err instanceof DivergenceError, `${name}: ${String(err)}`);
      assert.match(err.message, /training diverged 3 times in a row/);
      assert.match(err.message, cause);
      assert.equal(rollbacks.length, 2, `${name}: two rollbacks reported before the third stops it`);
      for (const r of rollbacks) assert.ok(r.rolledBackTo < r.update);
      const policy = loadPolicy(JSON.stringify(err.lastGood!.policy)); // refuses non-finite weights
      assert.ok(policy.nActions >= 2);
      assert.equal(JSON.parse(err.lastGood!.checkpoint.manifest).buffer, null, 'the replay that diverged is not handed over');
    }
    assert.equal(tf.memory().numTensors, before);
  });

  test('standardised rewards (the game preset) train on a reward of 3e38 without a rollback, and learn the one joint action that pays it', async () => {
    const rollbacks: RollbackInfo[] = [];
    // One joint action of nine pays: an untrained greedy pair finds it one time in nine.
    const result = await train({ env: new MatrixGameEnv([[0, 0, 0], [0, 0, 0], [0, 0, 3e38]]), steps: 1500, seed: 1, config: { batchSize: 8 }, onRollback: (r) => rollbacks.push(r) });
    assert.equal(result.trainer.learner.config.standardiseRewards, true);
    assert.deepEqual(rollbacks, []);
    loadPolicy(JSON.stringify(result.policy)); // finite weights
    // Greedy test episodes pay 3e38 only when both agents pick the last action.
    assert.ok(result.metrics.testReturnMean > 1e38, `greedy test return ${result.metrics.testReturnMean}`);
    result.trainer.dispose();
  });

  test('one poisoned episode: the updates that sample it are rolled back, training goes on once it leaves the replay, and the weights stay finite', () => {
    const env = new ScaledTwoStep();
    // Raw rewards (standardised ones would scale the poisoned episode back to a finite loss).
    const trainer = new Trainer(env, { seed: 2, batchSize: 8, bufferSize: 16, standardiseRewards: false });
    trainer.setDivergenceGuard({ snapshotEvery: 5, maxRollbacks: 1000 });
    const rollbacks: RollbackInfo[] = [];
    trainer.onRollback((r) => rollbacks.push(r));
    for (let i = 0; i < 40; i++) trainer.trainEpisode();
    env.scale = 3e37; // rewards up to 2.4e38: finite in float32, infinite once squared
    trainer.trainEpisode();
    env.scale = 1;
    const after = trainer.learner.updates;
    for (let i = 0; i < 200; i++) trainer.trainEpisode();
    assert.ok(rollbacks.length >= 1, 'the poisoned batch was caught');
    assert.ok(rollbacks.every((r) => r.reason === 'loss Infinity' || /past the bound|standardisation|gradient norm/.test(r.reason)), JSON.stringify(rollbacks.map((r) => r.reason)));
    assert.ok(trainer.learner.updates > after + 100, `training went on: ${trainer.learner.updates} updates`);
    const state = trainer.learner.getState();
    for (const w of Object.values(state.online.agent)) assert.ok(w.every(Number.isFinite));
    trainer.dispose();
  });

  test('a healthy run is untouched: the same losses, update for update, as with the guard off', () => {
    const losses = (guard: boolean): number[] => {
      const trainer = new Trainer(new TwoStepEnv(), { seed: 3, batchSize: 8 });
      if (!guard) trainer.setDivergenceGuard(false);
      else trainer.setDivergenceGuard({ snapshotEvery: 7 });
      const out: number[] = [];
      while (out.length < 60) {
        const r = trainer.trainEpisode();
        if (r.update) out.push(r.update.loss);
      }
      trainer.dispose();
      return out;
    };
    assert.deepEqual(losses(true), losses(false));
  });

  test('a large first loss from the initial weights alone (raw LBF observations, every reward 0) is no divergence: training starts and stays under the guard', () => {
    // With hidden 16 and batch 4 the first updates' losses are in the hundreds
    // (Q values of ~15 from observations up to 8) while no reward has been
    // seen: judged by rewards alone the guard stopped this run at update 1.
    for (const preset of ['game', 'pymarl'] as const) {
      const trainer = new Trainer(makeEnv('lbf:8x8-2p-2f-coop'), { preset, batchSize: 4, bufferSize: 16, hiddenDim: 16 });
      const rollbacks: RollbackInfo[] = [];
      trainer.onRollback((r) => rollbacks.push(r));
      let first = NaN;
      while (trainer.learner.updates < 20) {
        const r = trainer.trainEpisode();
        if (r.update && Number.isNaN(first)) first = r.update.loss;
      }
      assert.ok(first > 100, `${preset}: the first loss ${first} is past the reward-only bound of 100 (else this test checks nothing)`);
      assert.deepEqual(rollbacks, [], preset);
      trainer.dispose();
    }
  });

  test('after a restore, a rollback returns to the restored state, not to a snapshot of the run before it', () => {
    const env = new ScaledTwoStep();
    // Raw rewards, so that the poisoned ones diverge (standardised ones would be scaled back).
    const trainer = new Trainer(env, { seed: 2, batchSize: 8, bufferSize: 16, standardiseRewards: false });
    trainer.setDivergenceGuard({ snapshotEvery: 1000, maxRollbacks: 1000 });
    while (trainer.learner.updates < 5) trainer.trainEpisode();
    const early = trainer.checkpoint({ includeBuffer: true });
    while (trainer.learner.updates < 40) trainer.trainEpisode(); // the guard's snapshot is from update 0 of this run
    trainer.restore(early);
    const restoredAt = trainer.learner.updates;
    const rollbacks: RollbackInfo[] = [];
    trainer.onRollback((r) => rollbacks.push(r));
    env.scale = 3e37;
    while (rollbacks.length === 0) trainer.trainEpisode();
    assert.equal(rollbacks[0].rolledBackTo, restoredAt);
    trainer.dispose();
  });
});
