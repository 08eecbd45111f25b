/**
 * A {@link WorkerLike} that runs the trainer host in the caller's own thread,
 * with messages delivered asynchronously as a real worker would: for Node
 * training without threads, and for tests.
 */
import type { CheckpointStore } from '../core/checkpoint-format.js';
import { useBackend } from '../learn/backend.js';
import { probeWebglRenderer } from './backend-probe.js';
import type { WorkerLike } from './client.js';
import { TrainerHost } from './host.js';

/**
 * @param store where autosaves go (survives restarts when you pass the same one)
 * @example
 * ```ts
 * const store = new MemoryCheckpointStore();
 * const trainer = new WorkerTrainer(spec, config, { createWorker: () => createInProcessWorker(store), backend: 'wasm' });
 * ```
 */
export function createInProcessWorker(store: CheckpointStore | null = null): WorkerLike {
  let alive = true;
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(message: unknown) {
      if (alive) setTimeout(() => alive && host.handle(message), 0);
    },
    terminate() {
      alive = false;
      host.stop();
    },
  };
  const host = new TrainerHost(
    (message) => {
      if (alive) setTimeout(() => alive && worker.onmessage?.({ data: message }), 0);
    },
    // The renderer probe says null in Node (no OffscreenCanvas): 'auto' then skips the WebGL trial.
    { store, useBackend: (name, wasmPaths) => useBackend(name, { wasmPaths }), probeRenderer: probeWebglRenderer },
  );
  return worker;
}
