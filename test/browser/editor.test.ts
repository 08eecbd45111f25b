// The training editor in a real browser, on the page `npm start` serves at
// /editor.html: training starts and charts fill, pause stops them; a bad
// hyperparameter is refused with a message; a policy goes out and back in
// and ships; a checkpoint survives a reload and training continues from its
// step count. Screenshots go to test-results/. (Experience sources and
// divergence: editor-sources.test.ts; demonstrations: editor-demos.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { PRESETS } from '../../plugin/core/index.js';
import { closeEditorPage, editorState, epsilonBefore, message, openEditor, openEditorPage, page, problems, waitFor } from '../support/editor-page.js';

before(openEditorPage);
after(closeEditorPage);

test('editor: start training, the charts receive points, pause stops them', async () => {
  // Today's path: experience from the scene, at a fixed time scale (rules mode has its own test below).
  await page.selectOption('#pq-source', 'scene');
  await page.selectOption('select[name=backend]', 'wasm');
  await page.fill('input[name=batchSize]', '4'); // updates after 4 episodes: a short test
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  await page.selectOption('#pq-timescale', '8');
  const box = (): Promise<unknown> => page.evaluate(() => [...document.querySelectorAll('.pq-section')].map((e) => { const r = e.getBoundingClientRect(); return [r.top + window.scrollY, r.height]; }));
  await waitFor(editorState, (s) => s.points.epsilon >= 1, 'the first metrics');
  const layoutBefore = await box();
  const running = await waitFor(editorState, (s) => s.points.returns >= 2 && s.points.loss >= 1, 'training points');
  assert.deepEqual(await box(), layoutBefore, 'no layout jumps while the charts fill');
  assert.equal(running.state, 'running');
  assert.equal(running.mode, 'train');
  // Inside the squad: each NPC's chosen action and Q-values over its sprite, and the mixer's credit.
  await page.check('#pq-show-q');
  const labels = await waitFor(() => page.locator('.pq-npc:visible').allInnerTexts(), (t) => t.length === 3, 'the NPC labels');
  // "NPC 0: up  s 0.12 u[0.40] d 0.01 l -0.20 r 0.30": which NPC, its action, every action's Q-value by initial.
  for (const t of labels) assert.match(t, /^NPC \d: (stay|up|down|left|right) +([sudlr](\[-?\d+\.\d\d\]| -?\d+\.\d\d) ?){5}$/);
  const credit = await waitFor(() => page.locator('.pq-credit .pq-value').allInnerTexts(), (t) => t.every((v) => /^\d+\.\d{3}$/.test(v)), 'the credit bars');
  assert.equal(credit.length, 3);
  await page.screenshot({ path: 'test-results/editor-training.png' });
  await page.getByRole('button', { name: 'Pause' }).click();
  // Phaser pauses the scene at its next step: wait for that before counting.
  await waitFor(() => page.evaluate(() => (globalThis as unknown as { game: { scene: { isPaused(k: string): boolean } } }).game.scene.isPaused('play')), (p) => p, 'the paused scene');
  const paused = await editorState();
  await page.waitForTimeout(3000);
  const later = await editorState();
  assert.equal(later.state, 'paused');
  assert.deepEqual(later.points, paused.points, 'no new points while paused');
  assert.equal(later.envSteps, paused.envSteps);
  await page.getByRole('button', { name: 'Resume' }).click();
  await waitFor(editorState, (s) => s.points.epsilon > later.points.epsilon, 'points after resuming');
  assert.deepEqual(problems, []);
});

test('editor: a bad hyperparameter is refused with a message; a good one is taken', async () => {
  await page.fill('input[name=lr]', '-0.5');
  await page.getByRole('button', { name: 'Apply' }).click();
  assert.match(await page.locator('.pq-settings .pq-error').innerText(), /lr.*-0\.5/);
  await page.fill('input[name=lr]', '0.0003');
  await page.getByRole('button', { name: 'Apply' }).click();
  assert.equal(await page.locator('.pq-settings .pq-error').innerText(), '');
  assert.match(await message(), /Settings saved/);
  // A preset fills the fields with its values (not applied until Apply).
  assert.equal(await page.locator('select[name=preset]').inputValue(), 'game'); // the demo keeps the defaults
  await page.selectOption('select[name=preset]', 'pymarl2');
  assert.equal(await page.locator('input[name=tdLambda]').inputValue(), '0.6');
  assert.equal(await page.locator('input[name=batchSize]').inputValue(), '128');
  await page.selectOption('select[name=preset]', 'pymarl');
  assert.equal(await page.locator('input[name=tdLambda]').inputValue(), String(PRESETS.pymarl.tdLambda));
  await page.screenshot({ path: 'test-results/editor-settings.png' });
  // Applied, a preset switch also sets what the form does not show (the optimizer, the mixer's start).
  const applied = (): Promise<Record<string, unknown>> => page.evaluate(() => ({ ...(globalThis as unknown as { editor: { config: Record<string, unknown> } }).editor.config }));
  await page.getByRole('button', { name: 'Apply' }).click();
  let c = await applied();
  assert.deepEqual([c.preset, c.optimizer, c.mixerInit, c.lr], ['pymarl', 'rmsprop', 'torch', PRESETS.pymarl.lr]);
  await page.selectOption('select[name=preset]', 'game');
  await page.getByRole('button', { name: 'Apply' }).click();
  c = await applied();
  assert.deepEqual([c.preset, c.optimizer, c.mixerInit, c.targetUpdateInterval], ['game', PRESETS.game.optimizer, PRESETS.game.mixerInit, PRESETS.game.targetUpdateInterval]);
});

