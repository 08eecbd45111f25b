// The learner depends on tfjs-core and its backends, not the full
// @tensorflow/tfjs: the gradients it needs are registered by '#tfjs-setup'
// (a bundled file in Node, tfjs-core's own module for bundlers).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { build } from 'esbuild';
import { buildNodeSetup, NODE_SETUP } from '../../plugin/learn/vendor/build.js';
import { tf } from '../support/tf.js';

test('the committed Node setup file is current with the installed tfjs-core', async () => {
  assert.equal(await readFile(NODE_SETUP, 'utf8'), await buildNodeSetup(), 'run npm run build:vendor');
});

test('in Node, every kernel the learner differentiates has its gradient registered, and gradients are right', () => {
  // The kernels tfjs records while the learner's loss runs (agent, mixer, targets, optimisers' inputs).
  for (const k of ['BatchMatMul', 'Add', 'AddN', 'Sub', 'Multiply', 'RealDiv', 'Relu', 'Elu', 'Abs', 'Sigmoid', 'Tanh', 'Sum', 'Mean', 'Reshape', 'Transpose', 'Concat', 'Slice', 'GatherV2', 'Square', 'Max', 'Maximum', 'Cast', 'Pack', 'Tile', 'Select', 'SquaredDifference']) {
    assert.ok(tf.getGradient(k) !== undefined, `gradient of ${k} registered`);
  }
  // d/dx sum(relu(x)^2 * w) = 2 relu(x) w (x > 0), 0 otherwise.
  const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.square(tf.relu(x)), tf.tensor1d([1, 2, 3]))))(tf.tensor1d([1, -2, 0.5])).arraySync());
  assert.deepEqual(g, [2, 0, 3]);
});

test('a browser bundle of the worker keeps the gradients and the backends (sideEffects do not drop them)', async () => {
  const out = await build({ entryPoints: ['plugin/worker/worker-entry.ts'], bundle: true, format: 'iife', platform: 'browser', write: false, logLevel: 'silent' });
  const js = out.outputFiles[0].text;
  // One gradient config per differentiable kernel: about 100 in tfjs-core 4.
  assert.ok((js.match(/gradFunc/g) ?? []).length > 90, 'the gradients are in the bundle');
  for (const backend of ['cpu', 'webgl', 'wasm']) assert.match(js, new RegExp(`registerBackend\\d*\\(\\s*"${backend}"`), `backend ${backend} registered`);
  assert.ok(!js.includes('tfjs-layers') && !js.includes('@tensorflow/tfjs-converter'), 'no layers or converter');
});
