// The editor's demonstrations section on the demo page: record the squad's
// scripted play, save the file, load it back, train on both. A file of its
// own: the main editor test file is near the runner's per-file time limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { closeEditorPage, message, openEditorPage, page, problems, waitFor } from '../support/editor-page.js';

const trainerSteps = (): Promise<number> => page.evaluate(() => (globalThis as unknown as { editor: { currentTrainer: { envSteps: number } | null } }).editor.currentTrainer?.envSteps ?? 0);

before(openEditorPage);
after(closeEditorPage);

test('editor: record the squad\'s scripted play as demonstrations, save the file, load it back, and training takes both; a policy file is refused as demonstrations', async () => {
  await page.selectOption('select[name=backend]', 'wasm');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.selectOption('#pq-timescale', 'max');
  await page.getByRole('button', { name: 'Record demonstrations' }).click();
  const status = (): Promise<string> => page.locator('.pq-demos-status').innerText();
  await waitFor(status, (s) => Number(/^(\d+) rounds recorded/.exec(s)?.[1] ?? 0) >= 3, 'three recorded rounds');
  await page.getByRole('button', { name: 'Stop recording' }).click();
  const recorded = Number(/^(\d+) rounds recorded/.exec(await status())![1]);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save demonstrations' }).click();
  const download = await downloading;
  assert.equal(download.suggestedFilename(), 'gardeners.demos.json');
  const path = 'test-results/editor.demos.json';
  await download.saveAs(path);
  const file = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(file.format, 'phaser-qmix-demonstrations');
  assert.equal(file.episodes.length, recorded);
  assert.equal(file.spec.nAgents, 3);
  await page.setInputFiles('input[aria-label="load demonstration files"]', path);
  await waitFor(message, (m) => new RegExp(`Loaded editor\\.demos\\.json: ${recorded} rounds`).test(m), 'the load message');
  await page.setInputFiles('input[aria-label="load demonstration files"]', 'assets/carrot-heist/policy.json');
  await waitFor(message, (m) => /Could not load policy\.json: demonstration file: format is "phaser-qmix\/policy"/.test(m), 'the refusal');
  await page.getByRole('button', { name: 'Start' }).click();
  // The loaded file and the rounds recorded: twice the rounds, a quarter of every batch.
  await waitFor(status, (s) => s.includes(`Training on ${2 * recorded} demonstration rounds, 25% of every batch`), 'the trainer taking them');
  await waitFor(trainerSteps, (n) => n > 200, 'training');
  await page.screenshot({ path: 'test-results/editor-demos.png' });
  await page.getByRole('button', { name: 'Reset' }).click();
  assert.deepEqual(problems, []);
});
