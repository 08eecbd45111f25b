// The training editor, continued: where experience comes from (training
// arenas by default, the worker's own env copies) and training that
// diverges. A file of its own so that each file stays well inside the
// runner's time per file on a loaded machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { closeEditorPage, editorState, message, openEditor, openEditorPage, page, problems, server, waitFor } from '../support/editor-page.js';

before(openEditorPage);
after(closeEditorPage);

test('editor: by default the demo trains in 8 arenas of its scene, one shown; Reset removes the copies', async () => {
  await openEditor();
  assert.equal(await page.locator('#pq-source').inputValue(), 'arenas');
  await page.selectOption('select[name=backend]', 'wasm');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  type Counts = { copies: number; started: number; trainerSteps: number; shownDecisions: number; visibleCopies: number };
  const counts = (): Promise<Counts> =>
    page.evaluate(() => {
      const g = globalThis as unknown as {
        editor: { currentTrainer: { envSteps: number } | null };
        carrotHeist: { decisions: number };
        game: { scene: { getScenes(active: boolean): { sys: { settings: { key: string; visible: boolean } } }[]; getScene(k: string): { qmix: { arenas: { started: number } | null } } } };
      };
      const copies = g.game.scene.getScenes(false).filter((s) => s.sys.settings.key.startsWith('play#arena'));
      return {
        copies: copies.length,
        started: g.game.scene.getScene('play').qmix.arenas?.started ?? 0,
        trainerSteps: g.editor.currentTrainer?.envSteps ?? 0,
        shownDecisions: g.carrotHeist.decisions,
        visibleCopies: copies.filter((s) => s.sys.settings.visible).length,
      };
    });
  const c = await waitFor(counts, (v) => v.started === 7 && v.trainerSteps >= 500, 'experience from the arenas');
  assert.equal(c.copies, 7);
  assert.equal(c.visibleCopies, 0);
  // Eight arenas feed the trainer: far more env steps than the shown scene decided.
  assert.ok(c.trainerSteps > 4 * c.shownDecisions, `trainer ${c.trainerSteps} env steps, shown scene ${c.shownDecisions} decisions`);
  await page.screenshot({ path: 'test-results/editor-arenas.png' });
  // At max the worker keeps its full duty cycle (the user asked for training speed); at a fixed speed the adaptive load watches the frames.
  const load = () => page.evaluate(() => {
    const t = (globalThis as unknown as { editor: { currentTrainer: { adaptiveLoad: boolean; maxLoad: number } } }).editor.currentTrainer;
    return { adaptive: t.adaptiveLoad, load: t.maxLoad };
  });
  assert.equal((await load()).adaptive, true, 'at 1x the adaptive load is on');
  await page.selectOption('#pq-timescale', 'max');
  assert.deepEqual(await load(), { adaptive: false, load: 1 });
  await page.selectOption('#pq-timescale', '4');
  assert.equal((await load()).adaptive, true);
  await page.getByRole('button', { name: 'Reset' }).click();
  const after = await waitFor(counts, (v) => v.copies === 0, 'the copies removed');
  assert.equal(after.started, 0);
  assert.deepEqual(problems, []);
});

test('editor: the worker can train on its own env copies, its greedy tests fill "best so far"; typing in any field leaves the game alone', async () => {
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${server.url}editor.html?testEvery=1500&testEpisodes=10`);
  await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 60_000 });
  await page.selectOption('#pq-source', 'rules');
  await page.selectOption('select[name=backend]', 'wasm');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  const best = await waitFor(() => page.locator('.pq-best').innerText(), (t) => /best so far: \d+% wins \(at [\d,]+ env steps\) · current: \d+% wins over 10 greedy test rounds/.test(t), 'a greedy test in the worker');
  assert.match(best, /Export best/);
  const status = await page.locator('.pq-status').innerText();
  assert.match(status, /worker env copies, \d+ env steps\/s/);
  // The game's hotkeys (b: squad mode, p: pause overlay, v: sight squares) listen on the window.
  const game = (): Promise<{ mode: string; paused: boolean; overlay: boolean; state: string }> =>
    page.evaluate(() => {
      const g = globalThis as unknown as { editor: { state: string }; game: { scene: { getScene(k: string): { squad: { mode: string } }; isPaused(k: string): boolean; isActive(k: string): boolean } } };
      return { mode: g.game.scene.getScene('play').squad.mode, paused: g.game.scene.isPaused('play'), overlay: g.game.scene.isActive('overlay'), state: g.editor.state };
    });
  const before = await game();
  const fields = page.locator('.pq-editor input:not([type=file]), .pq-editor select');
  for (let i = 0; i < (await fields.count()); i++) {
    await fields.nth(i).focus();
    await page.keyboard.type('bpv');
  }
  // Phaser handles queued keys in its update: once the game has ticked on, any hotkey would have acted.
  const ticks = (): Promise<number> => page.evaluate(() => (globalThis as unknown as { carrotHeist: { ticks: number } }).carrotHeist.ticks);
  const ticked = await ticks();
  await waitFor(ticks, (n) => n >= ticked + 2, 'the game ticking on');
  assert.deepEqual(await game(), before, 'typing in the editor changed the game');
  assert.equal(before.state, 'running');
  assert.equal(before.paused, false);
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export best' }).click();
  assert.equal((await downloading).suggestedFilename(), 'gardeners.best.policy.json');
  await page.screenshot({ path: 'test-results/editor-rules-mode.png' });
  assert.deepEqual(problems, []);
});

test('editor: training that diverges (lr = 1) says each rollback, then stops by itself with the reason, paused, and the last good policy still exports', async () => {
  await page.evaluate(() => localStorage.clear());
  await page.goto(`${server.url}editor.html`);
  await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 60_000 });
  await page.selectOption('#pq-source', 'rules');
  await page.selectOption('select[name=backend]', 'wasm');
  await page.fill('input[name=lr]', '1');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.getByRole('button', { name: 'Start' }).click();
  const stopped = await waitFor(message, (m) => /Training stopped: training diverged 3 times in a row/.test(m), 'the divergence message');
  assert.match(stopped, /plays the last good policy/);
  await waitFor(editorState, (s) => s.state === 'paused', 'the paused editor');
  await page.screenshot({ path: 'test-results/editor-diverged.png' });
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export policy' }).click();
  const file = await (await downloading).path();
  assert.ok(file && JSON.parse(readFileSync(file, 'utf8')).format === 'phaser-qmix/policy');
  assert.deepEqual(problems, []);
});
