/**
 * Loads the learner's WebAssembly SIMD kernels (built from
 * `kernels/assembly/qmix.ts`: products, the agent network's layers and GRU
 * sequence, the QMIX mixer) and lays out their operands in its memory.
 *
 * The kernel has no allocator: each call places its operands one after the
 * other from the heap base (16-byte aligned, for SIMD loads), grows the
 * memory when they do not fit, and is done with them when it returns.
 */
import { QMIX_RELAXED_WASM_BASE64, QMIX_WASM_BASE64 } from './kernels/qmix-wasm.js';

/** The kernel's exports; addresses are byte offsets into `memory`. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  gemm(M: number, N: number, K: number, a: number, sAi: number, sAk: number, b: number, c: number, accumulate: boolean, pack: number): void;
  transpose(rows: number, cols: number, src: number, dst: number): void;
  linear(M: number, N: number, K: number, a: number, w: number, b: number, out: number, relu: boolean, pack: number): void;
  reluGrad(count: number, a: number, d: number): void;
  columnSums(rows: number, cols: number, m: number, out: number): void;
  mixForward(rows: number, N: number, E: number, q: number, w1: number, b1: number, w2: number, v: number, hid: number, out: number): void;
  mixBackward(rows: number, N: number, E: number, q: number, w1: number, w2: number, hid: number, dout: number, dq: number, dw1: number, db1: number, dw2: number): void;
  forward(steps: number, rows: number, I: number, H: number, x: number, wih: number, bih: number, whh: number, bhh: number, hs: number, rs: number, zs: number, ns: number, ghn: number, gx: number, gh: number, pack: number): void;
  backward(
    steps: number, rows: number, I: number, H: number, x: number, wihT: number, whhT: number, hs: number, rs: number, zs: number, ns: number, ghn: number,
    dy: number, dx: number, dwih: number, dbih: number, dwhh: number, dbhh: number, dgx: number, dgh: number, dh: number, carry: number, pack: number,
  ): void;
  rmsprop(n: number, p: number, sq: number, g: number, coef: number, alpha: number, omAlpha: number, eps: number, lr: number): void;
  adam(n: number, p: number, m: number, v: number, g: number, coef: number, b1: number, omb1: number, b2: number, omb2: number, sqrtC2: number, eps: number, lrOverC1: number): void;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Scratch the product needs for its packed rows: 64 bytes per step of its panel depth (KC = 256 in the kernel). */
export const PACK_FLOATS = 16 * 256;

let fusedOn = true;

/**
 * Chooses how the learner runs its agent network and QMIX mixer in training:
 * fused (default on the wasm and cpu backends: our WebAssembly SIMD kernels
 * with hand-written backward passes) or plain (tfjs ops through tfjs
 * autodiff, the reference the tests compare against, and always the path on
 * WebGL, where the data stays on the GPU).
 * @example
 * ```ts
 * useFusedKernels(false); // the plain reference path, e.g. to benchmark it
 * ```
 */
export function useFusedKernels(on: boolean): void {
  fusedOn = on;
}

/**
 * Whether {@link useFusedKernels} is on.
 * @example
 * ```ts
 * if (fusedKernelsOn() && wasmKernel()) console.log('fused training');
 * ```
 */
export function fusedKernelsOn(): boolean {
  return fusedOn;
}

let compiled: { module: WebAssembly.Module; variant: KernelVariant } | null | undefined;

/** Which build of the kernel runs: with relaxed SIMD (fused multiply-add) or plain SIMD. */
export type KernelVariant = 'relaxed-simd' | 'simd';

