/**
 * The one place the learner imports tfjs from: tfjs-core, the cpu and webgl
 * backends, and the gradients that the full `@tensorflow/tfjs` package would
 * register. Tensors have no chained methods here (`x.sum()`): call ops as
 * functions (`tf.sum(x)`), which lets a bundler drop the ops never called. The learner uses no layers,
 * converter or data APIs, so it depends on these parts alone: the training
 * worker is smaller and an install pulls in far fewer packages (numbers in
 * docs/worker.md). The wasm backend is imported where it is set up
 * (backend.ts), since it needs its `.wasm` files found.
 * @example
 * ```ts
 * import * as tf from './tf.js';
 * const y = tf.tidy(() => tf.sum(tf.square(tf.tensor([1, 2, 3]))));
 * ```
 */
export * from '@tensorflow/tfjs-core';
// After tfjs-core, so the engine it makes is the one these register into.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
// The gradients: package.json "imports" picks a file Node can load, or the plain imports for bundlers.
import '#tfjs-setup';
