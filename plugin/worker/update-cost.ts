/**
 * What one learner update costs, estimated from the squad's shape and the
 * nets' sizes, for the small-update rule of the backend choice
 * (plugin/worker/backend-choice.ts). Pure arithmetic: no tfjs.
 */
import { agentInputSize } from '../core/agent-inputs.js';
import { validateConfig, type QmixConfig } from '../core/config.js';
import type { EnvSpec } from '../core/env.js';

/** What decides an update's cost: the squad's shape and the nets' sizes. */
export interface UpdateShape {
  readonly agent: 'gru' | 'mlp';
  readonly hiddenDim: number;
  /** Width of one agent's network input (observation + extras). */
  readonly inputSize: number;
  readonly nAgents: number;
  readonly nActions: number;
  readonly stateSize: number;
  readonly mixer: 'qmix' | 'vdn' | 'none';
  readonly mixingEmbedDim: number;
  readonly hypernetLayers: 1 | 2;
  readonly hypernetEmbed: number;
  readonly batchSize: number;
  /** Steps per episode in a batch (the episode limit). */
  readonly steps: number;
}

/**
 * The update shape of a squad and (partial) config, as the learner will run it.
 * @example
 * ```ts
 * const shape = updateShape({ nAgents: 3, obsSize: 30, stateSize: 40, nActions: 5, episodeLimit: 50 }, { agent: 'gru' });
 * ```
 */
export function updateShape(spec: EnvSpec, config: Partial<QmixConfig>): UpdateShape {
  const c = validateConfig(config);
  return {
    agent: c.agent,
    hiddenDim: c.hiddenDim,
    inputSize: agentInputSize(spec, c),
    nAgents: spec.nAgents,
    nActions: spec.nActions,
    stateSize: spec.stateSize,
    mixer: c.mixer,
    mixingEmbedDim: c.mixingEmbedDim,
    hypernetLayers: c.hypernetLayers,
    hypernetEmbed: c.hypernetEmbed,
    batchSize: c.batchSize,
    steps: spec.episodeLimit,
  };
}

// The small-update rule (3.) compares a pessimistic WASM time with an
// optimistic WebGL time, so it only skips the trial where WASM wins anyway.
// - WASM: FLOPs at 20 GFLOP/s. The fused kernels reach 29-35 GFLOP/s
//   effective on this 2-core machine (reference GRU update, 1.28 GFLOP:
//   37 ms in a Chromium worker; reference MLP, 0.47 GFLOP: 16 ms).
// - WebGL: tfjs runs one shader per kernel and the GRU's steps one after
//   another, so an update costs at least its kernel count times a per-draw
//   overhead, however fast the GPU. Counted with tf.profile on the plain path
//   (what WebGL runs): GRU 154 kernels per step + 339 (IQL) to 710 (QMIX);
//   MLP 229 (IQL) to 600 (QMIX) in all. We take the low ends and 10 us per
//   kernel, below what tfjs's WebGL backend spends per draw on desktop GPUs.
// Reference GRU: WASM <= 64 ms vs WebGL >= 80 ms -> no trial (measured: 37 ms
// vs 820-950 ms on SwiftShader). Reference MLP: <= 24 ms vs >= 2.3 ms -> trial.
const WASM_FLOP_PER_MS = 20e6;
const WEBGL_MS_PER_KERNEL = 0.01;
const GRU_KERNELS_PER_STEP = 154;
const GRU_KERNELS_FIXED = 339;
const MLP_KERNELS = 229;

/**
 * Rough cost of one update: FLOPs and WebGL kernel launches, a pessimistic
 * WASM time and an optimistic WebGL time (see the comment above for the numbers).
 * @example
 * ```ts
 * const { wasmMs, webglFloorMs } = estimateUpdate(shape);
 * if (wasmMs <= webglFloorMs) console.log('no GPU beats the WASM kernels here');
 * ```
 */
export function estimateUpdate(s: UpdateShape): { flops: number; kernels: number; wasmMs: number; webglFloorMs: number } {
  const H = s.hiddenDim;
  const perRow = s.inputSize * H + (s.agent === 'gru' ? 6 * H * H : H * H) + H * s.nActions;
  const agentRows = s.batchSize * (s.steps + 1) * s.nAgents;
  const E = s.mixingEmbedDim;
  const S = s.stateSize;
  const hyper = s.hypernetLayers === 2 ? S * s.hypernetEmbed * 2 + s.hypernetEmbed * (s.nAgents * E + E) : S * (s.nAgents * E + E);
  // b1 and V's first layer (S x E each), V's second layer (E), then the mixing itself (n x E, E).
  const perMix = s.mixer === 'qmix' ? hyper + 2 * S * E + E + s.nAgents * E + E : 0;
  // Multiply-adds x2 for FLOPs, x4 for online forward + backward (2x) + target forward.
  const flops = 8 * (agentRows * perRow + s.batchSize * s.steps * perMix);
  const kernels = s.agent === 'gru' ? GRU_KERNELS_PER_STEP * s.steps + GRU_KERNELS_FIXED : MLP_KERNELS;
  return { flops, kernels, wasmMs: flops / WASM_FLOP_PER_MS, webglFloorMs: kernels * WEBGL_MS_PER_KERNEL };
}
