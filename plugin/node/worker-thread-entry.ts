/** The trainer host in a Node worker thread (see {@link createThreadWorker}). */
import { parentPort, workerData } from 'node:worker_threads';
import { useBackend } from '../learn/backend.js';
import { TrainerHost } from '../worker/host.js';
import { DirCheckpointStore } from './checkpoint-store.js';
import { useKernelThreads } from './kernel-threads.js';

const port = parentPort!;
const { storeDir } = (workerData ?? {}) as { storeDir?: string };
const host = new TrainerHost((message, transfer) => port.postMessage(message, (transfer ?? []) as ArrayBuffer[]), {
  store: storeDir ? new DirCheckpointStore(storeDir) : null,
  useBackend: (name, wasmPaths) => useBackend(name, { wasmPaths }),
  // In Node a worker thread may start the helper thread itself; 'auto' takes two.
  async kernelThreads(want) {
    let note: string | undefined;
    const threads = await useKernelThreads(want === 1 ? 1 : 2, (why) => (note = why));
    return { threads, ...(note ? { note } : want === 1 ? { note: 'threads: 1 was asked for' } : {}) };
  },
});
port.on('message', (data) => host.handle(data));
