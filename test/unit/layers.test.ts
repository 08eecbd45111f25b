// Imports point down only: each entry, bundled with its imports, pulls in
// exactly the layers it may (esbuild's metafile lists every module).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build } from 'esbuild';

async function modulesOf(entry: string): Promise<string[]> {
  const out = await build({ entryPoints: [entry], bundle: true, write: false, metafile: true, format: 'esm', platform: 'browser', logLevel: 'silent', external: ['node:*'] });
  return Object.keys(out.metafile.inputs);
}

const layer = (file: string) => (/^plugin\/(\w+)\//.exec(file)?.[1] ?? (file.includes('@tensorflow') ? 'tfjs' : file.includes('node_modules/phaser/') ? 'phaser-lib' : 'other'));

test('core imports nothing but core; runtime only core; learn no Phaser; the Phaser plugin no tfjs', async () => {
  const layersOf = async (entry: string) => new Set((await modulesOf(entry)).map(layer));
  assert.deepEqual([...(await layersOf('plugin/core/index.ts'))].sort(), ['core']);
  assert.deepEqual([...(await layersOf('plugin/runtime/index.ts'))].sort(), ['core', 'runtime']);
  const learn = await layersOf('plugin/learn/index.ts');
  assert.ok(!learn.has('phaser') && !learn.has('phaser-lib') && learn.has('tfjs'), [...learn].join(','));
  const phaser = await layersOf('plugin/phaser/index.ts');
  assert.ok(!phaser.has('tfjs') && !phaser.has('learn'), `the Phaser plugin pulls in: ${[...phaser].join(', ')}`);
  assert.ok(phaser.has('phaser-lib') && phaser.has('runtime'), [...phaser].join(','));
  // The training loops (pacing, rules mode) sit between learn and the worker: no Phaser; pacing itself no tfjs.
  const rules = await layersOf('plugin/train/rules-runner.ts');
  assert.ok(!rules.has('phaser') && !rules.has('phaser-lib') && !rules.has('worker') && !rules.has('editor'), `train pulls in: ${[...rules].join(', ')}`);
  assert.deepEqual([...(await layersOf('plugin/train/pacing.ts'))].sort(), ['train']);
  const client = await layersOf('plugin/worker/index.ts');
  assert.ok(!client.has('tfjs') && !client.has('learn'), `the worker client pulls in: ${[...client].join(', ')}`);
});
