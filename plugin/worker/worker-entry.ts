/**
 * The script of the browser training worker. Bundle it as its own file and
 * start it with `new Worker(url, { type: 'module' })`, then hand
 * `() => new Worker(...)` to a WorkerTrainer as `createWorker`.
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../learn/backend.js';
import { IdbCheckpointStore } from './checkpoint-idb.js';
import { TrainerHost } from './host.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
};
let contextLost: (() => void) | null = null;

const host = new TrainerHost((message, transfer) => scope.postMessage(message, transfer ?? []), {
  store: typeof indexedDB === 'undefined' ? null : new IdbCheckpointStore('phaser-qmix'),
  async useBackend(name, wasmPaths) {
    await useBackend(name, { wasmPaths });
    if (name === 'webgl') watchContext();
  },
  onContextLost(listener) {
    contextLost = listener;
  },
});

/** Listens for the loss of the WebGL context of tfjs's OffscreenCanvas. */
function watchContext(): void {
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: { canvas?: EventTarget } } };
  backend.gpgpu?.gl?.canvas?.addEventListener?.('webglcontextlost', (e) => {
    e.preventDefault();
    contextLost?.();
  });
}

scope.onmessage = (e) => host.handle(e.data);
