/**
 * How the learner's thread and its kernel helper thread talk: shared memory
 * and Atomics, no messages, so the learner can hand a share of an op over and
 * block for the result inside a synchronous update (Node's main thread and
 * workers may block; a page's main thread may not, and never trains).
 *
 * Three SharedArrayBuffers: a control block (state, sizes), the job as JSON
 * bytes, and the data (inputs, then the outputs written over them), which
 * grows as batches need.
 */
import { runKernelJob } from './kernel-jobs.js';
import type { KernelHelper, KernelJob } from './kernel-threads.js';

/** The shared buffers of one channel (sent to the helper thread when it starts). */
export interface KernelChannelBuffers {
  readonly control: SharedArrayBuffer;
  readonly job: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
}

// control[STATE]: what the channel is doing.
const STATE = 0;
const IDLE = 0;
const READY = 1;
const DONE = 2;
const FAILED = 3;
const QUIT = 4;
// control[JOB_BYTES], then input count and lengths, output count and lengths.
const JOB_BYTES = 1;
/** Set to 1 by the helper once it serves jobs. */
const SERVING = 63;
/** 1 from wake() to rest(): an update is under way and more jobs are coming. */
const ACTIVE = 62;
const INPUTS = 2; // count at 2, lengths from 3
const OUTPUTS = 32; // count at 32, lengths from 33
const MAX_ARRAYS = 28;
const JOB_CAPACITY = 8192;
/** How long the learner waits for one job before it takes the helper for dead (ms). */
const HELPER_DEADLINE_MS = 120_000;
/** The data buffer may grow to this (it is reserved, not allocated, up front). */
const MAX_DATA_BYTES = 2 ** 30;

/** Growable SharedArrayBuffers (ES2024; Node 20 and Chromium have them, the TS lib here predates them). */
type Growable = SharedArrayBuffer & { readonly growable: boolean; grow(bytes: number): void };
/** The constructor, looked up when used: pages that are not cross-origin isolated have no SharedArrayBuffer at all. */
const shared = (bytes: number, opts?: { maxByteLength: number }): Growable => new (SharedArrayBuffer as unknown as new (b: number, o?: { maxByteLength: number }) => Growable)(bytes, opts);

/**
 * Whether this runtime can run a helper: SharedArrayBuffer (growable) and
 * Atomics. In pages that means cross-origin isolation.
 * @example
 * ```ts
 * if (!kernelChannelsPossible()) console.log('one thread: no SharedArrayBuffer here');
 * ```
 */
export function kernelChannelsPossible(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  try {
    return shared(4, { maxByteLength: 8 }).growable === true;
  } catch {
    return false;
  }
}

/**
 * New channel buffers.
 * @example
 * ```ts
 * const buffers = makeKernelChannel(); // send them to the helper with its start
 * ```
 */
export function makeKernelChannel(): KernelChannelBuffers {
  return {
    control: new SharedArrayBuffer(64 * 4),
    job: new SharedArrayBuffer(JOB_CAPACITY),
    data: shared(1 << 20, { maxByteLength: MAX_DATA_BYTES }),
  };
}

/** How long a thread spins on the state before it sleeps (ms): waking a sleeping thread can take longer than a job. */
const SPIN_MS = 1;
/**
 * How long the helper spins between jobs while an update is under way
 * (between wake() and rest()) before it sleeps anyway (ms). Within an
 * update the learner's thread spends up to a few milliseconds between jobs
 * (the other thread's share, the loss), and waking a sleeping thread here
 * took 0.1-5 ms; between updates (the env's turn) the helper sleeps.
 */
const ACTIVE_SPIN_MS = 50;

/** Spins while control[STATE] is `state`, up to SPIN_MS; returns whether it changed. */
function spinWhile(control: Int32Array, state: number): boolean {
  const until = performance.now() + SPIN_MS;
  while (performance.now() < until) if (Atomics.load(control, STATE) !== state) return true;
  return false;
}

/** Spins while control[STATE] is `state` and an update is under way, up to ACTIVE_SPIN_MS; returns whether the state changed. */
function spinWhileActive(control: Int32Array, state: number): boolean {
  const until = performance.now() + ACTIVE_SPIN_MS;
  while (Atomics.load(control, ACTIVE) === 1 && performance.now() < until) if (Atomics.load(control, STATE) !== state) return true;
  return false;
}

function ensure(buffer: SharedArrayBuffer, bytes: number): void {
  const data = buffer as Growable;
  if (bytes > data.byteLength) {
    if (bytes > MAX_DATA_BYTES) throw new RangeError(`a kernel job needs ${bytes} bytes of shared memory, more than the channel holds (${MAX_DATA_BYTES})`);
    data.grow(Math.min(MAX_DATA_BYTES, Math.max(bytes, data.byteLength * 2)));
  }
}

/** Writes arrays one after another from the start of `data`; their count and lengths go in `control` at `at`. */
function writeArrays(b: KernelChannelBuffers, at: number, arrays: readonly Float32Array[]): void {
  if (arrays.length > MAX_ARRAYS) throw new RangeError(`a kernel job has ${arrays.length} arrays, at most ${MAX_ARRAYS}`);
  const control = new Int32Array(b.control);
  ensure(b.data, arrays.reduce((n, a) => n + a.length, 0) * 4);
  const data = new Float32Array(b.data);
  let offset = 0;
  control[at] = arrays.length;
  arrays.forEach((a, i) => {
    control[at + 1 + i] = a.length;
    data.set(a, offset);
    offset += a.length;
  });
}

