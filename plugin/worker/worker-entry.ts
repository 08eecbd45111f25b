/**
 * The script of the browser training worker. Bundle it as its own file and
 * start it with `new Worker(url, { type: 'module' })`, then hand
 * `() => new Worker(...)` to a WorkerTrainer as `createWorker`.
 *
 * The same script is the kernels' helper thread: in a cross-origin-isolated
 * page the worker starts a second copy of itself under the name
 * {@link HELPER_NAME}, which only serves kernel jobs (no extra file for
 * bundlers to know about).
 */
import { useBackend } from '../learn/backend.js';
import { ChannelHelper, kernelChannelsPossible, makeKernelChannel, serveKernelChannel, type KernelChannelBuffers } from '../learn/kernel-channel.js';
import { kernelHelper, setKernelHelper } from '../learn/kernel-threads.js';
import { wasmKernel } from '../learn/wasm-kernel.js';
import { IdbChoiceStore, probeWebglRenderer } from './backend-probe.js';
import { IdbCheckpointStore } from './checkpoint-idb.js';
import { TrainerHost } from './host.js';
import { watchWebglContext } from './webgl-context.js';

const scope = globalThis as unknown as {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  name?: string;
  location?: { href: string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
};
let contextLost: (() => void) | null = null;

/** The name the helper copy of this script runs under. */
export const HELPER_NAME = 'phaser-qmix-kernel-helper';

/** How long a helper may take to start before training goes on with one thread (ms). */
const HELPER_START_MS = 20_000;

/** Starts (or stops) the helper copy of this worker; see HostOptions.threads. */
async function kernelThreads(want: 1 | 2 | 'auto'): Promise<{ threads: 1 | 2; note?: string }> {
  if (want === 1) {
    setKernelHelper(null);
    return { threads: 1, note: 'threads: 1 was asked for' };
  }
  if (kernelHelper()?.ready) return { threads: 2 };
  if (!scope.crossOriginIsolated) return { threads: 1, note: 'the page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so there is no SharedArrayBuffer' };
  if (!kernelChannelsPossible()) return { threads: 1, note: 'this browser has no growable SharedArrayBuffer' };
  if (!wasmKernel()) return { threads: 1, note: 'this browser has no WebAssembly SIMD' };
  const cores = scope.navigator?.hardwareConcurrency ?? 0;
  if (want === 'auto' && cores < 4) return { threads: 1, note: `auto: ${cores} cores, and the game needs one (threads: 2 asks for the helper anyway)` };
  const buffers = makeKernelChannel();
  const helper = new Worker(scope.location!.href, { type: 'module', name: HELPER_NAME });
  const started = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(`the helper thread did not start within ${HELPER_START_MS} ms`), HELPER_START_MS);
    helper.onmessage = (e) => {
      clearTimeout(timer);
      resolve(e.data === 'serving' ? null : `the helper thread said ${String(e.data)}`);
    };
    helper.onerror = (e) => {
      clearTimeout(timer);
      resolve(`the helper thread failed: ${e.message ?? 'unknown error'}`);
    };
    helper.postMessage({ buffers });
  });
  if (started !== null) {
    helper.terminate();
    return { threads: 1, note: started };
  }
  setKernelHelper(new ChannelHelper(buffers, () => helper.terminate()));
  return { threads: 2 };
}

if (scope.name === HELPER_NAME) {
  // The helper: take the channel, say so, then serve jobs (this blocks the thread, which does nothing else).
  scope.onmessage = (e) => {
    const { buffers } = e.data as { buffers: KernelChannelBuffers };
    serveKernelChannel(buffers, () => scope.postMessage('serving'));
  };
} else {
  startHost();
}

function startHost(): void {
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
    kernelThreads,
  });

  scope.onmessage = (e) => host.handle(e.data);
}
