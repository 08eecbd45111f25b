/**
 * The GRU over a whole sequence as one differentiable op, with a hand-written
 * backward pass (backpropagation through time).
 *
 * Why: differentiated step by step, a 51-step GRU update launches thousands
 * of small kernels (about 8,400 per reference update) and most of the time
 * goes to launching them. Here only what is truly sequential runs per step,
 * the recurrent product h W_hh (forward) and dG W_hh^T (backward), as one
 * small matmul each; the input projection of every step, and the weight
 * gradients of every step, are one large matmul each; the gate arithmetic
 * runs in plain JS loops over typed arrays, where it is cheaper than a dozen
 * tiny kernels. The plain step-by-step path (`agentForward` with the fused
 * path off) stays as the reference the tests compare against.
 *
 * Gates follow PyTorch's GRUCell (r, z, n), as in `agent-net.ts`:
 *   r = sigmoid(gx_r + gh_r),  z = sigmoid(gx_z + gh_z)
 *   n = tanh(gx_n + r * gh_n),  h' = n + z * (h - n)
 * with gx = x W_ih + b_ih and gh = h W_hh + b_hh.
 */
import * as tf from '@tensorflow/tfjs';
import { readTidy } from './read.js';

/** `values` ([rows, cols]) times `matrix`, read back: one small kernel. */
function product(values: Float32Array, rows: number, cols: number, matrix: tf.Tensor2D): Float32Array {
  return readTidy(() => tf.matMul(tf.tensor2d(values, [rows, cols]), matrix));
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function makeGruSequence(steps: number, rows: number) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, wih, bih, whh, bhh] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.Tensor2D, tf.Tensor1D];
    const save = args[5] as tf.GradSaveFunc;
    const H = whh.shape[0];
    const G = 3 * H;
    const n = rows * H;
    // Every step's input projection in one matmul.
    const gx = readTidy(() => tf.add(tf.matMul(x, wih), bih));
    const bh = bhh.dataSync() as Float32Array;
    // hs[t] is the state before step t (hs[0] = 0); kept for the backward pass with the gates.
    const hs = new Float32Array((steps + 1) * n);
    const rs = new Float32Array(steps * n);
    const zs = new Float32Array(steps * n);
    const ns = new Float32Array(steps * n);
    const ghn = new Float32Array(steps * n);
    for (let t = 0; t < steps; t++) {
      const gh = product(hs.subarray(t * n, (t + 1) * n), rows, H, whh);
      const gxBase = t * rows * G;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < H; j++) {
          const k = t * n + i * H + j;
          const gxi = gxBase + i * G;
          const ghi = i * G;
          const r = sigmoid(gx[gxi + j] + gh[ghi + j] + bh[j]);
          const z = sigmoid(gx[gxi + H + j] + gh[ghi + H + j] + bh[H + j]);
          const hn = gh[ghi + 2 * H + j] + bh[2 * H + j];
          const nn = Math.tanh(gx[gxi + 2 * H + j] + r * hn);
          const hPrev = hs[k];
          rs[k] = r;
          zs[k] = z;
          ns[k] = nn;
          ghn[k] = hn;
          hs[k + n] = nn + z * (hPrev - nn);
        }
      }
    }
    save([x, wih, whh]);
    const value = tf.tensor2d(hs.subarray(n), [steps * rows, H]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, swih, swhh] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dys = dy.dataSync() as Float32Array;
        const dgx = new Float32Array(steps * rows * G);
        const dgh = new Float32Array(steps * rows * G);
        // dL/dh flowing back into step t, and the one being built for step t - 1 (swapped each step).
        let dhNext = new Float32Array(n);
        let carry = new Float32Array(n);
        const whhT = tf.transpose(swhh);
        for (let t = steps - 1; t >= 0; t--) {
          for (let i = 0; i < rows; i++) {
            for (let j = 0; j < H; j++) {
              const e = i * H + j;
              const k = t * n + e;
              const dh = dys[k] + dhNext[e];
              const r = rs[k];
              const z = zs[k];
              const nn = ns[k];
              const dn = dh * (1 - z);
              const dz = dh * (hs[k] - nn);
              carry[e] = dh * z;
              const dan = dn * (1 - nn * nn);
              const dar = dan * ghn[k] * r * (1 - r);
              const daz = dz * z * (1 - z);
              const g = t * rows * G + i * G;
              dgx[g + j] = dar;
              dgx[g + H + j] = daz;
              dgx[g + 2 * H + j] = dan;
              dgh[g + j] = dar;
              dgh[g + H + j] = daz;
              dgh[g + 2 * H + j] = dan * r;
            }
          }
          if (t > 0) {
            const back = product(dgh.subarray(t * rows * G, (t + 1) * rows * G), rows, G, whhT);
            for (let e = 0; e < n; e++) carry[e] += back[e];
          }
          [dhNext, carry] = [carry, dhNext];
        }
        whhT.dispose();
        // The weight gradients of all steps at once; explicit transposes (see linear.ts).
        const dgxT = tf.tensor2d(dgx, [steps * rows, G]);
        const dghT = tf.tensor2d(dgh, [steps * rows, G]);
        const hPrev = tf.tensor2d(hs.subarray(0, steps * n), [steps * rows, H]);
        return [
          tf.matMul(dgxT, tf.transpose(swih)),
          tf.matMul(tf.transpose(sx), dgxT),
          tf.sum(dgxT, 0),
          tf.matMul(tf.transpose(hPrev), dghT),
          tf.sum(dghT, 0),
        ];
      },
    };
  });
}

const ops = new Map<string, ReturnType<typeof makeGruSequence>>();

/**
 * All hidden states of a GRU run from a zero state over `steps` steps of
 * `rows` rows: `x` is `[steps * rows, in]` time-major, the result
 * `[steps * rows, H]`. Differentiable in x and all four weights.
 * @example
 * ```ts
 * const hs = gruSequence(fc1, wih, bih, whh, bhh, 51, 96); // [51 * 96, 64]
 * ```
 */
export function gruSequence(x: tf.Tensor2D, wih: tf.Tensor, bih: tf.Tensor, whh: tf.Tensor, bhh: tf.Tensor, steps: number, rows: number): tf.Tensor2D {
  const key = `${steps}x${rows}`;
  let op = ops.get(key);
  if (!op) {
    op = makeGruSequence(steps, rows);
    // Few distinct shapes occur (episode lengths are trimmed to the batch's longest).
    if (ops.size > 256) ops.clear();
    ops.set(key, op);
  }
  return op(x, wih, bih, whh, bhh) as tf.Tensor2D;
}
