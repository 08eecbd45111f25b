// The demo game in a real browser, served exactly as `npm start` serves it:
// it loads without console errors, a scripted player plays 30 seconds with
// the keyboard, the gardeners move and decide, and a screenshot is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { launchBrowser } from '../support/browser.js';
import { serveDemo } from '../../demo-game/server.js';
import { Rng } from '../../plugin/core/rng.js';
import type { PlayStats } from '../../demo-game/scenes/play.js';

type Stats = PlayStats;

test('demo game: loads clean, 30 s of keyboard play against the shipped squad, NPCs move and decide', async () => {
  const server = await serveDemo(0);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 960, height: 800 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(server.url);
    // The title screen waits for SPACE. (The server bundles the game on the first request: minutes on a loaded machine.)
    await page.waitForFunction(() => (globalThis as { game?: { scene: { isActive(k: string): boolean } } }).game?.scene.isActive('title') === true, undefined, { timeout: 120_000 });
    // The gardeners' level: the trained squad at full strength until the player picks another (kept across visits).
    const level = () => page.evaluate(() => ({ registry: (globalThis as unknown as { game: { registry: { get(k: string): unknown } } }).game.registry.get('difficulty'), stored: localStorage.getItem('carrot-heist:difficulty') }));
    assert.deepEqual(await level(), { registry: 'hard', stored: null });
    // As a person does, one input per game step: Phaser's keyboard replays its whole queue on each
    // key event and empties it only after a step, so two presses within one frame fire the first twice.
    const afterStep = () => page.evaluate(() => new Promise<void>((r) => (globalThis as unknown as { game: { events: { once(e: string, f: () => void): void } } }).game.events.once('poststep', () => r())));
    await page.keyboard.press('ArrowLeft');
    await afterStep();
    assert.deepEqual(await level(), { registry: 'medium', stored: 'medium' });
    // A tap on the level line changes the level (to the next, wrapping) and does not start the game.
    const line = await page.evaluate(() => {
      const g = (globalThis as unknown as { game: { canvas: HTMLCanvasElement; scale: { displayScale: { x: number; y: number } }; scene: { getScene(k: string): { children: { list: { type: string; text?: string; getBounds(): { centerX: number; centerY: number } }[] } } } } }).game;
      const text = g.scene.getScene('title').children.list.find((o) => o.type === 'Text' && (o.text ?? '').startsWith('Gardeners:'))!;
      const r = g.canvas.getBoundingClientRect();
      const b = text.getBounds();
      return { x: r.left + b.centerX / g.scale.displayScale.x, y: r.top + b.centerY / g.scale.displayScale.y };
    });
    await page.mouse.click(line.x, line.y);
    await afterStep();
    assert.deepEqual(await level(), { registry: 'hard', stored: 'hard' });
    await page.keyboard.press('ArrowLeft');
    await afterStep();
    assert.deepEqual(await level(), { registry: 'medium', stored: 'medium' });
    assert.equal(await page.evaluate(() => (globalThis as { game?: { scene: { isActive(k: string): boolean } } }).game?.scene.isActive('title')), true, 'still on the title');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/demo-title.png' });
    await page.keyboard.press('Space');
    await page.waitForFunction(() => (globalThis as { carrotHeist?: Stats }).carrotHeist !== undefined, undefined, { timeout: 10_000 });
    const squadLabel = await page.evaluate(() => (globalThis as unknown as { game: { scene: { getScene(k: string): { hud: { squad: { text: string } } } } } }).game.scene.getScene('play').hud.squad.text);
    assert.equal(squadLabel, 'trained squad · medium', 'the HUD names the level');

    const rng = new Rng(7, 'player');
    const keys = ['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'KeyW', 'KeyA', 'KeyS', 'KeyD'];
    const start = Date.now();
    let screenshotTaken = false;
    while (Date.now() - start < 30_000) {
      await page.keyboard.press(keys[rng.int(keys.length)]);
      await page.waitForTimeout(250 + rng.int(400));
      // A round ended: the result screen waits for SPACE to play again.
      if (await page.evaluate(() => (globalThis as { game?: { scene: { isActive(k: string): boolean } } }).game?.scene.isActive('overlay') === true)) {
        await page.keyboard.press('Space');
      }
      if (!screenshotTaken && Date.now() - start > 6_000) {
        await page.screenshot({ path: 'test-results/demo-game.png' });
        screenshotTaken = true;
      }
    }
    // The HUD says whether sound is on, and M flips it there and in the game's registry.
    const soundHud = () =>
      page.evaluate(() => {
        const scene = (globalThis as unknown as { game: { scene: { getScene(k: string): { hud: { sound: { text: string } }; registry: { get(k: string): unknown } } } } }).game.scene.getScene('play');
        return { text: scene.hud.sound.text, muted: scene.registry.get('muted') === true };
      });
    // Not on a result screen (the play scene is paused under it and takes no keys).
    const onResult = () => page.evaluate(() => (globalThis as { game?: { scene: { isActive(k: string): boolean } } }).game?.scene.isActive('overlay') === true);
    if (await onResult()) await page.keyboard.press('Space');
    await page.waitForFunction(() => (globalThis as unknown as { game: { scene: { isActive(k: string): boolean } } }).game.scene.isActive('play'));
    const soundBefore = await soundHud();
    await page.keyboard.press('KeyM');
    await page.waitForFunction((was) => (globalThis as unknown as { game: { scene: { getScene(k: string): { registry: { get(k: string): unknown } } } } }).game.scene.getScene('play').registry.get('muted') === !was, soundBefore.muted);
    const soundAfter = await soundHud();
    assert.equal(soundBefore.text, `sound ${soundBefore.muted ? 'off' : 'on'} (M)`);
    assert.equal(soundAfter.text, `sound ${soundAfter.muted ? 'off' : 'on'} (M)`);
    assert.notEqual(soundAfter.muted, soundBefore.muted, 'M toggles the sound');
    const stats = await page.evaluate(() => ({ ...(globalThis as unknown as { carrotHeist: Stats }).carrotHeist }));
    await page.screenshot({ path: 'test-results/demo-game-end.png' });
    // Space and the arrows never scrolled the page (an inline canvas in a 100vh box overflowed by 4 px).
    const scroll = await page.evaluate(() => ({ top: document.scrollingElement!.scrollTop, left: document.scrollingElement!.scrollLeft, height: document.scrollingElement!.scrollHeight, view: innerHeight }));
    assert.deepEqual({ top: scroll.top, left: scroll.left }, { top: 0, left: 0 }, 'the page scrolled');
    assert.ok(scroll.height <= scroll.view, `page ${scroll.height} px tall in a ${scroll.view} px window`);

    assert.deepEqual(problems, [], 'no console errors or warnings');
    assert.equal(stats.mode, 'greedy', 'the shipped policy drives the gardeners');
    // 30 s at 6 ticks/s is about 180 ticks; result screens and a slow software renderer take some.
    assert.ok(stats.ticks >= 40, `ticks played: ${stats.ticks}`);
    assert.ok(stats.decisions >= stats.ticks, `decisions ${stats.decisions} for ${stats.ticks} ticks`);
    assert.ok(stats.gardenerSteps >= stats.ticks, `the gardeners walked ${stats.gardenerSteps} steps in ${stats.ticks} ticks`);
    // Greedy play loads no learning code: no tfjs, no wasm.
    const learning = requests.filter((u) => /tfjs|tensorflow|\.wasm|worker/i.test(u));
    assert.deepEqual(learning, [], 'no learning code fetched');
    console.log(`demo game: ${JSON.stringify(stats)}; screenshots in test-results/`);
  } finally {
    await browser.close();
    await server.close();
  }
});
