// wasmPaths takes a folder prefix or a per-file map; a WebAssembly file that
// is not where it was looked for gives an error naming the file, the place
// and how to set the path. Each case runs in a fresh process (tfjs keeps the
// first backend it starts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { checkWasmPaths } from '../../plugin/core/index.js';

const start = (paths: unknown): string =>
  spawnSync(process.execPath, ['--import', 'tsx', 'test/support/wasm-paths-child.ts', JSON.stringify(paths)], { encoding: 'utf8', timeout: 120_000 }).stdout.trim().split('\n').at(-1) ?? '';

test('wasmPaths: a prefix or a per-file map; a missing file is named with where it was looked for and how to fix it', () => {
  const dist = `${resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist')}/`;
  assert.equal(start(dist), 'ok wasm');
  assert.equal(start({ 'tfjs-backend-wasm.wasm': `${dist}tfjs-backend-wasm.wasm`, 'tfjs-backend-wasm-simd.wasm': `${dist}tfjs-backend-wasm-simd.wasm`, 'tfjs-backend-wasm-threaded-simd.wasm': `${dist}tfjs-backend-wasm-threaded-simd.wasm` }), 'ok wasm');
  const missing = start('/nonexistent/');
  assert.match(missing, /^error tfjs backend "wasm" failed to initialise\. It needs (tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm), looked for at \/nonexistent\/\1\. Serve the files of node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/\*\.wasm and pass wasmPaths/);
  const mapped = start({ 'tfjs-backend-wasm-simd.wasm': '/nope/simd.wasm', 'tfjs-backend-wasm.wasm': '/nope/plain.wasm', 'tfjs-backend-wasm-threaded-simd.wasm': '/nope/threaded.wasm' });
  assert.match(mapped, /looked for at \/nope\/(simd|plain|threaded)\.wasm/);
  assert.match(start({ 'tfjs-backend-wasm-simd.wasm': '/nope/simd.wasm' }), /^error wasmPaths as a map needs a URL for each file; it lacks tfjs-backend-wasm\.wasm, tfjs-backend-wasm-threaded-simd\.wasm/);
  // Bad shapes are refused before tfjs is touched.
  assert.throws(() => checkWasmPaths({ 'tfjs.wasm': '/x' }), /wasmPaths names an unknown file "tfjs\.wasm": the files are tfjs-backend-wasm\.wasm/);
  assert.throws(() => checkWasmPaths({ 'tfjs-backend-wasm.wasm': 3 }), /must be a URL string, got 3/);
  assert.throws(() => checkWasmPaths({ 'tfjs-backend-wasm.wasm': '/a.wasm' }), /it lacks tfjs-backend-wasm-simd\.wasm/);
  assert.throws(() => checkWasmPaths(7), /wasmPaths must be a URL prefix or a map/);
});
