// Real-browser test support: Debian's chromium driven by playwright-core,
// pages bundled from TypeScript by esbuild and served on localhost.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

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

/** Bundles `entry` (a TS file) for the browser and serves it at a fresh localhost URL. */
export async function servePage(entry: string): Promise<ServedPage> {
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', write: false, sourcemap: 'inline', logLevel: 'silent' });
  const js = out.outputFiles[0].contents;
  const html = '<!doctype html><meta charset="utf-8"><title>phaser-qmix test</title><script type="module" src="/app.js"></script>';
  const server: Server = createServer((req, res) => {
    if (req.url === '/' || req.url?.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    } else if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}
