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

/** First address free for the caller's data. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

// ---------------------------------------------------------------- products

// a * b + c on four lanes. Built twice (npm run build:kernels): with relaxed
// SIMD this is one fused multiply-add where the CPU has one (Chromium ships
// relaxed SIMD; Node 20 does not without a flag); otherwise a multiply and an
// add, which halves the product's peak on x64.
// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * C[M, N] (+)= A B, with B row-major [K, N] and A given by strides: element
 * (i, k) of A is at a + 4 * (i * sAi + k * sAk), so A or its transpose can be
 * read in place. Blocks of 4 rows x 8 columns keep 8 accumulators in
 * registers; the edges (rows beyond a multiple of 4, columns beyond a
 * multiple of 8) take narrower blocks.
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
function gemmCore(M: i32, N: i32, K: i32, a: usize, sAi: i32, sAk: i32, b: usize, c: usize, accumulate: bool, pack: usize, bias: usize, relu: bool): void {
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
    for (let j = 0; j < N8; j += 8) {
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
      v128.store(c0 + jb, finish(x0, bias, jb, relu)); v128.store(c0 + jb, finish(y0, bias, jb + 16, relu), 16);
      v128.store(c1 + jb, finish(x1, bias, jb, relu)); v128.store(c1 + jb, finish(y1, bias, jb + 16, relu), 16);
      v128.store(c2 + jb, finish(x2, bias, jb, relu)); v128.store(c2 + jb, finish(y2, bias, jb + 16, relu), 16);
      v128.store(c3 + jb, finish(x3, bias, jb, relu)); v128.store(c3 + jb, finish(y3, bias, jb + 16, relu), 16);
    }
  }
  // Columns beyond a multiple of 8 (the 5 actions of a Q layer, say): blocks
  // of 4 rows x 4 columns. Loads may run up to 3 values past a row of B or C
  // (the caller leaves slack after each array); only real columns are stored.
  if (N8 < N) {
    for (let i = 0; i < M4; i += 4) {
      const a0 = a + <usize>i * stepAi;
      const c0 = c + ((<usize>i * <usize>N) << 2);
      for (let j = N8; j < N; j += 4) {
        const jb = <usize>j << 2;
        let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
        if (accumulate) {
          x0 = v128.load(c0 + jb);
          x1 = v128.load(c0 + rowB + jb);
          x2 = v128.load(c0 + 2 * rowB + jb);
          x3 = v128.load(c0 + 3 * rowB + jb);
        }
        let pb = b + jb;
        let ka: usize = 0;
        for (let k = 0; k < K; k++) {
          const b0 = v128.load(pb);
          x0 = madd(f32x4.splat(load<f32>(a0 + ka)), b0, x0);
          x1 = madd(f32x4.splat(load<f32>(a0 + stepAi + ka)), b0, x1);
          x2 = madd(f32x4.splat(load<f32>(a0 + 2 * stepAi + ka)), b0, x2);
          x3 = madd(f32x4.splat(load<f32>(a0 + 3 * stepAi + ka)), b0, x3);
          pb += rowB;
          ka += stepAk;
        }
        const left = N - j;
        storeLanes(c0 + jb, finish(x0, bias, jb, relu), left);
        storeLanes(c0 + rowB + jb, finish(x1, bias, jb, relu), left);
        storeLanes(c0 + 2 * rowB + jb, finish(x2, bias, jb, relu), left);
        storeLanes(c0 + 3 * rowB + jb, finish(x3, bias, jb, relu), left);
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

// ---------------------------------------------------------------- layers

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

// ---------------------------------------------------------------- exp, sigmoid, tanh

// exp on four lanes: x = n ln2 + r with |r| <= ln2 / 2, e^r by Cephes' expf
// polynomial (about 1 ulp), 2^n built in the exponent bits. n is rounded by
// adding 1.5 * 2^23 (its low bits then hold n as an integer), which is much
// cheaper than nearest + trunc_sat on x64.
//
// The constants are read from a table, four lanes each: written as
// v128.const, V8 rebuilds each one inside the loop (a move, an insert and a
// shuffle), which made the gate loops about 4x slower.
const EXP_TABLE = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0,
  88.0, 88.0, 88.0, 88.0,
  12582912.0, 12582912.0, 12582912.0, 12582912.0,
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341,
  0.693359375, 0.693359375, 0.693359375, 0.693359375,
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0,
  2.0, 2.0, 2.0, 2.0,
], 16);

// @ts-ignore: decorator
@inline
function c4(i: usize): v128 {
  return v128.load(EXP_TABLE + (i << 4));
}

const ONE: usize = 12;
const TWO: usize = 13;

// @ts-ignore: decorator
@inline
function exp4(v: v128): v128 {
  // pmin/pmax are single instructions; min/max carry NaN rules that cost a sequence on x64.
  let x = f32x4.pmin(f32x4.pmax(v, c4(0)), c4(1));
  const shifted = f32x4.add(f32x4.mul(x, c4(3)), c4(2));
  const n = f32x4.sub(shifted, c4(2));
  x = f32x4.sub(x, f32x4.mul(n, c4(4)));
  x = f32x4.sub(x, f32x4.mul(n, c4(5)));
  // The polynomial by Estrin's scheme: three short chains instead of
  // Horner's one long one (the gate loops wait on latency, not throughput).
  const x2 = f32x4.mul(x, x);
  const x4 = f32x4.mul(x2, x2);
  const lo = f32x4.add(f32x4.mul(c4(10), x), c4(11));
  const mid = f32x4.add(f32x4.mul(c4(8), x), c4(9));
  const hi = f32x4.add(f32x4.mul(c4(6), x), c4(7));
  const q = f32x4.add(f32x4.add(lo, f32x4.mul(x2, mid)), f32x4.mul(x4, hi));
  const p = f32x4.add(f32x4.add(f32x4.mul(q, x2), x), c4(ONE));
  // shifted's bits are 0x4B400000 + n; shifting left by 23 drops the 0x4B4 part.
  return f32x4.mul(p, i32x4.shl(i32x4.add(shifted, i32x4.splat(127)), 23));
}

// @ts-ignore: decorator
@inline
function sigmoid4(v: v128): v128 {
  const one = c4(ONE);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v))));
}

// tanh(v) = 1 - 2 / (1 + e^(2v)); saturates cleanly at both ends.
// @ts-ignore: decorator
@inline
function tanh4(v: v128): v128 {
  const one = c4(ONE);
  return f32x4.sub(one, f32x4.div(c4(TWO), f32x4.add(one, exp4(f32x4.add(v, v)))));
}

// ---------------------------------------------------------------- the sequence

// Lane access for the gate loops: W = v128 moves four lanes, W = f32 one
// (lane 0; the others read as 0 and are never stored), so the same gate code
// serves the body of a row and its tail when H is not a multiple of 4.
// sizeof<W>() is a compile-time constant: each instance keeps one branch.
// @ts-ignore: decorator
@inline
function ld<W>(p: usize): v128 {
  if (sizeof<W>() == 16) return v128.load(p);
  return v128.load32_zero(p);
}

// @ts-ignore: decorator
@inline
function st<W>(p: usize, v: v128): void {
  if (sizeof<W>() == 16) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

// One forward gate group at byte offset jb of a row: gxi, ghi are the row's
// [3H] projections (biases included), e its [H] offset into the saved
// arrays, hb = H bytes.
// @ts-ignore: decorator
@inline
function forwardGates<W>(jb: usize, hb: usize, gxi: usize, ghi: usize, e: usize, hs: usize, next: usize, rs: usize, zs: usize, ns: usize, ghn: usize): void {
  const r = sigmoid4(f32x4.add(ld<W>(gxi + jb), ld<W>(ghi + jb)));
  const z = sigmoid4(f32x4.add(ld<W>(gxi + hb + jb), ld<W>(ghi + hb + jb)));
  const hn = ld<W>(ghi + 2 * hb + jb);
  const nn = tanh4(f32x4.add(ld<W>(gxi + 2 * hb + jb), f32x4.mul(r, hn)));
  const hPrev = ld<W>(hs + e + jb);
  // Kept for the backward pass only when asked for (rs = 0: a target network, no backward).
  if (rs) {
    st<W>(rs + e + jb, r);
    st<W>(zs + e + jb, z);
    st<W>(ns + e + jb, nn);
    st<W>(ghn + e + jb, hn);
  }
  st<W>(next + e + jb, f32x4.add(nn, f32x4.mul(z, f32x4.sub(hPrev, nn))));
}

/**
 * Runs the GRU over `steps` steps of `rows` rows from h0 = 0.
 * x [steps, rows, I]; wih [I, 3H]; bih [3H]; whh [H, 3H]; bhh [3H].
 * Writes hs [(steps + 1), rows, H] (hs[0] = 0, hs[t + 1] the state after
 * step t) and, for the backward pass, r, z, n and gh_n [steps, rows, H]
 * (skipped when rs is 0).
 * gx and gh are scratch of [rows, 3H] each, pack of max(I, H) * 64 bytes.
 */
