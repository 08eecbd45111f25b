// The QMIX mixing, forward and backward (see qmix.ts).
import { absSlope4, c4, elu4, lanesSum, ld, ONE, st } from './lanes';

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
