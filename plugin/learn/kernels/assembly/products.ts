// Products and dense layers (see qmix.ts).
import { madd } from './lanes';

/**
 * C[M, N] (+)= A B, with B row-major [K, N] and A given by strides: element
 * (i, k) of A is at a + 4 * (i * sAi + k * sAk), so A or its transpose can be
 * read in place. Blocks of 4 rows x 8 columns keep 8 accumulators in
 * registers; the edges (rows beyond a multiple of 4, columns beyond a
 * multiple of 8) are computed in full blocks and stored in part, or row by row.
 *
 * Each block of 4 rows of A is first copied to `pack` (K * 64 bytes) with
 * every value already broadcast to four lanes: the inner loop then loads
 * them instead of splatting, and splats (a load plus a shuffle) were what
 * held the loop back (about 31 GFLOP/s with splats, on our 2-core machine).
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, sAi: i32, sAk: i32, b: usize, c: usize, accumulate: bool, pack: usize): void {
  gemmCore(M, N, K, a, sAi, sAk, b, c, accumulate, pack, 0, false);
}

/**
 * {@link gemm}, then, as each block is stored, + bias[N] (when bias is not 0)
 * and max(0, .) (when relu): a dense layer without a second pass over C.
 */
export function gemmCore(M: i32, N: i32, K: i32, a: usize, sAi: i32, sAk: i32, b: usize, c: usize, accumulate: bool, pack: usize, bias: usize, relu: bool): void {
  if (K == 0) {
    // An empty sum (a backward pass over no rows): zeros, or C as it was.
    if (!accumulate) memory.fill(c, 0, (<usize>M * <usize>N) << 2);
    return;
  }
  // Long sums (weight gradients sum over every row of a batch) go in panels
  // of KC, so the rows of B being read stay in cache across the row blocks.
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const last = k0 + kc >= K;
    gemmPanel(M, N, kc, a + ((<usize>k0 * <usize>sAk) << 2), sAi, sAk, b + ((<usize>k0 * <usize>N) << 2), c, accumulate || k0 > 0, pack, last ? bias : 0, last && relu);
  }
}

/** Depth of one panel of {@link gemm}: `pack` holds KC * 64 bytes. */
const KC = 256;

// The epilogue of a stored block: + bias, then max(0, .).
// @ts-ignore: decorator
@inline
function finish(v: v128, bias: usize, at: usize, relu: bool): v128 {
  let out = bias ? f32x4.add(v, v128.load(bias + at)) : v;
  if (relu) out = f32x4.pmax(out, f32x4.splat(0));
  return out;
}

function gemmPanel(M: i32, N: i32, K: i32, a: usize, sAi: i32, sAk: i32, b: usize, c: usize, accumulate: bool, pack: usize, bias: usize, relu: bool): void {
  const M4 = M & ~3;
  const N8 = N & ~7;
  const rowB = <usize>N << 2;
  const stepAk = <usize>sAk << 2;
  const stepAi = <usize>sAi << 2;
  for (let i = 0; i < M4; i += 4) {
    const a0 = a + <usize>i * stepAi;
    let pk = pack;
    let ka: usize = 0;
    for (let k = 0; k < K; k++) {
      v128.store(pk, f32x4.splat(load<f32>(a0 + ka)));
      v128.store(pk, f32x4.splat(load<f32>(a0 + stepAi + ka)), 16);
      v128.store(pk, f32x4.splat(load<f32>(a0 + 2 * stepAi + ka)), 32);
      v128.store(pk, f32x4.splat(load<f32>(a0 + 3 * stepAi + ka)), 48);
      pk += 64;
      ka += stepAk;
    }
    const c0 = c + ((<usize>i * <usize>N) << 2);
    const c1 = c0 + rowB;
    const c2 = c1 + rowB;
    const c3 = c2 + rowB;
    // Blocks of 8 columns; the last may be narrower (5 actions of a Q layer,
    // say): it is computed 8 wide, reading up to 7 values past a row of B or
    // C (the caller leaves 32 bytes of slack after each array), and only its
    // real columns are stored.
    for (let j = 0; j < N; j += 8) {
      const jb = <usize>j << 2;
      let x0 = f32x4.splat(0), y0 = f32x4.splat(0);
      let x1 = f32x4.splat(0), y1 = f32x4.splat(0);
      let x2 = f32x4.splat(0), y2 = f32x4.splat(0);
      let x3 = f32x4.splat(0), y3 = f32x4.splat(0);
      if (accumulate) {
        x0 = v128.load(c0 + jb); y0 = v128.load(c0 + jb, 16);
        x1 = v128.load(c1 + jb); y1 = v128.load(c1 + jb, 16);
        x2 = v128.load(c2 + jb); y2 = v128.load(c2 + jb, 16);
        x3 = v128.load(c3 + jb); y3 = v128.load(c3 + jb, 16);
      }
      let pb = b + jb;
      pk = pack;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        const b1 = v128.load(pb, 16);
        let s = v128.load(pk);
        x0 = madd(s, b0, x0);
        y0 = madd(s, b1, y0);
        s = v128.load(pk, 16);
        x1 = madd(s, b0, x1);
        y1 = madd(s, b1, y1);
        s = v128.load(pk, 32);
        x2 = madd(s, b0, x2);
        y2 = madd(s, b1, y2);
        s = v128.load(pk, 48);
        x3 = madd(s, b0, x3);
        y3 = madd(s, b1, y3);
        pb += rowB;
        pk += 64;
      }
      if (j < N8) {
        v128.store(c0 + jb, finish(x0, bias, jb, relu)); v128.store(c0 + jb, finish(y0, bias, jb + 16, relu), 16);
        v128.store(c1 + jb, finish(x1, bias, jb, relu)); v128.store(c1 + jb, finish(y1, bias, jb + 16, relu), 16);
        v128.store(c2 + jb, finish(x2, bias, jb, relu)); v128.store(c2 + jb, finish(y2, bias, jb + 16, relu), 16);
        v128.store(c3 + jb, finish(x3, bias, jb, relu)); v128.store(c3 + jb, finish(y3, bias, jb + 16, relu), 16);
      } else {
        const left = N - j;
        storeBlock(c0 + jb, finish(x0, bias, jb, relu), finish(y0, bias, jb + 16, relu), left);
        storeBlock(c1 + jb, finish(x1, bias, jb, relu), finish(y1, bias, jb + 16, relu), left);
        storeBlock(c2 + jb, finish(x2, bias, jb, relu), finish(y2, bias, jb + 16, relu), left);
        storeBlock(c3 + jb, finish(x3, bias, jb, relu), finish(y3, bias, jb + 16, relu), left);
      }
    }
  }
  // Rows beyond a multiple of 4, one at a time.
  for (let i = M4; i < M; i++) gemmRow(N, K, a + <usize>i * stepAi, stepAk, b, c + ((<usize>i * <usize>N) << 2), accumulate, bias, relu);
}