export function forward(steps: i32, rows: i32, I: i32, H: i32, x: usize, wih: usize, bih: usize, whh: usize, bhh: usize, hs: usize, rs: usize, zs: usize, ns: usize, ghn: usize, gx: usize, gh: usize, pack: usize): void {
  const G = 3 * H;
  const H4 = H & ~3;
  const hb = <usize>H << 2;
  const stepBytes = <usize>(rows * H) << 2;
  memory.fill(hs, 0, stepBytes);
  for (let t = 0; t < steps; t++) {
    const base = <usize>t * stepBytes;
    // gx = x W_ih + b_ih and gh = h W_hh + b_hh, biases added as the blocks are stored.
    gemmCore(rows, G, I, x + ((<usize>t * <usize>rows * <usize>I) << 2), I, 1, wih, gx, false, pack, bih, false);
    gemmCore(rows, G, H, hs + base, H, 1, whh, gh, false, pack, bhh, false);
    for (let i = 0; i < rows; i++) {
      const gxi = gx + ((<usize>i * <usize>G) << 2);
      const ghi = gh + ((<usize>i * <usize>G) << 2);
      const e = base + <usize>i * hb;
      let j = 0;
      for (; j < H4; j += 4) forwardGates<v128>(<usize>j << 2, hb, gxi, ghi, e, hs, hs + stepBytes, rs, zs, ns, ghn);
      for (; j < H; j++) forwardGates<f32>(<usize>j << 2, hb, gxi, ghi, e, hs, hs + stepBytes, rs, zs, ns, ghn);
    }
  }
}

