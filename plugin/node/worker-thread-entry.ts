/** The trainer host in a Node worker thread (see {@link createThreadWorker}). */
import { parentPort, workerData } from 'node:worker_threads';
import { useBackend } from '../learn/backend.js';
import { TrainerHost } from '../worker/host.js';
import { DirCheckpointStore } from './checkpoint-store.js';

const port = parentPort!;
const { storeDir } = (workerData ?? {}) as { storeDir?: string };
const host = new TrainerHost((message, transfer) => port.postMessage(message, (transfer ?? []) as ArrayBuffer[]), {
  store: storeDir ? new DirCheckpointStore(storeDir) : null,
  useBackend: (name, wasmPaths) => useBackend(name, { wasmPaths }),
});
port.on('message', (data) => host.handle(data));
