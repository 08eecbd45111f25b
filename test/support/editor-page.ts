// The editor page of the demo server in Chromium, shared by the editor test
// files: one server, browser and page per file, and the helpers they use.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { serveDemo } from '../../demo-game/server.js';

export let server: { url: string; close(): Promise<void> };
let browser: Browser;
export let page: Page;
/** Errors the page threw. */
export const problems: string[] = [];

type EditorView = { state: string; chartPoints: Record<string, number>; currentTrainer: { envSteps: number } | null };
/** The editor's phase, chart point counts, the trainer's env steps and the squad's mode. */
export const editorState = (): Promise<{ state: string; points: Record<string, number>; envSteps: number; mode: string }> =>
  page.evaluate(() => {
    const g = globalThis as unknown as { editor: EditorView; game: { scene: { getScene(k: string): { squad: { mode: string } } } } };
    return { state: g.editor.state, points: g.editor.chartPoints, envSteps: g.editor.currentTrainer?.envSteps ?? 0, mode: g.game.scene.getScene('play').squad.mode };
  });
/** The editor's message line. */
export const message = (): Promise<string> => page.locator('.pq-message').innerText();
/** The epsilon chart's points before `steps` env steps (what a checkpoint at `steps` brings back). */
export const epsilonBefore = (steps: number): Promise<{ xs: number[]; ys: (number | null)[][] }> =>
  page.evaluate((n) => {
    const e = (globalThis as unknown as { editor: { chartData: Record<string, { xs: number[]; ys: (number | null)[][] }> } }).editor.chartData.epsilon;
    const k = e.xs.filter((x) => x < n).length;
    return { xs: e.xs.slice(0, k), ys: e.ys.map((y) => y.slice(0, k)) };
  }, steps);

/** Opens the editor page; unless `keepSettings`, with the settings a previous test applied forgotten (the editor keeps them across reloads). */
export async function openEditor(keepSettings = false): Promise<void> {
  // The charts' histories (kept with the checkpoints, which also survive) stay.
  if (!keepSettings && page.url().startsWith(server.url)) await page.evaluate(() => Object.keys(localStorage).filter((k) => !k.includes(':charts:')).forEach((k) => localStorage.removeItem(k)));
  await page.goto(`${server.url}editor.html`);
  await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 60_000 });
}

/** Polls `read` until `ok`: events, not fixed times (a loaded machine only makes it slower). */
export async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 240_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await page.waitForTimeout(250);
  }
}

/** Starts the demo server and a browser page on the editor (a `before` hook). */
export async function openEditorPage(): Promise<void> {
  mkdirSync('test-results', { recursive: true });
  server = await serveDemo(0);
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(e.message));
  await openEditor();
}

/** Closes them (an `after` hook). */
export async function closeEditorPage(): Promise<void> {
  await browser?.close();
  await server?.close();
}
