// What the full @tensorflow/tfjs registers on top of tfjs-core and the
// learner needs: the gradients (tf.grad, tf.variableGrads). Not the chained
// tensor methods (x.sum()): the learner calls ops as functions, so a bundler
// can leave out the ops it never calls. Bundlers and browsers load this file
// (package.json "imports": "#tfjs-setup"); Node loads tfjs-setup.node.mjs,
// the same module bundled into one file, because tfjs-core's ESM files import
// each other without extensions, which Node's loader refuses.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
