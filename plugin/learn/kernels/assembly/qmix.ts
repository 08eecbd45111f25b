// AssemblyScript source of the learner's kernels (compiled to WebAssembly
// with SIMD by `npm run build:kernels`; the bytes live in ../qmix-wasm.ts).
//
// Why kernels of our own: through tfjs, a GRU update launches hundreds of
// small kernels per step, and a QMIX mixer dozens per pass. Here one call
// runs a whole GRU sequence, forward or backward, with every step's operands
// in cache, and the mixer's elementwise parts run in one loop each. Memory is
// managed by the caller (../../wasm-kernel.ts): it grows the memory, copies
// operands in at 16-byte aligned addresses and passes their addresses.
//
// Layouts are row-major float32. Gates are PyTorch's GRUCell (r, z, n):
//   r = sigmoid(gx_r + gh_r), z = sigmoid(gx_z + gh_z)
//   n = tanh(gx_n + r * gh_n), h' = n + z * (h - n)
// with gx = x W_ih + b_ih and gh = h W_hh + b_hh.
//
// This is the entry: products.ts (the blocked product and dense layers),
// gru.ts (the sequence), mixer.ts (the QMIX mixing), optimizer.ts (RMSProp
// and Adam steps), lanes.ts (four-lane math).

/** First address free for the caller's data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

export { columnSums, gemm, linear, reluGrad, transpose } from './products';
export { backward, forward } from './gru';
export { mixBackward, mixForward } from './mixer';
export { adam, rmsprop } from './optimizer';