/** Views of the arrays {@link writeArrays} wrote (valid until the data is written again). */
function readArrays(b: KernelChannelBuffers, at: number): Float32Array[] {
  const control = new Int32Array(b.control);
  const out: Float32Array[] = [];
  let offset = 0;
  for (let i = 0; i < control[at]; i++) {
    const n = control[at + 1 + i];
    out.push(new Float32Array(b.data, offset * 4, n));
    offset += n;
  }
  return out;
}

function writeText(b: KernelChannelBuffers, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > JOB_CAPACITY) throw new RangeError(`a kernel job description of ${bytes.length} bytes is over ${JOB_CAPACITY}`);
  new Uint8Array(b.job).set(bytes);
  new Int32Array(b.control)[JOB_BYTES] = bytes.length;
}

function readText(b: KernelChannelBuffers): string {
  // TextDecoder refuses views of shared memory: copy the bytes out first.
  const n = new Int32Array(b.control)[JOB_BYTES];
  return new TextDecoder().decode(new Uint8Array(b.job, 0, n).slice());
}

/**
 * The learner's end of a channel.
 * @example
 * ```ts
 * setKernelHelper(new ChannelHelper(buffers, () => thread.terminate()));
 * ```
 */
export class ChannelHelper implements KernelHelper {
  private busy = false;
  private closed = false;
  private jobCount = 0;

  /** @param deadlineMs how long one job may take before the helper is taken for dead */
  constructor(
    private readonly buffers: KernelChannelBuffers,
    private readonly onClose: () => void,
    private readonly deadlineMs = HELPER_DEADLINE_MS,
  ) {}

  /** Whether the helper thread has started serving (until then the learner runs everything itself). */
  get ready(): boolean {
    return !this.closed && Atomics.load(new Int32Array(this.buffers.control), SERVING) === 1;
  }

  /** Jobs handed over so far. */
  get jobs(): number {
    return this.jobCount;
  }

  start(job: KernelJob, inputs: readonly Float32Array[]): void {
    if (this.closed) throw new Error('the kernel helper thread was closed');
    if (this.busy) throw new Error('the kernel helper is already running a job (finish it first)');
    writeText(this.buffers, JSON.stringify(job));
    writeArrays(this.buffers, INPUTS, inputs);
    const control = new Int32Array(this.buffers.control);
    this.busy = true;
    this.jobCount++;
    Atomics.store(control, STATE, READY);
    Atomics.notify(control, STATE);
  }

  wake(): void {
    if (this.closed) return;
    const control = new Int32Array(this.buffers.control);
    Atomics.store(control, ACTIVE, 1);
    Atomics.notify(control, STATE);
  }

  rest(): void {
    if (this.closed) return;
    Atomics.store(new Int32Array(this.buffers.control), ACTIVE, 0);
  }

  finish(): Float32Array[] {
    if (!this.busy) throw new Error('no kernel job was started');
    const control = new Int32Array(this.buffers.control);
    // A loaded machine may keep the helper off the CPU for a while, so the
    // deadline is far beyond any job's time (tens of ms): past it the helper
    // is taken for dead (a thread that died cannot say so while we block).
    const deadline = Date.now() + this.deadlineMs;
    spinWhile(control, READY);
    while (Atomics.load(control, STATE) === READY) {
      if (Atomics.wait(control, STATE, READY, Math.min(1000, this.deadlineMs)) === 'timed-out' && Date.now() > deadline) {
        this.busy = false;
        this.close();
        throw new Error(`kernel helper thread: no answer within ${this.deadlineMs / 1000} s; it was closed (updates go on on one thread)`);
      }
    }
    this.busy = false;
    const state = Atomics.load(control, STATE);
    Atomics.store(control, STATE, IDLE);
    if (state === FAILED) throw new Error(`kernel helper thread: ${readText(this.buffers)}`);
    if (state !== DONE) throw new Error(`kernel helper thread: unexpected state ${state}`);
    return readArrays(this.buffers, OUTPUTS);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const control = new Int32Array(this.buffers.control);
    Atomics.store(control, STATE, QUIT);
    Atomics.notify(control, STATE);
    this.onClose();
  }
}

/**
 * The helper's end: runs jobs as they come until the channel is closed
 * (blocks its thread, which does nothing else).
 * @example
 * ```ts
 * serveKernelChannel(workerData.buffers, () => parentPort.postMessage('serving')); // in the helper thread
 * ```
 */
export function serveKernelChannel(buffers: KernelChannelBuffers, onServing?: () => void): void {
  const control = new Int32Array(buffers.control);
  Atomics.store(control, SERVING, 1);
  onServing?.();
  for (;;) {
    const state = Atomics.load(control, STATE);
    if (state === QUIT) return;
    if (state !== READY) {
      // Jobs of one update come up to a few milliseconds apart: spin before sleeping, for as long as the update lasts.
      if (spinWhile(control, state)) continue;
      if (Atomics.load(control, ACTIVE) === 1 && spinWhileActive(control, state)) continue;
      Atomics.wait(control, STATE, state);
      continue;
    }
    try {
      const job = JSON.parse(readText(buffers)) as KernelJob;
      // The outputs are copied out of the kernel's memory over the inputs, which are in the kernel's memory by now.
      writeArrays(buffers, OUTPUTS, runKernelJob(job, readArrays(buffers, INPUTS)));
      Atomics.store(control, STATE, DONE);
    } catch (e) {
      writeText(buffers, (e as Error).message ?? String(e));
      Atomics.store(control, STATE, FAILED);
    }
    Atomics.notify(control, STATE);
  }
}
