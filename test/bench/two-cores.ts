// How fast this machine's two cores run a product when both are busy,
// against one alone: the context for every two-thread number in a run.
//
// Why: on the shared VM this project is measured on, one thread's updates
// are steady while two threads' vary from run to run (16.6 to 21 ms for the
// same GRU update, an hour apart), because the cores themselves slow down
// when both are busy (host contention), one of them often more than the
// other. A run whose `slowerThread` is 0.8 gives its two-thread arms about
// 25% more time than a quiet one would.
//
// The learner's product (the GRU's recurrent step, 48 x 64 by 64 x 192) in
// its plain SIMD build runs in a loop for `ms` on this thread alone, then
// on this thread and a worker together. No learner code, no tfjs.
import { Worker } from 'node:worker_threads';
import { QMIX_WASM_BASE64 } from '../../plugin/learn/kernels/qmix-wasm.js';

/** The loop both threads run (as source, so the worker needs no module loader). */
const LOOP = `
function gemmLoop(bytes, ms) {
  const k = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
  const [M, N, K] = [48, 192, 64];
  const base = k.heapBase();
  const a = base, b = a + M * K * 4 + 64, c = b + K * N * 4 + 64, pack = c + M * N * 4 + 64;
  const end = pack + 16 * 256 * 4 + 64;
  if (end > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((end - k.memory.buffer.byteLength) / 65536));
  new Float32Array(k.memory.buffer).fill(0.5, a / 4, (c + M * N * 4) / 4);
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 50; i++) k.gemm(M, N, K, a, K, 1, b, c, false, pack);
    calls += 50;
    t = performance.now();
  }
  return (2 * M * N * K * calls) / ((t - t0) * 1e6);
}`;

// The same source on this thread as in the worker, so both run one loop.
const gemmLoop = new Function(`${LOOP}; return gemmLoop;`)() as (bytes: Uint8Array, ms: number) => number;

/** GFLOP/s of one core alone and of each of two at once, per round, and the ratio of their medians. */
export interface TwoCores {
  readonly aloneGflops: readonly number[];
  /** Per round: this thread's and the worker's. */
  readonly togetherGflops: readonly (readonly [number, number])[];
  /**
   * The slower of the two threads at once (median over rounds) over one
   * alone (median): 1 on a quiet machine with two real cores. A two-thread
   * update waits for its slower half, so its time is about half the
   * one-thread time over this.
   */
  readonly slowerThread: number;
}

/**
 * Measures {@link TwoCores}: `rounds` times, `ms` alone and then `ms` on
 * both threads at once (alternating, since the machine's state drifts).
 * @example
 * ```ts
 * const { slowerThread } = await twoCores(500, 3); // 0.8: two-thread timings in this run are 25% slower than on a quiet machine
 * ```
 */
export async function twoCores(ms = 500, rounds = 3): Promise<TwoCores> {
  const bytes = Uint8Array.from(Buffer.from(QMIX_WASM_BASE64, 'base64'));
  gemmLoop(bytes, 200); // warm up (tier-up of the wasm)
  const worker = new Worker(`const { parentPort, workerData } = require('node:worker_threads'); ${LOOP}
parentPort.on('message', () => parentPort.postMessage(gemmLoop(workerData.bytes, workerData.ms)));
gemmLoop(workerData.bytes, 200); parentPort.postMessage('ready');`, { eval: true, workerData: { bytes, ms } });
  const next = () =>
    new Promise<number>((resolve, reject) => {
      worker.once('message', (m: number) => resolve(m));
      worker.once('error', reject);
    });
  try {
    await next();
    const r = (x: number) => +x.toFixed(1);
    const alone: number[] = [];
    const together: [number, number][] = [];
    for (let i = 0; i < rounds; i++) {
      alone.push(r(gemmLoop(bytes, ms)));
      const theirs = next();
      worker.postMessage('go');
      const mine = gemmLoop(bytes, ms);
      together.push([r(mine), r(await theirs)]);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
    return { aloneGflops: alone, togetherGflops: together, slowerThread: +(median(together.map((p) => Math.min(...p))) / median(alone)).toFixed(3) };
  } finally {
    await worker.terminate();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await twoCores(Number(process.argv[2]) || 500, Number(process.argv[3]) || 3)));
