// Temporary: editor rates at max with the adaptive load on or off.
import { serveDemo } from '../../demo-game/server.js';
import { launchBrowser } from '../support/browser.js';
const mode = process.argv[2] ?? 'on';
const server = await serveDemo(0);
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
page.on('pageerror', (e) => console.error('pageerror', e.message));
await page.goto(`${server.url}editor.html`);
await page.waitForFunction(() => (globalThis as { editor?: unknown }).editor !== undefined, undefined, { timeout: 120_000 });
await page.selectOption('#pq-timescale', 'max');
await page.getByRole('button', { name: 'Start' }).click();
await page.waitForFunction(() => (globalThis as any).editor.currentTrainer !== null);
if (mode === 'off') await page.evaluate(() => (globalThis as any).editor.currentTrainer.setAdaptiveLoad(false));
const read = () => page.evaluate(() => { const t = (globalThis as any).editor.currentTrainer; return { t: performance.now(), env: t.metrics?.envSteps ?? 0, upd: t.metrics?.updates ?? 0, load: t.maxLoad, adaptive: t.adaptiveLoad }; });
await page.waitForTimeout(25_000);
for (let k = 0; k < 3; k++) {
  const a = await read();
  await page.waitForTimeout(15_000);
  const b = await read();
  const s = (b.t - a.t) / 1000;
  console.log(JSON.stringify({ mode, envPerSec: +((b.env - a.env) / s).toFixed(1), updPerSec: +((b.upd - a.upd) / s).toFixed(2), load: b.load, adaptive: b.adaptive, env: b.env }));
}
await browser.close();
await server.close();