test('editor: export a policy, import it again, ship it (greedy), back to training; a broken file is refused readably', async () => {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export policy' }).click();
  const download = await downloading;
  const path = 'test-results/editor-exported.policy.json';
  await download.saveAs(path);
  const exported = JSON.parse(readFileSync(path, 'utf8'));
  assert.equal(exported.training.algorithm, 'qmix');
  assert.equal(exported.training.preset, 'game');
  await page.setInputFiles('input[aria-label="import a policy file"]', path);
  await waitFor(message, (m) => /Imported a qmix policy/.test(m), 'the import message');
  await page.getByRole('button', { name: 'Ship', exact: true }).click();
  await waitFor(editorState, (s) => s.mode === 'greedy', 'greedy play');
  // Greedy play has no mixer: the credit bars say so instead of keeping training values.
  await waitFor(() => page.locator('.pq-credit-note').innerText(), (t) => /greedy play: no mixer/.test(t), 'the credit note');
  assert.deepEqual(await page.locator('.pq-credit .pq-value').allInnerTexts(), ['-', '-', '-']);
  await page.waitForTimeout(1000);
  await page.screenshot({ path: 'test-results/editor-shipped.png' });
  await page.getByRole('button', { name: 'Back to training' }).click();
  await waitFor(editorState, (s) => s.mode === 'train', 'training again');
  const broken = 'test-results/broken.policy.json';
  writeFileSync(broken, JSON.stringify({ ...exported, checksum: 'cyrb53:00000000000000' }));
  await page.setInputFiles('input[aria-label="import a policy file"]', broken);
  await waitFor(message, (m) => /refused: .*checksum/i.test(m), 'the refusal');
  assert.deepEqual(problems, []);
});

test('editor: save a checkpoint, reload the page, load it: training continues from the same step count', async () => {
  await page.fill('input[name=checkpoint]', 'before-reload');
  await page.getByRole('button', { name: 'Save checkpoint' }).click();
  const saved = await waitFor(message, (m) => /Saved "before-reload" at \d+ updates, \d+ env steps/.test(m), 'the save');
  const steps = Number(/(\d+) env steps/.exec(saved)![1]);
  const chartedAtSave = await epsilonBefore(steps);
  assert.ok(chartedAtSave.xs.length >= 2 && chartedAtSave.xs.length <= 400, `epsilon points before the checkpoint: ${chartedAtSave.xs.length}`);
  // What the worker's periodic autosave writes, made now so the reload below must offer it.
  await page.evaluate(() => (globalThis as unknown as { editor: { saveCheckpoint(n: string): Promise<void> } }).editor.saveCheckpoint('editor-autosave'));
  await openEditor();
  await page.getByRole('button', { name: 'Resume it' }).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.pq-banner').innerText(), /An autosave from .* \(\d+ env steps\) is here/);
  await page.getByRole('button', { name: 'Dismiss' }).click();
  const load = page.getByRole('button', { name: 'Load checkpoint before-reload' });
  await load.waitFor({ timeout: 30_000 });
  await page.selectOption('select[name=backend]', 'wasm');
  await page.selectOption('#pq-source', 'scene'); // the checkpoint was trained from the scene
  await page.fill('input[name=batchSize]', '4'); // the checkpoint's config (restoring checks it); the page's other defaults
  await page.getByRole('button', { name: 'Apply' }).click();
  // Training from scratch first, so the charts hold a run the checkpoint replaces.
  await page.getByRole('button', { name: 'Start' }).click();
  const fresh = await waitFor(editorState, (s) => s.points.epsilon >= 4, 'a fresh run charted');
  await load.click();
  const loaded = await waitFor(message, (m) => /Loaded "before-reload"/.test(m), 'the load');
  // The fresh run's points are gone; the checkpoint's own history (kept across the reload) is back.
  assert.ok(fresh.points.epsilon >= 4);
  assert.deepEqual(await epsilonBefore(steps), chartedAtSave, 'the charts show the checkpoint\'s history up to its step count');
  assert.match(loaded, new RegExp(`${steps} env steps`));
  const after = await editorState();
  assert.ok(after.envSteps >= steps, `env steps ${after.envSteps} after loading a checkpoint at ${steps}`);
  await page.selectOption('#pq-timescale', '8');
  await waitFor(editorState, (s) => s.envSteps > steps + 50, 'training past the checkpoint');
  await page.screenshot({ path: 'test-results/editor-reloaded.png' });
  assert.deepEqual(problems, []);
});

