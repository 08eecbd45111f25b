// Builds the game into dist/: the game bundle, the worker bundle (its own
// file: a worker is a separate script) and the tfjs .wasm files in dist/wasm/.
//   node build.mjs   then serve dist/ with any static server
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const common = { bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/game.js' });
await build({ ...common, entryPoints: ['src/qmix-worker.ts'], outfile: 'dist/qmix-worker.js' });
copyFileSync('index.html', 'dist/index.html');
// The .wasm files of the backend phaser-qmix trains on (found from where the package installed it).
const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
mkdirSync('dist/wasm', { recursive: true });
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) copyFileSync(join(wasmDir, f), join('dist/wasm', f));
console.log('built dist/');
