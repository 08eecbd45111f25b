// Four-lane helpers shared by the kernels (see qmix.ts): multiply-add, exp,
// sigmoid, tanh, elu, lane access for loops with a one-lane tail.

// a * b + c on four lanes. Built twice (npm run build:kernels): with relaxed
// SIMD this is one fused multiply-add where the CPU has one (Chromium ships
// relaxed SIMD; Node 20 does not without a flag); otherwise a multiply and an
// add, which halves the product's peak on x64.
// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// exp on four lanes: x = n ln2 + r with |r| <= ln2 / 2, e^r by Cephes' expf
// polynomial (about 1 ulp), 2^n built in the exponent bits. n is rounded by
// adding 1.5 * 2^23 (its low bits then hold n as an integer), which is much
// cheaper than nearest + trunc_sat on x64.
//
// The constants sit in one table, four lanes each. (Tried as a fix for slow
// gate loops: it measured the same as v128.const; the loops are bound by
// exp's latency, which Estrin's scheme below shortens.)
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
export function c4(i: usize): v128 {
  return v128.load(EXP_TABLE + (i << 4));
}

export const ONE: usize = 12;
export const TWO: usize = 13;

// @ts-ignore: decorator
@inline
export function exp4(v: v128): v128 {
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
export function sigmoid4(v: v128): v128 {
  const one = c4(ONE);
  return f32x4.div(one, f32x4.add(one, exp4(f32x4.neg(v))));
}

// tanh(v) = 1 - 2 / (1 + e^(2v)); saturates cleanly at both ends.
// @ts-ignore: decorator
@inline
export function tanh4(v: v128): v128 {
  const one = c4(ONE);
  return f32x4.sub(one, f32x4.div(c4(TWO), f32x4.add(one, exp4(f32x4.add(v, v)))));
}
// Lane access for the gate loops: W = v128 moves four lanes, W = f32 one
// (lane 0; the others read as 0 and are never stored), so the same gate code
// serves the body of a row and its tail when H is not a multiple of 4.
// sizeof<W>() is a compile-time constant: each instance keeps one branch.
// @ts-ignore: decorator
@inline
export function ld<W>(p: usize): v128 {
  if (sizeof<W>() == 16) return v128.load(p);
  return v128.load32_zero(p);
}

// @ts-ignore: decorator
@inline
export function st<W>(p: usize, v: v128): void {
  if (sizeof<W>() == 16) v128.store(p, v);
  else v128.store32_lane(p, v, 0);
}

// Lane helpers for the mixer: |x|, the slope of |x| as tfjs takes it (1 for
// x > 0, else -1), elu, and the sum of the four lanes.
// @ts-ignore: decorator
@inline
export function absSlope4(x: v128): v128 {
  return v128.bitselect(c4(ONE), f32x4.neg(c4(ONE)), f32x4.gt(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
export function elu4(x: v128): v128 {
  return v128.bitselect(x, f32x4.sub(exp4(x), c4(ONE)), f32x4.gt(x, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline
export function lanesSum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}
