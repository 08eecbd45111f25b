// The demo game's scene against its rules: what the plugin records from the
// running scene (state from sprite positions, observations from the hooks)
// equals what the headless env computes, so a squad trained headless plays
// the same game in the browser, and one trained in the browser fits the CLI.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { openScenarioPage, type ScenarioPage } from '../support/browser.js';

let page: ScenarioPage;
before(async () => {
  page = await openScenarioPage('test/browser/pages/heist-page.ts', { dirs: { '/assets/carrot-heist/': 'assets/carrot-heist/' } });
});
after(async () => {
  await page?.close();
});

test('demo scene: recorded states and observations equal the rules, row by row, over whole rounds', async () => {
  const r = await page.run<{ episodes: number; lengths: number[]; terminated: boolean[]; maxStateDiff: number; maxObsDiff: number }>('sceneMatchesRules');
  assert.ok(r.lengths.length >= 3, `compared ${r.lengths.length} episodes`);
  assert.ok(r.lengths.every((l) => l >= 1 && l <= 100), `lengths ${r.lengths}`);
  assert.ok(r.maxStateDiff < 1e-6, `state differs from the rules by ${r.maxStateDiff}`);
  assert.ok(r.maxObsDiff < 1e-6, `observations differ from the rules by ${r.maxObsDiff}`);
  console.log(`demo scene: ${JSON.stringify(r)}`);
});

test('training arenas: four copies of the demo scene step together into one trainer; each copy records its own rules; one forward per decision step', async () => {
  type Diff = { maxStateDiff: number; maxObsDiff: number; lengths: number[] };
  const r = await page.run<{
    arenas: number; steps: number; decisions: number; stepsWithDecisions: number; singleForwards: number; batchedForwards: number;
    rowsInBatches: number; maxCopiesInOneForward: number; diffs: Diff[]; firstStates: string[]; copiesAsleep: boolean; copyArenaIndices: number[];
    statsOfShownScene: boolean; gone: boolean;
  }>('arenasMatchRules');
  console.log(`arenas: ${JSON.stringify({ ...r, diffs: r.diffs.map((d) => d.lengths.length) })}`);
  assert.equal(r.arenas, 4);
  r.diffs.forEach((d, k) => {
    assert.ok(d.lengths.length >= 3, `arena ${k}: compared ${d.lengths.length} episodes`);
    assert.ok(d.maxStateDiff < 1e-6, `arena ${k}: state differs from its rules by ${d.maxStateDiff}`);
    assert.ok(d.maxObsDiff < 1e-6, `arena ${k}: observations differ from its rules by ${d.maxObsDiff}`);
  });
  // Every decision of every arena went through the batched forward, one call per scene step that had any.
  assert.equal(r.singleForwards, 0);
  assert.equal(r.rowsInBatches, r.decisions);
  assert.equal(r.batchedForwards, r.stepsWithDecisions);
  assert.equal(r.maxCopiesInOneForward, 4);
  // The copies play worlds of their own, unseen, and report as copies.
  assert.equal(new Set(r.firstStates).size, 4, `arenas played the same world: ${r.firstStates.join(' | ')}`);
  assert.equal(r.copiesAsleep, true);
  assert.deepEqual(r.copyArenaIndices, [1, 2, 3]);
  assert.equal(r.statsOfShownScene, true);
  assert.equal(r.gone, true);
});
