/**
 * A dense layer y = act(x W + b) with a hand-written gradient.
 *
 * Why: tfjs differentiates a matmul with transposed-operand matmuls
 * (`matMul(dy, W, false, true)`, `matMul(x, dy, true, false)`), and on the
 * wasm backend those take a slow path: measured here, about 1.0 ms for
 * [96, 64]^T x [96, 192] against 0.1 ms for an explicit `tf.transpose` and a
 * plain matmul. The backward pass of a GRU update is mostly such products, so
 * we transpose explicitly.
 */
import * as tf from './tf.js';

type Activation = 'linear' | 'relu';

function makeLinear(activation: Activation) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    const y = tf.fused.matMul({ a: x, b: w, bias: b, activation });
    save([x, w, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw, sy] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // relu'(pre) is 1 exactly where the output is positive.
        const g = activation === 'relu' ? tf.mul(dy, tf.step(sy)) : (dy as tf.Tensor2D);
        return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g), tf.sum(g, 0)];
      },
    };
  });
}

const linearOps = { linear: makeLinear('linear'), relu: makeLinear('relu') };

/**
 * `act(x W + b)` for x `[rows, in]`, W `[in, out]`, b `[out]`.
 * @example
 * ```ts
 * const hidden = linear(x, params.get('agent.fc1.w'), params.get('agent.fc1.b'), 'relu');
 * ```
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, activation: Activation = 'linear'): tf.Tensor2D {
  return linearOps[activation](x, w, b) as tf.Tensor2D;
}
