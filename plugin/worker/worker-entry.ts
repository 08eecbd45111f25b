/**
 * The script of the browser training worker. Bundle it as its own file and
 * start it with `new Worker(url, { type: 'module' })`, then hand
 * `() => new Worker(...)` to a WorkerTrainer as `createWorker`.
 */
import { useBackend } from '../learn/backend.js';
import { IdbChoiceStore, probeWebglRenderer } from './backend-probe.js';
import { IdbCheckpointStore } from './checkpoint-idb.js';
import { TrainerHost } from './host.js';
import { watchWebglContext } from './webgl-context.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
};
let contextLost: (() => void) | null = null;

const host = new TrainerHost((message, transfer) => scope.postMessage(message, transfer ?? []), {
  store: typeof indexedDB === 'undefined' ? null : new IdbCheckpointStore('phaser-qmix'),
  async useBackend(name, wasmPaths) {
    await useBackend(name, { wasmPaths });
    if (name === 'webgl') watchWebglContext(() => contextLost?.());
  },
  onContextLost(listener) {
    contextLost = listener;
  },
  // For 'auto': a software renderer means no WebGL trial; trial results are remembered per device.
  probeRenderer: probeWebglRenderer,
  choiceStore: typeof indexedDB === 'undefined' ? null : new IdbChoiceStore(),
});

scope.onmessage = (e) => host.handle(e.data);
