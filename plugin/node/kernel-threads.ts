/**
 * Two threads for the learner's updates in Node: a worker_threads helper
 * that runs the kernel on half of each batch's rows (see
 * learn/kernel-threads.ts). On by default in `train()` and the CLI.
 */
import { Worker } from 'node:worker_threads';
import { ChannelHelper, kernelChannelsPossible, makeKernelChannel } from '../learn/kernel-channel.js';
import { kernelHelper, kernelThreads, setKernelHelper } from '../learn/kernel-threads.js';
import { wasmKernel } from '../learn/wasm-kernel.js';

let starting: Promise<1 | 2> | null = null;
/**
 * A helper set aside by `useKernelThreads(1, { keep: true })`: its thread
 * stays warm (its WebAssembly already optimised) for the next
 * `useKernelThreads(2)`, as the bench's alternating blocks need.
 */
let parked: ChannelHelper | null = null;

/**
 * Runs the learner's kernels on `threads` threads: 2 starts a helper thread
 * (once; later calls reuse it), 1 stops it (or, with `keep`, sets it aside
 * for the next call with 2). Resolves to the threads in use
 * once the helper serves: 1 where SharedArrayBuffer or WebAssembly SIMD is
 * missing, or the thread failed to start (the reason goes to `onFallback`).
 * @example
 * ```ts
 * await useKernelThreads(2); // every update from now on splits its rows with a helper thread
 * ```
 */
export function useKernelThreads(threads: 1 | 2, onFallback?: (why: string) => void, opts: { readonly keep?: boolean } = {}): Promise<1 | 2> {
  if (threads === 1) {
    const current = kernelHelper();
    if (opts.keep && current instanceof ChannelHelper && current.ready) parked = current;
    setKernelHelper(null, { closeOld: !opts.keep });
    if (!opts.keep && parked) {
      parked.close();
      parked = null;
    }
    starting = null;
    return Promise.resolve(1);
  }
  if (kernelHelper()?.ready) return Promise.resolve(2);
  if (parked?.ready) {
    setKernelHelper(parked);
    parked = null;
    return Promise.resolve(2);
  }
  if (starting) return starting;
  const why = !kernelChannelsPossible() ? 'no growable SharedArrayBuffer here' : !wasmKernel() ? 'no WebAssembly SIMD here' : null;
  if (why) {
    onFallback?.(why);
    return Promise.resolve(1);
  }
  const promise: Promise<1 | 2> = new Promise<1 | 2>((resolve) => {
    const buffers = makeKernelChannel();
    // Run the .ts entry under tsx in development, the compiled .js when installed.
    const ts = import.meta.url.endsWith('.ts');
    const entry = new URL(`./kernel-thread-entry.${ts ? 'ts' : 'js'}`, import.meta.url);
    const thread = ts
      ? new Worker(new URL(`data:text/javascript,${encodeURIComponent(`const { register } = await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}); register(); await import(${JSON.stringify(entry.href)});`)}`), { workerData: { buffers } })
      : new Worker(entry, { workerData: { buffers } });
    // The helper never keeps the process alive.
    thread.unref();
    let closing = false;
    const helper = new ChannelHelper(buffers, () => {
      closing = true;
      void thread.terminate();
    });
    const fail = (message: string) => {
      if (kernelHelper() === helper) setKernelHelper(null);
      if (starting === promise) starting = null;
      onFallback?.(message);
      resolve(1);
    };
    thread.once('message', (m: unknown) => {
      if (m === 'serving') {
        setKernelHelper(helper);
        resolve(2);
      }
    });
    thread.once('error', (e) => fail(`the kernel helper thread failed: ${e.message}`));
    thread.once('exit', (code) => {
      if (kernelHelper() === helper) setKernelHelper(null);
      if (!closing) fail(`the kernel helper thread exited with code ${code}`);
    });
  });
  // Only a start still under way is shared; once settled, the helper's own state (ready) decides.
  starting = promise;
  void promise.then(() => {
    if (starting === promise) starting = null;
  });
  return promise;
}

export { kernelThreads };
