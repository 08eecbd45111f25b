/**
 * The training worker as a Node worker thread, behind the same
 * {@link WorkerLike} shape a browser Worker has.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerLike } from '../worker/client.js';

/**
 * @param storeDir directory for autosaves (a {@link DirCheckpointStore}); none when omitted
 * @example
 * ```ts
 * const trainer = new WorkerTrainer(spec, config, { createWorker: () => createThreadWorker('runs/guards'), backend: 'wasm' });
 * ```
 */
export function createThreadWorker(storeDir?: string): WorkerLike {
  // Run the .ts entry under tsx in development, the compiled .js when installed.
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(`./worker-thread-entry.${ts ? 'ts' : 'js'}`, import.meta.url);
  // From TypeScript sources (development, tests) the thread registers tsx first.
  const thread = ts
    ? new Worker(new URL(`data:text/javascript,${encodeURIComponent(`const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(entry.href)});`)}`), { workerData: { storeDir } })
    : new Worker(entry, { workerData: { storeDir } });
  let terminated = false;
  const like: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage(message, transfer) {
      thread.postMessage(message, (transfer ?? []) as ArrayBuffer[]);
    },
    terminate() {
      terminated = true;
      void thread.terminate();
    },
  };
  thread.on('message', (data) => like.onmessage?.({ data }));
  thread.on('error', (e) => like.onerror?.({ message: e.message }));
  thread.on('exit', (code) => {
    if (!terminated) like.onerror?.({ message: `the worker thread exited with code ${code}` });
  });
  return like;
}
