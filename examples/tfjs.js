// simdopt as the optimizer of a TensorFlow.js model. TF.js computes the gradients
// (tf.variableGrads); simdopt's Adam takes them, steps, and the new values go back into the TF.js
// variables. The same model is also trained with TF.js's own tf.train.adam, from the same weights on
// the same batches, to compare the time of the optimizer update it replaces.
//
//     node examples/tfjs.js [--inputs 256] [--hidden 512] [--batch 32] [--steps 40]
//
// Uses TF.js's cpu backend (plain JS). Prints both runs' times per step and final losses.
import { parseArgs } from "node:util";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { Adam, loadRuntime } from "simdopt";
import { registerGradients } from "./tfjs-gradients.js";

const { values: flags } = parseArgs({
  options: {
    inputs: { type: "string", default: "256" },
    hidden: { type: "string", default: "512" },
    batch: { type: "string", default: "32" },
    steps: { type: "string", default: "40" },
  },
});
const inputs = Number(flags.inputs);
const hidden = Number(flags.hidden);
const batchSize = Number(flags.batch);
const steps = Number(flags.steps);
const classes = 10;
const lr = 1e-3;

tf.env().set("PROD", true); // silences the notice that suggests the native tfjs-node backend
await tf.setBackend("cpu");
registerGradients(); // only with @tensorflow/tfjs-core alone: see tfjs-gradients.js

// Data: random inputs labelled by a random linear "teacher"; one batch per step, the same for both runs.
const teacher = tf.randomNormal([inputs, classes], 0, 1, "float32", 1);
const batches = Array.from({ length: steps }, (_, step) =>
  tf.tidy(() => {
    const x = tf.randomNormal([batchSize, inputs], 0, 1, "float32", 100 + step);
    return { x, y: tf.cast(tf.oneHot(tf.argMax(tf.matMul(x, teacher), 1), classes), "float32") };
  }),
);

// One set of initial weights, copied into each run's variables.
const initial = [
  tf.randomNormal([inputs, hidden], 0, Math.sqrt(2 / inputs), "float32", 2),
  tf.zeros([hidden]),
  tf.randomNormal([hidden, classes], 0, Math.sqrt(1 / hidden), "float32", 3),
  tf.zeros([classes]),
];
const variablesFor = (run) => initial.map((value, i) => tf.variable(value, true, `${run}_${i}`));

/** The model: one ReLU hidden layer; the loss is the softmax cross-entropy summed over the batch. */
function loss([w1, b1, w2, b2], { x, y }) {
  const logits = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, w1), b1)), w2), b2);
  return tf.sum(tf.losses.softmaxCrossEntropy(y, logits, undefined, 0, tf.Reduction.NONE));
}

/** Trains `variables` with `update(grads)` as the optimizer: median times per step (ms), first and last loss. */
function train(variables, update) {
  const updateMs = [];
  const stepMs = [];
  const losses = [];
  for (const batch of batches) {
    const start = performance.now();
    const { value, grads } = tf.variableGrads(() => loss(variables, batch), variables);
    const gradients = variables.map((v) => grads[v.name]);
    const updateStart = performance.now();
    update(gradients);
    const end = performance.now();
    updateMs.push(end - updateStart);
    stepMs.push(end - start);
    losses.push(value.dataSync()[0] / batchSize);
    tf.dispose([value, gradients]);
  }
  return { updateMs: median(updateMs), stepMs: median(stepMs), firstLoss: losses[0], lastLoss: losses.at(-1) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// TF.js's own Adam.
const tfVariables = variablesFor("tfjs");
const tfAdam = tf.train.adam(lr);
const tfRun = train(tfVariables, (gradients) => {
  tfAdam.applyGradients(Object.fromEntries(tfVariables.map((v, i) => [v.name, gradients[i]])));
});

// simdopt's Adam: parameters in Wasm memory, gradients copied in, new values copied out.
const rt = await loadRuntime();
const simdVariables = variablesFor("simdopt");
const params = simdVariables.map((v) => rt.parameter(v.dataSync(), { name: v.name }));
const adam = new Adam(params, { lr });
const simdRun = train(simdVariables, (gradients) => {
  params.forEach((p, i) => p.setGrad(gradients[i].dataSync()));
  adam.step();
  // toArray() copies: TF.js's cpu backend keeps the array a tensor is made from.
  simdVariables.forEach((v, i) => v.assign(tf.tidy(() => tf.tensor(params[i].toArray(), v.shape))));
});

const count = params.reduce((sum, p) => sum + p.length, 0);
console.log(
  `${count} parameters, ${steps} steps of batch ${batchSize}, TF.js ${tf.version_core} cpu backend (median times per step)`,
);
const row = (label, run) =>
  console.log(
    `${label}: update ${run.updateMs.toFixed(2)} ms, whole step ${run.stepMs.toFixed(2)} ms, ` +
      `loss ${run.firstLoss.toFixed(4)} -> ${run.lastLoss.toFixed(4)}`,
  );
row("TF.js tf.train.adam          ", tfRun);
row("simdopt Adam (with the copies)", simdRun);
console.log(
  `speed-up of the optimizer update: ${(tfRun.updateMs / simdRun.updateMs).toFixed(1)}x; ` +
    `of the whole training step: ${(tfRun.stepMs / simdRun.stepMs).toFixed(2)}x`,
);
