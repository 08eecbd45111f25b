/**
 * The learner's second thread: a helper that runs the kernel on its share of
 * a batch's rows while the learner's thread runs the rest (rows are
 * independent sequences; the weight gradients of both shares are summed).
 * This module only holds the helper the platform registered: Node's comes
 * from plugin/node/kernel-threads.ts (worker_threads), a page's from its
 * training worker where SharedArrayBuffer exists (cross-origin isolation).
 * Without one, everything runs on one thread, as before.
 */
import type { AgentNetShape } from '../core/agent-arch.js';
import type { MixerShape } from './mixer-specs.js';
import type { HostShareSettings } from './host-share.js';

/** Which kernel instance a job runs on (the helper mirrors the learner's slots). */
export type KernelRole = 'agent' | 'mixer' | 'scratch';

/** One share of an op for the helper. */
export interface KernelJob {
  readonly kind: 'agent-forward' | 'agent-backward' | 'mix-forward' | 'mix-backward' | 'host-step';
  readonly role: KernelRole;
  /** The agent network (agent jobs). */
  readonly shape?: AgentNetShape;
  /** The mixer (mix jobs). */
  readonly mixer?: MixerShape;
  /** Time steps (agent jobs). */
  readonly steps?: number;
  readonly rows: number;
  readonly keep: boolean;
  /** Agent input width (backward passes). */
  readonly width?: number;
  /** A whole host gradient step on a share of episodes (host-share.ts). */
  readonly host?: HostShareSettings;
}

/**
 * A helper thread, driven synchronously: {@link KernelHelper.start} hands a
 * job over and returns at once; {@link KernelHelper.finish} blocks until the
 * helper is done and returns its outputs (valid until the next job).
 */
export interface KernelHelper {
  /** Whether it takes jobs now (a thread still starting does not). */
  readonly ready: boolean;
  /** Jobs handed to it so far. */
  readonly jobs: number;
  start(job: KernelJob, inputs: readonly Float32Array[]): void;
  /**
   * Says an update starts: the helper wakes, and stays awake (spinning)
   * between jobs until {@link KernelHelper.rest}, so no job waits for a
   * thread to wake. Optional.
   */
  wake?(): void;
  /** Says the update is over: the helper may sleep. Optional. */
  rest?(): void;
  /** @throws Error with the helper's own message when its job failed */
  finish(): Float32Array[];
  close(): void;
}

let helper: KernelHelper | null = null;

/**
 * Registers (or with null removes) the helper thread the learner's kernels
 * split their rows with; the one it replaces is closed unless `closeOld` is
 * false (kept to be registered again). Platforms call it; see
 * `useKernelThreads` (Node).
 * @example
 * ```ts
 * setKernelHelper(myHelper); // from now on, updates run on two threads
 * ```
 */
export function setKernelHelper(h: KernelHelper | null, opts: { readonly closeOld?: boolean } = {}): void {
  if (helper && helper !== h && opts.closeOld !== false) helper.close();
  helper = h;
}

/**
 * The registered helper, or null (one thread).
 * @example
 * ```ts
 * console.log(kernelHelper() ? 'two threads' : 'one thread');
 * ```
 */
export function kernelHelper(): KernelHelper | null {
  return helper;
}

/**
 * Threads the learner's kernels run on now: 2 with a helper that is ready, else 1.
 * @example
 * ```ts
 * console.log(`updates on ${kernelThreads()} thread(s)`);
 * ```
 */
export function kernelThreads(): 1 | 2 {
  return helper?.ready ? 2 : 1;
}