test('editor: settings, speed and source survive a reload; resuming the autosave after a settings change trains on with the autosave\'s own settings', async () => {
  await openEditor();
  await page.selectOption('#pq-source', 'scene');
  await page.selectOption('select[name=backend]', 'wasm');
  await page.fill('input[name=batchSize]', '4');
  await page.fill('input[name=lr]', '0.0007');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.selectOption('#pq-timescale', '8');
  await page.getByRole('button', { name: 'Start' }).click();
  await waitFor(() => page.evaluate(() => (globalThis as unknown as { editor: { currentTrainer: { metrics: { updates: number } | null } | null } }).editor.currentTrainer?.metrics?.updates ?? 0), (u) => u >= 3, 'updates');
  await page.evaluate(() => (globalThis as unknown as { editor: { saveCheckpoint(n: string): Promise<void> } }).editor.saveCheckpoint('editor-autosave'));
  const saved = await waitFor(message, (m) => /Saved "editor-autosave" at \d+ updates, \d+ env steps/.test(m), 'the autosave');
  const steps = Number(/(\d+) env steps/.exec(saved)![1]);
  const chartedAtSave = await epsilonBefore(steps);
  assert.ok(chartedAtSave.xs.length >= 2, `epsilon points before the autosave: ${chartedAtSave.xs.length}`);
  await openEditor(true);
  // A string: tsx would wrap a named function in a helper the page does not have.
  const form = (): Promise<Record<string, string>> =>
    page.evaluate(`(() => {
      const v = (sel) => document.querySelector(sel).value;
      return { lr: v('input[name=lr]'), batchSize: v('input[name=batchSize]'), backend: v('select[name=backend]'), speed: v('#pq-timescale'), source: v('#pq-source') };
    })()`);
  assert.deepEqual(await form(), { lr: '0.0007', batchSize: '4', backend: 'wasm', speed: '8', source: 'scene' }, 'the settings came back after the reload');
  // A setting changed after the autosave: resuming uses the autosave's own.
  await page.fill('input[name=lr]', '0.002');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('button', { name: 'Resume it' }).click();
  await waitFor(message, (m) => /resumed from the autosave, with its own settings/.test(m), 'the resume');
  assert.equal((await form()).lr, '0.0007', 'the form shows the autosave\'s settings');
  await waitFor(() => epsilonBefore(steps), (c) => c.xs.length > 0, 'the charts back');
  assert.deepEqual(await epsilonBefore(steps), chartedAtSave, 'the charts show the autosave\'s history');
  const resumed = await waitFor(editorState, (s) => s.envSteps > steps, 'training past the autosave');
  assert.ok(resumed.envSteps > steps);
  assert.doesNotMatch(await message(), /could not resume/);
  assert.deepEqual(problems, []);
  await page.getByRole('button', { name: 'Reset' }).click();
});

test('editor: an empty field is named as empty; the status follows a mode change the game makes; Enter on the drop zone chooses a file', async () => {
  await page.fill('input[name=lr]', '');
  await page.getByRole('button', { name: 'Apply' }).click();
  assert.match(await page.locator('.pq-settings .pq-error').innerText(), /learning rate \(lr\) is empty/);
  await page.fill('input[name=lr]', '0.00025');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.evaluate(() => (globalThis as unknown as { game: { scene: { getScene(k: string): { squad: { setMode(m: string): void } } } } }).game.scene.getScene('play').squad.setMode('heuristic'));
  await waitFor(() => page.locator('.pq-status').innerText(), (t) => /heuristic/.test(t), 'the status naming the new mode');
  // The drop zone takes focus: Enter opens the file chooser.
  const choosing = page.waitForEvent('filechooser', { timeout: 10_000 });
  await page.locator('.pq-drop').focus();
  await page.keyboard.press('Enter');
  await choosing;
});

test('editor: no sideways scroll at 800, 1024 and 1280 px; chart legends inside their boxes; and what a win is', async () => {
  for (const width of [1280, 1024, 800]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(200);
    const scroll = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll.scroll <= scroll.client, `${width} px: ${scroll.scroll} px wide content in ${scroll.client}`);
    await page.screenshot({ path: `test-results/editor-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  const clipped = await page.evaluate(() =>
    [...document.querySelectorAll('.pq-chart')].flatMap((fig) => {
      const box = fig.getBoundingClientRect();
      const legend = fig.querySelector('.u-legend');
      if (!legend) return [];
      const r = legend.getBoundingClientRect();
      return r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5 ? [`${fig.getAttribute('aria-label')}: legend to ${r.bottom.toFixed(0)} in a box to ${box.bottom.toFixed(0)}`] : [];
    }),
  );
  assert.deepEqual(clipped, []);
  assert.match(await page.locator('.pq-win-meaning').innerText(), /A win: the gardeners catch the rabbit/);
});
