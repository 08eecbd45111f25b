// Learner update times on the reference shape, fused against plain on wasm,
// as JSON: `npm run bench` runs this in a child Node with
// PHASER_QMIX_KERNEL=simd, so the fused kernels' plain SIMD build is measured
// beside the relaxed-SIMD build (fused multiply-add) the main run uses by
// default.
import { kernelVariant } from '../../plugin/learn/index.js';
import { benchUpdates, speedups } from '../../plugin/node/bench.js';

const repeats = Number(process.argv[2] ?? 20);
const update = [...(await benchUpdates('wasm', 'gru', repeats, ['fused', 'plain'])), ...(await benchUpdates('wasm', 'mlp', repeats, ['fused', 'plain']))];
console.log(JSON.stringify({ kernel: kernelVariant(), update, speedup: speedups(update) }));
