// The optimiser steps of ../../host-optimizer.ts on four lanes (see qmix.ts).
//
// Every operation is a single IEEE float32 operation (mul, add, sub, div,
// sqrt), each correctly rounded, in the order of the JS loop: the results are
// bit for bit the JS loop's (which rounds each float64 operation of float32
// values to float32, giving the same value). No multiply-add here, even in
// the relaxed build: a fused one would round once where the formula rounds
// twice.

/**
 * RMSProp on n values in place: g' = g * coef, sq = sq * alpha + g'^2 * omAlpha,
 * p -= g' / (sqrt(sq) + eps) * lr.
 */
export function rmsprop(n: i32, p: usize, sq: usize, g: usize, coef: f32, alpha: f32, omAlpha: f32, eps: f32, lr: f32): void {
  const vc = f32x4.splat(coef);
  const va = f32x4.splat(alpha);
  const vo = f32x4.splat(omAlpha);
  const ve = f32x4.splat(eps);
  const vl = f32x4.splat(lr);
  const n4 = n & ~3;
  let at: usize = 0;
  const end4 = <usize>n4 << 2;
  for (; at < end4; at += 16) {
    const gj = f32x4.mul(v128.load(g + at), vc);
    const sj = f32x4.add(f32x4.mul(v128.load(sq + at), va), f32x4.mul(f32x4.mul(gj, gj), vo));
    v128.store(sq + at, sj);
    const denom = f32x4.add(f32x4.sqrt(sj), ve);
    v128.store(p + at, f32x4.sub(v128.load(p + at), f32x4.mul(f32x4.div(gj, denom), vl)));
  }
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    const gj = load<f32>(g + o) * coef;
    const sj = load<f32>(sq + o) * alpha + gj * gj * omAlpha;
    store<f32>(sq + o, sj);
    store<f32>(p + o, load<f32>(p + o) - (gj / (sqrt<f32>(sj) + eps)) * lr);
  }
}

/**
 * Adam on n values in place: g' = g * coef, m = m * b1 + g' * omb1,
 * v = v * b2 + g'^2 * omb2, p -= m / (sqrt(v) / sqrtC2 + eps) * lrOverC1.
 */
export function adam(n: i32, p: usize, m: usize, v: usize, g: usize, coef: f32, b1: f32, omb1: f32, b2: f32, omb2: f32, sqrtC2: f32, eps: f32, lrOverC1: f32): void {
  const vc = f32x4.splat(coef);
  const vb1 = f32x4.splat(b1);
  const vo1 = f32x4.splat(omb1);
  const vb2 = f32x4.splat(b2);
  const vo2 = f32x4.splat(omb2);
  const vs = f32x4.splat(sqrtC2);
  const ve = f32x4.splat(eps);
  const vl = f32x4.splat(lrOverC1);
  const n4 = n & ~3;
  let at: usize = 0;
  const end4 = <usize>n4 << 2;
  for (; at < end4; at += 16) {
    const gj = f32x4.mul(v128.load(g + at), vc);
    const mj = f32x4.add(f32x4.mul(v128.load(m + at), vb1), f32x4.mul(gj, vo1));
    const vj = f32x4.add(f32x4.mul(v128.load(v + at), vb2), f32x4.mul(f32x4.mul(gj, gj), vo2));
    v128.store(m + at, mj);
    v128.store(v + at, vj);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vj), vs), ve);
    v128.store(p + at, f32x4.sub(v128.load(p + at), f32x4.mul(f32x4.div(mj, denom), vl)));
  }
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    const gj = load<f32>(g + o) * coef;
    const mj = load<f32>(m + o) * b1 + gj * omb1;
    const vj = load<f32>(v + o) * b2 + gj * gj * omb2;
    store<f32>(m + o, mj);
    store<f32>(v + o, vj);
    store<f32>(p + o, load<f32>(p + o) - (mj / (sqrt<f32>(vj) / sqrtC2 + eps)) * lrOverC1);
  }
}
