// Learner update times on the reference shape, fused against plain on wasm,
// as JSON: `npm run bench` runs this in a child Node with relaxed SIMD
// switched on (`--experimental-wasm-relaxed-simd`; Chromium and Node 22+
// have it by default), so the fused kernels' relaxed build (fused
// multiply-add) is measured beside the plain SIMD build of the main run.
import { kernelVariant } from '../../plugin/learn/index.js';
import { benchUpdates, speedups } from '../../plugin/node/bench.js';

const repeats = Number(process.argv[2] ?? 20);
const update = [...(await benchUpdates('wasm', 'gru', repeats, ['fused', 'plain'])), ...(await benchUpdates('wasm', 'mlp', repeats, ['fused', 'plain']))];
console.log(JSON.stringify({ kernel: kernelVariant(), update, speedup: speedups(update) }));
