/**
 * Builds `dist/browser/` for pages that load scripts by tag (run by `npm run
 * build` after tsc): `phaser-qmix.js` (IIFE, global `PhaserQmix`; Phaser is
 * read from the page's global `Phaser`), `phaser-qmix-worker.js` (the
 * training worker, IIFE, tfjs inside) and the tfjs WebAssembly files beside
 * it, where the worker looks for them by default. Prints the sizes (JSON) on stderr.
 *
 *   npx tsx plugin/browser/build.ts
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { WASM_FILES } from '../core/wasm-paths.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'dist/browser');

/** `import * as Phaser from 'phaser'` becomes the page's global Phaser (its own script tag). */
const phaserGlobal: Plugin = {
  name: 'phaser-global',
  setup(b) {
    b.onResolve({ filter: /^phaser$/ }, () => ({ path: 'phaser', namespace: 'phaser-global' }));
    b.onLoad({ filter: /.*/, namespace: 'phaser-global' }, () => ({
      contents: "if (typeof Phaser === 'undefined') throw new Error('phaser-qmix: load Phaser (its script tag) before phaser-qmix.js'); module.exports = Phaser;",
      loader: 'js',
    }));
  },
};

async function bundle(entry: string, outfile: string, opts: { globalName?: string; plugins?: Plugin[] }): Promise<{ bytes: number; gzip: number }> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    outfile: join(OUT, outfile),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'warning',
    ...(opts.globalName ? { globalName: opts.globalName } : {}),
    plugins: opts.plugins ?? [],
  });
  const file = result.outputFiles[0];
  mkdirSync(OUT, { recursive: true });
  writeFileSync(file.path, file.contents);
  return { bytes: file.contents.length, gzip: gzipSync(file.contents).length };
}

/** Builds the browser files; resolves with their sizes. */
export async function buildBrowser(): Promise<Record<string, { bytes: number; gzip: number }>> {
  const plugin = await bundle('plugin/browser/entry.ts', 'phaser-qmix.js', { globalName: 'PhaserQmix', plugins: [phaserGlobal] });
  const worker = await bundle('plugin/worker/worker-entry.ts', 'phaser-qmix-worker.js', {});
  const wasmDir = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
  for (const f of WASM_FILES) copyFileSync(join(wasmDir, f), join(OUT, f));
  return { 'phaser-qmix.js': plugin, 'phaser-qmix-worker.js': worker };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // On stderr: `npm pack --json` runs this (prepack) and owns stdout.
  process.stderr.write(`dist/browser: ${JSON.stringify(await buildBrowser())}\n`);
}