/** Node's process, where there is one (this module also runs in pages and workers). */
const nodeProcess = (globalThis as { process?: { env?: Record<string, string | undefined>; versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;

/**
 * Node 20 validates relaxed SIMD only behind a V8 flag (Node 22 has it on).
 * V8 reads its WebAssembly feature flags when it validates and compiles a
 * module, so the flag set here, at run time and before our first compile,
 * works without the user passing it. `PHASER_QMIX_KERNEL=simd` keeps the
 * plain build (the bench measures both).
 */
function relaxedSimdInNode(): void {
  if (!nodeProcess?.versions?.node || nodeProcess.env?.PHASER_QMIX_KERNEL === 'simd') return;
  const v8 = nodeProcess.getBuiltinModule?.('node:v8') as { setFlagsFromString?(flags: string): void } | undefined;
  try {
    v8?.setFlagsFromString?.('--experimental-wasm-relaxed-simd');
  } catch {
    // an unknown flag (a later V8 without it): the build is validated below either way
  }
}

function kernelModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled?.module ?? null;
  compiled = null;
  if (typeof WebAssembly === 'undefined') return null;
  const plainOnly = nodeProcess?.env?.PHASER_QMIX_KERNEL === 'simd';
  if (!plainOnly && !WebAssembly.validate(decodeBase64(QMIX_RELAXED_WASM_BASE64))) relaxedSimdInNode();
  // The relaxed-SIMD build where the runtime validates it (Chromium, Node 22+,
  // Node 20 with the flag set above), else plain SIMD.
  for (const [variant, text] of [['relaxed-simd', QMIX_RELAXED_WASM_BASE64], ['simd', QMIX_WASM_BASE64]] as const) {
    if (plainOnly && variant === 'relaxed-simd') continue;
    try {
      const bytes = decodeBase64(text);
      if (WebAssembly.validate(bytes)) {
        compiled = { module: new WebAssembly.Module(bytes), variant };
        break;
      }
    } catch {
      // try the next build
    }
  }
  return compiled?.module ?? null;
}

/**
 * The kernel build in use, or null where WebAssembly SIMD is unavailable.
 * @example
 * ```ts
 * console.log(kernelVariant()); // 'relaxed-simd' in Chromium and Node 20.16+, 'simd' where the runtime lacks it
 * ```
 */
export function kernelVariant(): KernelVariant | null {
  kernelModule();
  return compiled?.variant ?? null;
}

/**
 * What a forward pass keeps for its backward pass: a range of its slot's
 * memory, left in place, and copied out only if another call needs the
 * memory first.
 * @example
 * ```ts
 * const kept = slot.keep(from, to); // after the forward pass
 * slot.restore(kept); // in the backward pass: the arrays are back at [from, to)
 * ```
 */
export class Resident {
  /** The arrays, once copied out of the slot (null while still in place). */
  saved: Float32Array | null = null;

  constructor(
    readonly slot: KernelSlot,
    readonly from: number,
    readonly to: number,
  ) {}
}

/**
 * One instance of the kernel with a memory of its own. The learner's
 * differentiable ops each have a slot (the agent network, the mixer), and
 * everything without a gradient shares a third, so in the usual order of an
 * update (forward, other ops, backward) what a forward pass saved is still in
 * place when its backward pass runs: no megabytes copied out and back.
 * @example
 * ```ts
 * const slot = kernelSlot('agent');
 * slot?.claim(); // before writing into its memory
 * ```
 */
export class KernelSlot {
  private resident: Resident | null = null;

  constructor(readonly kernel: KernelExports) {}

  /** Makes the memory free for a new call: a forward pass still waiting for its backward pass gets its arrays copied out. */
  claim(): void {
    const r = this.resident;
    if (r) r.saved = takeSaved(new Float32Array(this.kernel.memory.buffer), r.from, r.to);
    this.resident = null;
  }

  /** Marks [from, to) as kept by a forward pass (call right after it ran). */
  keep(from: number, to: number): Resident {
    this.resident = new Resident(this, from, to);
    return this.resident;
  }

  /**
   * For a backward pass: {@link KernelSlot.restore}, then a fresh arena
   * whose first reservations land where the forward pass's did.
   */
  resume(r: Resident): KernelArena {
    this.restore(r);
    return new KernelArena(this.kernel);
  }

  /**
   * For a backward pass: puts what `r` kept back in place at its addresses
   * (nothing to do if it never left), and frees the slot.
   */
  restore(r: Resident): void {
    if (this.resident === r) {
      this.resident = null;
      return;
    }
    this.claim();
    const saved = r.saved;
    if (!saved) throw new Error('a fused backward pass ran twice, or its forward pass never kept its arrays');
    new KernelArena(this.kernel).reserveTo(r.to).set(saved, r.from / 4);
    releaseSaved(saved);
    r.saved = null;
  }
}

const slots = new Map<string, KernelSlot>();

/**
 * The kernel slot for a role ('agent', 'mixer', or 'scratch' for calls
 * without a gradient), created on first use; null where WebAssembly SIMD is
 * unavailable (callers then take the plain path).
 * @example
 * ```ts
 * const slot = kernelSlot('scratch');
 * ```
 */
export function kernelSlot(role: 'agent' | 'mixer' | 'scratch'): KernelSlot | null {
  const module = kernelModule();
  if (!module) return null;
  let slot = slots.get(role);
  if (!slot) {
    slot = new KernelSlot(new WebAssembly.Instance(module, {}).exports as unknown as KernelExports);
    slots.set(role, slot);
  }
  return slot;
}

/**
 * A new instance of the kernel with a memory of its own, for a caller that
 * keeps arrays there between calls (an actor's weights and GRU states); null
 * where WebAssembly SIMD is unavailable.
 * @example
 * ```ts
 * const kernel = newKernelInstance(); // its memory is this caller's alone
 * ```
 */
export function newKernelInstance(): KernelExports | null {
  const module = kernelModule();
  return module ? (new WebAssembly.Instance(module, {}).exports as unknown as KernelExports) : null;
}

/**
 * The kernel's scratch instance, compiled on first use (synchronously: it
 * is about 7 KB), or null where WebAssembly SIMD is unavailable; callers
 * then take the plain path.
 * @example
 * ```ts
 * if (wasmKernel()) console.log('fused learner kernels available');
 * ```
 */
export function wasmKernel(): KernelExports | null {
  return kernelSlot('scratch')?.kernel ?? null;
}

/**
 * Places float32 arrays one after another in the kernel's memory.
 * @example
 * ```ts
 * const arena = new KernelArena(kernel);
 * const pX = arena.take(x.length);
 * arena.f32().set(x, pX / 4);
 * ```
 */
export class KernelArena {
  private top: number;

  constructor(private readonly kernel: KernelExports) {
    this.top = kernel.heapBase();
  }

  /**
   * Reserves `floats` values; returns their byte address (16-byte aligned).
   * Leaves 32 bytes of slack after each array: the product's last block of
   * columns may load up to 7 values past the end of a row.
   */
  take(floats: number): number {
    const at = this.top;
    this.top += Math.ceil(floats / 4) * 16 + 32;
    return at;
  }

  /**
   * Reserves named arrays in order and returns their addresses, plus `end`
   * after the last. A forward and a backward pass that reserve the same list
   * first get the same addresses: what the forward pass kept is where the
   * backward pass looks for it.
   * @example
   * ```ts
   * const at = arena.layout([['x', m * In], ['a1', m * H]]); // at.x, at.a1, at.end
   * ```
   */
  layout(sizes: readonly (readonly [string, number])[]): Record<string, number> {
    const at: Record<string, number> = {};
    for (const [name, floats] of sizes) at[name] = this.take(floats);
    at.end = this.take(0);
    return at;
  }

  /** A view of the whole memory grown to hold `end` bytes (for restoring kept arrays). */
  reserveTo(end: number): Float32Array {
    this.top = Math.max(this.top, end);
    return this.f32();
  }

  /** A view of the whole memory, grown to hold everything taken so far. Take all, then view: growing detaches older views. */
  f32(): Float32Array {
    const memory = this.kernel.memory;
    const missing = this.top - memory.buffer.byteLength;
    if (missing > 0) {
      try {
        memory.grow(Math.ceil(missing / 65536));
      } catch (e) {
        const mb = (n: number) => `${Math.ceil(n / 2 ** 20)} MB`;
        throw new RangeError(
          `the learner's WebAssembly kernel needs ${mb(this.top)} for this batch and its memory could not grow past ${mb(memory.buffer.byteLength)} (${(e as Error).message}); use a smaller batch, or useFusedKernels(false) for the plain tfjs path`,
        );
      }
    }
    return new Float32Array(memory.buffer);
  }
}

/**
 * The backward pass of a dense layer out = input W + b over `rows` rows
 * (before its activation): dW = input^T dOut, db = column sums of dOut and,
 * when `dInput` is given, dInput = dOut W^T. All arguments are addresses;
 * `wT` is scratch for `inW * outW` values, `pack` for the product.
 * @example
 * ```ts
 * linearBackward(kernel, rows, 64, 5, hidden, w2, dq, gradW2, gradB2, dHidden, scratch, pack);
 * ```
 */
export function linearBackward(
  kernel: KernelExports, rows: number, inW: number, outW: number, input: number, w: number, dOut: number,
  gradW: number, gradB: number, dInput: number | null, wT: number, pack: number,
): void {
  kernel.gemm(inW, outW, rows, input, 1, inW, dOut, gradW, false, pack);
  kernel.columnSums(rows, outW, dOut, gradB);
  if (dInput === null) return;
  kernel.transpose(inW, outW, w, wT);
  kernel.gemm(rows, inW, outW, dOut, outW, 1, wT, dInput, false, pack);
}

const spare = new Map<number, Float32Array[]>();

/**
 * Keeps what a forward pass saves for its backward pass (megabytes for a GRU
 * batch) in reused arrays rather than fresh ones each update, which the
 * garbage collector then has to sweep. {@link releaseSaved} hands one back.
 * @example
 * ```ts
 * const saved = takeSaved(mem, from, to); // ... later, in the backward pass:
 * releaseSaved(saved);
 * ```
 */
export function takeSaved(mem: Float32Array, from: number, to: number): Float32Array {
  const length = (to - from) / 4;
  const out = spare.get(length)?.pop() ?? new Float32Array(length);
  out.set(mem.subarray(from / 4, to / 4));
  return out;
}

/**
 * Returns an array from {@link takeSaved} for reuse (a few per size are kept).
 * @example
 * ```ts
 * releaseSaved(saved); // after copying it back into the kernel's memory
 * ```
 */
export function releaseSaved(buffer: Float32Array): void {
  const list = spare.get(buffer.length) ?? [];
  if (list.length < 2) list.push(buffer);
  if (spare.size > 16) spare.clear();
  spare.set(buffer.length, list);
}
