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
