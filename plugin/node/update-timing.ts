/**
 * Times learner updates on the reference shape of the issues (32 episodes x
 * 50 steps, 3 agents, obs 30, 5 actions, state 40, GRU 64, mixer 32 /
 * hypernet 64, double Q), on the backend in use. No Node imports: the
 * browser benchmark runs it in a Web Worker too.
 */
import { EpisodeBuffer, Rng, syntheticEpisodes, type EnvSpec, type QmixConfig } from '../core/index.js';
import { QLearner } from '../learn/learner.js';
import { currentBackend } from '../learn/backend.js';
import { kernelThreads } from '../learn/kernel-threads.js';
import { kernelVariant, useFusedKernels } from '../learn/wasm-kernel.js';

/** The reference shape of the issues. */
export const REFERENCE: EnvSpec = { nAgents: 3, obsSize: 30, stateSize: 40, nActions: 5, episodeLimit: 50 };
/** The reference learner settings of the issues. */
export const REFERENCE_CONFIG: Partial<QmixConfig> = { hiddenDim: 64, mixingEmbedDim: 32, hypernetEmbed: 64, doubleQ: true, batchSize: 32 };

/** What {@link timeUpdates} measured. */
export interface UpdateTiming {
  readonly backend: string;
  readonly agent: 'gru' | 'mlp';
  readonly path: 'fused' | 'plain';
  /** The kernel build the fused path ran (null on the plain path). */
  readonly kernel: string | null;
  /** Threads the kernels ran on (the plain path runs on one). */
  readonly threads: 1 | 2;
  readonly batch: string;
  /** Agents, where not the reference's 3. */
  readonly nAgents?: number;
  readonly medianMs: number;
  readonly minMs: number;
  readonly repeats: number;
}

/**
 * The median of a non-empty list.
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * Median time of `repeats` learner updates (after two warm-up updates) on
 * full-length random episodes, with the fused kernels or the plain tfjs path.
 * @example
 * ```ts
 * await useBackend('wasm');
 * const { medianMs } = timeUpdates('gru', 'fused', 10);
 * timeUpdates('gru', 'fused', 10, { batchSize: 128 }); // pymarl2's batch
 * ```
 */
export function timeUpdates(agent: 'gru' | 'mlp', path: 'fused' | 'plain', repeats: number, shape: { readonly batchSize?: number; readonly nAgents?: number } = {}): UpdateTiming {
  useFusedKernels(path === 'fused');
  const B = shape.batchSize ?? 32;
  const spec: EnvSpec = { ...REFERENCE, nAgents: shape.nAgents ?? REFERENCE.nAgents };
  const learner = new QLearner(spec, { ...REFERENCE_CONFIG, agent, batchSize: B });
  // Every update runs its whole target pass, as a long run's updates mostly do: these batches of 2B episodes would reuse it nearly always.
  learner.setTargetReuseBytes(0);
  try {
    const buffer = new EpisodeBuffer(spec, 2 * B);
    // Full-length (50-step, time-limited) episodes, so a batch is exactly B x 50 after trimming.
    for (const ep of syntheticEpisodes(spec, 2 * B, spec.episodeLimit, 1)) buffer.insert(ep);
    const rng = new Rng(2);
    const times: number[] = [];
    for (let i = 0; i < repeats + 2; i++) {
      const batch = buffer.sample(B, rng);
      const t0 = performance.now();
      learner.update(batch, i + 1);
      const dt = performance.now() - t0;
      if (i >= 2) times.push(dt); // the first updates compile / warm caches
    }
    return {
      backend: currentBackend(), agent, path, kernel: path === 'fused' ? kernelVariant() : null, threads: path === 'fused' ? kernelThreads() : 1,
      batch: `${B}x50`, ...(spec.nAgents !== REFERENCE.nAgents ? { nAgents: spec.nAgents } : {}),
      medianMs: +median(times).toFixed(2), minMs: +Math.min(...times).toFixed(2), repeats: times.length,
    };
  } finally {
    learner.dispose();
    useFusedKernels(true);
  }
}