// One backward gate group: from dL/dh' (d) to the gate pre-activations.
// @ts-ignore: decorator
@inline
function backwardGates<W>(jb: usize, hb: usize, k: usize, e: usize, g: usize, dy: usize, dh: usize, hs: usize, rs: usize, zs: usize, ns: usize, ghn: usize, carry: usize, dgx: usize, dgh: usize): void {
  const one = f32x4.splat(1);
  // What flows into this step's output: from the loss and from step t + 1.
  const d = f32x4.add(ld<W>(dy + k + jb), ld<W>(dh + e + jb));
  const r = ld<W>(rs + k + jb);
  const z = ld<W>(zs + k + jb);
  const nn = ld<W>(ns + k + jb);
  const dn = f32x4.mul(d, f32x4.sub(one, z));
  const dz = f32x4.mul(d, f32x4.sub(ld<W>(hs + k + jb), nn));
  st<W>(carry + e + jb, f32x4.mul(d, z));
  const dan = f32x4.mul(dn, f32x4.sub(one, f32x4.mul(nn, nn)));
  const dar = f32x4.mul(f32x4.mul(f32x4.mul(dan, ld<W>(ghn + k + jb)), r), f32x4.sub(one, r));
  const daz = f32x4.mul(f32x4.mul(dz, z), f32x4.sub(one, z));
  st<W>(dgx + g + jb, dar);
  st<W>(dgx + g + hb + jb, daz);
  st<W>(dgx + g + 2 * hb + jb, dan);
  st<W>(dgh + g + jb, dar);
  st<W>(dgh + g + hb + jb, daz);
  st<W>(dgh + g + 2 * hb + jb, f32x4.mul(dan, r));
}

/**
 * Backpropagation through the sequence run by {@link forward}.
 * dy [steps, rows, H] is dL/d(hs[1..]); x, hs, rs, zs, ns, ghn as forward
 * left them; wihT [3H, I] and whhT [3H, H] are the transposed weights.
 * Writes dx [steps, rows, I], dwih [I, 3H], dbih [3H], dwhh [H, 3H], dbhh [3H].
 * Scratch: dgx, dgh [rows, 3H]; dh, carry [rows, H]; pack, max(rows, 3H) * 64 bytes.
 */