/** One row of C: blocks of 8 columns, then of 4 (storing only real columns). */
function gemmRow(N: i32, K: i32, ai: usize, stepAk: usize, b: usize, ci: usize, accumulate: bool, bias: usize, relu: bool): void {
  const rowB = <usize>N << 2;
  let j = 0;
  for (; j + 8 <= N; j += 8) {
    const jb = <usize>j << 2;
    let x = accumulate ? v128.load(ci + jb) : f32x4.splat(0);
    let y = accumulate ? v128.load(ci + jb, 16) : f32x4.splat(0);
    let pb = b + jb;
    let ka: usize = 0;
    for (let k = 0; k < K; k++) {
      const s = f32x4.splat(load<f32>(ai + ka));
      x = madd(s, v128.load(pb), x);
      y = madd(s, v128.load(pb, 16), y);
      pb += rowB;
      ka += stepAk;
    }
    v128.store(ci + jb, finish(x, bias, jb, relu));
    v128.store(ci + jb, finish(y, bias, jb + 16, relu), 16);
  }
  for (; j < N; j += 4) {
    const jb = <usize>j << 2;
    let x = accumulate ? v128.load(ci + jb) : f32x4.splat(0);
    let pb = b + jb;
    let ka: usize = 0;
    for (let k = 0; k < K; k++) {
      x = madd(f32x4.splat(load<f32>(ai + ka)), v128.load(pb), x);
      pb += rowB;
      ka += stepAk;
    }
    storeLanes(ci + jb, finish(x, bias, jb, relu), N - j);
  }
}

/** Stores the first `count` (1..7) lanes of the 8 in x, y. */
function storeBlock(p: usize, x: v128, y: v128, count: i32): void {
  storeLanes(p, x, count);
  if (count > 4) storeLanes(p + 16, y, count - 4);
}

/** Stores the first `count` lanes of v (all four when count >= 4). */
function storeLanes(p: usize, v: v128, count: i32): void {
  if (count >= 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (count > 1) v128.store32_lane(p, v, 1, 4);
  if (count > 2) v128.store32_lane(p, v, 2, 8);
}

/** dst[cols, rows] = src[rows, cols] transposed. */
export function transpose(rows: i32, cols: i32, src: usize, dst: usize): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      store<f32>(dst + ((<usize>j * <usize>rows + <usize>i) << 2), load<f32>(src + ((<usize>i * <usize>cols + <usize>j) << 2)));
    }
  }
}

/** out[M, N] = a[M, K] w[K, N] + b[N], then max(0, .) when relu. */
export function linear(M: i32, N: i32, K: i32, a: usize, w: usize, b: usize, out: usize, relu: bool, pack: usize): void {
  gemmCore(M, N, K, a, K, 1, w, out, false, pack, b, relu);
}

/** d[i] = 0 where a[i] <= 0: the gradient through max(0, .), given its output a. */
export function reluGrad(count: i32, a: usize, d: usize): void {
  const C4 = count & ~3;
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i < C4; i += 4) {
    const o = <usize>i << 2;
    v128.store(d + o, v128.and(v128.load(d + o), f32x4.gt(v128.load(a + o), zero)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    if (load<f32>(a + o) <= 0) store<f32>(d + o, 0);
  }
}

/** out[cols] = column sums of m[rows, cols]. */
export function columnSums(rows: i32, cols: i32, m: usize, out: usize): void {
  memory.fill(out, 0, <usize>cols << 2);
  colSum(rows, cols, m, out);
}

/** out[cols] += column sums of m[rows, cols]. */
export function colSum(rows: i32, cols: i32, m: usize, out: usize): void {
  const rowBytes = <usize>cols << 2;
  const C4 = cols & ~3;
  let j = 0;
  for (; j < C4; j += 4) {
    const jb = <usize>j << 2;
    let s = v128.load(out + jb);
    let p = m + jb;
    for (let i = 0; i < rows; i++) {
      s = f32x4.add(s, v128.load(p));
      p += rowBytes;
    }
    v128.store(out + jb, s);
  }
  for (; j < cols; j++) {
    const jb = <usize>j << 2;
    let s = load<f32>(out + jb);
    for (let i = 0; i < rows; i++) s += load<f32>(m + <usize>i * rowBytes + jb);
    store<f32>(out + jb, s);
  }
}
