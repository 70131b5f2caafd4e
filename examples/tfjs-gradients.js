// The gradients of the four TF.js kernels that examples/tfjs.js differentiates through: BatchMatMul,
// Add (with broadcasting), Relu and Sum, written as TF.js itself writes them. @tensorflow/tfjs-core
// alone registers no gradients in Node (tf.variableGrads then fails with "gradient function not
// found"); the full @tensorflow/tfjs and @tensorflow/tfjs-node register all of them, and with either
// this module is not needed.
import * as tf from "@tensorflow/tfjs-core";

/** Registers each gradient unless TF.js already has one for that kernel. */
export function registerGradients() {
  for (const config of GRADIENTS) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
}

/** dy summed over the axes that `shape` was broadcast along, reshaped to `shape`. */
function unbroadcast(dy, shape) {
  const axes = tf.broadcast_util.getReductionAxes(shape, dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape);
}

const GRADIENTS = [
  {
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b], { transposeA, transposeB }) => {
      if (transposeA || transposeB) throw new Error("this BatchMatMul gradient handles untransposed inputs only");
      return { a: () => tf.matMul(dy, b, false, true), b: () => tf.matMul(a, dy, true, false) };
    },
  },
  {
    kernelName: "Add",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({ a: () => unbroadcast(dy, a.shape), b: () => unbroadcast(dy, b.shape) }),
  },
  {
    kernelName: "Relu",
    inputsToSave: ["x"],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(dy, tf.step(x)) }),
  },
  {
    kernelName: "Sum",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], { axis }) => {
      const shape = [...x.shape];
      for (const a of tf.util.parseAxisParam(axis, x.shape)) shape[a] = 1;
      return { x: () => tf.mul(tf.reshape(dy, shape), tf.onesLike(x)) };
    },
  },
];