export function backward(steps: i32, rows: i32, I: i32, H: i32, x: usize, wihT: usize, whhT: usize, hs: usize, rs: usize, zs: usize, ns: usize, ghn: usize, dy: usize, dx: usize, dwih: usize, dbih: usize, dwhh: usize, dbhh: usize, dgx: usize, dgh: usize, dh: usize, carry: usize, pack: usize): void {
  const G = 3 * H;
  const H4 = H & ~3;
  const hb = <usize>H << 2;
  const stepBytes = <usize>(rows * H) << 2;
  const gBytes = <usize>G << 2;
  memory.fill(dh, 0, stepBytes);
  memory.fill(dwih, 0, <usize>I * gBytes);
  memory.fill(dwhh, 0, <usize>H * gBytes);
  memory.fill(dbih, 0, gBytes);
  memory.fill(dbhh, 0, gBytes);
  for (let t = steps - 1; t >= 0; t--) {
    const base = <usize>t * stepBytes;
    for (let i = 0; i < rows; i++) {
      const e = <usize>i * hb;
      const g = <usize>i * gBytes;
      let j = 0;
      for (; j < H4; j += 4) backwardGates<v128>(<usize>j << 2, hb, base + e, e, g, dy, dh, hs, rs, zs, ns, ghn, carry, dgx, dgh);
      for (; j < H; j++) backwardGates<f32>(<usize>j << 2, hb, base + e, e, g, dy, dh, hs, rs, zs, ns, ghn, carry, dgx, dgh);
    }
    const xt = x + ((<usize>t * <usize>rows * <usize>I) << 2);
    gemm(rows, I, G, dgx, G, 1, wihT, dx + ((<usize>t * <usize>rows * <usize>I) << 2), false, pack);
    gemm(I, G, rows, xt, 1, I, dgx, dwih, true, pack);
    gemm(H, G, rows, hs + base, 1, H, dgh, dwhh, true, pack);
    colSum(rows, G, dgx, dbih);
    colSum(rows, G, dgh, dbhh);
    // dL/dh for step t - 1: the direct path (z * dh) plus through the gates.
    if (t > 0) gemm(rows, H, G, dgh, G, 1, whhT, carry, true, pack);
    memory.copy(dh, carry, stepBytes);
  }
}

