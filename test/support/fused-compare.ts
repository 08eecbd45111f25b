// The learner comparison both kernel builds are held to: 50 updates from one
// seed, fused kernels against the plain tfjs path. Run directly
// (`PHASER_QMIX_KERNEL=simd node --import tsx test/support/fused-compare.ts`)
// it prints the comparison as JSON, for the plain SIMD build's test (Node
// runs the relaxed-SIMD build by default).
import { collateEpisodes, Rng, type EnvSpec, type QmixConfig } from '../../plugin/core/index.js';
import { kernelVariant, QLearner, useFusedKernels, type UpdateStats } from '../../plugin/learn/index.js';
import { randomEpisodes } from './episodes.js';
import './tf.js';

/** What two update paths report, per update. */
const STATS = ['loss', 'gradNorm', 'qTotMean', 'targetMean', 'tdErrorAbs'] as const;

/**
 * Losses of 50 updates with the fused kernels (the host step where it runs)
 * and with the plain tfjs path, the largest relative difference of the
 * losses, and of every reported statistic (`worstStat`); `host` says
 * whether the fused learner took the host step.
 */
export function compareLearners(agent: 'gru' | 'mlp', config: Partial<QmixConfig> = {}): { fused: number[]; plain: number[]; worst: number; worstStat: number; host: boolean } {
  const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 12 };
  const episodes = randomEpisodes(spec, 64, 5);
  const rng = new Rng(6);
  const batches = Array.from({ length: 50 }, () => collateEpisodes(spec, Array.from({ length: 8 }, () => episodes[rng.int(episodes.length)])));
  let host = false;
  const run = (fused: boolean): UpdateStats[] => {
    useFusedKernels(fused);
    const learner = new QLearner(spec, { agent, hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, seed: 3, batchSize: 8, targetUpdateInterval: 10, ...config });
    try {
      if (fused) host = learner.hostUpdates;
      return batches.map((b, i) => learner.update(b, i + 1));
    } finally {
      learner.dispose();
      useFusedKernels(true);
    }
  };
  const a = run(true);
  const b = run(false);
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(1, Math.abs(y));
  const fused = a.map((s) => s.loss);
  const plain = b.map((s) => s.loss);
  const worst = Math.max(...plain.map((p, i) => rel(fused[i], p)));
  const worstStat = Math.max(...b.flatMap((s, i) => STATS.map((k) => rel(a[i][k], s[k]))));
  return { fused, plain, worst, worstStat, host };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ variant: kernelVariant(), gru: compareLearners('gru'), mlp: compareLearners('mlp') }));
}
