// The learner comparison both kernel builds are held to: 50 updates from one
// seed, fused kernels against the plain tfjs path. Run directly
// (`PHASER_QMIX_KERNEL=simd node --import tsx test/support/fused-compare.ts`)
// it prints the comparison as JSON, for the plain SIMD build's test (Node
// runs the relaxed-SIMD build by default).
import { collateEpisodes, Rng, type EnvSpec } from '../../plugin/core/index.js';
import { kernelVariant, QLearner, useFusedKernels } from '../../plugin/learn/index.js';
import { randomEpisodes } from './episodes.js';
import './tf.js';

/** Losses of 50 updates with the fused kernels and with the plain path, and the largest relative difference. */
export function compareLearners(agent: 'gru' | 'mlp'): { fused: number[]; plain: number[]; worst: number } {
  const spec: EnvSpec = { nAgents: 3, obsSize: 6, stateSize: 5, nActions: 4, episodeLimit: 12 };
  const episodes = randomEpisodes(spec, 64, 5);
  const rng = new Rng(6);
  const batches = Array.from({ length: 50 }, () => collateEpisodes(spec, Array.from({ length: 8 }, () => episodes[rng.int(episodes.length)])));
  const losses = (fused: boolean): number[] => {
    useFusedKernels(fused);
    const learner = new QLearner(spec, { agent, hiddenDim: 16, mixingEmbedDim: 8, hypernetEmbed: 16, seed: 3, batchSize: 8, targetUpdateInterval: 10 });
    try {
      return batches.map((b, i) => learner.update(b, i + 1).loss);
    } finally {
      learner.dispose();
      useFusedKernels(true);
    }
  };
  const fused = losses(true);
  const plain = losses(false);
  const worst = Math.max(...plain.map((p, i) => Math.abs(fused[i] - p) / Math.max(1, Math.abs(p))));
  return { fused, plain, worst };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify({ variant: kernelVariant(), gru: compareLearners('gru'), mlp: compareLearners('mlp') }));
}