/** out[cols] += column sums of m[rows, cols]. */
function colSum(rows: i32, cols: i32, m: usize, out: usize): void {
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

// ---------------------------------------------------------------- the QMIX mixer

// Lane helpers for the mixer: |x|, the slope of |x| as tfjs takes it (1 for
// x > 0, else -1), elu, and the sum of the four lanes.
// @ts-ignore: decorator
@inline
function absSlope4(x: v128): v128 {
  return v128.bitselect(c4(ONE), f32x4.neg(c4(ONE)), f32x4.gt(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
function elu4(x: v128): v128 {
  return v128.bitselect(x, f32x4.sub(exp4(x), c4(ONE)), f32x4.gt(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// One group of embedding lanes of a row's forward mixing; returns its share of sum_e hid |w2|.
// @ts-ignore: decorator
@inline
function mixLanes<W>(eb: usize, N: i32, Eb: usize, qr: usize, w1r: usize, b1r: usize, w2r: usize, hidr: usize): v128 {
  let pre = ld<W>(b1r + eb);
  for (let a = 0; a < N; a++) {
    pre = f32x4.add(pre, f32x4.mul(f32x4.splat(load<f32>(qr + (<usize>a << 2))), f32x4.abs(ld<W>(w1r + <usize>a * Eb + eb))));
  }
  const h = elu4(pre);
  st<W>(hidr + eb, h);
  return f32x4.mul(h, f32x4.abs(ld<W>(w2r + eb)));
}

/**
 * The mixing itself, once the hypernetworks have run. For each row r:
 *   pre = sum_n q[r, n] |w1[r, n, :]| + b1[r, :],  hid = elu(pre)
 *   out[r] = sum_e hid[r, e] |w2[r, e]| + v[r]
 * q [rows, N]; w1 [rows, N * E] and w2 [rows, E] before the abs; b1, hid
 * [rows, E]; v, out [rows]. Four embedding lanes at a time.
 */
export function mixForward(rows: i32, N: i32, E: i32, q: usize, w1: usize, b1: usize, w2: usize, v: usize, hid: usize, out: usize): void {
  const Eb = <usize>E << 2;
  const E4 = E & ~3;
  for (let r = 0; r < rows; r++) {
    const qr = q + ((<usize>r * <usize>N) << 2);
    const w1r = w1 + <usize>r * <usize>N * Eb;
    const rowE = <usize>r * Eb;
    let acc = f32x4.splat(0);
    let e = 0;
    for (; e < E4; e += 4) acc = f32x4.add(acc, mixLanes<v128>(<usize>e << 2, N, Eb, qr, w1r, b1 + rowE, w2 + rowE, hid + rowE));
    for (; e < E; e++) acc = f32x4.add(acc, mixLanes<f32>(<usize>e << 2, N, Eb, qr, w1r, b1 + rowE, w2 + rowE, hid + rowE));
    store<f32>(out + (<usize>r << 2), load<f32>(v + (<usize>r << 2)) + lanesSum(acc));
  }
}

// dL/d(pre) and dL/d(w2) for one group of embedding lanes of a row.
// @ts-ignore: decorator
@inline
function mixBackLanes<W>(eb: usize, d: v128, w2r: usize, hidr: usize, dw2r: usize, db1r: usize): void {
  const w = ld<W>(w2r + eb);
  const h = ld<W>(hidr + eb);
  st<W>(dw2r + eb, f32x4.mul(f32x4.mul(d, h), absSlope4(w)));
  const dh = f32x4.mul(d, f32x4.abs(w));
  // elu' from its output, as tfjs does: 1 where hid >= 0, else hid + 1 (= e^pre).
  st<W>(db1r + eb, v128.bitselect(dh, f32x4.mul(dh, f32x4.add(h, c4(ONE))), f32x4.ge(h, f32x4.splat(0))));
}

// dL/dq (its lanes' share) and dL/d(w1) for one group of embedding lanes of agent a's row.
// @ts-ignore: decorator
@inline
function mixBackAgent<W>(eb: usize, qa: v128, w1ra: usize, db1r: usize, dw1ra: usize): v128 {
  const w = ld<W>(w1ra + eb);
  const dp = ld<W>(db1r + eb);
  st<W>(dw1ra + eb, f32x4.mul(f32x4.mul(dp, qa), absSlope4(w)));
  return f32x4.mul(dp, f32x4.abs(w));
}

/**
 * Gradients of {@link mixForward} for dL/d(out) = dout [rows]: dq [rows, N],
 * dw1 [rows, N * E] and dw2 [rows, E] (before the abs), db1 [rows, E]
 * (= dL/d(pre)). dL/dv is dout itself.
 */
export function mixBackward(rows: i32, N: i32, E: i32, q: usize, w1: usize, w2: usize, hid: usize, dout: usize, dq: usize, dw1: usize, db1: usize, dw2: usize): void {
  const Eb = <usize>E << 2;
  const E4 = E & ~3;
  for (let r = 0; r < rows; r++) {
    const rowE = <usize>r * Eb;
    const d = f32x4.splat(load<f32>(dout + (<usize>r << 2)));
    let e = 0;
    for (; e < E4; e += 4) mixBackLanes<v128>(<usize>e << 2, d, w2 + rowE, hid + rowE, dw2 + rowE, db1 + rowE);
    for (; e < E; e++) mixBackLanes<f32>(<usize>e << 2, d, w2 + rowE, hid + rowE, dw2 + rowE, db1 + rowE);
    for (let a = 0; a < N; a++) {
      const ra = <usize>r * <usize>N + <usize>a;
      const qa = f32x4.splat(load<f32>(q + (ra << 2)));
      const at = ra * Eb;
      let sum = f32x4.splat(0);
      e = 0;
      for (; e < E4; e += 4) sum = f32x4.add(sum, mixBackAgent<v128>(<usize>e << 2, qa, w1 + at, db1 + rowE, dw1 + at));
      for (; e < E; e++) sum = f32x4.add(sum, mixBackAgent<f32>(<usize>e << 2, qa, w1 + at, db1 + rowE, dw1 + at));
      store<f32>(dq + (ra << 2), lanesSum(sum));
    }
  }
}
