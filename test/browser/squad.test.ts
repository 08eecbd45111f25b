// The Phaser 4 scene plugin in real chromium: a test scene with three agents
// (arcade bodies), a goal, and scenarios run by name in the page.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

let scenarios: ScenarioPage;
before(async () => {
  scenarios = await openScenarioPage('test/browser/pages/squad-page.ts');
});
after(async () => {
  await scenarios?.close();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const run = (name: string): Promise<any> => scenarios.run(name);

const close = (a: number[], b: number[], tol = 1e-4) => {
  assert.equal(a.length, b.length, `${a} vs ${b}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `[${i}] ${v} vs ${b[i]} in ${a} vs ${b}`));
};

describe('QmixPlugin in a Phaser 4 scene', () => {
  test('observations and the global state from the scene have the right sizes and values', async () => {
    const r = await run('sizes');
    assert.deepEqual(r.spec, { nAgents: 3, obsSize: 4, stateSize: 18, nActions: 5, episodeLimit: 500 });
    assert.equal(r.terminated, true);
    // Agents start at (40,40), (100,60), (160,80) in a 320x240 world; the goal is at (280,200).
    close(r.obs0, [40 / 320, 40 / 240, 0.875, 200 / 240, 100 / 320, 60 / 240, 0.875, 200 / 240, 160 / 320, 80 / 240, 0.875, 200 / 240]);
    // State: per agent x, y, vx, vy, active (they have bodies), then the goal's x, y, active.
    close(r.state0, [0.125, 40 / 240, 0, 0, 1, 0.3125, 0.25, 0, 0, 1, 0.5, 80 / 240, 0, 0, 1, 0.875, 200 / 240, 1]);
    // Moving right at 60 px/s: velocity 60 / 320 of the world per second, x has grown.
    close(r.stateLast.slice(2, 5), [60 / 320, 0, 1]);
    assert.ok(r.stateLast[0] > 0.125 && r.obsLast[0] === r.stateLast[0]);
    assert.ok(r.length >= 2);
    assert.ok(r.actions.every((a: number) => a === 4));
  });

  test('masks reach the record, and a heuristic choosing a masked action is a named error that stops only the squad', async () => {
    const r = await run('masks');
    assert.deepEqual(r.availLast, [1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]); // agent 0 at the left edge
    assert.deepEqual(r.errors, ['squad "squad" agent 1: hook heuristic returned 3, expected an available action in 0..4']);
    assert.equal(r.halted, r.errors[0]);
  });

  test('rewards are summed per transition; ends are terminal, interrupted or at the step limit', async () => {
    const r = await run('rewards');
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    assert.equal(r.eps.length, 3);
    assert.equal(r.eps[0].terminated, true);
    assert.ok(Math.abs(sum(r.eps[0].rewards) - 3.5) < 1e-6, JSON.stringify(r.eps[0]));
    assert.equal(r.eps[1].terminated, false);
    assert.deepEqual(r.eps[1].rewards, [-1]);
    assert.equal(r.eps[2].terminated, false);
    assert.equal(r.eps[2].length, 4); // maxSteps
    assert.deepEqual(r.ends[0].agentRewards, [1, 0, 0.5]);
    assert.equal(r.ends[0].teamReturn, 3.5);
    assert.equal(r.ends[0].terminated, true);
    assert.equal(r.ends[0].recorded, true);
    assert.equal(r.ends[0].length, r.eps[0].length);
    assert.deepEqual(r.ends[1].agentRewards, [0, -1, 0]);
    assert.equal(r.ends[1].terminated, false);
    assert.equal(r.ends[2].length, 4);
  });

  test('an agent destroyed (or deactivated) mid-episode is padded and held at the no-op; the episode continues', async () => {
    const r = await run('removed');
    assert.equal(r.error, null);
    assert.deepEqual(r.obsAgent1Last, [0, 0, 0, 0]);
    assert.deepEqual(r.availAgent1Last, [1, 0, 0, 0, 0]);
    assert.deepEqual(r.stateAgent1Last, [0, 0, 0, 0, 0]);
    assert.equal(r.actionsAgent1[0], 2); // the fake policy prefers action 2
    assert.equal(r.actionsAgent1.at(-1), 0);
    assert.equal(r.actionsAgent2.at(-1), 0);
    assert.ok(r.actionsAgent2.includes(2));
    assert.equal(r.actedAfter, r.actedBefore, 'act is not called for a destroyed agent');
    assert.ok(r.length >= 4);
  });

  test('test episodes act greedily on the trainer policy, are not recorded and say so; Q-values per agent', async () => {
    const r: { ends: { test: boolean; recorded: boolean }[]; testing: boolean[]; testActions: number[][]; trainActions: number[][]; recordedAfterTrain: number; recordedAfterTest: number; q0: number[]; heuristicQ: null } = await run('testEpisodes');
    assert.deepEqual(r.ends, [{ test: false, recorded: true }, { test: true, recorded: false }]);
    assert.deepEqual(r.testing, [false, true]);
    assert.equal(r.recordedAfterTrain, 1);
    assert.equal(r.recordedAfterTest, 1);
    // The fake policy prefers action 2; at epsilon 1 only the greedy test episode takes it every time.
    for (const acts of r.testActions) assert.ok(acts.length === 4 && acts.every((u) => u === 2), JSON.stringify(r.testActions));
    assert.ok(r.trainActions.flat().slice(3).some((u) => u !== 2), JSON.stringify(r.trainActions));
    assert.deepEqual(r.q0, [0, 0, 1, 0, 0]);
    assert.equal(r.heuristicQ, null);
  });

  test('modes switch at runtime: heuristic, train (trainer policy), greedy (each agent alone, no state built), back', async () => {
    const r = await run('modes');
    assert.deepEqual(r.changes, ['heuristic->train', 'train->greedy', 'greedy->heuristic']);
    assert.deepEqual(r.heuristicActions, [4, 4, 4]);
    assert.deepEqual(r.trainActions, [2, 2, 2]);
    assert.deepEqual(r.greedyActions, r.expected);
    assert.equal(r.hookCallsInGreedy, 0, 'greedy play builds no global state');
    assert.ok(r.policies.includes('file') && r.policies.includes('trainer'), r.policies.join(','));
    assert.ok(r.recorded >= 1, 'leaving train mode hands the partial episode over');
    assert.equal(r.mode, 'heuristic');
    assert.match(r.refused, /checksum mismatch/);
  });

  test('fast-forward runs several scene steps (physics included) per rendered frame', async () => {
    const r = await run('fastForward');
    console.log(`# fast-forward on the test scene: ${JSON.stringify(r)}`);
    assert.equal(r.x1.sceneStepsPerFrame, 1);
    assert.equal(r.x8.sceneStepsPerFrame, 8);
    assert.ok(Math.abs(r.x8.decisionsPerFrame - 8 * r.x1.decisionsPerFrame) < 0.5, JSON.stringify(r));
    assert.ok(r.x8.moved > 6 * r.x1.moved, `moved ${r.x8.moved} vs ${r.x1.moved}`);
  });

  test('time-budget fast-forward runs as many steps as fit the budget; a learner that is behind holds it (and fixed scales) at one step per frame', async () => {
    const r: { budgeted: number; frameMs: number; pacedSteps: number; pacedFrames: number; fixedPaced: number; fixedFree: number; refused: string } = await run('timeBudget');
    console.log(`# time budget 4 ms on the test scene: ${r.budgeted} scene steps in a frame of ${r.frameMs.toFixed(1)} ms`);
    assert.ok(r.budgeted > 2, `only ${r.budgeted} steps in a 4 ms budget`);
    assert.equal(r.pacedSteps, 10, 'one scene step per frame while the learner is behind');
    assert.equal(r.pacedFrames, 10);
    assert.equal(r.fixedPaced, 1);
    assert.equal(r.fixedFree, 8);
    assert.match(r.refused, /timeBudgetMs must be null or a number/);
  });

  test('a draw-rate cap skips draws while fast-forwarding (scene updates go on every frame), and only then; stopping the scene lifts it', async () => {
    const r = await run('renderCap');
    console.log(`# draw cap: ${JSON.stringify(r)}`);
    // 60 frames at 60 Hz under a 10 fps cap: 10 draws, and two scene updates per frame (timeScale 2).
    assert.ok(r.capped.draws >= 9 && r.capped.draws <= 11, JSON.stringify(r.capped));
    assert.equal(r.capped.updates, 120);
    assert.equal(r.capped.undrawn, 60 - r.capped.draws);
    assert.equal(r.realTime.draws, 12, 'real time draws every frame');
    assert.equal(r.uncapped.draws, 12, 'no cap: every frame drawn');
    assert.ok(r.budgetCapped.draws >= 19 && r.budgetCapped.draws <= 21, JSON.stringify(r.budgetCapped));
    assert.ok(r.budgetCapped.updates >= 60);
    assert.match(r.refused, /renderFps must be null or a rate/);
    assert.ok(r.restored, 'the loop gets its own callback back when the last capping scene stops');
  });

  test('playAtFixedRate: the same scene steps and decisions per second at 30, 60 and 144 Hz; a slow machine plays slower, not in bursts; fast-forward keeps its own steps', async () => {
    const r = await run('fixedRate');
    console.log(`# fixed rate, 2 s at each refresh rate: ${JSON.stringify(r)}`);
    for (const k of ['hz30', 'hz60', 'hz144', 'uneven']) {
      assert.ok(Math.abs(r[k].updates - 120) <= 2, `${k}: ${r[k].updates} scene steps in 2 s, 120 expected`);
      assert.ok(Math.abs(r[k].decisions - 60) <= 2, `${k}: ${r[k].decisions} decisions in 2 s, 60 expected`);
    }
    assert.equal(r.slow.updates, 40, '10 frames of 200 ms, 4 steps each at most');
    assert.equal(r.fastForward60.updates, 8 * r.fastForward60.frames, 'fast-forward: 8 steps per frame, the fixed rate stands aside');
    assert.equal(r.stopped144.updates, r.stopped144.frames, 'stopped: one step per frame again');
    assert.match(r.refused, /hz must be in/);
  });

  test('100 scene restarts leave no listeners, squads or tensors behind', async () => {
    const r = await run('restarts');
    assert.ok(r.trainersMade >= 100, String(r.trainersMade));
    for (const k of ['preupdate', 'render', 'shutdown', 'start']) assert.equal(r.after[k], r.first[k], `${k} listeners: ${r.first[k]} -> ${r.after[k]}`);
    assert.equal(r.stopped.tensors, r.baselineTensors, 'stopping the scene disposes the trainer');
    assert.equal(r.squads, 0);
  });

  test('installed at runtime, two squads in one scene keep their own periods, requests and state', async () => {
    const r = await run('several');
    assert.deepEqual(r.squads, ['fast', 'slow']);
    assert.ok(r.fastDecisions >= 29 && r.fastDecisions <= 31, String(r.fastDecisions)); // every step
    assert.ok(r.slowDecisions >= 5 && r.slowDecisions <= 6, String(r.slowDecisions)); // every 100 ms of 500
    assert.equal(r.afterRequest, r.slowDecisions + 1, 'requestDecision decides on the next step');
    assert.equal(r.stateSize, 1); // the replacing state hook alone
    assert.deepEqual(r.state0, [42]);
    assert.match(r.duplicate, /already has a squad called "fast"/);
  });

  test('a hook writing the wrong size gets an error naming the agent, the hook, expected and actual size', async () => {
    const r = await run('wrongSize');
    assert.deepEqual(r.errors, [
      'squad "squad" agent 1: hook observe wrote 3 values, expected 4',
      'squad "squad": hook state wrote 2 values, expected 1 (the size it wrote in the first episode)',
      'squad "squad" agent 0: hook observe wrote 4 values, expected 5',
    ]);
    assert.equal(r.stillRunning, true);
  });
});
