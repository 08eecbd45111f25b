// Real-browser test support: Debian's chromium driven by playwright-core,
// pages bundled from TypeScript by esbuild and served on localhost.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Flags for headless chromium on this machine (closed network, software GL). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

/** Launches headless chromium (CHROMIUM_PATH, else /usr/bin/chromium). */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(`browser tests need chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

/** A page served on localhost: `/` loads the bundled entry as a module. */
export interface ServedPage {
  readonly url: string;
  close(): Promise<void>;
}

/** Extra things to serve beside the page. */
export interface ServeExtras {
  /** More bundles by URL path, e.g. `{ '/worker.js': 'plugin/worker/worker-entry.ts' }`. */
  readonly bundles?: Readonly<Record<string, string>>;
  /** Static directories by URL prefix, e.g. `{ '/wasm/': 'node_modules/@tensorflow/tfjs-backend-wasm/dist/' }`. */
  readonly dirs?: Readonly<Record<string, string>>;
  /** Headers on every response, e.g. COOP/COEP for a cross-origin-isolated page. */
  readonly headers?: Readonly<Record<string, string>>;
}

async function bundle(entry: string): Promise<Uint8Array> {
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', write: false, sourcemap: 'inline', logLevel: 'silent' });
  return out.outputFiles[0].contents;
}

/** Bundles `entry` (a TS file) for the browser and serves it at a fresh localhost URL. */
export async function servePage(entry: string, extras: ServeExtras = {}): Promise<ServedPage> {
  const files = new Map<string, Uint8Array>([['/app.js', await bundle(entry)]]);
  for (const [path, file] of Object.entries(extras.bundles ?? {})) files.set(path, await bundle(file));
  const html = '<!doctype html><meta charset="utf-8"><title>phaser-qmix test</title><script type="module" src="/app.js"></script>';
  const server: Server = createServer((req, res) => {
    for (const [k, v] of Object.entries(extras.headers ?? {})) res.setHeader(k, v);
    const url = (req.url ?? '/').split('?')[0];
    const prefix = Object.keys(extras.dirs ?? {}).find((p) => url.startsWith(p));
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (files.has(url)) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(files.get(url));
    } else if (prefix && /^[\w.-]+$/.test(url.slice(prefix.length))) {
      const path = join(extras.dirs![prefix], url.slice(prefix.length));
      if (!existsSync(path)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': path.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' }).end(readFileSync(path));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

/** Opens `url` in a new page and waits until it sets `globalThis.pageReady`; `onError` hears uncaught page errors from the start. */
export async function openReadyPage(browser: Browser, url: string, onError?: (message: string) => void): Promise<Page> {
  const page = await browser.newPage();
  if (onError) page.on('pageerror', (e) => onError(e.message));
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as { pageReady?: boolean }).pageReady === true);
  return page;
}

/** A page of named scenarios (`globalThis.scenarios`), ready to run. */
export interface ScenarioPage {
  run<T = unknown>(name: string, arg?: unknown): Promise<T>;
  close(): Promise<void>;
}

/**
 * Launches chromium, serves `entry` and opens it; `run(name)` calls
 * `scenarios[name]()` in the page and fails on any uncaught page error.
 */
export async function openScenarioPage(entry: string, extras: ServeExtras = {}): Promise<ScenarioPage> {
  const browser = await launchBrowser();
  const served = await servePage(entry, extras);
  const errors: string[] = [];
  const page = await openReadyPage(browser, served.url, (message) => errors.push(message));
  return {
    async run<T>(name: string, arg?: unknown): Promise<T> {
      const result = await page.evaluate(([n, a]) => (globalThis as unknown as { scenarios: Record<string, (arg?: unknown) => Promise<unknown>> }).scenarios[n as string](a), [name, arg] as const);
      if (errors.length > 0) throw new Error(`uncaught errors in the page: ${errors.join('; ')}`);
      return result as T;
    },
    async close() {
      await browser.close();
      await served.close();
    },
  };
}
