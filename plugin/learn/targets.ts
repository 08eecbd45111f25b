/**
 * TD targets for padded episode batches: one-step (lambda = 0) and TD(lambda).
 *
 * With c_t = filled_t * (r_t + (1 - lambda) * gamma * (1 - term_t) * Qbar_{t+1})
 *                + lambda * gamma * bootEnd_t * Qbar_{t+1}
 * the lambda-return is G_t = c_t + lambda * gamma * G_{t+1}, i.e.
 * G = U c with U[t, t'] = (lambda * gamma)^(t' - t) for t' >= t: one matmul
 * instead of a loop over time.
 *
 * `bootEnd_t` marks the last real transition of an episode that was
 * truncated (time limit): there the return is r_t + gamma * Qbar_{t+1}. This
 * departs from pymarl2's `build_td_lambda_targets`, which for a padded,
 * truncated episode bootstraps from the Q of the last padded step; for
 * terminated episodes and for lambda = 0 the two agree (pymarl's one-step
 * target r + gamma * (1 - term) * Qbar).
 */
import * as tf from './tf.js';

/**
 * Marks, per `[T, B]` transition, the last real step of an episode that
 * ended without a real terminal (truncated, so its value is bootstrapped).
 * @example
 * ```ts
 * const bootEnd = bootstrapEnds(batch.filled, batch.terminated, batch.maxT, batch.batchSize);
 * ```
 */
export function bootstrapEnds(filled: Float32Array, terminated: Float32Array, T: number, B: number): Float32Array {
  const out = new Float32Array(T * B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const i = t * B + b;
      const nextFilled = t + 1 < T ? filled[i + B] : 0;
      if (filled[i] === 1 && nextFilled === 0 && terminated[i] === 0) out[i] = 1;
    }
  }
  return out;
}

/**
 * The `[T, T]` discount matrix U of the lambda-return (row t: (lambda gamma)^(t'-t) for t' >= t).
 * @example
 * ```ts
 * lambdaMatrix(2, 0.9, 0.5); // [1, 0.45, 0, 1]
 * ```
 */
export function lambdaMatrix(T: number, gamma: number, lambda: number): Float32Array {
  const u = new Float32Array(T * T);
  const k = lambda * gamma;
  for (let t = 0; t < T; t++) {
    let w = 1;
    for (let s = t; s < T; s++) {
      u[t * T + s] = w;
      w *= k;
    }
  }
  return u;
}

/** Inputs of {@link tdTargets}; masks are `[T, B]` with 1 / 0 entries. */
export interface TdTargetInputs {
  readonly rewards: tf.Tensor2D;
  readonly filled: tf.Tensor2D;
  readonly terminated: tf.Tensor2D;
  readonly bootEnd: tf.Tensor2D;
  /** Target values of the next step, `[T, B, K]` (K = 1 mixed, or nAgents for IQL). */
  readonly next: tf.Tensor3D;
  readonly gamma: number;
  readonly lambda: number;
  /** U from {@link lambdaMatrix} as a `[T, T]` tensor; required when lambda > 0. */
  readonly lambdaU?: tf.Tensor2D;
}

/**
 * TD(lambda) targets `[T, B, K]` (entries on padded steps are zero).
 * @example
 * ```ts
 * const y = tf.tidy(() => tdTargets({ rewards, filled, terminated, bootEnd, next, gamma: 0.99, lambda: 0 }));
 * ```
 */
export function tdTargets(i: TdTargetInputs): tf.Tensor3D {
  const [T, B, K] = i.next.shape;
  const col = (x: tf.Tensor2D): tf.Tensor3D => tf.reshape(x, [T, B, 1]);
  const { gamma, lambda } = i;
  // [T, B, K]
  const bootstrap = tf.mul(tf.mul(i.next, tf.sub(1, col(i.terminated))), (1 - lambda) * gamma);
  let c = tf.mul(tf.add(col(i.rewards), bootstrap), col(i.filled));
  if (lambda === 0) return c as tf.Tensor3D;
  if (i.lambdaU === undefined) throw new Error('tdTargets with lambda > 0 needs lambdaU');
  c = tf.add(c, tf.mul(tf.mul(i.next, col(i.bootEnd)), lambda * gamma));
  return tf.reshape(tf.matMul(i.lambdaU, tf.reshape(c, [T, B * K])), [T, B, K]);
}
