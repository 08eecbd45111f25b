/**
 * What each agent's network reads: its observation, then optionally the
 * one-hot of its previous action (zeros at the first step) and the one-hot of
 * its agent id (pymarl's `_build_inputs`). Built in plain JS so one-hots are
 * exact on every tfjs backend (wasm's `tf.oneHot` returned 1.4e-45 for 1).
 */
import type { EnvSpec } from './env.js';

/** Which extras go after the observation. */
export interface AgentInputOptions {
  readonly obsLastAction: boolean;
  readonly obsAgentId: boolean;
}

/**
 * Width of one agent's input vector.
 * @example
 * ```ts
 * agentInputSize({ obsSize: 30, nActions: 5, nAgents: 3 }, { obsLastAction: true, obsAgentId: true }); // 38
 * ```
 */
export function agentInputSize(spec: Pick<EnvSpec, 'obsSize' | 'nActions' | 'nAgents'>, opts: AgentInputOptions): number {
  return spec.obsSize + (opts.obsLastAction ? spec.nActions : 0) + (opts.obsAgentId ? spec.nAgents : 0);
}

/**
 * Writes the inputs of all agents of one env at one step into `out`
 * (`[nAgents, inputSize]`, starting at `offset`).
 * @param obs `[nAgents, obsSize]`
 * @param lastActions `[nAgents]` previous actions, or null at the first step
 * @example
 * ```ts
 * const x = new Float32Array(spec.nAgents * agentInputSize(spec, opts));
 * writeStepInputs(x, 0, spec, opts, step.obs, 0, lastActions);
 * ```
 */
export function writeStepInputs(
  out: Float32Array,
  offset: number,
  spec: Pick<EnvSpec, 'obsSize' | 'nActions' | 'nAgents'>,
  opts: AgentInputOptions,
  obs: ArrayLike<number>,
  obsOffset: number,
  lastActions: ArrayLike<number> | null,
  actOffset = 0,
): void {
  const { nAgents: n, obsSize: O, nActions: A } = spec;
  const width = agentInputSize(spec, opts);
  for (let a = 0; a < n; a++) {
    const base = offset + a * width;
    for (let k = 0; k < O; k++) out[base + k] = obs[obsOffset + a * O + k];
    let p = base + O;
    if (opts.obsLastAction) {
      for (let u = 0; u < A; u++) out[p + u] = 0;
      if (lastActions !== null) out[p + lastActions[actOffset + a]] = 1;
      p += A;
    }
    if (opts.obsAgentId) {
      for (let i = 0; i < n; i++) out[p + i] = i === a ? 1 : 0;
    }
  }
}

/**
 * Inputs for a whole time-major batch: `[T + 1, B, nAgents, inputSize]`.
 * Padded steps get zero observations and (when used) a zero last action.
 * @example
 * ```ts
 * const x = buildBatchInputs(buffer.sample(32, rng), { obsLastAction: true, obsAgentId: true });
 * ```
 */
export function buildBatchInputs(
  batch: {
    readonly batchSize: number;
    readonly maxT: number;
    readonly nAgents: number;
    readonly obsSize: number;
    readonly nActions: number;
    readonly obs: Float32Array;
    /** Whole numbers (an `EpisodeBatch`'s Int32Array, or a share's floats). */
    readonly actions: ArrayLike<number>;
    readonly filled: Float32Array;
  },
  opts: AgentInputOptions,
  out?: Float32Array,
): Float32Array {
  const { batchSize: B, maxT: T, nAgents: n, obsSize: O } = batch;
  const width = agentInputSize(batch, opts);
  const size = (T + 1) * B * n * width;
  const dst = out && out.length >= size ? out.subarray(0, size) : new Float32Array(size);
  for (let t = 0; t <= T; t++) {
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      // The previous action exists from t = 1 on, while the episode was still running.
      const hasLast = t > 0 && batch.filled[(t - 1) * B + b] === 1;
      writeStepInputs(dst, row * n * width, batch, opts, batch.obs, row * n * O, hasLast ? batch.actions : null, ((t - 1) * B + b) * n);
    }
  }
  return dst;
}
